"""SIGHUP: the config loaded again and applied to the running controller.

``reload_plan`` says what changed; this applies it: removed masters leave
(``dispatch.departures``), added and reconnected ones get a new session,
the options that can change at once do, and a log line names the keys that
wait for a restart. The other masters' sessions, workers and builds are not
touched: their workers send no packet because of a reload.

An invalid config changes nothing: one error line naming the file, line and
key, and the controller goes on with the config it had. Under systemd,
``systemctl status`` shows the outcome of the last reload
(``systemd_notify``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from controller import logs, systemd_notify
from controller.config import Config, MasterConfig, Options
from controller.dispatch.dispatcher import Dispatcher
from controller.errors import ConfigError
from controller.masters.session import MasterSession
from controller.reload_plan import plan_reload

log = logging.getLogger("gearman_jenkins.daemon")


def log_config_warnings(config: Config) -> None:
    for warning in config.warnings:
        log.warning("config %s: %s", config.path, warning)


def serving(config: Config) -> str:
    """The status systemd shows."""
    count = len(config.masters)
    return f"serving {count} master{'s' if count != 1 else ''}: {', '.join(master.name for master in config.masters)}"


class Reloader:
    def __init__(
        self,
        config: Config,
        load: Callable[[], Config],
        dispatcher: Dispatcher,
        new_session: Callable[[MasterConfig, Options], MasterSession],
    ):
        self.config = config  # what the controller runs with
        self._load = load
        self._dispatcher = dispatcher
        self._new_session = new_session
        self.stopping = False

    def reload(self) -> None:
        if self.stopping:
            log.info("SIGHUP ignored: the controller is stopping")
            return
        systemd_notify.reloading()
        try:
            new = self._load()
        except ConfigError as exc:
            log.error("config reload failed; still running with the config loaded before: %s", exc)
            systemd_notify.ready(f"config reload failed: {exc}; {serving(self.config)}")
            return
        log_config_warnings(new)
        plan = plan_reload(self.config, new)
        if plan.needs_restart:
            log.warning(
                "config reload: %s changed; the running controller keeps the old values until it is restarted",
                ", ".join(plan.needs_restart),
            )
        logs.set_level(plan.config.options.log_level)
        self._dispatcher.use_config(plan.config)
        for name in plan.removed:
            self._dispatcher.remove_master(name)
        for master in plan.added + plan.reconnected:
            session = self._new_session(master, plan.config.options)
            self._dispatcher.add_session(session)
            session.start()
        self.config = plan.config
        log.info("config reloaded from %s: %s", new.path, plan.summary())
        systemd_notify.ready(serving(plan.config))
