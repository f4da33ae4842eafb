"""Which controllers are alive, and which masters each reaches: told through the Gearman servers.

Each controller keeps one presence worker on every Gearman server, with the
client id ``gearman-jenkins-controller:NAME`` and one function per master it
reaches (``gearman-jenkins-reaches:MASTER``); nobody submits those functions.
A controller reads the servers' ``workers`` admin output every couple of
seconds: a controller whose presence no server shows is gone (a SIGKILLed
controller's connections close at once), and one that no longer lists a
master cannot reach it. No service beyond the Gearman servers themselves.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable

from controller import errors
from controller.config import GearmanServer, TLSConfig
from controller.gearman.admin import AdminClient
from controller.gearman.connection import Connector
from controller.gearman.worker import Assignment, Worker

log = logging.getLogger("gearman_jenkins.ownership")

CLIENT_PREFIX = "gearman-jenkins-controller:"
REACHES_PREFIX = "gearman-jenkins-reaches:"
POLL_SECONDS = 2.0


def reaches_function(master: str) -> str:
    return f"{REACHES_PREFIX}{master}"


def controllers_in(workers: Iterable) -> dict[str, frozenset[str]]:
    """controller name -> the masters it reaches, from ``workers`` admin lines (one server's or several)."""
    seen: dict[str, set[str]] = {}
    for worker in workers:
        if worker.client_id.startswith(CLIENT_PREFIX):
            masters = seen.setdefault(worker.client_id[len(CLIENT_PREFIX) :], set())
            masters |= {f[len(REACHES_PREFIX) :] for f in worker.functions if f.startswith(REACHES_PREFIX)}
    return {name: frozenset(masters) for name, masters in seen.items()}


class Presence:
    """This controller's presence worker; it never grabs a job."""

    def __init__(self, name: str, connector: Connector, servers: tuple[GearmanServer, ...]):
        client_id = f"{CLIENT_PREFIX}{name}"
        self.worker = Worker(client_id, client_id, connector, servers, self)
        self.worker.start()

    def reaching(self, masters: Iterable[str]) -> None:
        self.worker.set_functions(frozenset(reaches_function(m) for m in masters))

    def close(self) -> None:
        self.worker.close()

    # Nothing is ever submitted to these functions; a NOOP is not answered with a grab.
    def worker_connected(self, worker: Worker, server: GearmanServer) -> None:
        pass

    def worker_woken(self, worker: Worker, server: GearmanServer) -> None:
        pass

    def worker_assigned(self, worker: Worker, job: Assignment) -> None:
        worker.send_fail(job)

    def worker_no_job(self, worker: Worker, server: GearmanServer) -> None:
        worker.sleep(server)

    def worker_disconnected(self, worker: Worker, server: GearmanServer) -> None:
        pass


class MembershipWatch:
    """Reads every server's ``workers`` on a thread of its own and hands the controllers seen to the loop."""

    def __init__(
        self,
        servers: tuple[GearmanServer, ...],
        tls: TLSConfig | None,
        loop: asyncio.AbstractEventLoop,
        seen: Callable[[dict[str, frozenset[str]]], None],
    ):
        self._servers = servers
        self._tls = tls
        self._loop = loop
        self._seen = seen
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="controllers on the Gearman servers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(POLL_SECONDS):
            workers = []
            answered = False
            for server in self._servers:
                try:
                    with AdminClient(server, self._tls, timeout=POLL_SECONDS) as admin:
                        workers += admin.workers()
                    answered = True
                except errors.GearmanServerError as exc:
                    log.debug("cannot list the workers of %s: %s", server, exc)
            if answered:
                self._loop.call_soon_threadsafe(self._seen, controllers_in(workers))
