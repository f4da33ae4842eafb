"""Prometheus metrics of the controller, served on ``options.metrics_port``.

Counters are incremented where things happen (the dispatcher); gauges are
read from the live state when scraped. The HTTP side is the smallest thing
Prometheus can scrape: ``/metrics`` answers the text exposition format; the
other paths are the routes the daemon adds (the status page,
``controller.status_page``), anything else is 404. Every answer closes the
connection; the method is not looked at, since nothing here changes state.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger("gearman_jenkins.metrics")

Sample = tuple[str, dict[str, str], float]

HELP = {
    "gearman_jenkins_builds_started_total": ("counter", "Gearman builds that started on a Jenkins executor"),
    "gearman_jenkins_builds_completed_total": ("counter", "Gearman builds that completed, by result"),
    "gearman_jenkins_jobs_rejected_total": ("counter", "build: jobs answered with WORK_EXCEPTION"),
    "gearman_jenkins_grabs_total": ("counter", "GRAB_JOB outcomes: job, no_job, or denied (no executor reserved)"),
    "gearman_jenkins_orphans_aborted_total": ("counter", "builds aborted because their Gearman job was gone"),
    "gearman_jenkins_master_up": ("gauge", "1 when the master is reachable and in sync"),
    "gearman_jenkins_executors": ("gauge", "executors of a master by state"),
    "gearman_jenkins_gearman_builds": ("gauge", "Gearman builds the controller answers for, by phase"),
    "gearman_jenkins_script_requests_total": ("counter", "script-console requests sent to a master"),
}


class Metrics:
    def __init__(self) -> None:
        self._counters: dict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(float)
        self._gauges: list[Callable[[], Iterable[Sample]]] = []

    def inc(self, name: str, value: float = 1, **labels: str) -> None:
        self._counters[(name, tuple(sorted(labels.items())))] += value

    def add_gauges(self, collect: Callable[[], Iterable[Sample]]) -> None:
        self._gauges.append(collect)

    def samples(self) -> list[Sample]:
        samples = [(name, dict(labels), value) for (name, labels), value in self._counters.items()]
        for collect in self._gauges:
            samples.extend(collect())
        return samples

    def render(self) -> str:
        by_name: dict[str, list[Sample]] = defaultdict(list)
        for sample in self.samples():
            by_name[sample[0]].append(sample)
        lines = []
        for name in sorted(by_name):
            kind, text = HELP.get(name, ("untyped", name))
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            for _, labels, value in by_name[name]:
                rendered = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
                lines.append(f"{name}{{{rendered}}} {value:g}" if rendered else f"{name} {value:g}")
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass(frozen=True)
class Answer:
    """What a route answers (with 200 OK)."""

    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


# A coroutine, so that a route may render in a thread and keep the event loop free.
Route = Callable[[], Awaitable[Answer]]


async def serve(
    metrics: Metrics, port: int, host: str, routes: Mapping[str, Route] | None = None
) -> asyncio.AbstractServer:
    """Listen on ``host:port``: ``/metrics`` and ``routes`` (path -> what answers it)."""

    async def exposition() -> Answer:
        return Answer("text/plain; version=0.0.4", metrics.render().encode())

    routes = {"/metrics": exposition, **(routes or {})}
    not_found = Answer("text/plain; charset=utf-8", f"not found; try {', '.join(routes)}\n".encode())

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            path = _path(head)
            route = routes.get(path)
            writer.write(await _routed(route, path) if route else _response("404 Not Found", not_found))
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, host, port)
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server


def _path(head: bytes) -> str:
    """The path of the request line ``GET /status.json?x HTTP/1.1``; "" if there is none."""
    parts = head.split(b"\r\n", 1)[0].split(b" ")
    return urlsplit(parts[1].decode("latin-1")).path if len(parts) > 1 else ""


async def _routed(route: Route, path: str) -> bytes:
    try:
        return _response("200 OK", await route())
    except Exception:  # a bug in a page must not take the metrics listener down
        log.exception("answering %s failed", path)
        return _response("500 Internal Server Error", Answer("text/plain; charset=utf-8", b"internal error\n"))


def _response(status: str, answer: Answer) -> bytes:
    headers = [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body))), *answer.headers]
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return f"HTTP/1.1 {status}\r\n{lines}Connection: close\r\n\r\n".encode() + answer.body
