"""What a config reloaded on SIGHUP changes in the running controller.

Pure: compares the config the controller runs with and the one just loaded.
Masters are known by name:

- a name only in the new config is *added*;
- a name no longer there is *removed* (``dispatch.departures`` says what
  becomes of its builds);
- a name in both whose url, user or token differs is *reconnected*: a new
  session replaces the old one, its workers and builds stay (a renamed
  master is one removed and one added: its name is in its workers' ids and
  its management functions);
- a change to ``ssh`` only matters to ``deploy``, which reads the file anew;
- a master's preferred ``controllers`` apply at once (the ownership rule reads
  the running config).

Of the rest, ``options.log_level``, ``options.orphan_grace`` and
``options.undeclared_parameters`` apply at once. The Gearman servers and TLS
files, the masters' event polling (``event_poll_timeout``,
``inventory_interval``), ``record_wait`` (a window after start), the
metrics listener and this controller's name and lease length (what the
masters' agents know it by) are set up once at start: the running controller keeps
their old values, and the plan names the keys that changed so that the
operator is told a restart is needed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from controller.config import Config, MasterConfig

RESTART_ONLY_OPTIONS = (
    "event_poll_timeout",
    "inventory_interval",
    "record_wait",
    "metrics_port",
    "metrics_host",
    "controller_name",
    "lease_seconds",
)


@dataclass(frozen=True)
class ReloadPlan:
    config: Config  # the new config, with the settings that need a restart kept as they run
    added: tuple[MasterConfig, ...] = ()
    removed: tuple[str, ...] = ()
    reconnected: tuple[MasterConfig, ...] = ()
    needs_restart: tuple[str, ...] = ()  # keys whose new values wait for the next start

    def summary(self) -> str:
        parts = [
            f"{what} {', '.join(names)}"
            for what, names in (
                ("added", [master.name for master in self.added]),
                ("removed", list(self.removed)),
                ("reconnected", [master.name for master in self.reconnected]),
            )
            if names
        ]
        return "; ".join(parts) if parts else "masters unchanged"


def plan_reload(running: Config, new: Config) -> ReloadPlan:
    needs_restart = []
    if set(new.gearman_servers) != set(running.gearman_servers):
        needs_restart.append("gearman.servers")
    if new.tls != running.tls:
        needs_restart.append("gearman.tls")
    kept = {name: getattr(running.options, name) for name in RESTART_ONLY_OPTIONS}
    needs_restart += [f"options.{name}" for name, value in kept.items() if getattr(new.options, name) != value]
    config = dataclasses.replace(
        new,
        gearman_servers=running.gearman_servers,
        tls=running.tls,
        options=dataclasses.replace(new.options, **kept),
    )
    before = {master.name: master for master in running.masters}
    after = {master.name for master in new.masters}
    return ReloadPlan(
        config=config,
        added=tuple(master for master in new.masters if master.name not in before),
        removed=tuple(name for name in before if name not in after),
        reconnected=tuple(
            master
            for master in new.masters
            if master.name in before and _connection(master) != _connection(before[master.name])
        ),
        needs_restart=tuple(needs_restart),
    )


def _connection(master: MasterConfig) -> tuple:
    """What a master's session was opened with."""
    return (master.url, master.user, master.token)
