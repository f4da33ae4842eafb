"""The controller's picture of one Jenkins master: immutable records.

These are built from the agent's inventory and events (see
``controller.masters.view``) and read by the pure rules in this package.
"""

from __future__ import annotations

from dataclasses import dataclass

BUILT_IN_NODE = ""  # Jenkins' name for the built-in node ("master" before 2.307)


def node_display_name(master: str, node: str) -> str:
    """The name clients see for a node (client ids, WORK_DATA): the built-in node is called by its master's name."""
    return master if node == BUILT_IN_NODE else node


NORMAL = "NORMAL"
EXCLUSIVE = "EXCLUSIVE"


@dataclass(frozen=True)
class Node:
    """A Jenkins node as far as function registration and availability care."""

    name: str
    labels: frozenset[str]  # Node.getAssignedLabels(): label string atoms plus the self label
    mode: str = NORMAL
    executors: int = 1
    online: bool = True
    temporarily_offline: bool = False

    @property
    def accepting(self) -> bool:
        """Whether builds may start here (online and not temporarily offline)."""
        return self.online and not self.temporarily_offline


@dataclass(frozen=True)
class Job:
    """A job gearman-jenkins dispatches: a freestyle-style project or a Pipeline."""

    name: str  # Item.getFullName(): "folder/sub/job" for a job in folders
    label: str | None  # Label.getName() of the assigned label; None when the job can roam (always for a Pipeline)
    disabled: bool = False
    buildable: bool = True
    parameters: frozenset[str] = frozenset()  # names its ParametersDefinitionProperty declares
    pipeline: bool = False  # a Pipeline: its script's node blocks, not the job, name the nodes it needs
