"""A Gearman client that drives gearman-jenkins the way Zuul v2's launcher does.

Mirrors what Zuul 2.5.2 (zuul/launcher/gearman.py) relies on: a fresh uuid
hex as each job's unique id, ``number``, ``manager`` and ``url`` read from
the first WORK_DATA, the estimate from WORK_STATUS's denominator, the result
from WORK_COMPLETE, and ``stop:{manager}`` with ``{"name", "number"}`` to
cancel a running build. Every packet is recorded in order, per job.

Unlike Zuul, it sets the ``exceptions`` option: gearmand passes
WORK_EXCEPTION only to clients that ask for it (others get WORK_FAIL), and
the tests want to read the reasons. Plain gear's server never answers
OPTION_REQ; our embedded one does.
"""

from __future__ import annotations

import json
import threading
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

import gear


@dataclass
class BuildRecord:
    job: gear.Job
    events: list[tuple[str, Any]] = field(default_factory=list)
    started_at: float | None = None
    submitted_at: float = field(default_factory=time.monotonic)

    @property
    def unique(self) -> str:
        return self.job.unique.decode() if isinstance(self.job.unique, bytes) else self.job.unique

    @property
    def data(self) -> dict | None:
        for kind, value in self.events:
            if kind == "WORK_DATA":
                return value
        return None

    @property
    def completion(self) -> dict | None:
        for kind, value in self.events:
            if kind == "WORK_COMPLETE":
                return value
        return None

    @property
    def result(self) -> str | None:
        done = self.completion
        return done.get("result") if isinstance(done, dict) else None

    @property
    def answered(self) -> bool:
        """The client knows how the job ended (a lost server connection also tells it: the job is gone)."""
        return any(kind in ("WORK_COMPLETE", "WORK_FAIL", "WORK_EXCEPTION", "DISCONNECT") for kind, _ in self.events)

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]


def _decode(data: bytes) -> Any:
    text = data.decode("utf-8")
    try:
        return json.loads(text)
    except ValueError:
        return text


class ZuulLikeClient(gear.Client):
    def __init__(self, *servers: tuple[str, int], exceptions: bool = True, tls: Any = None):
        super().__init__("zuul-like")
        self.records: dict[str, BuildRecord] = {}
        self._lock = threading.Lock()
        files = {"ssl_key": str(tls.key), "ssl_cert": str(tls.cert), "ssl_ca": str(tls.ca)} if tls else {}
        for host, port in servers:
            self.addServer(host, port, **files)
        self.waitForServer()
        if exceptions:
            self.setOption("exceptions")

    def _record(self, job: gear.Job, kind: str, value: Any) -> None:
        unique = job.unique.decode() if isinstance(job.unique, bytes) else job.unique
        with self._lock:
            record = self.records.get(unique)
            if record is not None:
                if kind == "WORK_DATA" and record.started_at is None:
                    record.started_at = time.monotonic()
                record.events.append((kind, value))

    def handleWorkData(self, packet):
        job = super().handleWorkData(packet)
        self._record(job, "WORK_DATA", _decode(packet.getArgument(1)))
        return job

    def handleWorkStatus(self, packet):
        job = super().handleWorkStatus(packet)
        self._record(job, "WORK_STATUS", (int(packet.getArgument(1)), int(packet.getArgument(2))))
        return job

    def handleWorkComplete(self, packet):
        job = super().handleWorkComplete(packet)
        self._record(job, "WORK_COMPLETE", _decode(packet.getArgument(1)))
        return job

    def handleWorkFail(self, packet):
        job = super().handleWorkFail(packet)
        self._record(job, "WORK_FAIL", None)
        return job

    def handleWorkException(self, packet):
        job = super().handleWorkException(packet)
        self._record(job, "WORK_EXCEPTION", packet.getArgument(1).decode("utf-8", "replace"))
        return job

    def handleDisconnect(self, job):
        job = super().handleDisconnect(job)
        self._record(job, "DISCONNECT", None)
        return job

    def submit(
        self, function: str, arguments: Any = None, unique: str | None = None, raw: bytes | None = None
    ) -> BuildRecord:
        unique = unique or uuidlib.uuid4().hex
        body = raw if raw is not None else json.dumps(arguments or {}).encode()
        job = gear.Job(function.encode(), body, unique=unique.encode())
        record = BuildRecord(job)
        with self._lock:
            self.records[unique] = record
        self.submitJob(job, timeout=30)
        return record

    def stop(self, manager: str, name: str, number: int) -> BuildRecord:
        return self.submit(f"stop:{manager}", {"name": name, "number": number})

    def wait(self, records: list[BuildRecord], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(r.answered for r in records):
                return
            time.sleep(0.02)
        missing = [(r.job.name, r.unique, r.kinds()) for r in records if not r.answered]
        raise AssertionError(f"{len(missing)} jobs unanswered after {timeout}s: {missing[:5]}")
