"""The life cycle of a Gearman build, and what each step sends.

Theory of operation. A ``build:`` job assigned to an executor worker
becomes a ``GearmanBuild`` keyed by its Gearman unique id (the build's
uuid). It moves through these phases::

    HELD --records known--> SCHEDULING --queued--> QUEUED --started--> RUNNING --completed--> DONE
                                 |                   |                                     ^
                                 +--rejected---------+--cancelled--------------------------+

A unique id no master's record shows is HELD while a master that may hold
its build has not answered (``records``). One that a master's record shows
is not scheduled again: queued or running, it is re-attached; finished, it
enters as RUNNING and the master's history supplies what it reports.

``attached`` says whether a Gearman job (an ``Assignment`` on a live
connection) currently answers for the build. A connection drop detaches
it; the same unique id arriving again (gearmand re-queues it) re-attaches
it, and the client is told what it missed. A detached build nobody claims
within the grace period is an orphan and gets aborted.

Packets per step, for an attached build:

    started    WORK_DATA {name, number, manager, worker, url, node_name, node_labels}
               WORK_STATUS (elapsed ms, estimated ms), then every 10 s while running
    completed  WORK_COMPLETE (the same JSON plus "result")
    cancelled  WORK_COMPLETE with result ABORTED (no build number)
    rejected   WORK_EXCEPTION with a one-line reason
    lost       WORK_FAIL (the master lost a build it had queued or started)

The methods of ``GearmanBuild`` are the phase changes; ``packets_for`` (and
``status_packet``) are the single place that turns a phase into packets.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

from controller.contract import payloads
from controller.gearman import protocol
from controller.gearman.worker import Assignment
from controller.masters.agent_protocol import BuildInfo

FINISHED_KEPT = 20000
TOMBSTONES_KEPT = 100000
TOMBSTONE_SECONDS = 24 * 3600


class Phase(enum.Enum):
    HELD = "held"  # waits for the masters that have not answered yet (README: at most one build per unique id)
    SCHEDULING = "scheduling"  # assigned; the schedule request is on its way to the master
    QUEUED = "queued"  # in the master's queue, pinned to its node
    RUNNING = "running"
    DONE = "done"


class Ending(enum.Enum):
    """How a DONE build ends for its client."""

    COMPLETED = "completed"  # WORK_COMPLETE with the build's result
    LOST = "lost"  # WORK_FAIL: the master lost it; clients retry
    REJECTED = "rejected"  # WORK_EXCEPTION: it cannot run at all


@dataclass
class GearmanBuild:
    uuid: str
    master: str
    job: str
    node: str | None  # Jenkins node name the build is pinned to ("" = built-in); None: it never reached one
    parameters: dict[str, str] = field(default_factory=dict)
    phase: Phase = Phase.SCHEDULING
    assignment: Assignment | None = None
    worker_key: Hashable | None = None
    worker_id: str = ""
    number: int | None = None
    url: str | None = None
    node_labels: tuple[str, ...] = ()
    estimated_ms: int = -1
    started_ms: int | None = None
    result: str | None = None
    ending: Ending = Ending.COMPLETED
    reason: str = ""  # for REJECTED: the one-line reason the client gets
    queue_id: int | None = None
    data_sent: bool = False
    detached_at: float | None = None  # monotonic time the build lost its Gearman job
    cancel_requested: bool = False  # stop by uuid arrived before the master had queued it
    schedule_pending: bool = False  # a schedule request is on its way
    created: float = field(default_factory=time.monotonic)

    @property
    def attached(self) -> bool:
        return self.assignment is not None

    # ---- phase changes ------------------------------------------------------------

    def apply(self, info: BuildInfo) -> None:
        """What the master reports of the build: its details, and the phase they imply."""
        if info.number is not None:
            self.number = info.number
        self.url = info.url or self.url
        self.node = info.node if info.node is not None else self.node
        self.node_labels = info.node_labels or self.node_labels
        if info.estimated_duration is not None and info.estimated_duration >= 0:
            self.estimated_ms = info.estimated_duration
        self.started_ms = info.started or self.started_ms
        self.queue_id = info.queue_id or self.queue_id
        if info.state == "running" and self.phase in (Phase.SCHEDULING, Phase.QUEUED):
            self.phase = Phase.RUNNING
        elif info.state == "queued" and self.phase is Phase.SCHEDULING:
            self.phase = Phase.QUEUED
        elif info.over:
            self.result = info.result or ("ABORTED" if info.state == "cancelled" else self.result)
            self.phase = Phase.DONE

    def queued(self, queue_id: int) -> None:
        self.queue_id = queue_id
        if self.phase is Phase.SCHEDULING:
            self.phase = Phase.QUEUED

    def started(self) -> None:
        if self.phase is not Phase.DONE:
            self.phase = Phase.RUNNING

    def completed(self, result: str | None) -> None:
        self.result = result
        self.phase = Phase.DONE

    def lost(self) -> None:
        self.ending = Ending.LOST
        self.phase = Phase.DONE

    def rejected(self, reason: str) -> None:
        self.ending = Ending.REJECTED
        self.reason = reason
        self.phase = Phase.DONE

    def held(self) -> None:
        self.phase = Phase.HELD

    def released_from_hold(self) -> None:
        self.phase = Phase.SCHEDULING
        self.created = time.monotonic()  # the grace period for scheduling starts now

    # ---- what the client hears ----------------------------------------------------------

    def data(self, manager: str, master_url: str | None, node_display: str) -> dict[str, Any]:
        """WORK_DATA; ``master_url`` None (a master no longer served) leaves the url out."""
        url = master_url + self.url if self.url and master_url else None
        return payloads.build_data(
            job=self.job,
            number=self.number,
            manager=manager,
            worker=self.worker_id,
            url=url,
            node=node_display,
            labels=list(self.node_labels),
        )

    def elapsed_ms(self) -> int:
        if self.started_ms is None:
            return 0
        return max(0, int(time.time() * 1000) - self.started_ms)


def packets_for(build: GearmanBuild, data: dict[str, Any]) -> list[bytes]:
    """The packets an attached build owes its client now, given its phase.

    Called after every phase change and after a re-attach, so that a client
    that reconnected mid-build gets WORK_DATA before WORK_COMPLETE.
    """
    handle = build.assignment.handle
    if build.phase is Phase.DONE and build.ending is Ending.REJECTED:
        return [protocol.work_exception(handle, build.reason.encode("utf-8"))]
    if build.phase is Phase.DONE and build.ending is Ending.LOST:
        return [protocol.work_fail(handle)]
    packets = []
    if build.phase in (Phase.RUNNING, Phase.DONE) and build.number is not None and not build.data_sent:
        packets.append(protocol.work_data(handle, payloads.encode(data)))
        packets.append(protocol.work_status(handle, build.elapsed_ms(), max(build.estimated_ms, 0)))
        build.data_sent = True
    if build.phase is Phase.DONE:
        packets.append(protocol.work_complete(handle, payloads.encode({**data, "result": build.result})))
    return packets


def status_packet(build: GearmanBuild) -> bytes:
    """WORK_STATUS of a running build, sent every ``STATUS_INTERVAL`` (numerator elapsed ms, denominator estimate)."""
    return protocol.work_status(build.assignment.handle, build.elapsed_ms(), max(build.estimated_ms, 0))


class BuildBook:
    """Every Gearman build the controller answers for, plus what it remembers of finished ones."""

    def __init__(self) -> None:
        self._active: dict[str, GearmanBuild] = {}
        self._finished: OrderedDict[str, GearmanBuild] = OrderedDict()
        self._tombstones: OrderedDict[str, float] = OrderedDict()

    def __iter__(self) -> Iterator[GearmanBuild]:
        return iter(list(self._active.values()))

    def __len__(self) -> int:
        return len(self._active)

    def is_active(self, uuid: str) -> bool:
        return uuid in self._active

    def get(self, uuid: str) -> GearmanBuild | None:
        return self._active.get(uuid) or self._finished.get(uuid)

    def add(self, build: GearmanBuild) -> None:
        self._finished.pop(build.uuid, None)
        self._active[build.uuid] = build

    def finish(self, build: GearmanBuild) -> None:
        """Move to the finished list: kept so that a re-delivered job still gets its result."""
        build.phase = Phase.DONE
        self._active.pop(build.uuid, None)
        self._finished[build.uuid] = build
        self._finished.move_to_end(build.uuid)
        while len(self._finished) > FINISHED_KEPT:
            self._finished.popitem(last=False)

    def forget(self, build: GearmanBuild) -> None:
        """Another controller answers for it now."""
        self._active.pop(build.uuid, None)

    def of_master(self, master: str) -> list[GearmanBuild]:
        return [build for build in self._active.values() if build.master == master]

    # Cancelled before any worker received them (docs/contract.md: stop by uuid of a
    # job still in the Gearman queue): answered ABORTED when they arrive.
    def bury(self, uuid: str) -> None:
        self._tombstones[uuid] = time.monotonic()
        while len(self._tombstones) > TOMBSTONES_KEPT:
            self._tombstones.popitem(last=False)

    def buried(self, uuid: str) -> bool:
        buried_at = self._tombstones.get(uuid)
        if buried_at is None:
            return False
        if time.monotonic() - buried_at > TOMBSTONE_SECONDS:
            del self._tombstones[uuid]
            return False
        return True

    def unbury(self, uuid: str) -> None:
        self._tombstones.pop(uuid, None)
