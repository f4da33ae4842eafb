"""A fake of the controller's Gearman workers, for testing clients without Jenkins.

``FakeJenkinsWorkers`` connects N executor workers (client ids
``agent1_exec-I``, one job at a time each, like the real ones) registering
``build:fake``, and one management worker (``fake-master_manager``)
registering ``stop:fake-master`` and ``set_description:fake-master``. They
answer with the packets of the Gearman contract (docs/contract.md):

- ``build:fake``: WORK_DATA ``{"name", "number", "manager", "worker", "url",
  "node_name", "node_labels"}``, WORK_STATUS (elapsed ms / estimate ms), then
  WORK_COMPLETE with the same JSON plus ``"result"``. Build parameters steer it:
  ``FAKE_RESULT`` (default SUCCESS), ``FAKE_PACKET`` = ``WORK_FAIL`` or
  ``WORK_EXCEPTION`` to end that way instead, ``FAKE_SECONDS`` (default 0.05).
- ``stop:fake-master``: ``{"name": "fake", "number"}`` -> WORK_COMPLETE;
  number 0 -> WORK_FAIL (not running); another job name -> WORK_EXCEPTION.
  ``{"uuid"}`` -> WORK_COMPLETE.
- ``set_description:fake-master``: job ``fake`` -> WORK_COMPLETE, else WORK_EXCEPTION.

Every job received is recorded in ``received`` (function, unique, decoded arguments).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import gear

from controller.config import GearmanServer, TLSConfig
from controller.gearman.admin import AdminClient

MANAGER = "fake-master"
JOB = "fake"
ESTIMATE_MS = 60_000


@dataclass(frozen=True)
class Received:
    function: str
    unique: str
    arguments: Any  # decoded JSON, or the raw text if it was not JSON


class _Worker(gear.Worker):
    def _onConnect(self, conn: gear.Connection) -> None:
        conn.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super()._onConnect(conn)


class FakeJenkinsWorkers:
    def __init__(self, host: str, port: int, executors: int = 2, tls: TLSConfig | None = None):
        self.host = host
        self.port = port
        self.executors = executors
        self.tls = tls
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._next_number = 0
        self._stopping = threading.Event()  # ends fake builds early at teardown
        self._workers: list[_Worker] = []
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> FakeJenkinsWorkers:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        for index in range(self.executors):
            self._add_worker(f"agent1_exec-{index}", [f"build:{JOB}"])
        self._add_worker(f"{MANAGER}_manager", [f"stop:{MANAGER}", f"set_description:{MANAGER}"])
        for worker in self._workers:
            worker.waitForServer(5)
        self.wait_registered()

    def _add_worker(self, client_id: str, functions: list[str]) -> None:
        worker = _Worker(client_id)
        tls = {}
        if self.tls:
            tls = {"ssl_key": str(self.tls.key), "ssl_cert": str(self.tls.cert), "ssl_ca": str(self.tls.ca)}
        worker.addServer(self.host, self.port, **tls)
        for function in functions:
            worker.registerFunction(function)
        thread = threading.Thread(target=self._serve, args=(worker,), name=client_id, daemon=True)
        self._workers.append(worker)
        self._threads.append(thread)
        thread.start()

    def wait_registered(self, timeout: float = 5.0) -> None:
        """CAN_DO is fire-and-forget: wait until the server lists every function of every worker."""
        deadline = time.monotonic() + timeout
        while True:
            with AdminClient(GearmanServer(self.host, self.port), self.tls) as admin:
                counts = {status.name: status.workers for status in admin.status()}
            if counts.get(f"build:{JOB}", 0) >= self.executors and counts.get(f"stop:{MANAGER}", 0) >= 1:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"fake workers not registered after {timeout} s: {counts}")
            time.sleep(0.01)

    def stop(self) -> None:
        self._stopping.set()
        for worker in self._workers:
            worker.stopWaitingForJobs()
        # In parallel: with the server gone, each shutdown waits out its connect
        # thread's 2 s retry sleep.
        closers = [threading.Thread(target=worker.shutdown) for worker in self._workers]
        for closer in closers:
            closer.start()
        for thread in closers + self._threads:
            thread.join(5)

    def _serve(self, worker: _Worker) -> None:
        while True:
            try:
                job = worker.getJob()
            except gear.InterruptedError:
                return
            try:
                arguments: Any = json.loads(job.arguments)
            except ValueError:
                arguments = job.arguments.decode("utf-8", "replace")
            with self._lock:
                self.received.append(Received(job.name, job.unique.decode() if job.unique else "", arguments))
            if job.name == f"build:{JOB}":
                self._build(worker, job, arguments if isinstance(arguments, dict) else {})
            elif job.name == f"stop:{MANAGER}":
                self._stop(job, arguments)
            else:
                self._describe(job, arguments)

    def _build(self, worker: _Worker, job: gear.WorkerJob, params: dict[str, Any]) -> None:
        with self._lock:
            self._next_number += 1
            number = self._next_number
        info = {
            "name": JOB,
            "number": number,
            "manager": MANAGER,
            "worker": worker.client_id.decode(),
            "url": f"http://jenkins.invalid/job/{JOB}/{number}/",
            "node_name": "agent1",
            "node_labels": ["agent1", "linux"],
        }
        seconds = float(params.get("FAKE_SECONDS", 0.05))
        job.sendWorkData(json.dumps(info).encode())
        job.sendWorkStatus(0, ESTIMATE_MS)
        self._stopping.wait(seconds)
        job.sendWorkStatus(int(seconds * 1000), ESTIMATE_MS)
        packet = params.get("FAKE_PACKET")
        if packet == "WORK_FAIL":
            job.sendWorkFail()
        elif packet == "WORK_EXCEPTION":
            job.sendWorkException(b"fake: job 'fake' cannot be scheduled: bad arguments")
        else:
            job.sendWorkComplete(json.dumps({**info, "result": params.get("FAKE_RESULT", "SUCCESS")}).encode())

    def _stop(self, job: gear.WorkerJob, arguments: Any) -> None:
        if isinstance(arguments, dict) and "uuid" in arguments:
            job.sendWorkComplete(f"Build with uuid {arguments['uuid']} cancelled".encode())
        elif isinstance(arguments, dict) and arguments.get("name") == JOB:
            if str(arguments.get("number")) == "0":
                job.sendWorkFail()
            else:
                job.sendWorkComplete(f"Build {JOB} #{arguments['number']} aborted".encode())
        else:
            job.sendWorkException(f"No build {arguments!r} on {MANAGER}".encode())

    def _describe(self, job: gear.WorkerJob, arguments: Any) -> None:
        if isinstance(arguments, dict) and arguments.get("name") == JOB:
            job.sendWorkComplete(f"Description of {JOB} #{arguments['number']} set".encode())
        else:
            job.sendWorkException(f"No build {arguments!r} on {MANAGER}".encode())
