"""The dispatcher: master sessions on one side, Gearman workers on the other.

A router on the asyncio loop. It builds the parts and passes each event to
the part that owns it:

    master sessions  --synced/changed/down-->  roster (workers and functions)
                                               lifecycle (builds and what clients hear)
    executor workers --woken/no job/assigned--> grabbing (who grabs, reserve-then-grab)
                     --assigned/disconnected--> lifecycle
    management workers ----------------------> management (stop:, set_description:)
    every second ----------------------------> housekeeping (status, orphans, give-up)
    other controllers (seen on Gearman) -----> coordinator (which masters this one owns)

Only masters this controller owns (their lease) get workers; every master is
watched, for the record of which unique id ran where.
    a config reload ---masters added/removed-> sessions replaced, departures (removed masters)

docs/architecture.md draws the data flow, the threads and the locks.
"""

from __future__ import annotations

import asyncio
import logging

from controller.config import Config, GearmanServer
from controller.dispatch.builds import BuildBook, GearmanBuild, Phase
from controller.dispatch.departures import Departures
from controller.dispatch.failures import RecentFailures
from controller.dispatch.grabbing import Grabbing
from controller.dispatch.housekeeping import Housekeeping
from controller.dispatch.lifecycle import BuildLifecycle
from controller.dispatch.management import Management
from controller.dispatch.records import BuildRecords
from controller.dispatch.reservations import Reservations
from controller.dispatch.roster import Roster
from controller.dispatch.snapshot import DispatchSnapshot, take_snapshot
from controller.gearman.connection import Connector
from controller.gearman.worker import Assignment, Worker
from controller.masters.client import RECORD_LIMIT
from controller.masters.session import MasterSession
from controller.masters.view import Changes
from controller.metrics import Metrics, Sample
from controller.ownership.coordinator import Coordinator
from controller.ownership.membership import MembershipWatch, Presence

log = logging.getLogger("gearman_jenkins.dispatch")


class Dispatcher:
    def __init__(self, config: Config, loop: asyncio.AbstractEventLoop, connector: Connector, metrics: Metrics):
        self.config = config
        self.loop = loop
        self.metrics = metrics
        metrics.add_gauges(self._gauges)
        self.sessions: dict[str, MasterSession] = {}
        self.book = BuildBook()
        self.failures = RecentFailures()
        self.records = BuildRecords([m.name for m in config.masters], config.options.record_wait, RECORD_LIMIT)
        self.reservations = Reservations(loop, self._submit, self._kick)
        self.roster = Roster(connector, config.gearman_servers, self, busy=self._busy, closed=self._worker_closed)
        self.grabbing = Grabbing(loop, self.sessions, self.roster, self.reservations, self.book, self.records, metrics)
        self.lifecycle = BuildLifecycle(
            config,
            self.sessions,
            self.book,
            self.records,
            self.reservations,
            self.roster,
            self.grabbing,
            metrics,
            self.failures,
        )
        self.management = Management(loop, self.sessions, self.book, self.lifecycle)
        self.housekeeping = Housekeeping(
            config, self.sessions, self.book, self.lifecycle, self.roster, self.reservations, metrics, self.failures
        )
        name = config.options.controller_name
        self.presence = Presence(name, connector, config.gearman_servers) if config.gearman_servers else None
        self.coordinator = Coordinator(name, self.sessions, self.presence, self._preferred_controllers)
        self.membership = MembershipWatch(config.gearman_servers, config.tls, loop, self.coordinator.seen)
        self.departures = Departures(loop, self.sessions, self.book, self.roster, self.reservations, self.records)
        self._housekeeping: asyncio.Task | None = None

    # ---- setup, reloads and shutdown ------------------------------------------------------

    def add_session(self, session: MasterSession) -> None:
        """A master to serve: at start, or added or reconnected by a reload.

        A session of the same name (reconnected, or re-added while leaving) is
        replaced and stopped: its workers and builds stay, and the new
        session's first inventory brings them in line, as after a reconnect.
        """
        old = self.sessions.get(session.name)
        self.sessions[session.name] = session
        if old is None:
            self.records.add(session.name)
        else:
            session.lease.take_over(old.lease)
            old.stop()
            self.departures.stay(session.name)

    def remove_master(self, name: str) -> None:
        """A reload removed the master: no new builds there; it goes once its builds have reported."""
        self.departures.leave(name)
        self.grabbing.wake_parked_of(name)

    def use_config(self, config: Config) -> None:
        """A reload: the options read as they are used (orphan_grace, undeclared_parameters) change now."""
        self.config = self.lifecycle.config = self.housekeeping.config = config

    def start(self) -> None:
        self._housekeeping = self.loop.create_task(self.housekeeping.run())
        self.loop.call_later(self.config.options.record_wait, self._record_wait_over)
        self.membership.start()
        self.coordinator.reconsider()

    def _record_wait_over(self) -> None:
        self.lifecycle.record_wait_over()
        self._kick()

    def stop_grabbing(self) -> None:
        """Shutdown: no new builds; every executor worker unregisters its functions."""
        self.grabbing.accepting = False
        for session in self.sessions.values():
            self._sync_roster(session)

    def attached_builds(self) -> list[GearmanBuild]:
        return [build for build in self.book if build.attached]

    def release_leases(self) -> None:
        """Shutdown, once the builds have reported: every owned master goes to a standby at once."""
        self.membership.stop()
        for session in self.sessions.values():
            session.lease.want(False)
            session.release_now()

    def leases_released(self) -> bool:
        return all(session.lease.action() != "release" for session in self.sessions.values())

    def close(self) -> None:
        if self._housekeeping:
            self._housekeeping.cancel()
        self.membership.stop()
        if self.presence is not None:
            self.presence.close()
        self.departures.close()
        self.roster.close()

    def log_state(self) -> None:
        """SIGUSR1: what every worker is doing, for an operator asking why one does not grab."""
        grabbing = self.grabbing
        log.warning(
            "state: %d grabs in flight (depth %d), %d Gearman builds, accepting=%s",
            grabbing.in_flight,
            grabbing.depth,
            len(self.book),
            grabbing.accepting,
        )
        log.warning(
            "state: %d executor workers (%d retiring), %d with grab state, %d management workers",
            len(self.roster.executors),
            len(self.roster.retiring),
            len(grabbing.states),
            len(self.roster.managers),
        )
        for name, session in self.sessions.items():
            log.warning(
                "state: master %s live=%s owned=%s (lease epoch %d, holder %s) leaving=%s record=%s %s",
                name,
                session.live,
                session.lease.owned,
                session.lease.state.epoch,
                session.lease.state.owner or "-",
                self.departures.leaving(name),
                self.records.state(name).value,
                self.reservations.describe(name),
            )
        for key in sorted(self.roster.executors):
            log.warning("state: %s", grabbing.describe(key, self.config.gearman_servers))

    def snapshot(self) -> DispatchSnapshot:
        """A frozen copy of what the status page shows (no parameter values); call it on the loop."""
        return take_snapshot(
            self.sessions, self.book, self.roster, self.grabbing, self.reservations, self.records, self.failures
        )

    def _preferred_controllers(self, master: str) -> tuple[str, ...]:
        return next((m.controllers for m in self.config.masters if m.name == master), ())

    def _submit(self, master: str, ops: list) -> asyncio.Future | None:
        session = self.sessions.get(master)
        return session.submit(ops) if session is not None and session.live and session.lease.owned else None

    def _kick(self) -> None:
        self.grabbing.kick()

    def _busy(self, key) -> bool:
        return self.grabbing.busy(key)

    def _worker_closed(self, key) -> None:
        self.grabbing.forget(key)

    # ---- master sessions ------------------------------------------------------------------

    def _current(self, session: MasterSession) -> bool:
        """Whether the session is the one serving its master (a replaced one may still report)."""
        return self.sessions.get(session.name) is session

    def master_synced(self, session: MasterSession, changes: Changes, fresh: bool) -> None:
        """An inventory: ``fresh`` after start, a reconnect or an agent restart, else a periodic one."""
        if not self._current(session):
            return
        if fresh:
            self.reservations.forget_master(session.name)
        self._sync_roster(session)
        self.lifecycle.master_synced(session, changes, fresh)
        self.coordinator.reconsider()
        session.lease.decided()
        self._kick()

    def master_changed(self, session: MasterSession, changes: Changes) -> None:
        if not self._current(session):
            return
        self.reservations.forget_denials(session.name)
        if changes.jobs:
            self._sync_roster(session)
        elif changes.nodes:
            self._sync_roster(session, changes.nodes)
        self.lifecycle.master_changed(session, changes)
        self._kick()

    def master_down(self, session: MasterSession) -> None:
        if not self._current(session):
            return
        self.lifecycle.master_down(session)
        self.reservations.forget_master(session.name)
        self._sync_roster(session)
        self.coordinator.reconsider()
        self._kick()

    def master_owned(self, session: MasterSession) -> None:
        """This controller holds the master's lease now (workers follow its fresh inventory)."""
        if not self._current(session):
            return
        self.metrics.inc("gearman_jenkins_ownership_changes_total", master=session.name, change="owned")
        self.roster.add_manager(session.name, self.management)

    def master_lost(self, session: MasterSession) -> None:
        """The lease is gone (not renewed in time, fenced, or given to another controller)."""
        if not self._current(session):
            return
        self.metrics.inc("gearman_jenkins_ownership_changes_total", master=session.name, change="lost")
        self.roster.drop_master(session.name)
        self.lifecycle.master_lost(session)
        self.reservations.forget_master(session.name)
        self._kick()

    def _sync_roster(self, session: MasterSession, nodes: set[str] | None = None) -> None:
        """Workers and function sets to match the view; none while the master is down or we shut down.

        Only an owned master has workers of this controller; a leaving one keeps only those that
        answer for a build.
        """
        if not session.lease.owned:
            return  # another controller's workers serve it (drop_master closed ours)
        live = session.live and self.grabbing.accepting
        view = None if self.departures.leaving(session.name) else session.view
        self.roster.sync(session.name, view, live=live, nodes=nodes)
        self.grabbing.wake_parked_of(session.name)

    # ---- executor workers -------------------------------------------------------------------

    def worker_connected(self, worker: Worker, server: GearmanServer) -> None:
        self.grabbing.connected(worker, server)

    def worker_woken(self, worker: Worker, server: GearmanServer) -> None:
        self.grabbing.woken(worker, server)

    def worker_no_job(self, worker: Worker, server: GearmanServer) -> None:
        self.grabbing.no_job(worker, server)

    def worker_assigned(self, worker: Worker, job: Assignment) -> None:
        reservation = self.grabbing.assigned(worker, job)
        self.lifecycle.start(worker.key, worker, job, reservation)

    def worker_disconnected(self, worker: Worker, server: GearmanServer) -> None:
        self.grabbing.disconnected(worker, server)
        self.lifecycle.worker_disconnected(worker, server)

    # ---- metrics ------------------------------------------------------------------------------

    def _gauges(self) -> list[Sample]:
        samples: list[Sample] = []
        for name, session in self.sessions.items():
            samples.append(("gearman_jenkins_master_up", {"master": name}, 1 if session.live else 0))
            samples.append(("gearman_jenkins_master_owned", {"master": name}, 1 if session.lease.owned else 0))
            samples.append(("gearman_jenkins_lease_epoch", {"master": name}, session.lease.state.epoch))
            samples.append(("gearman_jenkins_script_requests_total", {"master": name}, session.requests.count))
            busy = session.view.busy_by_node()
            counts = {"idle": 0, "busy": 0, "offline": 0}
            for node in session.view.nodes.values():
                running = min(busy.get(node.name, 0), node.executors)
                counts["busy"] += running
                counts["idle" if node.accepting else "offline"] += node.executors - running
            for state, count in counts.items():
                samples.append(("gearman_jenkins_executors", {"master": name, "state": state}, count))
        phases = {phase.value: 0 for phase in Phase if phase is not Phase.DONE}
        for build in self.book:
            if build.phase is not Phase.DONE:
                phases[build.phase.value] += 1
        samples += [("gearman_jenkins_gearman_builds", {"phase": phase}, n) for phase, n in phases.items()]
        return samples
