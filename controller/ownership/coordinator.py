"""Applies the ownership rule to this controller's view of the farm.

On every change that could move a master (the controllers seen on the Gearman
servers, the masters this controller reaches, a lease holder changing), it
computes ``assignment.owners`` and tells each master's lease whether this
controller should hold it. The leases do the rest: acquire when wanted and
free, give up (workers first) when not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from controller.masters.session import MasterSession
from controller.ownership.assignment import owners
from controller.ownership.membership import Presence

log = logging.getLogger("gearman_jenkins.ownership")


class Coordinator:
    def __init__(
        self,
        name: str,
        sessions: Mapping[str, MasterSession],
        presence: Presence | None,
        preferences: Callable[[str], tuple[str, ...]],
    ):
        self.name = name
        self.sessions = sessions
        self.presence = presence
        self.preferences = preferences  # master -> its preferred controllers, from the running config
        self.others: dict[str, frozenset[str]] = {}  # other controllers alive -> the masters they reach
        self.decided: dict[str, str | None] = {}

    def seen(self, controllers: dict[str, frozenset[str]]) -> None:
        """What the Gearman servers show of the controllers (this one included, perhaps a little behind)."""
        others = {name: masters for name, masters in controllers.items() if name != self.name}
        if others.keys() != self.others.keys():
            log.info("controllers alive: %s", ", ".join(sorted([self.name, *others])))
        self.others = others
        self.reconsider()

    def reconsider(self) -> None:
        reached = frozenset(name for name, session in self.sessions.items() if session.live)
        if self.presence is not None:
            self.presence.reaching(sorted(reached))
        reaches = {**self.others, self.name: reached}
        masters = {name: self.preferences(name) for name in self.sessions}
        current = {name: session.lease.state.owner for name, session in self.sessions.items()}
        decided = owners(masters, reaches, current)
        for name, session in self.sessions.items():
            if decided.get(name) != self.decided.get(name):
                log.info("master %s: to be owned by %s", name, decided.get(name) or "nobody (no controller reaches it)")
            session.lease.want(decided.get(name) == self.name)
        self.decided = decided
