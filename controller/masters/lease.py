"""This controller's hold on one master's lease (README: "Several controllers").

The agent is the authority: it grants the lease, and fences every batch that
does not carry the current one. This side keeps what the controller may
believe, by its own clock and on the safe side: a lease granted or renewed
by a request sent at time T is taken as valid until T + lease - margin, so the
controller stops acting on the master (``on_lost``) before the agent can have
let the lease go.

State lives on the asyncio loop. The master's session thread asks ``action``
what to do next (acquire, release, or nothing), does the HTTP, and posts what
the agent answered (``acquired``, ``renewed``, ``released``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from controller.masters.agent_protocol import LeaseClaim, LeaseState

log = logging.getLogger("gearman_jenkins.lease")


def margin(seconds: float) -> float:
    """How much sooner than the agent the controller gives a lease up (clock rates differ a little)."""
    return max(1.0, seconds * 0.15)


class MasterLease:
    def __init__(
        self,
        master: str,
        controller: str,
        instance: str,
        seconds: float,
        loop: asyncio.AbstractEventLoop,
        on_owned: Callable[[], None],
        on_lost: Callable[[], None],
    ):
        self.master = master
        self.controller = controller
        self.instance = instance
        self.seconds = seconds
        self._loop = loop
        self._on_owned = on_owned
        self._on_lost = on_lost
        self.wanted = False  # this controller should own the master (the ownership rules say)
        self.claim: LeaseClaim | None = None  # set while owned; read by the threads that send batches
        self.state = LeaseState(None, None, 0, 0, 0)  # the agent's last word
        self.changes = 0  # ownership gained or lost, for the metrics
        self._valid_until = 0.0
        self._expiry: asyncio.TimerHandle | None = None
        self._release_due: LeaseClaim | None = None
        self._retry_at = 0.0
        self._decided = threading.Event()  # the loop has ruled since the session last synced

    @property
    def owned(self) -> bool:
        return self.claim is not None

    @property
    def ttl_ms(self) -> int:
        return int(self.seconds * 1000)

    def take_over(self, old: MasterLease) -> None:
        """A reload replaced the master's session: the lease goes on with the new one."""
        self.wanted, self.claim, self.state, self.changes = old.wanted, old.claim, old.state, old.changes
        self._valid_until = old._valid_until
        if old._expiry is not None:
            old._expiry.cancel()
            old._expiry = None
        old.claim = None
        if self.claim is not None:
            self._expiry = self._loop.call_later(max(0.0, self._valid_until - time.monotonic()), self._expired)

    # ---- asked by the session thread ----------------------------------------------------

    def action(self) -> str | None:
        if self._release_due is not None:
            return "release"
        if self.wanted and self.claim is None and time.monotonic() >= self._retry_at:
            return "acquire"
        return None

    def renewal(self) -> dict[str, Any] | None:
        """What the next long-poll carries to renew the lease (None when not owned)."""
        claim = self.claim
        return None if claim is None else {**claim.to_json(), "ttl_ms": self.ttl_ms}

    def release_claim(self) -> LeaseClaim | None:
        return self._release_due

    def expect_decision(self) -> None:
        """Before an inventory (session thread): the loop rules on ownership once it has applied it."""
        self._decided.clear()

    def decided(self) -> None:
        """The loop has ruled, with the inventory applied."""
        self._decided.set()

    def await_decision(self, timeout: float) -> None:
        self._decided.wait(timeout)

    # ---- told on the loop -----------------------------------------------------------------

    def want(self, wanted: bool) -> None:
        """The ownership rules decided; giving a master up drops its workers first, then the lease."""
        self.wanted = wanted
        if not wanted and self.claim is not None:
            self._release_due = self.claim
            self._lose("another controller should own it")

    def acquired(self, state: LeaseState, sent_at: float) -> None:
        self.state = state
        if not state.granted:
            # Held by another controller: ask again once it could have expired.
            self._retry_at = time.monotonic() + min(max(state.remaining_ms / 1000, 0.2), self.seconds)
            return
        if not self.wanted:
            self._release_due = LeaseClaim(self.controller, self.instance, state.epoch)
            return
        self.claim = LeaseClaim(self.controller, self.instance, state.epoch)
        self._extend(sent_at)
        self.changes += 1
        log.info("master %s: owned by this controller (%s), lease epoch %d", self.master, self.controller, state.epoch)
        self._on_owned()

    def polled(self, state: LeaseState, sent_at: float, renewing: bool) -> None:
        """A long-poll's answer: the lease as the agent sees it, renewed if the poll carried our claim."""
        self.state = state
        if not renewing or self.claim is None:
            return
        if state.granted and state.epoch == self.claim.epoch:
            self._extend(sent_at)
        else:
            self._lose(f"the agent holds epoch {state.epoch} for {state.owner or 'nobody'}")

    def fenced(self, state: LeaseState) -> None:
        """A batch was refused: the agent no longer counts this controller as the owner."""
        self.state = state
        if self.claim is not None:
            self._lose(f"fenced: the agent holds epoch {state.epoch} for {state.owner or 'nobody'}")

    def released(self, state: LeaseState) -> None:
        self.state = state
        self._release_due = None

    def _extend(self, sent_at: float) -> None:
        self._valid_until = sent_at + self.seconds - margin(self.seconds)
        if self._expiry is not None:
            self._expiry.cancel()
        self._expiry = self._loop.call_later(max(0.0, self._valid_until - time.monotonic()), self._expired)

    def _expired(self) -> None:
        self._expiry = None
        if self.claim is not None and time.monotonic() >= self._valid_until:
            self._lose(f"not renewed for {self.seconds - margin(self.seconds):.1f} s")

    def _lose(self, why: str) -> None:
        if self.claim is None:
            return
        log.warning("master %s: this controller no longer owns it (%s)", self.master, why)
        self.claim = None
        self.changes += 1
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        self._on_lost()
