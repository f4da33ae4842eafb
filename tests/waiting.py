"""Waiting for a condition in tests: one way, everywhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(
    predicate: Callable[[], Any],
    timeout: float = 30.0,
    message: str = "condition",
    *,
    interval: float = 0.02,
    ignore: tuple[type[BaseException], ...] = (),
) -> Any:
    """The predicate's first true value, polled from every ``interval`` up to every 0.2 s.

    Exceptions of the types in ``ignore`` count as "not yet" (a server that is
    restarting); any other propagates at once.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = predicate()
            if last:
                return last
        except ignore as exc:
            last = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message} (last: {last!r})")
        time.sleep(interval)
        # Many predicates are requests to a server: poll less often as the wait grows.
        interval = min(interval * 1.5, 0.2)
