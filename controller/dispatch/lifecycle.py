"""The life cycle of Gearman builds, driven by Gearman jobs and by what the masters report.

An assigned ``build:`` job becomes a ``GearmanBuild`` (``builds`` holds the
phases and the packets each owes its client); this module makes the moves:

- a job arrives: it is re-attached to the build of its unique id if any
  master's record shows one (README: at most one build per unique id),
  refused if its arguments cannot run, held while a master that may hold its
  build has not answered, else scheduled on the grabbing worker's node;
- a master answers or reports (schedule results, build started, completed,
  cancelled, an inventory): the build changes phase and its client hears of it;
- a build the master no longer shows is looked up in its history, and lost
  (WORK_FAIL) only if it is not there;
- a worker's connection drops: its build is detached, to be re-attached when
  the job comes back or aborted as an orphan (``housekeeping``).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid as uuidlib
from collections.abc import Mapping

from controller import errors
from controller.config import Config, GearmanServer
from controller.contract import payloads
from controller.contract.model import node_display_name
from controller.contract.parameters import refused_parameter
from controller.dispatch.builds import BuildBook, GearmanBuild, Phase, packets_for
from controller.dispatch.failures import FailureKind, RecentFailures
from controller.dispatch.grabbing import Grabbing
from controller.dispatch.records import BuildRecords, RecordState
from controller.dispatch.reservations import HANDOVER_MS, Reservations
from controller.dispatch.roster import ExecutorKey, Roster
from controller.gearman.worker import Assignment, Worker
from controller.masters.agent_protocol import (
    BuildInfo,
    Existing,
    Failed,
    Find,
    Found,
    Operation,
    Queued,
    Rejected,
    Schedule,
    StopUuid,
)
from controller.masters.session import MasterSession
from controller.masters.view import Changes
from controller.metrics import Metrics

log = logging.getLogger("gearman_jenkins.dispatch")


class BuildLifecycle:
    def __init__(
        self,
        config: Config,
        sessions: Mapping[str, MasterSession],
        book: BuildBook,
        records: BuildRecords,
        reservations: Reservations,
        roster: Roster,
        grabbing: Grabbing,
        metrics: Metrics,
        failures: RecentFailures,
    ):
        self.config = config
        self.sessions = sessions
        self.book = book
        self.records = records
        self.reservations = reservations
        self.roster = roster
        self.grabbing = grabbing
        self.metrics = metrics
        self.failures = failures

    # ---- a job arrives ------------------------------------------------------------------

    def start(self, key: ExecutorKey, worker: Worker, job: Assignment, reservation: str | None) -> None:
        uuid = job.unique or uuidlib.uuid4().hex
        job_name = job.function.split(":", 2)[1] if job.function.count(":") >= 1 else job.function
        if self.book.buried(uuid):
            self.book.unbury(uuid)
            self._release(key.master, reservation)
            log.info("job %s (uuid %s) was cancelled before dispatch: completing as ABORTED", job.function, uuid)
            build = GearmanBuild(uuid, key.master, job_name, None)  # it never reached a node
            self._attach(build, key, worker, job)
            build.completed("ABORTED")
            self._report(build)
            return
        existing = self.book.get(uuid) or self._recorded_build(uuid, job_name)
        if existing is not None:
            self._release(key.master, reservation)
            log.info(
                "job %s (uuid %s) is build %s #%s on %s: re-attaching",
                job.function,
                uuid,
                existing.job,
                existing.number,
                existing.master,
            )
            self._attach(existing, key, worker, job)
            self._report(existing)
            return
        build = GearmanBuild(uuid, key.master, job_name, key.node)
        self.book.add(build)
        self._attach(build, key, worker, job)
        try:
            build.parameters = payloads.build_parameters(job.arguments, job.function)
            self._check_parameter_policy(build, job.function)
        except payloads.BadArguments as exc:
            self._release(key.master, reservation)
            self._reject(build, str(exc))
            return
        if not self.records.may_schedule_unknown():
            self._release(key.master, reservation)
            build.held()
            log.info(
                "job %s (uuid %s) held: masters %s have not sent their record of Gearman builds yet",
                job.function,
                uuid,
                ", ".join(self.records.not_loaded()),
            )
            return
        self._schedule(build, reservation)

    def _release(self, master: str, reservation: str | None) -> None:
        if reservation:
            self.reservations.release(master, reservation)

    def _check_parameter_policy(self, build: GearmanBuild, function: str) -> None:
        job = self.sessions[build.master].view.functions.jobs.get(build.job)
        declared = job.parameters if job is not None else frozenset()
        refused = refused_parameter(build.parameters, declared, self.config.options.undeclared_parameters)
        if refused is not None:
            raise payloads.BadArguments(
                f"{function}: parameter {refused} is not declared by job {build.job} on {build.master}, "
                "and options.undeclared_parameters refuses it"
            )

    def _attach(self, build: GearmanBuild, key: ExecutorKey, worker: Worker, job: Assignment) -> None:
        if build.phase is not Phase.DONE:
            self.book.add(build)
        build.assignment = job
        build.worker_key = key
        build.worker_id = worker.client_id
        build.detached_at = None
        build.data_sent = False
        self.grabbing.building(key, build.uuid)

    # ---- what the masters' records say ----------------------------------------------------

    def locate(self, uuid: str) -> tuple[str, BuildInfo | None] | None:
        """Which master's record shows ``uuid``: with the build if queued or running, None if finished."""
        for name, session in self.sessions.items():
            info = session.view.gearman_builds.get(uuid)
            if info is not None:
                return name, info
        master = self.records.master_of(uuid)
        return (master, None) if master is not None else None

    def _recorded_build(self, uuid: str, job_name: str) -> GearmanBuild | None:
        """A build of ``uuid`` that a master's record shows and our book does not (e.g. after our restart)."""
        located = self.locate(uuid)
        if located is None:
            return None
        build = GearmanBuild(uuid, located[0], job_name, "")
        self.book.add(build)
        self._take_record(build, *located)
        return build

    def _take_record(self, build: GearmanBuild, master: str, info: BuildInfo | None) -> None:
        build.master = master
        if info is not None:
            build.node = info.node or ""
            build.apply(info)
        else:
            # It finished there: the master's history supplies what the client is owed.
            build.started()
            self._find_lost(self.sessions[master], build)

    def release_held(self) -> None:
        """Held unique ids: re-attached if a master's record now shows them, else scheduled once allowed."""
        for build in self.book:
            if build.phase is not Phase.HELD:
                continue
            located = self.locate(build.uuid)
            if located is not None:
                log.info("build %s (uuid %s) is on the record of %s: re-attaching", build.job, build.uuid, located[0])
                self._take_record(build, *located)
                self._report(build)
            elif self.records.may_schedule_unknown():
                build.released_from_hold()
                self._schedule(build, None)

    def cancel_held(self, build: GearmanBuild) -> None:
        """A stop by uuid of a held build: nothing was scheduled anywhere, so it ends ABORTED now."""
        build.completed("ABORTED")
        self._finish(build)

    def record_wait_over(self) -> None:
        missing = self.records.not_loaded()
        if missing:
            log.warning(
                "masters %s have not sent their record of Gearman builds within %.0f s (options.record_wait): "
                "unique ids no other master knows are scheduled now; one that ran there may run twice",
                ", ".join(missing),
                self.config.options.record_wait,
            )
        self.release_held()

    # ---- scheduling -------------------------------------------------------------------------

    def _schedule(self, build: GearmanBuild, reservation: str | None) -> None:
        op = Schedule(build.job, build.node, build.uuid, build.parameters, reservation, HANDOVER_MS)
        build.schedule_pending = True
        self.sessions[build.master].submit([op]).add_done_callback(lambda done: self._scheduled(build, done))

    def _scheduled(self, build: GearmanBuild, done: asyncio.Future) -> None:
        build.schedule_pending = False
        error = done.exception()
        if isinstance(error, errors.GroovyError):
            self._reject(build, f"build:{build.job}: Jenkins could not schedule it: {error}")
            return
        if error is not None:
            # Scheduling is idempotent per uuid: the next inventory of this master
            # retries it; housekeeping gives up after the grace period.
            log.warning("could not schedule %s (uuid %s) on %s: %s", build.job, build.uuid, build.master, error)
            return
        match done.result()[0]:
            case Queued(queue_id=queue_id):
                build.queued(queue_id)
                log.info(
                    "queued %s on %s/%s (uuid %s, queue item %s)",
                    build.job,
                    build.master,
                    node_display_name(build.master, build.node),
                    build.uuid,
                    build.queue_id,
                )
                if build.cancel_requested:
                    self.submit_quietly(build.master, [StopUuid(build.uuid)])
            case Existing(build=info):
                build.apply(info)
                self._report(build)
            case Rejected(reason=reason) | Failed(reason=reason):
                function = build.assignment.function if build.assignment else f"build:{build.job}"
                self._reject(build, f"{function}: {reason} (master {build.master})")

    def submit_quietly(self, master: str, ops: list[Operation]) -> None:
        """Operations whose outcome arrives as events anyway; a failure is only logged."""

        def done(future: asyncio.Future) -> None:
            if not future.cancelled() and future.exception() is not None:
                log.warning("%s", future.exception())

        self.sessions[master].submit(ops).add_done_callback(done)

    # ---- what the masters report ----------------------------------------------------------

    def master_synced(self, session: MasterSession, changes: Changes, fresh: bool) -> None:
        if changes.finished is not None:
            self.records.loaded(session.name, changes.finished, changes.records_complete)
            if self.records.state(session.name) is RecordState.INCOMPLETE:
                log.info("master %s: its agent is rebuilding its record of Gearman builds; waiting", session.name)
        self._reconcile(session, adopt=fresh and session.lease.owned)
        self.release_held()

    def master_changed(self, session: MasterSession, changes: Changes) -> None:
        for info in changes.started:
            self._build_started(session, info)
        for info in changes.completed:
            self._build_completed(session, info)
        for info in changes.cancelled:
            self._build_cancelled(session, info)
        for info in changes.completed + changes.cancelled:
            if info.uuid:
                self.records.finished(session.name, info.uuid)

    def master_down(self, session: MasterSession) -> None:
        self.records.unreachable(session.name)

    def master_lost(self, session: MasterSession) -> None:
        """Another controller owns the master: its builds are that controller's to answer for,
        except those a worker of ours still holds the job of (their events still reach us)."""
        for build in self.book.of_master(session.name):
            worker = self.roster.executors.get(build.worker_key) if build.attached else None
            if worker is None:
                build.assignment = None
                self.book.forget(build)

    def _reconcile(self, session: MasterSession, adopt: bool) -> None:
        """Bring our builds of this master in line with an inventory.

        ``adopt`` (after our start or the master's restart): Gearman builds the
        master runs that we do not answer for are taken on, to be re-attached
        when their job comes back or aborted as orphans.
        """
        view = session.view
        for build in self.book.of_master(session.name):
            info = view.gearman_builds.get(build.uuid)
            if info is not None:
                build.apply(info)
                self._report(build)
            elif build.phase is Phase.SCHEDULING:
                if not build.schedule_pending:
                    self._schedule(build, None)
            elif build.phase is not Phase.HELD:
                self._find_lost(session, build)
        if not adopt:
            return
        for uuid, info in view.gearman_builds.items():
            if self.book.get(uuid) is None:
                build = GearmanBuild(uuid, session.name, info.job, info.node or "")
                build.apply(info)
                build.detached_at = time.monotonic()
                self.book.add(build)
                log.info(
                    "master %s: build %s #%s (uuid %s) has no Gearman job yet",
                    session.name,
                    info.job,
                    info.number,
                    uuid,
                )

    def _find_lost(self, session: MasterSession, build: GearmanBuild) -> None:
        """A queued or running build the master no longer shows: ask its history."""

        def found(future: asyncio.Future) -> None:
            if future.exception() is not None:
                return  # the next inventory tries again
            if not self.book.is_active(build.uuid):
                return  # its completion arrived meanwhile
            outcome = future.result()[0]
            if not isinstance(outcome, Found):
                log.warning(
                    "master %s: lost build %s (uuid %s); telling the client", session.name, build.job, build.uuid
                )
                self.fail(build, "the master shows it neither in its queue nor in its builds")
                return
            build.apply(outcome.build)
            if build.phase is Phase.DONE:
                self._finish(build)

        session.submit([Find(build.uuid, build.job)]).add_done_callback(found)

    def _build_started(self, session: MasterSession, info: BuildInfo) -> None:
        build = self.book.get(info.uuid) if info.uuid else None
        if build is None:
            return  # not scheduled through us
        if build.number is not None and build.number != info.number:
            log.warning(
                "master %s: %s #%s reuses uuid %s of #%s; ignored",
                session.name,
                info.job,
                info.number,
                info.uuid,
                build.number,
            )
            return
        build.apply(info)
        build.started()
        self.metrics.inc("gearman_jenkins_builds_started_total", master=session.name)
        log.info(
            "build %s #%s started on %s/%s (uuid %s, worker %s)",
            build.job,
            build.number,
            session.name,
            node_display_name(session.name, build.node),
            build.uuid,
            build.worker_id or "-",
        )
        self._report(build)

    def _build_completed(self, session: MasterSession, info: BuildInfo) -> None:
        build = self.book.get(info.uuid) if info.uuid else None
        if build is None or build.phase is Phase.DONE or (build.number is not None and build.number != info.number):
            return  # not ours, or already reported (e.g. found by an inventory first)
        build.apply(info)
        build.completed(info.result)
        if info.handover:
            self.reservations.add_spare(session.name, build.node, info.handover, HANDOVER_MS / 1000 - 0.5)
        self.metrics.inc("gearman_jenkins_builds_completed_total", master=session.name, result=str(build.result))
        log.info(
            "build %s #%s on %s finished: %s (uuid %s)", build.job, build.number, session.name, build.result, build.uuid
        )
        self._finish(build)

    def _build_cancelled(self, session: MasterSession, info: BuildInfo) -> None:
        build = self.book.get(info.uuid) if info.uuid else None
        if build is None or build.phase is Phase.DONE:
            return
        build.completed("ABORTED")
        log.info("build %s (uuid %s) removed from the queue of %s", build.job, build.uuid, session.name)
        self._finish(build)

    # ---- telling the client -------------------------------------------------------------------

    def _report(self, build: GearmanBuild) -> None:
        """Send whatever the build's client is owed; release the worker once it is done."""
        if build.phase is Phase.DONE and self.book.is_active(build.uuid):
            self.book.finish(build)
        if not build.attached:
            return
        worker = self.roster.executors.get(build.worker_key)
        # From the session, not the config: a master a reload removed still reports its builds.
        session = self.sessions.get(build.master)
        node = "" if build.node is None else node_display_name(build.master, build.node)
        data = build.data(build.master, session.master.url if session is not None else None, node)
        packets = packets_for(build, data)
        if worker is not None and packets:
            worker.send_packets(build.assignment, packets)
        if build.phase is Phase.DONE:
            self._detach(build)

    def _finish(self, build: GearmanBuild) -> None:
        self.book.finish(build)
        self._report(build)

    def fail(self, build: GearmanBuild, reason: str) -> None:
        """WORK_FAIL: the build is lost; Zuul and other clients retry."""
        self.failures.record(FailureKind.LOST, build, reason)
        build.lost()
        self._finish(build)

    def _reject(self, build: GearmanBuild, reason: str) -> None:
        log.warning("rejected %s (uuid %s): %s", build.job, build.uuid, reason)
        self.metrics.inc("gearman_jenkins_jobs_rejected_total", master=build.master)
        self.failures.record(FailureKind.REJECTED, build, reason)
        build.rejected(reason)
        self._finish(build)

    def _detach(self, build: GearmanBuild) -> None:
        key = build.worker_key
        build.assignment = None
        if isinstance(key, ExecutorKey):
            self.grabbing.build_done(key, build.uuid)

    def worker_disconnected(self, worker: Worker, server: GearmanServer) -> None:
        """The connection the worker's job came on dropped: the build no longer has a Gearman job."""
        uuid = self.grabbing.state(worker.key).build
        build = self.book.get(uuid) if uuid else None
        if build is not None and build.assignment is not None and build.assignment.server == server:
            log.warning(
                "build %s #%s (uuid %s) lost its Gearman job: connection of %s to %s dropped",
                build.job,
                build.number,
                build.uuid,
                worker.client_id,
                server,
            )
            self._detach(build)
            if build.phase is not Phase.DONE:
                build.detached_at = time.monotonic()
