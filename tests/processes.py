"""Freezing a test's server process for real (a black hole) and thawing it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def _states(pid: int) -> set[str]:
    """Run states of every thread of ``pid`` (R, S, T...)."""
    states = set()
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            states.add(stat.read_text().rsplit(")", 1)[1].split()[0])
        except (OSError, IndexError):
            continue
    return states


def freeze(pid: int, timeout: float = 5.0) -> None:
    """SIGSTOP, and return only once every thread is stopped.

    kill() returns before the target has stopped: a thread running on the
    other core may still answer a request or two.
    """
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + timeout
    while _states(pid) - {"T", "t"} and time.monotonic() < deadline:
        time.sleep(0.005)


def thaw(pid: int) -> None:
    os.kill(pid, signal.SIGCONT)
