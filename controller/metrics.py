"""Prometheus metrics of the controller, served on ``options.metrics_port``.

Counters are incremented where things happen (the dispatcher); gauges are
read from the live state when scraped. The HTTP side is the smallest thing
Prometheus can scrape: any GET answers the text exposition format.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

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


async def serve(metrics: Metrics, port: int, host: str) -> asyncio.AbstractServer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            body = metrics.render().encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, host, port)
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server
