"""The Gearman client side of ``submit``, ``stop`` and ``describe``.

Chooses the servers (``-s HOST[:PORT] [-p PORT]`` or ``-c CONFIG``), connects
with a deadline, submits foreground jobs and turns the packets the server
relays from the worker (JOB_CREATED, WORK_DATA, WORK_STATUS, WORK_COMPLETE,
WORK_FAIL, WORK_EXCEPTION) into small immutable events delivered to a
listener, so that a command can print progress while many jobs run at once.

Every connection sets TCP_NODELAY: without it each packet waits for the
peer's delayed ACK and a job round trip takes about 44 ms instead of 1.

This module never prints and never lets gear's exceptions reach a command:
an unreachable server, a failed submission or a lost connection becomes a
``GearmanServerError`` (or a ``ConnectionLost`` event for a job in flight)
naming the server.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import gear

from controller.config import Config, GearmanServer, TLSConfig
from controller.errors import GearmanServerError
from controller.gearman.admin import AdminClient

log = logging.getLogger(__name__)

DEFAULT_SERVER = GearmanServer("localhost")  # gear_client.py's default
CONNECT_TIMEOUT = 10.0
CLIENT_ID = "gearman-jenkins"
OPTION_EXCEPTIONS = b"exceptions"


# -- server selection -------------------------------------------------------


@dataclass(frozen=True)
class ServerSelection:
    servers: tuple[GearmanServer, ...]
    tls: TLSConfig | None = None
    config: Config | None = None  # set when -c was given

    def __str__(self) -> str:
        return ", ".join(map(str, self.servers))


# -- events: one per packet the client receives for a job -------------------


@dataclass(frozen=True)
class JobCreated:
    handle: str
    server: GearmanServer


@dataclass(frozen=True)
class WorkData:
    data: bytes


@dataclass(frozen=True)
class WorkStatus:
    numerator: int | None  # the worker's numbers; for builds: elapsed ms and estimated duration ms
    denominator: int | None


@dataclass(frozen=True)
class WorkComplete:
    data: bytes


@dataclass(frozen=True)
class WorkFail:
    pass


@dataclass(frozen=True)
class WorkException:
    data: bytes


@dataclass(frozen=True)
class ConnectionLost:
    """Not a packet: the connection the job was submitted on dropped, so no answer can come."""

    server: GearmanServer


JobEvent = JobCreated | WorkData | WorkStatus | WorkComplete | WorkFail | WorkException | ConnectionLost
FINAL_EVENTS = (WorkComplete, WorkFail, WorkException, ConnectionLost)


class TrackedJob(gear.TextJobUnique, gear.Job):
    """A foreground job that records its events and calls ``listener`` for each.

    ``name`` and ``unique`` are text, ``arguments`` bytes (``--raw`` sends any).

    The listener runs on gear's poll thread; it must be quick and must not
    block. ``finished`` is set after the listener has seen the final event.
    """

    def __init__(
        self,
        name: str,
        arguments: bytes,
        unique: str,
        listener: Callable[[TrackedJob, JobEvent], None] | None = None,
        label: str = "",
    ):
        super().__init__(name, arguments, unique)
        self.listener = listener
        self.label = label  # how progress output names this job, e.g. "3/20"
        self.events: list[JobEvent] = []
        self.outcome: JobEvent | None = None
        self.finished = threading.Event()
        self._abandoned = False
        self._lock = threading.Lock()
        self.submitted_at: float | None = None
        self.server: GearmanServer | None = None  # the one it was submitted to

    def record(self, event: JobEvent) -> None:
        with self._lock:
            # The first final event wins (a packet can race a ConnectionLost),
            # and nothing counts once the client has given up on the job.
            if self.finished.is_set() or self._abandoned:
                return
            self.events.append(event)
            final = isinstance(event, FINAL_EVENTS)
            if final:
                self.outcome = event
            if self.listener is not None:
                try:
                    self.listener(self, event)
                except Exception:
                    log.exception("listener failed on %s for job %s", event, self.unique)
            if final:
                self.finished.set()

    def abandon(self) -> None:
        """Stop recording: the job is reported as it was when the client stopped waiting
        (gearmand answers a cancelled job with WORK_FAIL, which is not the worker's answer)."""
        with self._lock:
            self._abandoned = True

    @property
    def status(self) -> str:
        """How the job ended, after the packet that ended it: WORK_COMPLETE, WORK_FAIL,
        WORK_EXCEPTION, or LOST (connection dropped) / TIMEOUT (no answer yet)."""
        return {
            WorkComplete: "WORK_COMPLETE",
            WorkFail: "WORK_FAIL",
            WorkException: "WORK_EXCEPTION",
            ConnectionLost: "LOST",
        }.get(type(self.outcome), "TIMEOUT")

    @property
    def work_data(self) -> Any:
        """The last WORK_DATA, decoded (a dict for builds: name, number, manager, url, ...)."""
        for event in reversed(self.events):
            if isinstance(event, WorkData):
                return decode_payload(event.data)
        return None

    @property
    def answer(self) -> Any:
        """The WORK_COMPLETE or WORK_EXCEPTION payload, decoded."""
        if isinstance(self.outcome, WorkComplete | WorkException):
            return decode_payload(self.outcome.data)
        return None

    @property
    def result(self) -> str | None:
        """A build's Jenkins result (``"result"`` of WORK_COMPLETE), if the answer has one."""
        answer = self.answer
        if isinstance(self.outcome, WorkComplete) and isinstance(answer, dict):
            result = answer.get("result")
            return str(result) if result is not None else None
        return None

    @property
    def succeeded(self) -> bool:
        """WORK_COMPLETE, and SUCCESS if the answer carries a build result."""
        return isinstance(self.outcome, WorkComplete) and self.result in (None, "SUCCESS")

    @property
    def started(self) -> bool:
        """Whether a worker reported anything yet (it has taken the job off the queue)."""
        return any(isinstance(event, WorkData | WorkStatus) for event in self.events)

    def record_dict(self) -> dict[str, Any]:
        """The job as ``--json`` shows it."""
        return {
            "function": self.name,
            "unique": self.unique,
            "handle": self.handle.decode("utf-8", "replace") if self.handle else None,
            "server": str(self.server) if self.server else None,
            "data": self.work_data,
            "result": self.result,
            "status": self.status,
            "answer": self.answer,
        }


def decode_payload(data: bytes) -> Any:
    """JSON if the payload is JSON, else its text."""
    text = data.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


# -- the client -------------------------------------------------------------


class GearmanClient(gear.Client):
    """``gear.Client`` with TCP_NODELAY, events for ``TrackedJob``s and errors naming servers."""

    def __init__(self, selection: ServerSelection, timeout: float = CONNECT_TIMEOUT):
        self.selection = selection
        self.timeout = timeout
        super().__init__(CLIENT_ID)

    def _onConnect(self, conn: gear.Connection) -> None:
        # Called by gear's connect thread on every (re)connection, before the
        # poll loop reads from it: the one moment the socket is ours alone.
        conn.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._ask_for_exceptions(conn)
        super()._onConnect(conn)

    def _ask_for_exceptions(self, conn: gear.Connection) -> None:
        """Set the ``exceptions`` option where the server has it.

        gearmand relays a worker's WORK_EXCEPTION only to clients that set it
        (others get WORK_FAIL, without the reason); gear's server relays it
        to everyone and answers no OPTION_REQ at all. A GET_STATUS, which
        both answer, follows the option request, so that its STATUS_RES ends
        the wait whether or not an OPTION_RES came first.
        """
        option = gear.Packet(gear.constants.REQ, gear.constants.OPTION_REQ, OPTION_EXCEPTIONS)
        fence = gear.Packet(gear.constants.REQ, gear.constants.GET_STATUS, b"-")
        conn.conn.settimeout(self.timeout)
        try:
            conn.sendRaw(option.toBinary() + fence.toBinary())
            while True:
                packet = conn.readPacket()
                if packet is None:
                    raise gear.ConnectionError("closed while answering OPTION_REQ")
                if packet.ptype == gear.constants.OPTION_RES:
                    conn.options.add(packet.data)
                elif packet.ptype == gear.constants.STATUS_RES:
                    return
        finally:
            conn.conn.settimeout(None)

    def _deliver(self, job: gear.Job, event: JobEvent) -> None:
        if isinstance(job, TrackedJob):
            job.record(event)

    def handleJobCreated(self, packet: gear.Packet) -> gear.Job:
        job = super().handleJobCreated(packet)
        self._deliver(job, JobCreated(packet.data.decode("utf-8", "replace"), _address(packet.connection)))
        return job

    def handleWorkData(self, packet: gear.Packet) -> gear.Job:
        job = super().handleWorkData(packet)
        self._deliver(job, WorkData(packet.getArgument(1, True)))
        return job

    def handleWorkStatus(self, packet: gear.Packet) -> gear.Job:
        job = super().handleWorkStatus(packet)
        self._deliver(job, WorkStatus(_int_or_none(job.numerator), _int_or_none(job.denominator)))
        return job

    def handleWorkComplete(self, packet: gear.Packet) -> gear.Job:
        job = super().handleWorkComplete(packet)
        self._deliver(job, WorkComplete(packet.getArgument(1, True)))
        return job

    def handleWorkFail(self, packet: gear.Packet) -> gear.Job:
        job = super().handleWorkFail(packet)
        self._deliver(job, WorkFail())
        return job

    def handleWorkException(self, packet: gear.Packet) -> gear.Job:
        job = super().handleWorkException(packet)
        self._deliver(job, WorkException(packet.getArgument(1, True)))
        return job

    def handleDisconnect(self, job: gear.Job) -> gear.Job:
        self._deliver(job, ConnectionLost(_address(job.connection)))
        return job

    def submit(self, job: TrackedJob, timeout: float = CONNECT_TIMEOUT) -> None:
        """SUBMIT_JOB (foreground, normal precedence) and wait for JOB_CREATED."""
        job.submitted_at = time.monotonic()
        try:
            self.submitJob(job, timeout=timeout)
        except (gear.GearmanError, gear.NoConnectedServersError):
            raise GearmanServerError(
                str(self.selection),
                f"could not submit {job.name}: no JOB_CREATED within {timeout:g} s, or the server answered ERROR",
            ) from None
        job.server = _address(job.connection)


def connect(selection: ServerSelection, timeout: float = CONNECT_TIMEOUT) -> GearmanClient:
    """A client connected to at least one of the servers, or GearmanServerError.

    Each server is first tried with a connection of our own, because gear's
    connect thread only retries quietly: this is how a refused, unresolvable
    or TLS-refusing server is reported at once, with its reason, instead of
    after the timeout.
    """
    _keep_gear_quiet()
    reasons = [_probe(server, timeout, selection.tls) for server in selection.servers]
    if all(reasons):
        details = "; ".join(
            f"{server}: {reason}" if len(selection.servers) > 1 else reason
            for server, reason in zip(selection.servers, reasons, strict=True)
        )
        raise GearmanServerError(str(selection), f"{details}; check -s/-p or the config's gearman.servers")
    client = GearmanClient(selection, timeout)
    for server in selection.servers:
        tls = selection.tls
        client.addServer(
            server.host,
            server.port,
            ssl_key=str(tls.key) if tls else None,
            ssl_cert=str(tls.cert) if tls else None,
            ssl_ca=str(tls.ca) if tls else None,
        )
    try:
        client.waitForServer(timeout)
    except gear.TimeoutError:
        client.shutdown()
        hint = " (TLS handshake failing? check gearman.tls key, cert and CA)" if selection.tls else ""
        raise GearmanServerError(
            str(selection), f"accepts TCP connections but answered no Gearman request within {timeout:g} s{hint}"
        ) from None
    return client


def wait_for(
    jobs: Iterable[TrackedJob],
    timeout: float | None,
    tick: Callable[[], None] | None = None,
    tick_interval: float = 1.0,
) -> list[TrackedJob]:
    """Wait until every job has finished or ``timeout`` seconds passed (None: no limit);
    call ``tick`` every ``tick_interval`` s of waiting. Returns the unfinished jobs."""
    deadline = None if timeout is None else time.monotonic() + timeout
    pending = list(jobs)
    while pending:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            break
        step = tick_interval if remaining is None else min(tick_interval, remaining)
        if pending[0].finished.wait(step):
            pending = [job for job in pending if not job.finished.is_set()]
        elif tick is not None:
            tick()
    return pending


def cancel_queued(jobs: Iterable[TrackedJob], tls: TLSConfig | None) -> dict[str, bool]:
    """Give up on ``jobs`` (``TrackedJob.abandon``) and send ``cancel job HANDLE``
    for those no worker has reported on, so that a client that stops waiting
    leaves no build behind in the Gearman queue (gearmand keeps a foreground
    job queued after its client disconnects).
    Returns unique -> whether the server accepted; a server that fails once
    is not asked again, and its jobs count as not cancelled."""
    by_server: dict[GearmanServer, list[TrackedJob]] = {}
    for job in jobs:
        job.abandon()
        if not job.started and not job.finished.is_set() and job.handle and job.server:
            by_server.setdefault(job.server, []).append(job)
    cancelled = {}
    for server, server_jobs in by_server.items():
        for job in server_jobs:
            cancelled[job.unique] = False
        try:
            with AdminClient(server, tls) as admin:
                for job in server_jobs:
                    cancelled[job.unique] = admin.cancel_job(job.handle)
        except GearmanServerError as exc:
            log.info("cannot cancel queued jobs: %s", exc)
    return cancelled


def registered_workers(selection: ServerSelection, function: str) -> dict[str, int]:
    """Server -> how many workers registered ``function`` (admin ``status``); servers
    that do not answer are left out."""
    counts = {}
    for server in selection.servers:
        try:
            with AdminClient(server, selection.tls) as admin:
                statuses = admin.status()
        except GearmanServerError as exc:
            log.info("%s", exc)
            continue
        counts[str(server)] = sum(status.workers for status in statuses if status.name == function)
    return counts


def _probe(server: GearmanServer, timeout: float, tls: TLSConfig | None) -> str | None:
    """None if a connection to ``server`` opens (with the TLS handshake, if
    configured: gear's server stalls its accept loop for a second after a
    connection that skips the handshake), else why not."""
    try:
        with AdminClient(server, tls, timeout):
            return None
    except GearmanServerError as exc:
        return exc.message


def _keep_gear_quiet() -> None:
    # gear logs a refused connection or a lost server at ERROR with a
    # traceback. Without a handler of its own Python's last-resort handler
    # would print those on stderr; the commands report failures in one line
    # instead, and --log-level (a root handler) still shows gear's records.
    gear_log = logging.getLogger("gear")
    if not gear_log.handlers:
        gear_log.addHandler(logging.NullHandler())


def _address(connection: gear.Connection) -> GearmanServer:
    return GearmanServer(connection.host, connection.port)


def _int_or_none(value: bytes | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
