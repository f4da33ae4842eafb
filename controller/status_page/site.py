"""The routes of the status page, added to the metrics listener by the daemon.

    /             the page (HTML; shows the state at load, without JavaScript too)
    /status.html  the live part of the page, which status.js fetches every 2 s
    /status.json  the document both are rendered from
    /status.js, /status.css

Each request takes a fresh snapshot of the dispatcher on the event loop
(the listener runs there), so the page never reads state mid-change. The
answers forbid caching and, with a Content-Security-Policy that allows only
the page's own script and style, keep injected markup inert should escaping
ever fail.
"""

from __future__ import annotations

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
            "/": lambda: self._answer(HTML, render_page(self.document()).encode()),
            "/status.html": lambda: self._answer(HTML, render_status(self.document()).encode()),
            "/status.json": lambda: self._answer("application/json", json.dumps(self.document()).encode()),
            "/status.js": lambda: self._answer("text/javascript; charset=utf-8", asset("status.js")),
            "/status.css": lambda: self._answer("text/css; charset=utf-8", asset("status.css")),
        }

    def document(self) -> dict[str, Any]:
        return status_document(self._snapshot(), self._queues())

    @staticmethod
    def _answer(content_type: str, body: bytes) -> Answer:
        return Answer(content_type, body, HEADERS)
