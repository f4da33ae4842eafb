"""Which executor workers grab, and when: woken workers, the grab window, reserve-then-grab.

Theory of operation. A Gearman server NOOPs every capable worker when a job
arrives; the controller chooses which of them grab (``capacity``: least
loaded node first). Each pick first has its executor reserved in Jenkins
(so that no native build can take it in the gap), then sends GRAB_JOB_UNIQ
on a server that woke it. A worker moves through::

    IDLE --picked--> RESERVING --granted--> GRABBING --JOB_ASSIGN--> BUILDING --done--> IDLE
                         |                      |
                         +--refused-------------+--NO_JOB--> IDLE (and parks the workers it covers)

The grab window (``depth``) bounds the grabs in flight. Every grab holds a
reservation, an executor withheld from native builds, and costs a round
trip; so the window starts small, doubles with every grab that brings a job
(work is waiting: drain it faster) and halves with every NO_JOB (the queue
is empty: do not keep executors reserved for nothing), between MIN_DEPTH and
MAX_DEPTH. NO_JOB also parks the woken workers that can do no more than the
one that grabbed (``parking`` explains why they are parked, not put to sleep).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from controller.config import GearmanServer
from controller.dispatch.builds import BuildBook, Phase
from controller.dispatch.capacity import pick_grabbers
from controller.dispatch.parking import Parking
from controller.dispatch.records import BuildRecords
from controller.dispatch.reservations import Reservations
from controller.dispatch.roster import ExecutorKey, Roster, executor_client_id
from controller.gearman.worker import Assignment, Worker
from controller.masters.agent_protocol import Granted
from controller.masters.session import MasterSession
from controller.metrics import Metrics

log = logging.getLogger("gearman_jenkins.dispatch")

MIN_DEPTH = 2
MAX_DEPTH = 64


class WorkerPhase(enum.Enum):
    IDLE = "idle"
    RESERVING = "reserving"  # its executor's reservation is being asked for
    GRABBING = "grabbing"  # GRAB_JOB_UNIQ sent, holding a reservation
    BUILDING = "building"  # answers for a Gearman build


@dataclass
class WorkerState:
    """What the controller knows of one executor worker between packets."""

    phase: WorkerPhase = WorkerPhase.IDLE
    awake: set[GearmanServer] = field(default_factory=set)  # servers that sent NOOP since our PRE_SLEEP
    server: GearmanServer | None = None  # GRABBING: where it grabbed
    reservation: str | None = None  # GRABBING: the executor it holds
    build: str | None = None  # BUILDING: the uuid of the Gearman build it answers for


class Grabbing:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sessions: Mapping[str, MasterSession],
        roster: Roster,
        reservations: Reservations,
        book: BuildBook,
        records: BuildRecords,
        metrics: Metrics,
    ):
        self.loop = loop
        self.sessions = sessions
        self.roster = roster
        self.reservations = reservations
        self.book = book
        self.records = records
        self.metrics = metrics
        self.states: dict[ExecutorKey, WorkerState] = {}
        self.parking = Parking()
        self.accepting = True
        self.depth = MIN_DEPTH
        self.in_flight = 0
        self._round_due = False

    def state(self, key: ExecutorKey) -> WorkerState:
        state = self.states.get(key)
        if state is None:
            state = self.states[key] = WorkerState()
        return state

    def busy(self, key: ExecutorKey) -> bool:
        """Whether the worker is in the middle of a grab or answers for a build (it must not close now)."""
        state = self.states.get(key)
        return state is not None and state.phase is not WorkerPhase.IDLE

    def forget(self, key: ExecutorKey) -> None:
        """The worker was closed."""
        self.states.pop(key, None)
        self.wake(self.parking.forget(key))

    # ---- packets of executor workers ------------------------------------------------

    def connected(self, worker: Worker, server: GearmanServer) -> None:
        self.state(worker.key).awake.discard(server)
        self.parking.unpark(server, worker.key)  # a new connection is armed

    def woken(self, worker: Worker, server: GearmanServer) -> None:
        self.state(worker.key).awake.add(server)
        for key in self.parking.wake_all(server):
            self.state(key).awake.add(server)
        self.kick()

    def no_job(self, worker: Worker, server: GearmanServer) -> None:
        state = self.state(worker.key)
        self._end_grab(worker.key, state, keep_reservation=True)
        self.metrics.inc("gearman_jenkins_grabs_total", outcome="no_job")
        self.depth = max(MIN_DEPTH, self.depth // 2)
        # Nothing for this worker means nothing for any worker that can do less.
        for key, other in self.states.items():
            if server in other.awake and other.phase is WorkerPhase.IDLE and key != worker.key:
                peer = self.roster.executors.get(key)
                if peer is not None and (peer.functions is worker.functions or peer.functions <= worker.functions):
                    other.awake.discard(server)
                    self.parking.park(server, key, worker.key)
                    # gearmand answers PRE_SLEEP with NOOP if work is waiting for it right now.
                    peer.sleep(server)
        state.awake.discard(server)
        worker.sleep(server)
        self.kick()

    def assigned(self, worker: Worker, job: Assignment) -> str | None:
        """A job for this worker: its grab is over; returns the reservation it held."""
        state = self.state(worker.key)
        reservation = state.reservation
        self._end_grab(worker.key, state, keep_reservation=False)
        self.metrics.inc("gearman_jenkins_grabs_total", outcome="job")
        state.awake.add(job.server)  # more work may be waiting on that server
        self.depth = min(MAX_DEPTH, self.depth * 2)
        self.kick()
        return reservation

    def disconnected(self, worker: Worker, server: GearmanServer) -> None:
        state = self.state(worker.key)
        state.awake.discard(server)
        self.parking.unpark(server, worker.key)
        self.wake(self.parking.wake_covered_by(worker.key))
        if state.phase is WorkerPhase.GRABBING and state.server == server:
            self._end_grab(worker.key, state, keep_reservation=True)
        self.kick()

    def building(self, key: ExecutorKey, uuid: str) -> None:
        state = self.state(key)
        state.phase = WorkerPhase.BUILDING
        state.build = uuid

    def build_done(self, key: ExecutorKey, uuid: str) -> None:
        """The worker no longer answers for ``uuid``: it may grab again (or close, if retiring)."""
        state = self.states.get(key)
        if state is not None and state.build == uuid:
            state.phase = WorkerPhase.IDLE
            state.build = None
            self.roster.finish_retiring(key)
        self.kick()

    def wake(self, woken: list[tuple[ExecutorKey, GearmanServer]]) -> None:
        for key, server in woken:
            self.state(key).awake.add(server)
        if woken:
            self.kick()

    def wake_parked_of(self, master: str) -> None:
        """Function sets of this master's workers may have changed: covers may no longer cover."""
        self.wake(self.parking.wake_where(lambda key: isinstance(key, ExecutorKey) and key.master == master))

    def _end_grab(self, key: ExecutorKey, state: WorkerState, keep_reservation: bool) -> None:
        if state.phase is WorkerPhase.GRABBING:
            self.in_flight -= 1
            state.phase = WorkerPhase.IDLE
        state.server = None
        if keep_reservation and state.reservation:
            # Unused: another worker of the node may get a job in a moment.
            self.reservations.add_spare(key.master, key.node, state.reservation)
        state.reservation = None

    # ---- grab rounds ------------------------------------------------------------------

    def kick(self) -> None:
        """Run a grab round soon (once per loop iteration, however often asked)."""
        if not self._round_due:
            self._round_due = True
            self.loop.call_soon(self._round)

    def commitments(self) -> dict[tuple[str, str], int]:
        """(master, node) -> executors our grabs and not yet started builds hold there."""
        committed: dict[tuple[str, str], int] = {}
        for key, state in self.states.items():
            if state.phase in (WorkerPhase.RESERVING, WorkerPhase.GRABBING):
                committed[(key.master, key.node)] = committed.get((key.master, key.node), 0) + 1
        for build in self.book:
            if build.phase in (Phase.SCHEDULING, Phase.QUEUED):
                committed[(build.master, build.node)] = committed.get((build.master, build.node), 0) + 1
        return committed

    def _round(self) -> None:
        self._round_due = False
        budget = self.depth - self.in_flight
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
            and state.phase is WorkerPhase.IDLE
            and key.master in live
            and not self.reservations.denied(key.master, key.node, now)
            and key not in self.roster.retiring
            and key in self.roster.executors
        ]
        if not candidates:
            return
        picks = pick_grabbers(candidates, live, self.commitments(), budget, self.reservations.spare_nodes())
        for key in picks:
            self.states[key].phase = WorkerPhase.RESERVING
            self.in_flight += 1
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
                    self.state(key).phase = WorkerPhase.IDLE
                    self.in_flight -= 1
            self.kick()

        def reserved(master: str, per_node: dict[str, list[ExecutorKey]], done: asyncio.Future | None) -> None:
            outcomes = None if done is None or done.exception() else done.result()
            for position, (node, keys) in enumerate(per_node.items()):
                outcome = outcomes[position] if outcomes else None
                granted = list(outcome.ids) if isinstance(outcome, Granted) else []
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
        state = self.state(key)
        worker = self.roster.executors.get(key)
        servers = [s for s in state.awake if worker is not None and worker.connected(s)]
        if not servers or not self.accepting or state.phase is not WorkerPhase.RESERVING:
            if state.phase is WorkerPhase.RESERVING:
                state.phase = WorkerPhase.IDLE
            self.in_flight -= 1
            self.reservations.add_spare(key.master, key.node, reservation)
            return
        state.phase = WorkerPhase.GRABBING
        state.reservation = reservation
        state.server = servers[0]
        worker.grab(servers[0])

    def describe(self, key: ExecutorKey, servers: tuple[GearmanServer, ...]) -> str:
        """SIGUSR1: one worker's state, for an operator asking why it does not grab."""
        state = self.states.get(key) or WorkerState()
        parked = [str(server) for server in servers if self.parking.is_parked(key, server)]
        return (
            f"worker {executor_client_id(key)} {state.phase.value}"
            f" awake={','.join(str(s) for s in state.awake) or '-'} parked={','.join(parked) or '-'}"
            f" grabbing={state.server or '-'} build={state.build or '-'}"
            f" retiring={key in self.roster.retiring}"
        )
