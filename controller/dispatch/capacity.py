"""Which idle executors may grab a Gearman job now, and in what order.

Pure: takes the masters' views and the controller's own commitments and
returns picks. A node can take another Gearman build when it is online,
not temporarily offline, its master is live and not quieting down, and it
has an executor that is neither running a build nor held by one of our
commitments (a reservation being requested or held by a grabbing worker, or
a build scheduled there that has not started yet). A Gearman Pipeline counts
on the node its pinned block holds, from its run's start until it completes:
the agent reports it there, not on the built-in node whose one-off executor
its run takes (README: Pipeline jobs).

Spreading: the Gearman server wakes every capable worker at once and would
hand jobs to whichever grabs first, which piles builds onto a few nodes.
So the controller picks the grabbing workers itself: least loaded node
first (running + committed, over executors), then least loaded master;
between equals, a node holding a spare reservation (it can grab without
asking its master first), then the node with more free executors.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from controller.dispatch.roster import ExecutorKey
from controller.masters.view import MasterView


@dataclass(frozen=True)
class NodeLoad:
    executors: int
    busy: int  # running builds (Gearman or not)
    committed: int  # our reservations and pinned, not yet started builds

    @property
    def free(self) -> int:
        return self.executors - self.busy - self.committed


def node_loads(view: MasterView, committed: Mapping[str, int]) -> dict[str, NodeLoad]:
    busy = view.busy_by_node()
    return {
        name: NodeLoad(node.executors, busy.get(name, 0), committed.get(name, 0))
        for name, node in view.nodes.items()
        if node.accepting and node.executors > 0
    }


def pick_grabbers(
    candidates: Iterable[ExecutorKey],
    views: Mapping[str, MasterView],
    committed: Mapping[tuple[str, str], int],
    limit: int,
    spares: Set[tuple[str, str]] = frozenset(),
) -> list[ExecutorKey]:
    """Up to ``limit`` candidate workers, spread over nodes and masters, one per free executor."""
    by_node: dict[tuple[str, str], list[ExecutorKey]] = {}
    for key in candidates:
        by_node.setdefault((key.master, key.node), []).append(key)
    loads: dict[tuple[str, str], NodeLoad] = {}
    master_load: dict[str, list[int]] = {}
    for master, view in views.items():
        per_node = {name: count for (m, name), count in committed.items() if m == master}
        for name, load in node_loads(view, per_node).items():
            loads[(master, name)] = load
            totals = master_load.setdefault(master, [0, 0])
            totals[0] += load.busy + load.committed
            totals[1] += load.executors
    heap = []
    for node_key, keys in by_node.items():
        load = loads.get(node_key)
        if load is None or load.free <= 0:
            continue
        keys.sort()
        heap.append(_entry(node_key, load, master_load, spares))
    heapq.heapify(heap)
    picks: list[ExecutorKey] = []
    while heap and len(picks) < limit:
        *_, node_key = heapq.heappop(heap)
        picks.append(by_node[node_key].pop(0))
        load = loads[node_key]
        load = loads[node_key] = NodeLoad(load.executors, load.busy, load.committed + 1)
        master_load[node_key[0]][0] += 1
        if load.free > 0 and by_node[node_key]:
            heapq.heappush(heap, _entry(node_key, load, master_load, spares))
    return picks


def _entry(
    node_key: tuple[str, str], load: NodeLoad, master_load: dict[str, list[int]], spares: Set[tuple[str, str]]
) -> tuple:
    used, total = master_load[node_key[0]]
    fraction = (load.busy + load.committed) / load.executors
    return (fraction, used / max(total, 1), node_key not in spares, -load.free, node_key)
