"""``gearman-jenkins run``: the controller process.

Wires config -> master sessions -> Gearman workers -> dispatcher on one
asyncio loop and handles signals. SIGTERM (or SIGINT) stops grabbing and
unregisters every executor worker, then waits for the builds it answers
for to report; a second signal exits at once (the Gearman server then
hands those jobs out again and the next controller re-attaches them).
SIGHUP loads the config again with ``load`` and applies it (``reload``).
systemd hears when the controller is ready, reloading and stopping
(``systemd_notify``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from controller import systemd_notify
from controller.config import Config, GearmanServer, MasterConfig, Options
from controller.dispatch.dispatcher import Dispatcher
from controller.errors import GearmanServerError
from controller.gearman.connection import Connector, raise_file_limit
from controller.masters.session import MasterSession
from controller.metrics import Metrics
from controller.metrics import serve as serve_metrics
from controller.reload import Reloader, log_config_warnings, serving

log = logging.getLogger("gearman_jenkins.daemon")


async def serve(
    config: Config,
    load: Callable[[], Config],
    redeploy: bool = False,
    embedded: GearmanServer | None = None,
) -> None:
    """Run until SIGTERM or SIGINT; ``load`` reads the config again on SIGHUP."""
    loop = asyncio.get_running_loop()
    log_config_warnings(config)
    raise_file_limit()
    server = None
    if embedded is not None:
        from controller.gearman.embedded_server import EmbeddedGearmanServer

        try:
            server = EmbeddedGearmanServer(host=embedded.host, port=embedded.port)
        except Exception as exc:  # gear raises a bare Exception when it cannot bind
            reason = getattr(exc, "strerror", None) or str(exc)
            raise GearmanServerError(str(embedded), f"cannot listen there: {reason}") from None
        log.info("embedded Gearman server listening on %s:%s", embedded.host, server.port)
    metrics = Metrics()
    dispatcher = Dispatcher(config, loop, Connector(config.tls), metrics)
    metrics_server = None
    if config.options.metrics_port:
        metrics_server = await serve_metrics(metrics, config.options.metrics_port, config.options.metrics_host)

    def new_session(master: MasterConfig, options: Options) -> MasterSession:
        return MasterSession(master, options, loop, dispatcher, redeploy=redeploy)

    for master in config.masters:
        session = new_session(master, config.options)
        dispatcher.add_session(session)
        session.start()
    dispatcher.start()
    log.info(
        "controller started: %d masters, Gearman servers %s",
        len(config.masters),
        ", ".join(str(s) for s in config.gearman_servers),
    )
    reloader = Reloader(config, load, dispatcher, new_session)
    signals = asyncio.Queue()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, signals.put_nowait, signum)
    loop.add_signal_handler(signal.SIGUSR1, dispatcher.log_state)
    loop.add_signal_handler(signal.SIGHUP, reloader.reload)
    systemd_notify.ready(serving(config))
    try:
        signum = await signals.get()
        reloader.stopping = True
        log.info("%s: no new builds; waiting for running builds to report", signal.Signals(signum).name)
        systemd_notify.stopping("stopping: waiting for running builds to report")
        dispatcher.stop_grabbing()
        waiting = asyncio.ensure_future(signals.get())
        while dispatcher.attached_builds() and not waiting.done():
            await asyncio.wait([waiting], timeout=1.0)
        pending = dispatcher.attached_builds()
        if pending:
            log.warning(
                "exiting with %d builds still running; their Gearman jobs will be handed out again", len(pending)
            )
    finally:
        if metrics_server is not None:
            metrics_server.close()
        dispatcher.close()
        for session in dispatcher.sessions.values():
            session.stop()
        if server is not None:
            server.shutdown()
        log.info("controller stopped")
