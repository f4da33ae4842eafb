"""Keeps one master's view current and carries the dispatcher's requests to it.

Threads, because python-jenkins is blocking: one thread long-polls the
agent's events (and takes inventories: at start, when the agent's epoch
changes, when events were missed, and periodically to repair drift that
no listener reported); a small pool sends batches of operations. Results
are handed to the asyncio loop, where the view and the dispatcher live:
nothing else touches them.

Operations are batched: whatever the dispatcher submitted while a request
was in flight goes out together in the next one (at most two in flight),
which keeps the script-console traffic near one request per build.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from controller import errors
from controller.config import MasterConfig, Options
from controller.masters.agent_protocol import (
    Event,
    EventsReply,
    Fenced,
    Inventory,
    LeaseState,
    Operation,
    Outcome,
    RecordsComplete,
)
from controller.masters.client import MasterClient, RequestCounter
from controller.masters.lease import MasterLease
from controller.masters.view import Changes, MasterView

log = logging.getLogger("gearman_jenkins.master")

BATCH_OPS = 500
BATCH_BYTES = 2 * 1024 * 1024
IN_FLIGHT = 2
EVENT_LINGER = 0.005
POLL_SLACK = 5.0
RETRY_FIRST = 1.0
RETRY_MAX = 30.0
DECISION_WAIT = 1.0  # how long a fresh inventory waits for the loop to say whether to own the master


class SessionListener(Protocol):
    def master_synced(self, session: MasterSession, changes: Changes, fresh: bool) -> None: ...

    def master_changed(self, session: MasterSession, changes: Changes) -> None: ...

    def master_down(self, session: MasterSession) -> None: ...

    def master_owned(self, session: MasterSession) -> None: ...

    def master_lost(self, session: MasterSession) -> None: ...


class MasterSession:
    def __init__(
        self,
        master: MasterConfig,
        options: Options,
        loop: asyncio.AbstractEventLoop,
        listener: SessionListener,
        instance: str,
        redeploy: bool = False,
        client_factory: Callable[..., MasterClient] = MasterClient,
    ):
        self.master = master
        self.options = options
        self.loop = loop
        self.listener = listener
        self.redeploy = redeploy
        self.view = MasterView(master.name)
        self.lease = MasterLease(
            master.name,
            options.controller_name,
            instance,
            options.lease_seconds,
            loop,
            on_owned=lambda: listener.master_owned(self),
            on_lost=lambda: listener.master_lost(self),
        )
        self.live = False
        self.last_error: errors.GearmanJenkinsError | None = None
        self.requests = RequestCounter()
        self._client_factory = client_factory
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"master {master.name} events", daemon=True)
        self._pool = concurrent.futures.ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix=f"master {master.name} ops")
        self._local = threading.local()
        self._pending: list[tuple[list[Operation], asyncio.Future]] = []
        self._in_flight = 0

    @property
    def name(self) -> str:
        return self.master.name

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """For good (shutdown, or a reload replaced or removed the master): queued operations fail now."""
        self._stopped.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._fail_pending()

    def _fail_pending(self) -> None:
        pending, self._pending = self._pending, []
        for _, future in pending:
            if not future.done():
                future.set_exception(errors.MasterError(self.name, "its session was closed"))

    def _client(self, timeout: float) -> MasterClient:
        return self._client_factory(self.master, timeout=timeout, counter=self.requests)

    # ---- operations (called on the loop) ------------------------------------

    def submit(self, ops: list[Operation]) -> asyncio.Future:
        """Queue operations for the next batch; the future gets their outcomes, in order."""
        future = self.loop.create_future()
        self._pending.append((ops, future))
        self._send_pending()
        return future

    def _send_pending(self) -> None:
        if self._stopped.is_set():
            self._fail_pending()
            return
        while self._pending and self._in_flight < IN_FLIGHT:
            batch: list[tuple[list[Operation], asyncio.Future]] = []
            count = size = 0
            while self._pending and (not batch or (count < BATCH_OPS and size < BATCH_BYTES)):
                ops, future = self._pending.pop(0)
                batch.append((ops, future))
                count += len(ops)
                size += sum(len(json.dumps(op.to_json())) for op in ops)
            self._in_flight += 1
            all_ops = [op for ops, _ in batch for op in ops]
            request = self.loop.run_in_executor(self._pool, self._send_batch, all_ops)
            request.add_done_callback(lambda done, batch=batch: self._batch_done(done, batch))

    def _send_batch(self, ops: list[Operation]) -> list[Outcome]:
        claim = self.lease.claim
        if claim is None:
            raise errors.NotOwner(self.name, "this controller does not own it (now)")
        _epoch, answers = self._pool_client().batch([op.to_json() for op in ops], claim.to_json())
        outcomes = [op.parse(answer) for op, answer in zip(ops, answers, strict=True)]
        fenced = next((outcome for outcome in outcomes if isinstance(outcome, Fenced)), None)
        if fenced is not None:
            self._post(self.lease.fenced, fenced.lease)
        return outcomes

    def _batch_done(self, done: asyncio.Future, batch: list[tuple[list[Operation], asyncio.Future]]) -> None:
        self._in_flight -= 1
        error = done.exception() if not done.cancelled() else errors.MasterError(self.name, "request cancelled")
        results = None if error else done.result()
        position = 0
        for ops, future in batch:
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(results[position : position + len(ops)])
            position += len(ops)
        self._send_pending()

    def release_now(self) -> None:
        """Shutdown: give the lease back from the ops pool, without waiting for the long-poll in flight.

        The event thread would do it only once its current poll returns (up to a third of the
        lease). Releasing beside that poll is safe: a renewal the poll carried was applied when
        the poll began, and the agent ignores a renewal of an epoch it no longer grants.
        """
        if self.lease.action() == "release" and not self._stopped.is_set():
            self.loop.run_in_executor(self._pool, self._release)

    def _release(self) -> None:
        try:
            self._give_back(self._pool_client())
        except errors.GearmanJenkinsError as exc:  # the event thread tries again after its poll
            log.info("master %s: could not give the lease back yet: %s", self.name, exc)

    def _give_back(self, client: MasterClient) -> None:
        claim = self.lease.release_claim()
        if claim is not None:
            _epoch, raw = client.release_lease(claim.name, claim.instance, claim.epoch)
            self._post(self.lease.released, LeaseState.parse(raw))

    def _pool_client(self) -> MasterClient:
        """The ops pool thread's own client (python-jenkins sessions are not shared between threads)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._client(timeout=60.0)
        return client

    # ---- the event thread ---------------------------------------------------

    def _watch(self) -> None:
        # A master that stops answering (a hung JVM, a black-holed network) is
        # noticed when a long-poll overruns its own timeout by this much.
        client = self._client(timeout=self.options.event_poll_timeout + POLL_SLACK)
        retry = RETRY_FIRST
        after = 0
        epoch = None
        synced_at = 0.0
        want_records = False
        while not self._stopped.is_set():
            try:
                if epoch is None:
                    self.lease.expect_decision()
                    epoch, after = self._sync(client, first=True, with_records=True)
                    synced_at = time.monotonic()
                    retry = RETRY_FIRST
                    want_records = False
                    self.lease.await_decision(DECISION_WAIT)
                if self._lease_io(client):
                    # Just became the owner: a fresh inventory with the record, to take on its builds.
                    epoch = None
                    continue
                if want_records or time.monotonic() - synced_at > self.options.inventory_interval:
                    # Drift repair, or the agent's record of Gearman builds became whole.
                    # Polling goes on from where it was: the events between the last poll
                    # and this inventory are replayed on top of it (they are idempotent),
                    # so no completion is skipped.
                    if self._sync(client, first=False, with_records=want_records)[0] != epoch:
                        epoch = None
                        continue
                    synced_at = time.monotonic()
                    want_records = False
                renewal = self.lease.renewal()
                sent_at = time.monotonic()
                reply_epoch, raw = client.events(after, self._poll_wait(), EVENT_LINGER, lease=renewal)
                reply = EventsReply.parse(raw)
                self._post(self.lease.polled, reply.lease, sent_at, renewal is not None)
                if reply_epoch != epoch or reply.gap or reply.stopped:
                    log.info("master %s: agent restarted or events were missed; taking a new inventory", self.name)
                    epoch = None
                    continue
                if raw["events"]:
                    after = reply.last_seq
                    want_records = any(isinstance(event, RecordsComplete) for event in reply.events)
                    self._post(self._apply_events, reply.events)
            except errors.GearmanJenkinsError as exc:
                epoch = None
                self._post(self._went_down, exc)
                if self._stopped.wait(retry):
                    break
                retry = min(retry * 2, RETRY_MAX)
            except Exception as exc:  # a bug must not kill the session thread silently
                log.exception("master %s: unexpected error in the event thread", self.name)
                epoch = None
                self._post(self._went_down, errors.MasterError(self.name, f"internal error: {exc}"))
                if self._stopped.wait(retry):
                    break
                retry = min(retry * 2, RETRY_MAX)

    def _poll_wait(self) -> float:
        """Long-polls end often enough to renew the lease, and to take over a master in time."""
        return max(1.0, min(self.options.event_poll_timeout, self.options.inventory_interval, self.lease.seconds / 3))

    def _lease_io(self, client: MasterClient) -> bool:
        """Acquire or give back the lease as the loop asked; True when it was just acquired."""
        action = self.lease.action()
        if action == "acquire":
            sent_at = time.monotonic()
            _epoch, raw = client.acquire_lease(self.lease.controller, self.lease.instance, self.lease.ttl_ms)
            state = LeaseState.parse(raw)
            self._post(self.lease.acquired, state, sent_at)
            return state.granted
        if action == "release":
            self._give_back(client)
        return False

    def _sync(self, client: MasterClient, first: bool, with_records: bool) -> tuple[str, int]:
        """Make sure our agent runs there (first), then take an inventory (with the record of Gearman builds)."""
        if first:
            self._ensure_agent(client)
        epoch, raw = client.inventory(with_records=with_records)
        inventory = Inventory.parse(raw)
        self._post(self._apply_inventory, epoch, inventory, first)
        return epoch, inventory.seq

    def _ensure_agent(self, client: MasterClient) -> None:
        probe = client.probe()
        if probe.installed and probe.version == client.version:
            return
        if probe.installed and not self.redeploy:
            raise errors.AgentVersionMismatch(self.name, probe.version or "?", client.version)
        action = "replacing agent " + probe.version if probe.installed else "installing the agent"
        log.warning("master %s: %s (version %s)", self.name, action, client.version)
        client.install()

    def _post(self, function: Callable, *args: Any) -> None:
        self.loop.call_soon_threadsafe(function, *args)

    # ---- applied on the loop ----------------------------------------------------

    def _apply_inventory(self, epoch: str, inventory: Inventory, first: bool) -> None:
        fresh = first or not self.live or epoch != self.view.epoch
        changes = self.view.apply_inventory(epoch, inventory)
        self.live = True
        self.last_error = None
        if fresh:
            log.info(
                "master %s: in sync (epoch %s): %d nodes, %d jobs, %d running builds, %d finished Gearman builds",
                self.name,
                epoch[:8],
                len(self.view.nodes),
                len(self.view.functions.jobs),
                len(self.view.running),
                len(changes.finished or ()),
            )
        self.listener.master_synced(self, changes, fresh)

    def _apply_events(self, events: tuple[Event, ...]) -> None:
        if not self.live:
            return
        changes = Changes()
        for event in events:
            changes.merge(self.view.apply_event(event))
        if changes:
            self.listener.master_changed(self, changes)

    def _went_down(self, error: errors.GearmanJenkinsError) -> None:
        if self.live or str(error) != str(self.last_error):
            log.error("%s", error)
        was_live = self.live
        self.live = False
        self.last_error = error
        if was_live or self.view.epoch is None:
            self.listener.master_down(self)
