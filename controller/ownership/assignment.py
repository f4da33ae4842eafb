"""Which controller should own each master: a pure rule every controller computes alike.

Inputs are what every controller sees the same way: the controllers alive on
the Gearman servers with the masters each can reach, every master's current
lease holder (from its agent) and the config's preferences. The rule:

1. A master with preferred controllers goes to the first of them alive that
   reaches it.
2. Otherwise its current owner keeps it while that owner is alive, reaches
   it, and owns no more than its share (ceil(masters / controllers)); an owner
   over its share gives up the masters it ranks lowest.
3. Every master left goes to the controller that reaches it, has room, and
   ranks it highest (rendezvous hashing of master and controller names).

So the assignment is stable (nothing moves while nothing changes), about
even, and a controller joining or leaving moves only the masters it must: the
leaver's masters, or the few the joiner takes from controllers over their
new share.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Mapping


def rank(master: str, controller: str) -> int:
    """Rendezvous weight: each master orders the controllers its own, stable way."""
    return int.from_bytes(hashlib.sha256(f"{master}\0{controller}".encode()).digest()[:8], "big")


def owners(
    masters: Mapping[str, tuple[str, ...]],
    reaches: Mapping[str, frozenset[str]],
    current: Mapping[str, str | None],
) -> dict[str, str | None]:
    """master -> the controller that should own it (None: no controller alive reaches it).

    ``masters``: master -> its preferred controllers; ``reaches``: alive controller ->
    the masters it reaches; ``current``: master -> its lease holder (None when free).
    """
    result: dict[str, str | None] = {}
    load: Counter[str] = Counter()
    share = math.ceil(len(masters) / len(reaches)) if reaches else 0

    def candidates(master: str) -> list[str]:
        return [c for c in reaches if master in reaches[c]]

    for master, preferred in sorted(masters.items()):
        alive = [c for c in preferred if master in reaches.get(c, frozenset())]
        if alive:
            result[master] = alive[0]
            load[alive[0]] += 1
    kept = [
        (master, owner)
        for master, owner in current.items()
        if master in masters and master not in result and owner is not None and master in reaches.get(owner, ())
    ]
    for master, owner in sorted(kept, key=lambda pair: rank(pair[0], pair[1]), reverse=True):
        if load[owner] < share:
            result[master] = owner
            load[owner] += 1
    for master in sorted(masters):
        if master in result:
            continue
        choices = candidates(master)
        if not choices:
            result[master] = None
            continue
        roomy = [c for c in choices if load[c] < share]
        if roomy:
            chosen = max(roomy, key=lambda c: rank(master, c))
        else:  # every candidate is full (preferences took room): the least loaded
            chosen = min(choices, key=lambda c: (load[c], -rank(master, c)))
        result[master] = chosen
        load[chosen] += 1
    return result
