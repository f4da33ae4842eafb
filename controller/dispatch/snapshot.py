"""A read-only copy of the dispatcher's state, for the status page.

``take_snapshot`` copies, on the event loop, what the dispatcher's parts
know into frozen plain data: per master its sessions' view (nodes, running
builds), its record state and spare reservations; per executor worker its
grabbing phase and the build it answers for; the Gearman builds the
controller answers for; the recent failures. The status page
(``controller.status_page``) reads only this, never the parts themselves,
so it cannot change them, and it runs no risk of seeing them change under it.

What it must never copy: build parameter values (a ``BuildSnapshot`` has no
field for them), tokens or users of the masters' configuration.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from controller.contract.model import Node
from controller.dispatch.builds import BuildBook, Phase
from controller.dispatch.failures import Failure, RecentFailures
from controller.dispatch.grabbing import Grabbing, WorkerPhase
from controller.dispatch.records import BuildRecords, RecordState
from controller.dispatch.reservations import Reservations
from controller.dispatch.roster import ExecutorKey, Roster, executor_client_id
from controller.errors import GearmanJenkinsError
from controller.masters.agent_protocol import BuildInfo
from controller.masters.session import MasterSession


@dataclass(frozen=True)
class MasterSnapshot:
    name: str
    url: str  # as configured (it may carry user:password@, which the page must not show)
    live: bool
    error: GearmanJenkinsError | None  # why it is not live
    quieting_down: bool
    record: RecordState
    owner: str | None  # the controller holding its lease, as its agent last said
    owned: bool  # by this controller
    lease_epoch: int
    lease_held_s: float  # how long the holder has held it
    nodes: tuple[Node, ...]
    running: tuple[BuildInfo, ...]  # every build running there, Gearman or native
    spares: Mapping[str, int]  # node -> spare reservations the controller holds there


@dataclass(frozen=True)
class WorkerSnapshot:
    key: ExecutorKey
    client_id: str
    phase: WorkerPhase
    build: str | None  # uuid of the Gearman build it answers for
    grabbing_on: str | None  # the Gearman server it sent GRAB_JOB_UNIQ to


@dataclass(frozen=True)
class BuildSnapshot:
    """A Gearman build the controller answers for; its parameters stay behind."""

    uuid: str
    master: str
    job: str
    number: int | None
    phase: Phase
    node: str | None  # Jenkins node name, "" for the built-in node, None before it has one
    worker: str  # client id of the worker answering for it, "" if none ever did
    attached: bool  # a Gearman job answers for it now
    url: str | None  # Run.getUrl(), relative to the master's URL
    started_ms: int | None  # Unix time in ms
    estimated_ms: int  # -1 when Jenkins has no estimate


@dataclass(frozen=True)
class DispatchSnapshot:
    taken_at: float  # Unix time
    accepting: bool  # False once shutdown began: no new builds
    masters: tuple[MasterSnapshot, ...]
    workers: tuple[WorkerSnapshot, ...]
    builds: tuple[BuildSnapshot, ...]
    failures: tuple[Failure, ...]  # newest first


def take_snapshot(
    sessions: Mapping[str, MasterSession],
    book: BuildBook,
    roster: Roster,
    grabbing: Grabbing,
    reservations: Reservations,
    records: BuildRecords,
    failures: RecentFailures,
) -> DispatchSnapshot:
    masters = tuple(
        MasterSnapshot(
            name=name,
            url=session.master.url,
            live=session.live,
            error=session.last_error,
            quieting_down=session.view.quieting_down,
            record=records.state(name),
            owner=session.lease.state.owner,
            owned=session.lease.owned,
            lease_epoch=session.lease.state.epoch,
            lease_held_s=session.lease.state.held_ms / 1000,
            nodes=tuple(session.view.nodes.values()),
            running=tuple(session.view.running.values()),
            spares=reservations.spares_of(name),
        )
        for name, session in sessions.items()
    )
    workers = []
    for key in sorted(roster.executors):
        state = grabbing.states.get(key)
        workers.append(
            WorkerSnapshot(
                key=key,
                client_id=executor_client_id(key),
                phase=state.phase if state else WorkerPhase.IDLE,
                build=state.build if state else None,
                grabbing_on=str(state.server) if state and state.server else None,
            )
        )
    builds = tuple(
        BuildSnapshot(
            uuid=build.uuid,
            master=build.master,
            job=build.job,
            number=build.number,
            phase=build.phase,
            node=build.node,
            worker=build.worker_id,
            attached=build.attached,
            url=build.url,
            started_ms=build.started_ms,
            estimated_ms=build.estimated_ms,
        )
        for build in book
    )
    return DispatchSnapshot(
        taken_at=time.time(),
        accepting=grabbing.accepting,
        masters=masters,
        workers=tuple(workers),
        builds=builds,
        failures=failures.newest_first(),
    )
