"""Which master ran which Gearman unique id, gathered from the masters' own records.

README, "At most one build per unique id". Each master's agent keeps the
record of its Gearman builds (queued, running, finished) for a retention
period. gearmand re-queues a job whose worker went away with the same unique
id, also when the build it had started finished in the meantime: a
controller that (re)starts must know every master's record before it
schedules anything, or that job runs a second time, perhaps on another
master. So:

- until every master has answered with a whole record, no executor worker
  grabs (``may_grab``);
- a master that could not be reached at start holds back every unique id
  no reachable master knows (``may_schedule_unknown``): it may be that
  master's;
- both end at the latest ``wait`` seconds after the controller started:
  the README's fault table gives the window this leaves.

Queued and running Gearman builds come with each inventory (the master
views); this module keeps the finished ones, and is told of each later
completion, so ``master_of`` answers for them.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable


class RecordState(enum.Enum):
    WAITING = "waiting"  # no answer yet
    UNREACHABLE = "unreachable"  # the first attempt failed; never loaded
    INCOMPLETE = "incomplete"  # answered; its agent is still rebuilding the record from the history
    LOADED = "loaded"


class BuildRecords:
    def __init__(self, masters: Iterable[str], wait: float, limit: int, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self.deadline = clock() + wait
        self._limit = limit
        self._states = {master: RecordState.WAITING for master in masters}
        # master -> uuids of its finished Gearman builds, oldest first (a dict keeps the order)
        self._finished: dict[str, dict[str, None]] = {master: {} for master in self._states}

    def state(self, master: str) -> RecordState:
        return self._states[master]

    def add(self, master: str) -> None:
        """A master to wait for, as for those known at start (a reload added it); a known one is left alone."""
        self._states.setdefault(master, RecordState.WAITING)
        self._finished.setdefault(master, {})

    def remove(self, master: str) -> None:
        """A removed master whose builds have all reported: nothing waits for it any more."""
        self._states.pop(master, None)
        self._finished.pop(master, None)

    def loaded(self, master: str, finished: Iterable[str], complete: bool) -> None:
        """An inventory that carried the master's record: it replaces what was known of it."""
        self._finished[master] = dict.fromkeys(finished)
        self._trim(master)
        self._states[master] = RecordState.LOADED if complete else RecordState.INCOMPLETE

    def unreachable(self, master: str) -> None:
        if self._states[master] is RecordState.WAITING:
            self._states[master] = RecordState.UNREACHABLE

    def finished(self, master: str, uuid: str) -> None:
        self._finished[master][uuid] = None
        self._trim(master)

    def _trim(self, master: str) -> None:
        uuids = self._finished[master]
        while len(uuids) > self._limit:
            del uuids[next(iter(uuids))]

    def master_of(self, uuid: str) -> str | None:
        """The master whose record shows ``uuid`` as a finished Gearman build."""
        for master, uuids in self._finished.items():
            if uuid in uuids:
                return master
        return None

    def _past_deadline(self) -> bool:
        return self._clock() >= self.deadline

    def may_grab(self) -> bool:
        """No master is still answering, or it is too late to wait for it."""
        pending = (RecordState.WAITING, RecordState.INCOMPLETE)
        return self._past_deadline() or not any(state in pending for state in self._states.values())

    def may_schedule_unknown(self) -> bool:
        """A unique id no master knows may be scheduled: every record is known, or it is too late."""
        return self._past_deadline() or all(state is RecordState.LOADED for state in self._states.values())

    def not_loaded(self) -> list[str]:
        return sorted(master for master, state in self._states.items() if state is not RecordState.LOADED)
