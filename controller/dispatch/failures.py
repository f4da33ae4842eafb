"""The last failures of Gearman builds that their clients saw, for the status page.

A bounded ring (the newest ``FAILURES_KEPT``), fed at the few places where a
build ends badly for its client: the build life cycle rejects a job
(WORK_EXCEPTION) or finds its build lost (WORK_FAIL), housekeeping aborts an
orphan (its Gearman job was gone). Builds that ran and failed (result
FAILURE) are not here: their client got WORK_COMPLETE, and Jenkins shows them.

It must never hold a build parameter value. A reason is the one-line text
the client got; when it comes from Jenkins it may quote a value (Jenkins'
``ChoiceParameterDefinition`` says "Illegal choice for parameter NAME:
VALUE"), so the build's parameter values are masked in it.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from controller.dispatch.builds import GearmanBuild

FAILURES_KEPT = 50
MASK = "***"
# Shorter values are not secrets worth the cost: masking "1" or "yes" would make a reason unreadable.
MASKED_VALUE_MIN = 4


class FailureKind(enum.Enum):
    REJECTED = "rejected"  # WORK_EXCEPTION: the job cannot run (arguments, parameter policy, Jenkins refused it)
    LOST = "lost"  # WORK_FAIL: the master lost the build, or could not schedule it in time
    ORPHAN_ABORTED = "orphan aborted"  # the Gearman job was gone; the build was aborted in Jenkins

    @property
    def packet(self) -> str | None:
        """What the client received; None for an orphan, whose job was already gone."""
        return {FailureKind.REJECTED: "WORK_EXCEPTION", FailureKind.LOST: "WORK_FAIL"}.get(self)


@dataclass(frozen=True)
class Failure:
    at: float  # Unix time
    kind: FailureKind
    master: str
    job: str
    number: int | None
    uuid: str
    reason: str


class RecentFailures:
    def __init__(self, kept: int = FAILURES_KEPT, clock: Callable[[], float] = time.time):
        self._failures: deque[Failure] = deque(maxlen=kept)
        self._clock = clock

    def record(self, kind: FailureKind, build: GearmanBuild, reason: str) -> None:
        reason = masked(reason, build.parameters)
        self._failures.append(Failure(self._clock(), kind, build.master, build.job, build.number, build.uuid, reason))

    def newest_first(self) -> tuple[Failure, ...]:
        return tuple(reversed(self._failures))


def masked(reason: str, parameters: Mapping[str, str]) -> str:
    """``reason`` with every parameter value of ``MASKED_VALUE_MIN`` characters or more replaced by ``MASK``."""
    # Longest first, so that a value containing another is masked whole.
    for value in sorted(set(parameters.values()), key=len, reverse=True):
        if len(value) >= MASKED_VALUE_MIN:
            reason = reason.replace(value, MASK)
    return reason
