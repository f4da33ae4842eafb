"""A Gearman worker identity with one connection per server.

An executor worker (``{node}_exec-{i}``) or a management worker
(``{manager}_manager``) is one ``Worker``: the same client id and function
set on every configured server. Registration traffic is kept minimal
(docs/design.md, Gearman): RESET_ABILITIES and the full set only on connect,
otherwise only the CAN_DO / CANT_DO of what changed, all packets of one
change in one write, nothing when the set is unchanged.

A function is never unregistered from a connection while that connection
holds a job of that function: gearmand answers CANT_DO (and RESET_ABILITIES)
by re-queuing the worker's jobs of those functions, and would refuse the
job's WORK_COMPLETE. Such removals wait until the job's final packet.

The worker never decides when to grab: it reports NOOP, job assignments and
NO_JOB to its listener (the dispatcher) and sends what it is told to.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol

from gear import constants

from controller.config import GearmanServer
from controller.gearman import protocol
from controller.gearman.connection import Connector, Link
from controller.gearman.protocol import Packet

log = logging.getLogger("gearman_jenkins.gearman")

# Packets after which the server forgets a job.
_FINAL_PACKETS = frozenset({constants.WORK_COMPLETE, constants.WORK_FAIL, constants.WORK_EXCEPTION})


@dataclass(frozen=True)
class Assignment:
    """A job handed to a worker by JOB_ASSIGN_UNIQ; answered on the same server."""

    server: GearmanServer
    handle: bytes
    function: str
    unique: str
    arguments: bytes


class WorkerListener(Protocol):
    def worker_connected(self, worker: Worker, server: GearmanServer) -> None: ...

    def worker_woken(self, worker: Worker, server: GearmanServer) -> None: ...

    def worker_assigned(self, worker: Worker, job: Assignment) -> None: ...

    def worker_no_job(self, worker: Worker, server: GearmanServer) -> None: ...

    def worker_disconnected(self, worker: Worker, server: GearmanServer) -> None: ...


class Worker:
    def __init__(
        self,
        key: Hashable,
        client_id: str,
        connector: Connector,
        servers: tuple[GearmanServer, ...],
        listener: WorkerListener,
        functions: frozenset[str] = frozenset(),
    ):
        self.key = key
        self.client_id = client_id
        self.functions = functions
        self.listener = listener
        self._registered: dict[GearmanServer, frozenset[str]] = {}
        self._holding: dict[GearmanServer, dict[bytes, str]] = {}  # handle -> function of jobs in progress
        self._links = {
            server: connector.link(server, client_id, self._link_up, self._packet, self._link_down)
            for server in servers
        }

    def start(self) -> None:
        for link in self._links.values():
            link.start()

    def close(self) -> None:
        for link in self._links.values():
            link.close()
        self._registered.clear()

    def connected(self, server: GearmanServer) -> bool:
        return self._links[server].up

    # ---- registration -----------------------------------------------------

    def set_functions(self, functions: frozenset[str]) -> None:
        if functions == self.functions:
            return
        self.functions = functions
        for link in self._links.values():
            if link.up:
                self._register(link)

    def _register(self, link: Link) -> None:
        """Send the difference between what the server has and what it should have."""
        held = frozenset(self._holding.get(link.server, {}).values())
        wanted = self.functions | held
        registered = self._registered.get(link.server, frozenset())
        packets = []
        if not wanted and registered:
            packets.append(protocol.reset_abilities())
        else:
            packets.extend(protocol.cant_do(name) for name in sorted(registered - wanted))
            packets.extend(protocol.can_do(name) for name in sorted(wanted - registered))
        if wanted - registered:
            # Ask again: both servers answer PRE_SLEEP with NOOP when work is waiting.
            packets.append(protocol.pre_sleep())
        self._registered[link.server] = wanted
        if packets:
            link.send(b"".join(packets))

    def _link_up(self, link: Link) -> None:
        packets = [protocol.set_client_id(self.client_id), protocol.reset_abilities()]
        packets.extend(protocol.can_do(name) for name in sorted(self.functions))
        packets.append(protocol.pre_sleep())
        link.send(b"".join(packets))
        self._registered[link.server] = self.functions
        log.debug("worker %s: connected to %s with %d functions", self.client_id, link.server, len(self.functions))
        self.listener.worker_connected(self, link.server)

    def _link_down(self, link: Link) -> None:
        self._registered.pop(link.server, None)
        self._holding.pop(link.server, None)
        log.info("worker %s: lost connection to %s", self.client_id, link.server)
        self.listener.worker_disconnected(self, link.server)

    # ---- packets ------------------------------------------------------------

    def _packet(self, link: Link, packet: Packet) -> None:
        if packet.type == constants.NOOP:
            self.listener.worker_woken(self, link.server)
        elif packet.type == constants.NO_JOB:
            self.listener.worker_no_job(self, link.server)
        elif packet.type == constants.JOB_ASSIGN_UNIQ:
            handle, function, unique, arguments = packet.arguments
            self._holding.setdefault(link.server, {})[handle] = function.decode("utf-8", "replace")
            job = Assignment(
                link.server, handle, function.decode("utf-8", "replace"), unique.decode("utf-8", "replace"), arguments
            )
            self.listener.worker_assigned(self, job)
        elif packet.type == constants.ERROR:
            code, text = packet.arguments
            log.warning(
                "worker %s: server %s says ERROR %s: %s",
                self.client_id,
                link.server,
                code.decode(),
                text.decode("utf-8", "replace"),
            )
        else:
            log.debug("worker %s: ignoring %s from %s", self.client_id, packet.name, link.server)

    def sleep(self, server: GearmanServer) -> None:
        self._links[server].send(protocol.pre_sleep())

    def grab(self, server: GearmanServer) -> None:
        self._links[server].send(protocol.grab_job_uniq())

    def send_data(self, job: Assignment, data: bytes) -> None:
        self.send_packets(job, [protocol.work_data(job.handle, data)])

    def send_status(self, job: Assignment, numerator: int, denominator: int) -> None:
        self.send_packets(job, [protocol.work_status(job.handle, numerator, denominator)])

    def send_complete(self, job: Assignment, data: bytes) -> None:
        self.send_packets(job, [protocol.work_complete(job.handle, data)])

    def send_fail(self, job: Assignment) -> None:
        self.send_packets(job, [protocol.work_fail(job.handle)])

    def send_exception(self, job: Assignment, message: str) -> None:
        self.send_packets(job, [protocol.work_exception(job.handle, message.encode("utf-8"))])

    def send_packets(self, job: Assignment, packets: list[bytes]) -> None:
        """Packets for one job in one write (e.g. WORK_DATA then WORK_COMPLETE).

        After the job's final packet, registrations held back for it are sent.
        """
        link = self._links[job.server]
        link.send(b"".join(packets))
        if any(protocol.packet_type(packet) in _FINAL_PACKETS for packet in packets):
            held = self._holding.get(job.server, {})
            if held.pop(job.handle, None) is not None and link.up:
                self._register(link)
