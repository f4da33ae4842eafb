"""The dispatcher: Gearman workers on one side, master sessions on the other.

Runs on the asyncio loop; every worker packet and every master change comes
here. It decides when executor workers grab (``capacity``), reserves the
executor on the master before each GRAB_JOB (so a Jenkins-native build can
not take it in the gap), turns an assignment into a schedule request, and
reports the build's progress to the client (``builds.packets_for``).

Executor workers: woken (NOOP) workers become candidates; a grab round picks
some of them, reserves their executors in one batch per master, and sends
GRAB_JOB_UNIQ. NO_JOB puts that worker back to sleep and parks every woken
worker whose functions are a subset of its own: the server has nothing for
them either (``parking`` explains why they are parked, not put to sleep).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid as uuidlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from controller import errors
from controller.config import Config, GearmanServer
from controller.contract import payloads
from controller.contract.parameters import refused_parameter
from controller.dispatch.builds import BuildBook, GearmanBuild, Phase, packets_for
from controller.dispatch.capacity import pick_grabbers
from controller.dispatch.management import Management
from controller.dispatch.parking import Parking
from controller.dispatch.records import BuildRecords, RecordState
from controller.dispatch.reservations import HANDOVER_MS, Reservations
from controller.dispatch.roster import ExecutorKey, Roster, executor_client_id, node_display_name
from controller.gearman.admin import AdminClient
from controller.gearman.connection import Connector
from controller.gearman.worker import Assignment, Worker
from controller.masters.client import RECORD_LIMIT
from controller.masters.session import MasterSession
from controller.masters.view import BuildInfo, Changes
from controller.metrics import Metrics, Sample

log = logging.getLogger("gearman_jenkins.dispatch")

MIN_DEPTH = 2
MAX_DEPTH = 64
STATUS_INTERVAL = 10.0
HOUSEKEEPING_INTERVAL = 1.0


@dataclass
class WorkerState:
    """What the dispatcher knows of one executor worker between packets."""

    awake: set[GearmanServer] = field(default_factory=set)  # servers that sent NOOP since our PRE_SLEEP
    reserving: bool = False
    grabbing: GearmanServer | None = None
    reservation: str | None = None
    build: str | None = None  # uuid of the Gearman build it answers for


class Dispatcher:
    def __init__(self, config: Config, loop: asyncio.AbstractEventLoop, connector: Connector, metrics: Metrics):
        self.config = config
        self.loop = loop
        self.metrics = metrics
        metrics.add_gauges(self._gauges)
        self.sessions: dict[str, MasterSession] = {}
        self.book = BuildBook()
        self.states: dict[ExecutorKey, WorkerState] = {}
        self.roster = Roster(
            connector, config.gearman_servers, self, busy=self._answers_for_build, closed=self._worker_closed
        )
        self.management = Management(self)
        self.accepting = True
        self._depth = MIN_DEPTH
        self._in_flight = 0
        self._grab_round_due = False
        self.reservations = Reservations(loop, self._submit, self.kick)
        self.parking = Parking()
        self.records = BuildRecords([m.name for m in config.masters], config.options.record_wait, RECORD_LIMIT)
        self._housekeeping: asyncio.Task | None = None

    # ---- setup ----------------------------------------------------------------

    def add_session(self, session: MasterSession) -> None:
        self.sessions[session.name] = session
        self.roster.add_manager(session.name)

    def start(self) -> None:
        self._housekeeping = self.loop.create_task(self._housekeep())
        self.loop.call_later(self.config.options.record_wait, self._record_wait_over)

    def _record_wait_over(self) -> None:
        missing = self.records.not_loaded()
        if missing:
            log.warning(
                "masters %s have not sent their record of Gearman builds within %.0f s (options.record_wait): "
                "unique ids no other master knows are scheduled now; one that ran there may run twice",
                ", ".join(missing),
                self.config.options.record_wait,
            )
        self._release_held()
        self.kick()

    def stop_grabbing(self) -> None:
        """Shutdown: no new builds; every executor worker unregisters its functions."""
        self.accepting = False
        for session in self.sessions.values():
            self._sync_roster(session)

    def log_state(self) -> None:
        """SIGUSR1: what every worker is doing, for an operator asking why one does not grab."""
        log.warning(
            "state: %d grabs in flight (depth %d), %d Gearman builds, accepting=%s",
            self._in_flight,
            self._depth,
            len(self.book),
            self.accepting,
        )
        for name, session in self.sessions.items():
            log.warning("state: master %s live=%s %s", name, session.live, self.reservations.describe(name))
        for key, state in sorted(self.states.items()):
            parked = [str(server) for server in self.config.gearman_servers if self.parking.is_parked(key, server)]
            log.warning(
                "state: worker %s awake=%s parked=%s reserving=%s grabbing=%s build=%s retiring=%s",
                executor_client_id(key),
                ",".join(str(s) for s in state.awake) or "-",
                ",".join(parked) or "-",
                state.reserving,
                state.grabbing or "-",
                state.build or "-",
                key in self.roster.retiring,
            )

    def attached_builds(self) -> list[GearmanBuild]:
        return [build for build in self.book if build.attached]

    def close(self) -> None:
        if self._housekeeping:
            self._housekeeping.cancel()
        self.roster.close()

    def _submit(self, master: str, ops: list[dict]) -> asyncio.Future | None:
        session = self.sessions.get(master)
        return session.submit(ops) if session is not None and session.live else None

    def _state(self, key: ExecutorKey) -> WorkerState:
        state = self.states.get(key)
        if state is None:
            state = self.states[key] = WorkerState()
        return state

    def _worker_closed(self, key: ExecutorKey) -> None:
        self.states.pop(key, None)
        self._wake(self.parking.forget(key))

    def _answers_for_build(self, key: ExecutorKey) -> bool:
        state = self.states.get(key)
        return state is not None and (state.build is not None or state.grabbing is not None or state.reserving)

    # ---- master sessions --------------------------------------------------------

    def master_synced(self, session: MasterSession, changes: Changes, fresh: bool) -> None:
        """An inventory: ``fresh`` after start, a reconnect or an agent restart, else a periodic one."""
        if fresh:
            self.reservations.forget_master(session.name)
        if changes.finished is not None:
            self.records.loaded(session.name, changes.finished, changes.records_complete)
            if self.records.state(session.name) is RecordState.INCOMPLETE:
                log.info("master %s: its agent is rebuilding its record of Gearman builds; waiting", session.name)
        self._sync_roster(session)
        self._reconcile(session, adopt=fresh)
        self._release_held()
        self.kick()

    def master_changed(self, session: MasterSession, changes: Changes) -> None:
        self.reservations.forget_denials(session.name)
        if changes.jobs:
            self._sync_roster(session)
        elif changes.nodes:
            self._sync_roster(session, changes.nodes)
        for build in changes.started:
            self._build_started(session, build)
        for build in changes.completed:
            self._build_completed(session, build)
        for build in changes.cancelled:
            self._build_cancelled(session, build)
        for build in changes.completed + changes.cancelled:
            if build.uuid:
                self.records.finished(session.name, build.uuid)
        self.kick()

    def master_down(self, session: MasterSession, error: errors.GearmanJenkinsError) -> None:
        self.records.unreachable(session.name)
        self.reservations.forget_master(session.name)
        self._sync_roster(session)
        self.kick()

    def _sync_roster(self, session: MasterSession, nodes: set[str] | None = None) -> None:
        """Workers and function sets to match the view; none while the master is down or we shut down."""
        self.roster.sync(session.name, session.view, live=session.live and self.accepting, nodes=nodes)
        self._wake_parked_of(session.name)

    def _reconcile(self, session: MasterSession, adopt: bool) -> None:
        """Bring our builds of this master in line with an inventory.

        ``adopt`` (after our start or the master's restart): Gearman builds the
        master runs that we do not answer for are taken on, to be re-attached
        when their job comes back or aborted as orphans. Not otherwise: a
        build someone started again by hand from a Gearman build's parameters
        carries its uuid too, and is none of our business.
        """
        view = session.view
        for build in self.book.of_master(session.name):
            info = view.gearman_builds.get(build.uuid)
            if info is not None:
                self._apply_info(build, info)
                self._report(build)
            elif build.phase is Phase.SCHEDULING:
                if not build.schedule_pending:
                    self._schedule(build, None)
            else:
                self._find_lost(session, build)
        if not adopt:
            return
        for uuid, info in view.gearman_builds.items():
            if self.book.get(uuid) is None:
                build = GearmanBuild(uuid, session.name, info.job, info.node or "")
                self._apply_info(build, info)
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
            result = future.result()[0]
            if result["status"] == "found":
                self._apply_info(build, BuildInfo.from_record(result["build"]))
                if build.phase is not Phase.DONE and result["build"].get("state") == "finished":
                    build.phase = Phase.DONE
            else:
                log.warning(
                    "master %s: lost build %s (uuid %s); telling the client", session.name, build.job, build.uuid
                )
                self._fail(build)
                return
            if build.phase is Phase.DONE:
                self._finish(build)

        session.submit([{"op": "find", "uuid": build.uuid, "job": build.job}]).add_done_callback(found)

    # ---- build events from masters ---------------------------------------------

    def _build_started(self, session: MasterSession, info: BuildInfo) -> None:
        if not info.uuid:
            return
        build = self.book.get(info.uuid)
        if build is None:
            return  # not scheduled through us (e.g. a build repeated by hand with its parameters)
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
        self._apply_info(build, info)
        build.phase = Phase.RUNNING if build.phase is not Phase.DONE else build.phase
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
        if not info.uuid:
            return
        build = self.book.get(info.uuid)
        if build is None or build.phase is Phase.DONE or (build.number is not None and build.number != info.number):
            return  # not ours, already reported (e.g. found by an inventory first), or a rebuild
        self._apply_info(build, info)
        build.result = info.result
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
        build.result = "ABORTED"
        log.info("build %s (uuid %s) removed from the queue of %s", build.job, build.uuid, session.name)
        self._finish(build)

    @staticmethod
    def _apply_info(build: GearmanBuild, info: BuildInfo) -> None:
        if info.number is not None:
            build.number = info.number
        build.url = info.url or build.url
        build.node = info.node if info.node is not None else build.node
        build.node_labels = info.node_labels or build.node_labels
        if info.estimated_duration is not None and info.estimated_duration >= 0:
            build.estimated_ms = info.estimated_duration
        build.started_ms = info.started or build.started_ms
        build.queue_id = info.queue_id or build.queue_id
        if info.state == "running" and build.phase in (Phase.SCHEDULING, Phase.QUEUED):
            build.phase = Phase.RUNNING
        elif info.state == "queued" and build.phase is Phase.SCHEDULING:
            build.phase = Phase.QUEUED
        elif info.state in ("finished", "cancelled"):
            build.result = info.result or ("ABORTED" if info.state == "cancelled" else build.result)
            build.phase = Phase.DONE

    # ---- reporting to the client ---------------------------------------------------

    def _data(self, build: GearmanBuild) -> dict[str, Any]:
        master = self.config.master(build.master)
        return build.data(build.master, master.url, node_display_name(build.master, build.node))

    def _report(self, build: GearmanBuild) -> None:
        """Send whatever the build's client is owed; release the worker once it is done."""
        if build.phase is Phase.DONE and self.book.is_active(build.uuid):
            self.book.finish(build)
        if not build.attached:
            return
        worker = self._worker(build.worker_key)
        packets = packets_for(build, self._data(build))
        if worker is not None and packets:
            worker.send_packets(build.assignment, packets)
        if build.phase is Phase.DONE:
            self._detach(build)

    def _finish(self, build: GearmanBuild) -> None:
        self.book.finish(build)
        self._report(build)
        self.kick()

    def _fail(self, build: GearmanBuild) -> None:
        """WORK_FAIL: the build is lost; Zuul and other clients retry."""
        self.book.finish(build)
        if build.attached:
            worker = self._worker(build.worker_key)
            if worker is not None:
                worker.send_fail(build.assignment)
            self._detach(build)
        self.kick()

    def _reject(self, build: GearmanBuild, reason: str) -> None:
        log.warning("rejected %s (uuid %s): %s", build.job, build.uuid, reason)
        self.metrics.inc("gearman_jenkins_jobs_rejected_total", master=build.master)
        self.book.finish(build)
        if build.attached:
            worker = self._worker(build.worker_key)
            if worker is not None:
                worker.send_exception(build.assignment, reason)
            self._detach(build)
        self.kick()

    def _detach(self, build: GearmanBuild) -> None:
        key = build.worker_key
        build.assignment = None
        state = self.states.get(key) if isinstance(key, ExecutorKey) else None
        if state is not None and state.build == build.uuid:
            state.build = None
            self.roster.finish_retiring(key)

    def _worker(self, key: Hashable | None) -> Worker | None:
        return self.roster.executors.get(key) if isinstance(key, ExecutorKey) else None

    # ---- executor workers: packets ------------------------------------------------

    def worker_connected(self, worker: Worker, server: GearmanServer) -> None:
        if isinstance(worker.key, ExecutorKey):
            self._state(worker.key).awake.discard(server)
            self.parking.unpark(server, worker.key)  # a new connection is armed

    def worker_woken(self, worker: Worker, server: GearmanServer) -> None:
        if not isinstance(worker.key, ExecutorKey):
            worker.grab(server)
            return
        self._state(worker.key).awake.add(server)
        for key in self.parking.wake_all(server):
            self._state(key).awake.add(server)
        self.kick()

    def worker_no_job(self, worker: Worker, server: GearmanServer) -> None:
        if not isinstance(worker.key, ExecutorKey):
            worker.sleep(server)
            return
        state = self._state(worker.key)
        self._end_grab(worker.key, state, release=True)
        self.metrics.inc("gearman_jenkins_grabs_total", outcome="no_job")
        self._depth = max(MIN_DEPTH, self._depth // 2)
        # Nothing for this worker means nothing for any worker that can do less.
        for key, other in self.states.items():
            if server in other.awake and not other.grabbing and not other.reserving and key != worker.key:
                peer = self.roster.executors.get(key)
                if peer is not None and (peer.functions is worker.functions or peer.functions <= worker.functions):
                    other.awake.discard(server)
                    self.parking.park(server, key, worker.key)
                    # gearmand answers PRE_SLEEP with NOOP if work is waiting for it right now.
                    peer.sleep(server)
        state.awake.discard(server)
        worker.sleep(server)
        self.kick()

    def worker_assigned(self, worker: Worker, job: Assignment) -> None:
        if not isinstance(worker.key, ExecutorKey):
            self.management.handle(worker, job)
            worker.grab(job.server)
            return
        key = worker.key
        state = self._state(key)
        reservation = state.reservation
        self._end_grab(key, state, release=False)
        self.metrics.inc("gearman_jenkins_grabs_total", outcome="job")
        state.awake.add(job.server)  # more work may be waiting on that server
        self._depth = min(MAX_DEPTH, self._depth * 2)
        self._start_build(key, worker, job, reservation)
        self.kick()

    def worker_disconnected(self, worker: Worker, server: GearmanServer) -> None:
        if not isinstance(worker.key, ExecutorKey):
            return
        state = self._state(worker.key)
        state.awake.discard(server)
        self.parking.unpark(server, worker.key)
        self._wake(self.parking.wake_covered_by(worker.key))
        if state.grabbing == server:
            self._end_grab(worker.key, state, release=True)
        uuid = state.build
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
        self.kick()

    def _wake(self, woken: list[tuple[ExecutorKey, GearmanServer]]) -> None:
        for key, server in woken:
            self._state(key).awake.add(server)
        if woken:
            self.kick()

    def _wake_parked_of(self, master: str) -> None:
        """Function sets of this master's workers may have changed: covers may no longer cover."""
        self._wake(self.parking.wake_where(lambda key: isinstance(key, ExecutorKey) and key.master == master))

    def _end_grab(self, key: ExecutorKey, state: WorkerState, release: bool) -> None:
        if state.grabbing is not None:
            self._in_flight -= 1
        state.grabbing = None
        if release and state.reservation:
            # Unused: another worker of the node may get a job in a moment.
            self.reservations.add_spare(key.master, key.node, state.reservation)
        state.reservation = None

    # ---- executor workers: grabbing -------------------------------------------------

    def kick(self) -> None:
        """Run a grab round soon (once per loop iteration, however often asked)."""
        if not self._grab_round_due:
            self._grab_round_due = True
            self.loop.call_soon(self._grab_round)

    def _commitments(self) -> dict[tuple[str, str], int]:
        committed: dict[tuple[str, str], int] = {}
        for key, state in self.states.items():
            if state.reserving or state.grabbing:
                committed[(key.master, key.node)] = committed.get((key.master, key.node), 0) + 1
        for build in self.book:
            if build.phase in (Phase.SCHEDULING, Phase.QUEUED):
                committed[(build.master, build.node)] = committed.get((build.master, build.node), 0) + 1
        return committed

    def _grab_round(self) -> None:
        self._grab_round_due = False
        budget = self._depth - self._in_flight
        if not self.accepting or budget <= 0 or not self.records.may_grab():
            return
        now = time.monotonic()
        live = {
            name: session.view
            for name, session in self.sessions.items()
            if session.live and not session.view.quieting_down
        }
        candidates = [
            key
            for key, state in self.states.items()
            if state.awake
            and state.build is None
            and state.grabbing is None
            and not state.reserving
            and key.master in live
            and not self.reservations.denied(key.master, key.node, now)
            and key not in self.roster.retiring
            and key in self.roster.executors
        ]
        if not candidates:
            return
        picks = pick_grabbers(candidates, live, self._commitments(), budget, self.reservations.spare_nodes())
        for key in picks:
            self.states[key].reserving = True
            self._in_flight += 1
        self._reserve(picks)

    def _reserve(self, picks: list[ExecutorKey]) -> None:
        """Reserve an executor for every pick; grab in the picks' order.

        Spare reservations serve at once; the rest are requested in one batch
        per master. A pick grabs only once every better pick has grabbed or
        been refused: a worker holding a spare would otherwise overtake a
        better placed one still waiting for its reservation, and the server
        would give it the job.
        """
        held: dict[ExecutorKey, str | None] = {}  # pick -> reservation, None when refused
        wanting: dict[str, dict[str, list[ExecutorKey]]] = {}  # master -> node -> picks
        for key in picks:
            spare = self.reservations.take_spares(key.master, key.node, 1)
            if spare:
                held[key] = spare[0]
            else:
                wanting.setdefault(key.master, {}).setdefault(key.node, []).append(key)
        order = list(picks)

        def grab_ready() -> None:
            while order and order[0] in held:
                key = order.pop(0)
                reservation = held.pop(key)
                if reservation is not None:
                    self._grab_with(key, reservation)
                else:
                    self._state(key).reserving = False
                    self._in_flight -= 1
            self.kick()

        def reserved(master: str, per_node: dict[str, list[ExecutorKey]], done: asyncio.Future | None) -> None:
            results = None if done is None or done.exception() else done.result()
            for position, (node, keys) in enumerate(per_node.items()):
                granted = list(results[position].get("granted", [])) if results else []
                if len(granted) < len(keys):
                    self.reservations.deny(master, node)
                    self.metrics.inc("gearman_jenkins_grabs_total", len(keys) - len(granted), outcome="denied")
                for key in keys:
                    held[key] = granted.pop(0) if granted else None
            grab_ready()

        grab_ready()
        for master, per_node in wanting.items():
            future = self.reservations.request(master, {node: len(keys) for node, keys in per_node.items()})
            if future is None:
                reserved(master, per_node, None)
            else:
                future.add_done_callback(lambda done, m=master, nodes=per_node: reserved(m, nodes, done))

    def _grab_with(self, key: ExecutorKey, reservation: str) -> None:
        """GRAB_JOB_UNIQ on a server that woke this worker, holding ``reservation``."""
        state = self._state(key)
        state.reserving = False
        worker = self.roster.executors.get(key)
        servers = [s for s in state.awake if worker is not None and worker.connected(s)]
        if not servers or not self.accepting or state.build is not None:
            self._in_flight -= 1
            self.reservations.add_spare(key.master, key.node, reservation)
            return
        state.reservation = reservation
        state.grabbing = servers[0]
        worker.grab(servers[0])

    # ---- executor workers: builds ---------------------------------------------------

    def _start_build(self, key: ExecutorKey, worker: Worker, job: Assignment, reservation: str | None) -> None:
        uuid = job.unique or uuidlib.uuid4().hex
        job_name = job.function.split(":", 2)[1] if job.function.count(":") >= 1 else job.function
        if self.book.buried(uuid):
            self.book.unbury(uuid)
            if reservation:
                self.reservations.release(key.master, reservation)
            log.info("job %s (uuid %s) was cancelled before dispatch: completing as ABORTED", job.function, uuid)
            data = payloads.build_data(
                job=job_name, number=None, manager=key.master, worker=worker.client_id, url=None, node="", labels=[]
            )
            worker.send_complete(job, payloads.encode({**data, "result": "ABORTED"}))
            return
        existing = self.book.get(uuid) or self._recorded_build(uuid, job_name)
        if existing is not None:
            if reservation:
                self.reservations.release(key.master, reservation)
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
            if reservation:
                self.reservations.release(key.master, reservation)
            self._reject(build, str(exc))
            return
        if not self.records.may_schedule_unknown():
            if reservation:
                self.reservations.release(key.master, reservation)
            build.phase = Phase.HELD
            log.info(
                "job %s (uuid %s) held: masters %s have not sent their record of Gearman builds yet",
                job.function,
                uuid,
                ", ".join(self.records.not_loaded()),
            )
            return
        self._schedule(build, reservation)

    def _check_parameter_policy(self, build: GearmanBuild, function: str) -> None:
        job = self.sessions[build.master].view.functions.jobs.get(build.job)
        declared = job.parameters if job is not None else frozenset()
        refused = refused_parameter(build.parameters, declared, self.config.options.undeclared_parameters)
        if refused is not None:
            raise payloads.BadArguments(
                f"{function}: parameter {refused} is not declared by job {build.job} on {build.master}, "
                "and options.undeclared_parameters refuses it"
            )

    def _locate(self, uuid: str) -> tuple[str, BuildInfo | None] | None:
        """Which master's record shows ``uuid``: with the build if queued or running, None if finished."""
        for name, session in self.sessions.items():
            info = session.view.gearman_builds.get(uuid)
            if info is not None:
                return name, info
        master = self.records.master_of(uuid)
        return (master, None) if master is not None else None

    def _recorded_build(self, uuid: str, job_name: str) -> GearmanBuild | None:
        """A build of ``uuid`` that a master's record shows and our book does not (e.g. after our restart)."""
        located = self._locate(uuid)
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
            self._apply_info(build, info)
        else:
            # It finished there: the master's history supplies what the client is owed.
            build.phase = Phase.RUNNING
            self._find_lost(self.sessions[master], build)

    def _release_held(self) -> None:
        """Held unique ids: re-attached if a master's record now shows them, else scheduled once allowed."""
        for build in self.book:
            if build.phase is not Phase.HELD:
                continue
            located = self._locate(build.uuid)
            if located is not None:
                log.info("build %s (uuid %s) is on the record of %s: re-attaching", build.job, build.uuid, located[0])
                self._take_record(build, *located)
                self._report(build)
            elif self.records.may_schedule_unknown():
                build.phase = Phase.SCHEDULING
                build.created = time.monotonic()
                self._schedule(build, None)

    def cancel_held(self, build: GearmanBuild) -> None:
        """A stop by uuid of a held build: nothing was scheduled anywhere, so it ends ABORTED now."""
        build.result = "ABORTED"
        self._finish(build)

    def _attach(self, build: GearmanBuild, key: ExecutorKey, worker: Worker, job: Assignment) -> None:
        if build.phase is not Phase.DONE:
            self.book.add(build)
        build.assignment = job
        build.worker_key = key
        build.worker_id = worker.client_id
        build.detached_at = None
        build.data_sent = False
        self._state(key).build = build.uuid

    def _schedule(self, build: GearmanBuild, reservation: str | None) -> None:
        session = self.sessions[build.master]
        op = {
            "op": "schedule",
            "job": build.job,
            "node": build.node,
            "uuid": build.uuid,
            "params": build.parameters,
            "reservation": reservation,
            "handover_ms": HANDOVER_MS,
        }
        build.schedule_pending = True
        session.submit([op]).add_done_callback(lambda done: self._scheduled(build, done))

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
        result = done.result()[0]
        status = result["status"]
        if status == "queued":
            build.queue_id = result["queue_id"]
            if build.phase is Phase.SCHEDULING:
                build.phase = Phase.QUEUED
            log.info(
                "queued %s on %s/%s (uuid %s, queue item %s)",
                build.job,
                build.master,
                node_display_name(build.master, build.node),
                build.uuid,
                build.queue_id,
            )
            if build.cancel_requested:
                self.management.cancel(build)
        elif status == "existing":
            self._apply_info(build, BuildInfo.from_record(result["build"]))
            self._report(build)
        else:
            function = build.assignment.function if build.assignment else f"build:{build.job}"
            self._reject(build, f"{function}: {result.get('reason', status)} (master {build.master})")

    # ---- timers ---------------------------------------------------------------------------

    async def _housekeep(self) -> None:
        last_status = time.monotonic()
        while True:
            await asyncio.sleep(HOUSEKEEPING_INTERVAL)
            now = time.monotonic()
            if now - last_status >= STATUS_INTERVAL:
                last_status = now
                self._send_status()
            self._abort_orphans(now)
            self._give_up_scheduling(now)
            self.reservations.give_back_expired()

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
                self._fail(build)

    def _send_status(self) -> None:
        for build in self.book:
            if build.attached and build.phase is Phase.RUNNING and build.data_sent:
                worker = self._worker(build.worker_key)
                if worker is not None:
                    worker.send_status(build.assignment, build.elapsed_ms(), max(build.estimated_ms, 0))

    def _abort_orphans(self, now: float) -> None:
        """Detached builds past the grace period: abort them unless a server still holds their job."""
        grace = self.config.options.orphan_grace
        due = []
        for build in self.book:
            if build.attached or build.detached_at is None or now - build.detached_at < grace:
                continue
            session = self.sessions.get(build.master)
            if session is not None and session.live:
                build.detached_at = None  # being looked at; not picked again meanwhile
                due.append(build)
        if due:
            self.loop.create_task(self._check_orphans(due, grace))

    async def _check_orphans(self, due: list[GearmanBuild], grace: float) -> None:
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
            self.metrics.inc("gearman_jenkins_orphans_aborted_total", master=build.master)
            self.management.abort_orphan(build, grace)

    def _gauges(self) -> list[Sample]:
        samples: list[Sample] = []
        for name, session in self.sessions.items():
            samples.append(("gearman_jenkins_master_up", {"master": name}, 1 if session.live else 0))
            samples.append(("gearman_jenkins_script_requests_total", {"master": name}, session.requests.count))
            busy = session.view.busy_by_node()
            counts = {"idle": 0, "busy": 0, "offline": 0}
            for node in session.view.nodes.values():
                running = min(busy.get(node.name, 0), node.executors)
                counts["busy"] += running
                counts["idle" if node.accepting else "offline"] += node.executors - running
            for state, count in counts.items():
                samples.append(("gearman_jenkins_executors", {"master": name, "state": state}, count))
        phases = {phase.value: 0 for phase in Phase if phase is not Phase.DONE}
        for build in self.book:
            if build.phase is not Phase.DONE:
                phases[build.phase.value] += 1
        samples += [("gearman_jenkins_gearman_builds", {"phase": phase}, n) for phase, n in phases.items()]
        return samples

    def _unique_jobs_on_servers(self) -> set[str]:
        held: set[str] = set()
        for server in self.config.gearman_servers:
            try:
                with AdminClient(server, self.config.tls) as admin:
                    held |= admin.unique_jobs()
            except errors.GearmanServerError as exc:
                log.warning("cannot list the jobs of %s: %s", server, exc)
        return held
