"""What the controller and a master's agent say to each other, as types.

``MasterClient`` moves JSON; this module gives it meaning, and nothing else
in the controller reads the agent's status strings or event names:

- operations sent in batches (``agent_batch.groovy``): one request class per
  operation, named as the agent's switch in ``_agent_operations.groovy``
  names it, each with ``parse`` turning the agent's answer into an outcome;
- the inventory (``agent_inventory.groovy``): ``Inventory``;
- the events (``agent_events.groovy``): one small immutable class per event
  type the agent emits, and ``EventsReply`` around them.

A test checks that the names here and in the agent's Groovy agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from controller.contract.model import Job, Node

# ---- what the agent reports of a build ------------------------------------------------


@dataclass(frozen=True)
class BuildInfo:
    """A build as the agent reported it: queued, running, finished or cancelled."""

    job: str
    number: int | None
    uuid: str | None  # its Gearman unique id; None for a build that is not a Gearman build
    state: str  # queued | running | finished | cancelled
    node: str | None = None
    node_labels: tuple[str, ...] = ()
    url: str | None = None
    result: str | None = None
    estimated_duration: int = -1
    started: int | None = None
    queue_id: int | None = None
    handover: str | None = None  # reservation of the executor a finished Gearman build handed over

    @property
    def over(self) -> bool:
        return self.state in ("finished", "cancelled")

    @classmethod
    def parse(cls, record: Mapping[str, Any]) -> BuildInfo:
        estimated = record.get("estimated_duration")
        return cls(
            job=record["job"],
            number=record.get("number"),
            uuid=record.get("uuid"),
            state=record.get("state", "running"),
            node=record.get("node"),
            node_labels=tuple(record.get("node_labels") or ()),
            url=record.get("url"),
            result=record.get("result"),
            estimated_duration=estimated if estimated is not None else -1,
            started=record.get("started"),
            queue_id=record.get("queue_id"),
            handover=record.get("handover"),
        )


def node_from_shape(shape: Mapping[str, Any]) -> Node:
    return Node(
        name=shape["name"],
        labels=frozenset(shape["labels"]),
        mode=shape["mode"],
        executors=int(shape["executors"]),
        online=bool(shape["online"]),
        temporarily_offline=bool(shape["temporarily_offline"]),
    )


def job_from_shape(shape: Mapping[str, Any]) -> Job:
    return Job(
        name=shape["name"],
        label=shape.get("label"),
        disabled=bool(shape["disabled"]),
        buildable=bool(shape["buildable"]),
        parameters=frozenset(shape.get("parameters") or ()),
        pipeline=shape.get("kind") == "pipeline",
    )


# ---- the lease ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaseClaim:
    """What a controller sends with its operations: who it is and the epoch it believes it holds."""

    name: str  # the controller's name (options.controller_name)
    instance: str  # this process of it: a restarted controller is a new instance
    epoch: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "instance": self.instance, "epoch": self.epoch}


@dataclass(frozen=True)
class LeaseState:
    """Who holds a master's lease, as its agent says (``owner`` None: nobody, or it expired)."""

    owner: str | None
    instance: str | None
    epoch: int
    remaining_ms: int
    held_ms: int
    granted: bool = False  # the acquisition or renewal this answers succeeded
    new_epoch: bool = False  # the acquisition started a new epoch

    @classmethod
    def parse(cls, reply: Mapping[str, Any] | None) -> LeaseState:
        reply = reply or {}
        return cls(
            owner=reply.get("owner"),
            instance=reply.get("instance"),
            epoch=int(reply.get("epoch", 0)),
            remaining_ms=int(reply.get("remaining_ms", 0)),
            held_ms=int(reply.get("held_ms", 0)),
            granted=bool(reply.get("granted")),
            new_epoch=bool(reply.get("new_epoch")),
        )


# ---- outcomes of operations ---------------------------------------------------------------


@dataclass(frozen=True)
class Failed:
    """The operation threw inside the agent (the others of its batch still ran)."""

    reason: str


@dataclass(frozen=True)
class Fenced:
    """The batch did not carry the master's current lease: nothing was done."""

    lease: LeaseState


@dataclass(frozen=True)
class Granted:
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Released:
    count: int


@dataclass(frozen=True)
class Queued:
    queue_id: int


@dataclass(frozen=True)
class Existing:
    """The unique id is already a build there: nothing was queued."""

    build: BuildInfo


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass(frozen=True)
class Aborted:
    build: BuildInfo | None  # None when stopped by job and number


@dataclass(frozen=True)
class NotRunning:
    result: str | None


@dataclass(frozen=True)
class Dequeued:
    build: BuildInfo


@dataclass(frozen=True)
class AlreadyFinished:
    build: BuildInfo


@dataclass(frozen=True)
class NotFound:
    pass


@dataclass(frozen=True)
class Described:
    pass


@dataclass(frozen=True)
class Found:
    build: BuildInfo


Outcome = (
    Failed
    | Fenced
    | Granted
    | Released
    | Queued
    | Existing
    | Rejected
    | Aborted
    | NotRunning
    | Dequeued
    | AlreadyFinished
    | NotFound
    | Described
    | Found
)


def _build(answer: Mapping[str, Any]) -> BuildInfo:
    return BuildInfo.parse(answer["build"])


def _refusal(answer: Mapping[str, Any]) -> Failed | Fenced | None:
    """The answers any operation may get instead of its own: fenced, or it threw."""
    status = answer.get("status")
    if status == "fenced":
        return Fenced(LeaseState.parse(answer.get("lease")))
    if status == "error":
        return Failed(answer.get("reason", "?"))
    return None


# ---- operations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reserve:
    """Reserve up to ``count`` idle executors of a node for workers about to grab."""

    name: ClassVar[str] = "reserve"
    node: str
    count: int
    ttl_ms: int

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, "node": self.node, "count": self.count, "ttl_ms": self.ttl_ms}

    def parse(self, answer: Mapping[str, Any]) -> Granted | Failed | Fenced:
        return _refusal(answer) or Granted(tuple(answer.get("granted", ())))


@dataclass(frozen=True)
class Release:
    name: ClassVar[str] = "release"
    ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, "ids": list(self.ids)}

    def parse(self, answer: Mapping[str, Any]) -> Released | Failed | Fenced:
        return _refusal(answer) or Released(int(answer.get("released", 0)))


@dataclass(frozen=True)
class Schedule:
    """Queue the Gearman build of ``uuid``, pinned to ``node``, once per uuid."""

    name: ClassVar[str] = "schedule"
    job: str
    node: str
    uuid: str
    params: Mapping[str, str] = field(default_factory=dict)
    reservation: str | None = None  # becomes the build's pin
    handover_ms: int | None = None  # the executor is handed back as a reservation when the build ends

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.name,
            "job": self.job,
            "node": self.node,
            "uuid": self.uuid,
            "params": dict(self.params),
            "reservation": self.reservation,
            "handover_ms": self.handover_ms,
        }

    def parse(self, answer: Mapping[str, Any]) -> Queued | Existing | Rejected | Failed | Fenced:
        refusal = _refusal(answer)
        if refusal is not None:
            return refusal
        status = answer.get("status")
        if status == "queued":
            return Queued(int(answer["queue_id"]))
        if status == "existing":
            return Existing(_build(answer))
        if status == "rejected":
            return Rejected(answer.get("reason", "rejected"))
        return Failed(answer.get("reason", f"unexpected answer {status!r}"))


@dataclass(frozen=True)
class Stop:
    """Abort a build by job and number."""

    name: ClassVar[str] = "stop"
    job: str
    number: int

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, "job": self.job, "number": self.number}

    def parse(self, answer: Mapping[str, Any]) -> Aborted | NotRunning | NotFound | Failed | Fenced:
        refusal = _refusal(answer)
        if refusal is not None:
            return refusal
        status = answer.get("status")
        if status == "aborted":
            return Aborted(None)
        if status == "not_running":
            return NotRunning(answer.get("result"))
        if status == "not_found":
            return NotFound()
        return Failed(answer.get("reason", f"unexpected answer {status!r}"))


@dataclass(frozen=True)
class StopUuid:
    """Cancel the Gearman build of a uuid wherever it is: queued, running or finished."""

    name: ClassVar[str] = "stop"
    uuid: str

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, "uuid": self.uuid}

    def parse(self, answer: Mapping[str, Any]) -> Dequeued | Aborted | AlreadyFinished | NotFound | Failed | Fenced:
        refusal = _refusal(answer)
        if refusal is not None:
            return refusal
        status = answer.get("status")
        if status == "dequeued":
            return Dequeued(_build(answer))
        if status == "aborted":
            return Aborted(_build(answer))
        if status == "finished":
            return AlreadyFinished(_build(answer))
        if status == "not_found":
            return NotFound()
        return Failed(answer.get("reason", f"unexpected answer {status!r}"))


@dataclass(frozen=True)
class Describe:
    name: ClassVar[str] = "describe"
    job: str
    number: int
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, "job": self.job, "number": self.number, "description": self.description}

    def parse(self, answer: Mapping[str, Any]) -> Described | NotFound | Failed | Fenced:
        refusal = _refusal(answer)
        if refusal is not None:
            return refusal
        status = answer.get("status")
        if status == "ok":
            return Described()
        if status == "not_found":
            return NotFound()
        return Failed(answer.get("reason", f"unexpected answer {status!r}"))


@dataclass(frozen=True)
class Find:
    """The build of a uuid: the agent's record, then the named job's queue (and history while rebuilding)."""

    name: ClassVar[str] = "find"
    uuid: str
    job: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, "uuid": self.uuid, "job": self.job}

    def parse(self, answer: Mapping[str, Any]) -> Found | NotFound | Failed | Fenced:
        refusal = _refusal(answer)
        if refusal is not None:
            return refusal
        status = answer.get("status")
        if status == "found":
            return Found(_build(answer))
        if status == "not_found":
            return NotFound()
        return Failed(answer.get("reason", f"unexpected answer {status!r}"))


Operation = Reserve | Release | Schedule | Stop | StopUuid | Describe | Find
OPERATION_NAMES = frozenset(op.name for op in (Reserve, Release, Schedule, Stop, StopUuid, Describe, Find))


# ---- the inventory ------------------------------------------------------------------------


@dataclass(frozen=True)
class Inventory:
    """A full picture of a master; events after ``seq`` bring it up to date."""

    seq: int
    version: str
    quieting_down: bool
    nodes: tuple[Node, ...]
    jobs: tuple[Job, ...]
    running: tuple[BuildInfo, ...]  # every running build, Gearman or not
    builds: tuple[BuildInfo, ...]  # queued and running Gearman builds
    held: Mapping[str, int]  # node -> executors held for Gearman builds
    records_complete: bool  # the agent's record of Gearman builds is whole
    finished: tuple[str, ...] | None  # uuids of finished Gearman builds, when asked for
    stats: Mapping[str, int]
    lease: LeaseState

    @classmethod
    def parse(cls, reply: Mapping[str, Any]) -> Inventory:
        finished = reply.get("finished")
        return cls(
            seq=int(reply["seq"]),
            version=reply.get("version", ""),
            quieting_down=bool(reply["quieting_down"]),
            nodes=tuple(node_from_shape(shape) for shape in reply["nodes"]),
            jobs=tuple(job_from_shape(shape) for shape in reply["jobs"]),
            running=tuple(BuildInfo.parse(record) for record in reply["running"]),
            builds=tuple(BuildInfo.parse(record) for record in reply["builds"]),
            held=dict(reply.get("held") or {}),
            records_complete=bool(reply.get("records_complete")),
            finished=tuple(finished) if finished is not None else None,
            stats=dict(reply.get("stats") or {}),
            lease=LeaseState.parse(reply.get("lease")),
        )


# ---- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeChanged:
    type: ClassVar[str] = "node"
    seq: int
    node: Node


@dataclass(frozen=True)
class NodeRemoved:
    type: ClassVar[str] = "node_removed"
    seq: int
    name: str


@dataclass(frozen=True)
class JobChanged:
    type: ClassVar[str] = "job"
    seq: int
    job: Job


@dataclass(frozen=True)
class JobRemoved:
    type: ClassVar[str] = "job_removed"
    seq: int
    name: str


@dataclass(frozen=True)
class QuietDown:
    type: ClassVar[str] = "quiet_down"
    seq: int
    quieting_down: bool


@dataclass(frozen=True)
class BuildStarted:
    type: ClassVar[str] = "build_started"
    seq: int
    build: BuildInfo


@dataclass(frozen=True)
class BuildCompleted:
    type: ClassVar[str] = "build_completed"
    seq: int
    build: BuildInfo


@dataclass(frozen=True)
class QueueCancelled:
    type: ClassVar[str] = "queue_cancelled"
    seq: int
    build: BuildInfo


@dataclass(frozen=True)
class RecordsComplete:
    """The agent has rebuilt its record of Gearman builds: an inventory with records is due."""

    type: ClassVar[str] = "records_complete"
    seq: int


Event = (
    NodeChanged
    | NodeRemoved
    | JobChanged
    | JobRemoved
    | QuietDown
    | BuildStarted
    | BuildCompleted
    | QueueCancelled
    | RecordsComplete
)
EVENT_TYPES = {
    cls.type: cls
    for cls in (
        NodeChanged,
        NodeRemoved,
        JobChanged,
        JobRemoved,
        QuietDown,
        BuildStarted,
        BuildCompleted,
        QueueCancelled,
        RecordsComplete,
    )
}


def parse_event(event: Mapping[str, Any]) -> Event | None:
    """One event; None for a type this controller does not know (a newer agent's)."""
    cls = EVENT_TYPES.get(event["type"])
    seq = int(event["seq"])
    if cls is NodeChanged:
        return NodeChanged(seq, node_from_shape(event["node"]))
    if cls is NodeRemoved:
        return NodeRemoved(seq, event["name"])
    if cls is JobChanged:
        return JobChanged(seq, job_from_shape(event["job"]))
    if cls is JobRemoved:
        return JobRemoved(seq, event["name"])
    if cls is QuietDown:
        return QuietDown(seq, bool(event["quieting_down"]))
    if cls in (BuildStarted, BuildCompleted, QueueCancelled):
        return cls(seq, BuildInfo.parse(event["build"]))
    if cls is RecordsComplete:
        return RecordsComplete(seq)
    return None


@dataclass(frozen=True)
class EventsReply:
    events: tuple[Event, ...]
    last_seq: int
    gap: bool  # the reader fell behind the agent's log: take a new inventory
    stopped: bool  # the agent was replaced or removed
    lease: LeaseState  # after the renewal the poll carried, if any

    @classmethod
    def parse(cls, reply: Mapping[str, Any]) -> EventsReply:
        events = tuple(e for e in (parse_event(raw) for raw in reply["events"]) if e is not None)
        lease = LeaseState.parse(reply.get("lease"))
        return cls(events, int(reply["last_seq"]), bool(reply["gap"]), bool(reply["stopped"]), lease)
