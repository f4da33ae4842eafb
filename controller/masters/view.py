"""The controller's view of one master, kept from the agent's inventory and events.

Pure state: no I/O. ``apply_inventory`` replaces the view with a snapshot,
``apply_event`` folds one agent event into it. Both return a ``Changes``
saying what the dispatcher must look at again. Events after an inventory's
``seq`` may repeat what the snapshot already shows: applying them again is
harmless (node and job events carry whole shapes; running builds are a set).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from controller.contract.functions import FunctionTable
from controller.contract.model import Node
from controller.masters.agent_protocol import (
    BuildCompleted,
    BuildInfo,
    BuildStarted,
    Event,
    Inventory,
    JobChanged,
    JobRemoved,
    NodeChanged,
    NodeRemoved,
    QueueCancelled,
    QuietDown,
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
    finished: tuple[str, ...] | None = None
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

    def apply_inventory(self, epoch: str, inventory: Inventory) -> Changes:
        changes = Changes(jobs=True, quiet_down=True)
        nodes = {node.name: node for node in inventory.nodes}
        changes.nodes = set(self.nodes) | set(nodes)
        self.epoch = epoch
        self.seq = inventory.seq
        self.quieting_down = inventory.quieting_down
        self.nodes = nodes
        self.functions.set_jobs(inventory.jobs)
        self.running = {(build.job, build.number): build for build in inventory.running}
        self.gearman_builds = {build.uuid: build for build in inventory.builds if build.uuid}
        changes.records_complete = inventory.records_complete
        changes.finished = inventory.finished
        return changes

    def apply_event(self, event: Event) -> Changes:
        changes = Changes()
        self.seq = max(self.seq, event.seq)
        match event:
            case NodeChanged(node=node):
                if self.nodes.get(node.name) != node:
                    self.nodes[node.name] = node
                    changes.nodes.add(node.name)
            case NodeRemoved(name=name):
                if self.nodes.pop(name, None) is not None:
                    changes.nodes.add(name)
            case JobChanged(job=job):
                self.functions.put_job(job)
                changes.jobs = True
            case JobRemoved(name=name):
                self.functions.remove_job(name)
                changes.jobs = True
            case QuietDown(quieting_down=quiet):
                self.quieting_down = quiet
                changes.quiet_down = True
            case BuildStarted(build=build):
                self.running.setdefault((build.job, build.number), build)
                if build.uuid:
                    self.gearman_builds[build.uuid] = build
                changes.started.append(build)
            case BuildCompleted(build=build):
                self.running.pop((build.job, build.number), None)
                if build.uuid:
                    self.gearman_builds.pop(build.uuid, None)
                changes.completed.append(build)
            case QueueCancelled(build=build):
                if build.uuid:
                    self.gearman_builds.pop(build.uuid, None)
                changes.cancelled.append(build)
        return changes

    def busy_by_node(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for build in self.running.values():
            counts[build.node or ""] = counts.get(build.node or "", 0) + 1
        return counts
