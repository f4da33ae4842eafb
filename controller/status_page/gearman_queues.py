"""The Gearman servers' queues per function, polled off the event loop.

The admin protocol is blocking and a server may be slow or gone, so a
thread of its own asks every server for ``status`` every
``POLL_INTERVAL`` seconds and keeps the latest answer of each; the page
reads that (``latest``) and shows how old it is. Only ``status``: the
``workers`` list has a line per connection, thousands with thousands of
executors, and the page does not need it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from controller import errors
from controller.config import GearmanServer, TLSConfig
from controller.gearman.admin import AdminClient, FunctionStatus

log = logging.getLogger("gearman_jenkins.status_page")

POLL_INTERVAL = 3.0
ADMIN_TIMEOUT = 2.0


@dataclass(frozen=True)
class ServerQueues:
    """One server's last ``status`` answer, or why there is none."""

    server: str
    polled_at: float | None  # Unix time of the last poll; None before the first
    functions: tuple[FunctionStatus, ...] = ()
    error: str | None = None  # why the last poll failed


class GearmanQueuePoller:
    def __init__(self, servers: tuple[GearmanServer, ...], tls: TLSConfig | None, interval: float = POLL_INTERVAL):
        self._servers = servers
        self._tls = tls
        self._interval = interval
        self._latest = tuple(ServerQueues(str(server), None) for server in servers)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gearman status poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def latest(self) -> tuple[ServerQueues, ...]:
        # The thread replaces the whole tuple: readers on other threads see one poll or the next, never a mix.
        return self._latest

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._latest = tuple(self._poll(server) for server in self._servers)
            self._stopped.wait(self._interval)

    def _poll(self, server: GearmanServer) -> ServerQueues:
        try:
            with AdminClient(server, self._tls, ADMIN_TIMEOUT) as admin:
                return ServerQueues(str(server), time.time(), tuple(admin.status()))
        except errors.GearmanServerError as exc:
            log.debug("status page: %s", exc)
            return ServerQueues(str(server), time.time(), error=exc.message)
