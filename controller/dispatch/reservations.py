"""Executors reserved in Jenkins for workers about to grab a Gearman job.

docs/contract.md (availability): before a worker sends GRAB_JOB, the executor it
would use is reserved in Jenkins (the agent's QueueTaskDispatcher keeps
native builds off it), so a job taken from Gearman never waits behind a
timer or SCM build. This module keeps the controller's side of that:

- requests reservations in one batch per master;
- keeps *spare* reservations: those a finished Gearman build handed over
  (its executor passes straight to the next Gearman build) and those a
  worker did not use because the server had no job for it. A spare is used
  before a new one is requested and given back to Jenkins after
  ``SPARE_SECONDS``, so native builds are never held off for long;
- batches releases;
- remembers nodes whose reservation Jenkins refused although the view said
  an executor was free, and asks again after a backoff.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from controller.masters.agent_protocol import Operation, Release, Reserve

RESERVATION_TTL_MS = 30000  # a reservation the controller forgets (it died) frees itself after this
HANDOVER_MS = 3000  # a finished build's executor, handed to the controller
SPARE_SECONDS = 2.5  # a spare is given back after this (before the agent's own expiry)
DENIAL_FIRST_RETRY = 0.1
DENIAL_MAX_RETRY = 2.0


class Reservations:
    def __init__(
        self, loop: asyncio.AbstractEventLoop, submit: Callable[[str, list[Operation]], Any], kick: Callable[[], None]
    ):
        self._loop = loop
        self._submit = submit  # (master, ops) -> future of results, or None if the master is not live
        self._kick = kick
        self._spares: dict[tuple[str, str], list[tuple[str, float]]] = {}  # (master, node) -> (id, give back at)
        self._releases: dict[str, list[str]] = {}
        self._denied: dict[tuple[str, str], tuple[float, float]] = {}  # (master, node) -> (retry at, backoff)

    # ---- spares -------------------------------------------------------------

    def add_spare(self, master: str, node: str, reservation: str, seconds: float = SPARE_SECONDS) -> None:
        self._spares.setdefault((master, node), []).append((reservation, time.monotonic() + seconds))

    def take_spares(self, master: str, node: str, count: int) -> list[str]:
        spares = self._spares.get((master, node), [])
        now = time.monotonic()
        taken = []
        while spares and len(taken) < count:
            reservation, until = spares.pop(0)
            if until > now:
                taken.append(reservation)
            else:
                self.release(master, reservation)
        return taken

    def spare_nodes(self) -> set[tuple[str, str]]:
        now = time.monotonic()
        return {node for node, spares in self._spares.items() if any(until > now for _, until in spares)}

    def spares_of(self, master: str) -> dict[str, int]:
        """Node -> spare reservations held there, not yet due to be given back."""
        now = time.monotonic()
        counts = {node: sum(until > now for _, until in s) for (m, node), s in self._spares.items() if m == master}
        return {node: count for node, count in counts.items() if count}

    def give_back_expired(self) -> None:
        now = time.monotonic()
        for (master, node), spares in list(self._spares.items()):
            for reservation, until in [s for s in spares if s[1] <= now]:
                spares.remove((reservation, until))
                self.release(master, reservation)
            if not spares:
                del self._spares[(master, node)]

    def give_back(self, master: str) -> None:
        """Every spare of the master goes back to Jenkins now (it is leaving the controller)."""
        for node in [node for node in self._spares if node[0] == master]:
            for reservation, _ in self._spares.pop(node):
                self.release(master, reservation)

    def forget_master(self, master: str) -> None:
        """The master restarted or went away: its reservations are gone with its agent."""
        for node in [node for node in self._spares if node[0] == master]:
            del self._spares[node]
        self._releases.pop(master, None)
        self.forget_denials(master)

    # ---- requests and releases ------------------------------------------------

    def request(self, master: str, counts: dict[str, int]) -> asyncio.Future | None:
        ops = [Reserve(node, n, RESERVATION_TTL_MS) for node, n in counts.items()]
        return self._submit(master, ops)

    def release(self, master: str, reservation: str) -> None:
        pending = self._releases.setdefault(master, [])
        if not pending:
            self._loop.call_soon(self._flush, master)
        pending.append(reservation)

    def _flush(self, master: str) -> None:
        ids = self._releases.pop(master, [])
        if ids:
            future = self._submit(master, [Release(tuple(ids))])
            if future is not None:
                future.add_done_callback(lambda done: done.cancelled() or done.exception())

    # ---- refusals ---------------------------------------------------------------

    def deny(self, master: str, node: str) -> None:
        _, backoff = self._denied.get((master, node), (0.0, DENIAL_FIRST_RETRY / 2))
        backoff = min(backoff * 2, DENIAL_MAX_RETRY)
        self._denied[(master, node)] = (time.monotonic() + backoff, backoff)
        self._loop.call_later(backoff, self._kick)

    def denied(self, master: str, node: str, now: float) -> bool:
        return self._denied.get((master, node), (0.0, 0.0))[0] > now

    def describe(self, master: str) -> str:
        now = time.monotonic()
        spares = {node: len(s) for (m, node), s in self._spares.items() if m == master}
        denied = {node: round(at - now, 2) for (m, node), (at, _) in self._denied.items() if m == master and at > now}
        return f"spares={spares} denied={denied} releasing={len(self._releases.get(master, []))}"

    def forget_denials(self, master: str) -> None:
        for node in [node for node in self._denied if node[0] == master]:
            del self._denied[node]
