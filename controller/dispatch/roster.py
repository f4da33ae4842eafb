"""One Gearman worker per Jenkins executor, and one management worker per master.

The roster keeps the set of executor workers equal to the executors of every
master's nodes (``{node}_exec-{i}``, the built-in node named after its
manager) and their function sets equal to the contract's rules. A worker
whose executor disappeared while it still answers for a build is retired:
it registers nothing and is closed once its build is done, so the Gearman
server does not re-queue a job that is running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from controller.config import GearmanServer
from controller.contract.functions import set_description_function, stop_function
from controller.contract.model import node_display_name
from controller.gearman.connection import Connector
from controller.gearman.worker import Worker, WorkerListener
from controller.masters.view import MasterView

log = logging.getLogger("gearman_jenkins.roster")


@dataclass(frozen=True, order=True)
class ExecutorKey:
    """The controller's identity for an executor: client ids are only labels."""

    master: str
    node: str  # Jenkins node name, "" for the built-in node
    index: int


@dataclass(frozen=True)
class ManagerKey:
    """The identity of a master's management worker."""

    master: str


def executor_client_id(key: ExecutorKey) -> str:
    return f"{node_display_name(key.master, key.node)}_exec-{key.index}"


class Roster:
    def __init__(
        self,
        connector: Connector,
        servers: tuple[GearmanServer, ...],
        listener: WorkerListener,
        busy: Callable[[ExecutorKey], bool],
        closed: Callable[[ExecutorKey], None],
    ):
        self._connector = connector
        self._servers = servers
        self._listener = listener  # of the executor workers
        self._busy = busy
        self._closed = closed
        self.executors: dict[ExecutorKey, Worker] = {}
        self.retiring: set[ExecutorKey] = set()
        self.managers: dict[str, Worker] = {}
        self._warned: set[str] = set()

    def add_manager(self, master: str, listener: WorkerListener) -> Worker:
        functions = frozenset({stop_function(master), set_description_function(master)})
        worker = Worker(ManagerKey(master), f"{master}_manager", self._connector, self._servers, listener, functions)
        self.managers[master] = worker
        worker.start()
        return worker

    def remove_manager(self, master: str) -> None:
        worker = self.managers.pop(master, None)
        if worker is not None:
            worker.close()

    def sync(self, master: str, view: MasterView | None, live: bool, nodes: Iterable[str] | None = None) -> None:
        """Make the master's executor workers match its view.

        ``live`` False (master unreachable or out of sync) unregisters every
        function at once. ``nodes`` limits the work to those nodes; None
        means all of them (jobs changed, or the master came or went).
        """
        current = {key for key in self.executors if key.master == master}
        touched = set(nodes) if nodes is not None else None
        desired: dict[ExecutorKey, frozenset[str]] = {}
        if view is not None:
            for node in view.nodes.values():
                if touched is not None and node.name not in touched:
                    continue
                functions = view.functions.for_node(node) if live else frozenset()
                for index in range(node.executors):
                    desired[ExecutorKey(master, node.name, index)] = functions
            self._warn_skipped(master, view)
        for key, functions in desired.items():
            worker = self.executors.get(key)
            if worker is None:
                worker = Worker(key, executor_client_id(key), self._connector, self._servers, self._listener, functions)
                self.executors[key] = worker
                worker.start()
            else:
                self.retiring.discard(key)
                worker.set_functions(functions)
        for key in current - set(desired):
            if touched is not None and key.node not in touched:
                continue
            self.retire(key)

    def retire(self, key: ExecutorKey) -> None:
        worker = self.executors.get(key)
        if worker is None:
            return
        if self._busy(key):
            worker.set_functions(frozenset())
            self.retiring.add(key)
            return
        worker.close()
        del self.executors[key]
        self.retiring.discard(key)
        self._closed(key)

    def finish_retiring(self, key: ExecutorKey) -> None:
        if key in self.retiring:
            self.retire(key)

    def drop_master(self, master: str) -> None:
        """Another controller owns the master now: close its workers, busy or not.

        A closed connection makes gearmand hand the jobs it held to another
        worker (the new owner's), which re-attaches to their builds.
        """
        for key in [key for key in self.executors if key.master == master]:
            self.executors.pop(key).close()
            self.retiring.discard(key)
            self._closed(key)
        manager = self.managers.pop(master, None)
        if manager is not None:
            manager.close()

    def close(self) -> None:
        for worker in [*self.executors.values(), *self.managers.values()]:
            worker.close()
        self.executors.clear()
        self.managers.clear()

    def _warn_skipped(self, master: str, view: MasterView) -> None:
        for skipped in view.functions.skipped:
            tag = f"{master}:{skipped.name}"
            if tag not in self._warned:
                self._warned.add(tag)
                log.warning("master %s: job %r not registered with Gearman: %s", master, skipped.name, skipped.reason)
