"""gear clients and workers with TCP_NODELAY, and a client that times each job's packets.

gear sets no TCP_NODELAY; on loopback with gearmand a round trip then waits
~40 ms for delayed ACKs (docs/design.md, Gearman), which would measure the
kernel, not the controller. The option is set in ``_onConnect``, which gear
calls after every (re)connection before the connection is used.

Times are ``time.perf_counter()`` in seconds, taken in gear's poll thread
when a packet is handled; a job's ``done`` event is set on its last packet.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid as uuidlib
from collections.abc import Callable
from typing import Any

import gear


class NoDelay:
    def _onConnect(self, conn: gear.Connection) -> None:
        conn.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super()._onConnect(conn)


class NoDelayWorker(NoDelay, gear.Worker):
    pass


class TimedJob(gear.Job):
    def __init__(self, name: str, arguments: bytes):
        super().__init__(name.encode(), arguments, unique=uuidlib.uuid4().hex.encode())
        self.submitted: float | None = None
        self.first_data: float | None = None
        self.finished: float | None = None
        self.outcome: str | None = None  # the result of WORK_COMPLETE's JSON, or the packet that ended it
        self.manager: str | None = None
        self.done = threading.Event()

    @property
    def start_ms(self) -> float:
        return (self.first_data - self.submitted) * 1000

    @property
    def complete_ms(self) -> float:
        return (self.finished - self.submitted) * 1000


class TimedClient(NoDelay, gear.Client):
    """Submits jobs and records when their first WORK_DATA and their end arrived."""

    def __init__(self, server: Any, on_done: Callable[[TimedJob], None] | None = None):
        super().__init__("bench")
        self.on_done = on_done
        self.addServer(server.host, server.port)
        self.waitForServer()
        self.setOption("exceptions")  # gearmand sends WORK_EXCEPTION only to clients that ask

    def submit(self, function: str, arguments: Any = None, raw: bytes | None = None) -> TimedJob:
        job = TimedJob(function, raw if raw is not None else json.dumps(arguments or {}).encode())
        job.submitted = time.perf_counter()
        self.submitJob(job, timeout=30)
        return job

    def run(self, function: str, arguments: Any = None, raw: bytes | None = None, timeout: float = 120) -> TimedJob:
        job = self.submit(function, arguments, raw)
        if not job.done.wait(timeout):
            raise TimeoutError(f"{function} (unique {job.unique.decode()}) unanswered after {timeout:g} s")
        return job

    def _end(self, job: gear.Job, outcome: str) -> None:
        if isinstance(job, TimedJob) and not job.done.is_set():
            job.finished = time.perf_counter()
            job.outcome = outcome
            job.done.set()
            if self.on_done is not None:
                self.on_done(job)

    def handleWorkData(self, packet):
        now = time.perf_counter()
        job = super().handleWorkData(packet)
        if isinstance(job, TimedJob) and job.first_data is None:
            job.first_data = now
            with contextlib.suppress(ValueError, AttributeError):
                job.manager = json.loads(packet.getArgument(1)).get("manager")
        return job

    def handleWorkComplete(self, packet):
        job = super().handleWorkComplete(packet)
        try:
            result = json.loads(packet.getArgument(1)).get("result") or "WORK_COMPLETE"
        except (ValueError, AttributeError):
            result = "WORK_COMPLETE"
        self._end(job, str(result))
        return job

    def handleWorkFail(self, packet):
        job = super().handleWorkFail(packet)
        self._end(job, "WORK_FAIL")
        return job

    def handleWorkException(self, packet):
        job = super().handleWorkException(packet)
        self._end(job, "WORK_EXCEPTION: " + packet.getArgument(1).decode("utf-8", "replace"))
        return job

    def handleDisconnect(self, job):
        job = super().handleDisconnect(job)
        self._end(job, "DISCONNECT")
        return job
