"""The controller's view of one master, kept from the agent's inventory and events.

Pure state: no I/O. ``apply_inventory`` replaces the view with a snapshot,
``apply_event`` folds one agent event into it. Both return a ``Changes``
saying what the dispatcher must look at again. Events after an inventory's
``seq`` may repeat what the snapshot already shows: applying them again is
harmless (node and job events carry whole shapes; running builds are a set).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from controller.contract.functions import FunctionTable
from controller.contract.model import Job, Node


@dataclass(frozen=True)
class BuildInfo:
    """A build as the agent reported it (started, running, finished or cancelled)."""

    job: str
    number: int | None
    uuid: str | None
    state: str
    node: str | None = None
    node_labels: tuple[str, ...] = ()
    url: str | None = None
    result: str | None = None
    estimated_duration: int = -1
    started: int | None = None
    queue_id: int | None = None
    handover: str | None = None  # reservation of the executor a finished Gearman build handed over

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> BuildInfo:
        return cls(
            job=record["job"],
            number=record.get("number"),
            uuid=record.get("uuid"),
            state=record.get("state", "running"),
            node=record.get("node"),
            node_labels=tuple(record.get("node_labels") or ()),
            url=record.get("url"),
            result=record.get("result"),
            estimated_duration=record.get("estimated_duration") if record.get("estimated_duration") is not None else -1,
            started=record.get("started"),
            queue_id=record.get("queue_id"),
            handover=record.get("handover"),
        )


def node_from_shape(shape: dict[str, Any]) -> Node:
    return Node(
        name=shape["name"],
        labels=frozenset(shape["labels"]),
        mode=shape["mode"],
        executors=int(shape["executors"]),
        online=bool(shape["online"]),
        temporarily_offline=bool(shape["temporarily_offline"]),
    )


def job_from_shape(shape: dict[str, Any]) -> Job:
    return Job(
        name=shape["name"],
        label=shape.get("label"),
        disabled=bool(shape["disabled"]),
        buildable=bool(shape["buildable"]),
        parameters=frozenset(shape.get("parameters") or ()),
    )


@dataclass
class Changes:
    """What an inventory or event changed, for the dispatcher to act on."""

    nodes: set[str] = field(default_factory=set)  # added, removed or changed nodes (not their running builds)
    jobs: bool = False
    quiet_down: bool = False
    started: list[BuildInfo] = field(default_factory=list)
    completed: list[BuildInfo] = field(default_factory=list)
    cancelled: list[BuildInfo] = field(default_factory=list)
    # Set by an inventory that carried the master's record: the uuids of its finished
    # Gearman builds, and whether that record is whole (its agent may still be rebuilding it).
    finished: list[str] | None = None
    records_complete: bool = False

    def merge(self, other: Changes) -> None:
        self.nodes |= other.nodes
        self.jobs = self.jobs or other.jobs
        self.quiet_down = self.quiet_down or other.quiet_down
        self.started += other.started
        self.completed += other.completed
        self.cancelled += other.cancelled

    def __bool__(self) -> bool:
        return bool(self.nodes or self.jobs or self.quiet_down or self.started or self.completed or self.cancelled)


class MasterView:
    def __init__(self, name: str) -> None:
        self.name = name
        self.epoch: str | None = None
        self.seq = 0
        self.quieting_down = False
        self.nodes: dict[str, Node] = {}
        self.functions = FunctionTable()
        self.running: dict[tuple[str, int], BuildInfo] = {}
        self.gearman_builds: dict[str, BuildInfo] = {}  # uuid -> queued or running Gearman build

    def apply_inventory(self, epoch: str, inventory: dict[str, Any]) -> Changes:
        changes = Changes(jobs=True, quiet_down=True)
        nodes = {shape["name"]: node_from_shape(shape) for shape in inventory["nodes"]}
        changes.nodes = set(self.nodes) | set(nodes)
        self.epoch = epoch
        self.seq = inventory["seq"]
        self.quieting_down = bool(inventory["quieting_down"])
        self.nodes = nodes
        self.functions.set_jobs(job_from_shape(shape) for shape in inventory["jobs"])
        self.running = {}
        for record in inventory["running"]:
            build = BuildInfo.from_record(record)
            self.running[(build.job, build.number)] = build
        self.gearman_builds = {}
        for record in inventory["builds"]:
            build = BuildInfo.from_record(record)
            self.gearman_builds[build.uuid] = build
        changes.records_complete = bool(inventory.get("records_complete"))
        changes.finished = inventory.get("finished")
        return changes

    def apply_event(self, event: dict[str, Any]) -> Changes:
        changes = Changes()
        kind = event["type"]
        self.seq = max(self.seq, event["seq"])
        if kind == "node":
            node = node_from_shape(event["node"])
            if self.nodes.get(node.name) != node:
                self.nodes[node.name] = node
                changes.nodes.add(node.name)
        elif kind == "node_removed":
            if self.nodes.pop(event["name"], None) is not None:
                changes.nodes.add(event["name"])
        elif kind == "job":
            self.functions.put_job(job_from_shape(event["job"]))
            changes.jobs = True
        elif kind == "job_removed":
            self.functions.remove_job(event["name"])
            changes.jobs = True
        elif kind == "quiet_down":
            self.quieting_down = bool(event["quieting_down"])
            changes.quiet_down = True
        elif kind == "build_started":
            build = BuildInfo.from_record(event["build"])
            self.running.setdefault((build.job, build.number), build)
            if build.uuid:
                self.gearman_builds[build.uuid] = build
            changes.started.append(build)
        elif kind == "build_completed":
            build = BuildInfo.from_record(event["build"])
            self.running.pop((build.job, build.number), None)
            if build.uuid:
                self.gearman_builds.pop(build.uuid, None)
            changes.completed.append(build)
        elif kind == "queue_cancelled":
            build = BuildInfo.from_record(event["build"])
            if build.uuid:
                self.gearman_builds.pop(build.uuid, None)
            changes.cancelled.append(build)
        return changes

    def busy_by_node(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for build in self.running.values():
            counts[build.node or ""] = counts.get(build.node or "", 0) + 1
        return counts
