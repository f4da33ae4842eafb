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
import uuid
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
from controller.status_page.gearman_queues import GearmanQueuePoller
from controller.status_page.site import StatusPage

log = logging.getLogger("gearman_jenkins.daemon")

LEASE_RELEASE_WAIT = 3  # seconds the sessions get to give their leases back at shutdown


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
    queues = GearmanQueuePoller(config.gearman_servers, config.tls)
    if config.options.metrics_port:
        page = StatusPage(dispatcher.snapshot, queues.latest)
        metrics_server = await serve_metrics(
            metrics, config.options.metrics_port, config.options.metrics_host, page.routes()
        )
        queues.start()
        log.info("status page on http://%s:%d/", config.options.metrics_host, config.options.metrics_port)
    instance = uuid.uuid4().hex  # this process: a restarted controller is a new lease holder

    def new_session(master: MasterConfig, options: Options) -> MasterSession:
        return MasterSession(master, options, loop, dispatcher, instance, redeploy=redeploy)

    for master in config.masters:
        session = new_session(master, config.options)
        dispatcher.add_session(session)
        session.start()
    dispatcher.start()
    log.info(
        "controller started: %d masters, Gearman servers %s; this controller is %s",
        len(config.masters),
        ", ".join(str(s) for s in config.gearman_servers),
        config.options.controller_name,
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
        # Give the leases back, so that a standby controller takes the masters at once.
        dispatcher.release_leases()
        for _ in range(LEASE_RELEASE_WAIT * 10):
            if dispatcher.leases_released() or waiting.done():
                break
            await asyncio.sleep(0.1)
    finally:
        if metrics_server is not None:
            metrics_server.close()
        queues.stop()
        dispatcher.close()
        for session in dispatcher.sessions.values():
            session.stop()
        if server is not None:
            server.shutdown()
        log.info("controller stopped")
