"""Masters a config reload removed, until what the controller answers for there has reported.

Closing a removed master's workers at once would make the Gearman server
hand their running jobs out again: another master would build the same
unique id a second time. So a removed master *leaves*:

- it takes no new build: its executor workers unregister their functions
  at once, idle ones close (the roster's retiring rule keeps a worker that
  answers for a build until its final packet); its spare reservations go
  back to Jenkins;
- the Gearman builds it has (held, being scheduled, queued, running, or
  waiting for their job to come back) go on as before and report to their
  clients; its session stays, and so do ``stop:{master}`` and
  ``set_description:{master}``, so that a client can still cancel them.
  A master that is unreachable meanwhile is retried as before;
- once none of them is left, its workers and session close and the
  controller forgets it (its record of Gearman builds too).

Added again before that (another reload), it stays: ``stay`` calls the
departure off.
"""

from __future__ import annotations

import asyncio
import logging

from controller.dispatch.builds import BuildBook
from controller.dispatch.records import BuildRecords
from controller.dispatch.reservations import Reservations
from controller.dispatch.roster import Roster
from controller.masters.session import MasterSession

log = logging.getLogger("gearman_jenkins.dispatch")

CHECK_INTERVAL = 1.0  # how often a leaving master is looked at (its last build may end any way)


class Departures:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sessions: dict[str, MasterSession],
        book: BuildBook,
        roster: Roster,
        reservations: Reservations,
        records: BuildRecords,
    ):
        self.loop = loop
        self.sessions = sessions
        self.book = book
        self.roster = roster
        self.reservations = reservations
        self.records = records
        self._leaving: set[str] = set()
        self._timer: asyncio.TimerHandle | None = None

    def leaving(self, master: str) -> bool:
        return master in self._leaving

    def leave(self, master: str) -> None:
        self._leaving.add(master)
        self.reservations.give_back(master)
        builds = self.book.of_master(master)
        log.info(
            "master %s removed from the config: it takes no new build; its workers go once its %d Gearman "
            "builds have reported",
            master,
            len(builds),
        )
        self._check()

    def stay(self, master: str) -> None:
        if master in self._leaving:
            self._leaving.discard(master)
            log.info("master %s is in the config again: it stays", master)

    def _check(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for master in sorted(self._leaving):
            self.roster.sync(master, None, live=False)  # closes the workers whose grab or build is over
            workers = [key for key in self.roster.executors if key.master == master]
            if not workers and not self.book.of_master(master):
                self._forget(master)
        if self._leaving:
            self._timer = self.loop.call_later(CHECK_INTERVAL, self._check)

    def _forget(self, master: str) -> None:
        self._leaving.discard(master)
        self.roster.remove_manager(master)
        self.reservations.forget_master(master)
        self.records.remove(master)
        session = self.sessions.pop(master)
        session.stop()
        log.info("master %s: its last Gearman build has reported; its workers are closed and it is forgotten", master)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
