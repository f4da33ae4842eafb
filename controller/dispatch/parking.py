"""Woken workers held back from grabbing, and who wakes them again.

Theory of operation. gearmand sends a sleeping worker one NOOP and then no
other until that worker sends GRAB_JOB (gearmand's ``is_noop_sent``: a
PRE_SLEEP does not reset it). A worker woken by a NOOP and put back to sleep
without grabbing would never hear of new work again.

So when a grab gets NO_JOB, the woken workers that can do no more than the
one that grabbed (their functions are a subset of its functions) are
*parked* rather than made to grab: there is nothing for them now, and the
grabbing worker, asleep again and re-armed by its GRAB, is their *cover*.
The next NOOP to any worker on that server means new work, and every worker
parked there is woken again (it may be the one best placed to take it).
Whatever could leave a parked worker uncovered (its cover's connection
drops, the functions of the master's workers change, a worker goes away)
wakes the workers it covered. A woken worker eventually grabs, which
re-arms it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from controller.config import GearmanServer


class Parking:
    def __init__(self) -> None:
        self._parked: dict[GearmanServer, dict[Hashable, Hashable]] = {}  # server -> {parked: cover}

    def park(self, server: GearmanServer, key: Hashable, cover: Hashable) -> None:
        self._parked.setdefault(server, {})[key] = cover

    def wake_all(self, server: GearmanServer) -> list[Hashable]:
        """A NOOP arrived on ``server``: new work; everybody parked there may want it."""
        return list(self._parked.pop(server, {}))

    def wake_covered_by(self, cover: Hashable) -> list[tuple[Hashable, GearmanServer]]:
        woken = []
        for server, parked in self._parked.items():
            for key in [key for key, by in parked.items() if by == cover]:
                del parked[key]
                woken.append((key, server))
        return woken

    def wake_where(self, belongs: Callable[[Hashable], bool]) -> list[tuple[Hashable, GearmanServer]]:
        """Wake every parked worker for which ``belongs(key)`` or ``belongs(cover)`` holds."""
        woken = []
        for server, parked in self._parked.items():
            for key in [key for key, cover in parked.items() if belongs(key) or belongs(cover)]:
                del parked[key]
                woken.append((key, server))
        return woken

    def forget(self, key: Hashable) -> list[tuple[Hashable, GearmanServer]]:
        """``key`` is gone: drop it, and wake what it covered."""
        for parked in self._parked.values():
            parked.pop(key, None)
        return self.wake_covered_by(key)

    def unpark(self, server: GearmanServer, key: Hashable) -> None:
        """``key`` no longer needs waking on ``server`` (it reconnected: a new connection is armed)."""
        self._parked.get(server, {}).pop(key, None)

    def is_parked(self, key: Hashable, server: GearmanServer) -> bool:
        return key in self._parked.get(server, {})
