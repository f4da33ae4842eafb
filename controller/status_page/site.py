"""The routes of the status page, added to the metrics listener by the daemon.

    /             the page (HTML; shows the state at load, without JavaScript too)
    /status.html  the live part of the page, which status.js fetches every 2 s
    /status.json  the document both are rendered from
    /status.js, /status.css

Each request takes a fresh snapshot of the dispatcher on the event loop
(the listener runs there), so the page never reads state mid-change, then
builds the document and renders it in a thread: with thousands of
executors that takes a good part of a second, which the loop must not
wait for (the snapshot is frozen data, safe to read there). The answers
forbid caching and, with a Content-Security-Policy that allows only
the page's own script and style, keep injected markup inert should escaping
ever fail.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any

from controller.dispatch.snapshot import DispatchSnapshot
from controller.metrics import Answer, Route
from controller.status_page.document import status_document
from controller.status_page.gearman_queues import ServerQueues
from controller.status_page.render import asset, render_page, render_status

HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
)
HTML = "text/html; charset=utf-8"


class StatusPage:
    def __init__(self, snapshot: Callable[[], DispatchSnapshot], queues: Callable[[], Sequence[ServerQueues]]):
        self._snapshot = snapshot
        self._queues = queues

    def routes(self) -> dict[str, Route]:
        return {
            "/": self._rendered(HTML, render_page),
            "/status.html": self._rendered(HTML, render_status),
            "/status.json": self._rendered("application/json", json.dumps),
            "/status.js": self._static("text/javascript; charset=utf-8", "status.js"),
            "/status.css": self._static("text/css; charset=utf-8", "status.css"),
        }

    def _rendered(self, content_type: str, render: Callable[[dict[str, Any]], str]) -> Route:
        async def route() -> Answer:
            snapshot, queues = self._snapshot(), self._queues()  # on the loop, where the dispatcher lives
            text = await asyncio.to_thread(lambda: render(status_document(snapshot, queues)))
            return Answer(content_type, text.encode(), HEADERS)

        return route

    @staticmethod
    def _static(content_type: str, name: str) -> Route:
        body = asset(name)

        async def route() -> Answer:
            return Answer(content_type, body, HEADERS)

        return route
