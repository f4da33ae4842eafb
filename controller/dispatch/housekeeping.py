"""What the controller does every second: status packets, orphans, builds it gives up on.

- WORK_STATUS every ``STATUS_INTERVAL`` for every running, attached build;
- a build without a Gearman job for ``orphan_grace`` seconds (its worker's
  connection dropped, and no server handed the job out again) is an orphan:
  unless a Gearman server still holds its unique id (``show unique jobs``:
  gearmand re-queued it and it waits for an executor), it is aborted with a
  description saying why, so that a client's retry does not run beside it;
- a build its master could not schedule within the grace period is lost
  (WORK_FAIL: the client retries);
- spare reservations past their time go back to Jenkins.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping

from controller import errors
from controller.config import Config
from controller.dispatch.builds import BuildBook, GearmanBuild, Phase, status_packet
from controller.dispatch.failures import FailureKind, RecentFailures
from controller.dispatch.lifecycle import BuildLifecycle
from controller.dispatch.reservations import Reservations
from controller.dispatch.roster import Roster
from controller.gearman.admin import AdminClient
from controller.masters.agent_protocol import Describe, StopUuid
from controller.masters.session import MasterSession
from controller.metrics import Metrics

log = logging.getLogger("gearman_jenkins.dispatch")

STATUS_INTERVAL = 10.0
HOUSEKEEPING_INTERVAL = 1.0


class Housekeeping:
    def __init__(
        self,
        config: Config,
        sessions: Mapping[str, MasterSession],
        book: BuildBook,
        lifecycle: BuildLifecycle,
        roster: Roster,
        reservations: Reservations,
        metrics: Metrics,
        failures: RecentFailures,
    ):
        self.config = config
        self.sessions = sessions
        self.book = book
        self.lifecycle = lifecycle
        self.roster = roster
        self.reservations = reservations
        self.metrics = metrics
        self.failures = failures

    async def run(self) -> None:
        last_status = time.monotonic()
        while True:
            await asyncio.sleep(HOUSEKEEPING_INTERVAL)
            now = time.monotonic()
            try:
                if now - last_status >= STATUS_INTERVAL:
                    last_status = now
                    self.send_status()
                due = self._orphans_due(now)
                if due:
                    await self.check_orphans(due)
                self._give_up_scheduling(now)
                self.reservations.give_back_expired()
            except Exception:  # a bug must not end housekeeping for good
                log.exception("housekeeping failed; trying again in %.0f s", HOUSEKEEPING_INTERVAL)

    def send_status(self) -> None:
        for build in self.book:
            if build.attached and build.phase is Phase.RUNNING and build.data_sent:
                worker = self.roster.executors.get(build.worker_key)
                if worker is not None:
                    worker.send_packets(build.assignment, [status_packet(build)])

    def _give_up_scheduling(self, now: float) -> None:
        """A build its master could not take within the grace period is lost: WORK_FAIL lets the client retry."""
        grace = self.config.options.orphan_grace
        for build in self.book:
            if build.phase is Phase.SCHEDULING and now - build.created > grace:
                log.warning(
                    "build %s (uuid %s) could not be scheduled on %s within %.0f s: WORK_FAIL",
                    build.job,
                    build.uuid,
                    build.master,
                    grace,
                )
                self.lifecycle.fail(build, f"{build.master} could not schedule it within {grace:.0f} s")

    def _orphans_due(self, now: float) -> list[GearmanBuild]:
        """Detached builds past the grace period whose master can be asked to abort them."""
        grace = self.config.options.orphan_grace
        due = []
        for build in self.book:
            if build.attached or build.detached_at is None or now - build.detached_at < grace:
                continue
            session = self.sessions.get(build.master)
            if session is not None and session.live and session.lease.owned:
                due.append(build)
        return due

    async def check_orphans(self, due: list[GearmanBuild]) -> None:
        # gearmand re-queues a job whose worker went away; it may just be waiting
        # for a free executor. Only a job no server holds is really gone.
        held = await asyncio.to_thread(self._unique_jobs_on_servers)
        for build in due:
            if build.attached or build.phase is Phase.DONE:
                continue
            if build.uuid in held:
                log.info("build %s #%s (uuid %s): its job waits in a queue", build.job, build.number, build.uuid)
                build.detached_at = time.monotonic()
                continue
            self._abort_orphan(build)

    def _abort_orphan(self, build: GearmanBuild) -> None:
        """Abort a build whose Gearman job is gone, saying why in its description."""
        session = self.sessions[build.master]
        if not session.live or not session.lease.owned:
            return  # its master went away (or to another controller) meanwhile: looked at again
        grace = self.config.options.orphan_grace
        log.warning(
            "build %s #%s on %s (uuid %s) is an orphan: no Gearman job for %.0f s; aborting it",
            build.job,
            build.number,
            build.master,
            build.uuid,
            grace,
        )
        self.metrics.inc("gearman_jenkins_orphans_aborted_total", master=build.master)
        why = f"no Gearman job for {grace:.0f} s and no server holds it"
        self.failures.record(FailureKind.ORPHAN_ABORTED, build, why)
        build.detached_at = None  # its abort is under way; its completion will end it
        ops = []
        if build.number is not None:
            why = (
                f"Aborted by gearman-jenkins: its Gearman job (uuid {build.uuid}) was lost "
                f"and not handed out again within {grace:.0f} s."
            )
            ops.append(Describe(build.job, build.number, why))
        ops.append(StopUuid(build.uuid))

        def done(future: asyncio.Future) -> None:
            if future.cancelled() or future.exception() is None:
                return
            log.warning("%s; the orphan is looked at again", future.exception())
            if not build.attached and build.phase is not Phase.DONE:
                build.detached_at = time.monotonic() - grace  # due again at once

        session.submit(ops).add_done_callback(done)

    def _unique_jobs_on_servers(self) -> set[str]:
        held: set[str] = set()
        for server in self.config.gearman_servers:
            try:
                with AdminClient(server, self.config.tls) as admin:
                    held |= admin.unique_jobs()
            except errors.GearmanServerError as exc:
                log.warning("cannot list the jobs of %s: %s", server, exc)
        return held
