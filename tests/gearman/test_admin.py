"""The admin-protocol client against gearmand and gear's server: parsing, cancel, and errors naming the server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import gear
import pytest

from controller.config import GearmanServer
from controller.errors import GearmanServerError
from controller.gearman.admin import AdminClient, FunctionStatus
from tests.gearman_servers import HOST, ServerProcess, TLSFiles
from tests.ports import free_port


def _worker(server: ServerProcess, client_id: str, *functions: str) -> gear.Worker:
    worker = gear.Worker(client_id)
    worker.addServer(server.host, server.port)
    worker.waitForServer(5)
    for function in functions:
        worker.registerFunction(function)
    return worker


def _client(server: ServerProcess) -> gear.Client:
    client = gear.Client("admin-test")
    client.addServer(server.host, server.port)
    client.waitForServer(5)
    return client


def _eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def _status(server: ServerProcess) -> dict[str, FunctionStatus]:
    with AdminClient(server.server) as admin:
        return {status.name: status for status in admin.status()}


@pytest.fixture
def shutdown_after() -> Iterator[list]:
    """gear clients and workers to shut down at teardown."""
    objects: list = []
    yield objects
    for thing in objects:
        thing.shutdown()


def test_status_counts_queued_running_jobs_and_workers_per_function(gearman_server, shutdown_after):
    executor = _worker(gearman_server, "agent1_exec-0", "build:a", "build:b")
    other = _worker(gearman_server, "agent2_exec-0", "build:a")
    client = _client(gearman_server)
    shutdown_after += [executor, other, client]
    for unique in ("q1", "q2"):
        client.submitJob(gear.Job("build:none", b"{}", unique=unique))
    client.submitJob(gear.Job("build:b", b"{}", unique="r1"))
    running = executor.getJob()  # build:b is the only job it can take

    _eventually(lambda: _status(gearman_server).get("build:a", FunctionStatus("", 0, 0, 0)).workers == 2)
    status = _status(gearman_server)
    assert status["build:a"] == FunctionStatus("build:a", queued=0, running=0, workers=2)
    assert status["build:b"] == FunctionStatus("build:b", queued=1, running=1, workers=1)
    assert status["build:none"] == FunctionStatus("build:none", queued=2, running=0, workers=0)
    running.sendWorkComplete(b"")


def test_workers_lists_client_ids_functions_and_a_dash_for_anonymous_connections(gearman_server, shutdown_after):
    executor = _worker(gearman_server, "agent1_exec-0", "build:a", "build:a:linux")
    shutdown_after.append(executor)
    anonymous = socket.create_connection((gearman_server.host, gearman_server.port))
    try:

        def listed() -> list:
            with AdminClient(gearman_server.server) as admin:
                return admin.workers()

        _eventually(lambda: any(w.client_id == "agent1_exec-0" and w.functions for w in listed()))
        workers = listed()
        named = [w for w in workers if w.client_id == "agent1_exec-0"]
        assert len(named) == 1
        assert sorted(named[0].functions) == ["build:a", "build:a:linux"]
        assert named[0].ip == HOST and named[0].fd > 0
        # The anonymous socket and this admin connection: no SET_CLIENT_ID, no functions.
        assert len([w for w in workers if w.client_id == "-" and w.functions == ()]) >= 2
    finally:
        anonymous.close()


def test_version_names_the_server_software(gearman_server):
    with AdminClient(gearman_server.server) as admin:
        version = admin.version()
    if gearman_server.kind == "gearmand":
        assert version.startswith("1.1.")
    else:
        assert version == "gear-0.16.0"  # added by EmbeddedGearmanServer; plain gear.Server does not answer


def test_cancel_job_keeps_a_queued_job_from_any_worker(gearman_server, shutdown_after):
    client = _client(gearman_server)
    shutdown_after.append(client)
    cancelled = gear.Job("build:c", b"{}", unique="cancelled")
    kept = gear.Job("build:c", b"{}", unique="kept")
    client.submitJob(cancelled)
    client.submitJob(kept)

    with AdminClient(gearman_server.server) as admin:
        assert admin.cancel_job(cancelled.handle) is True
        assert admin.cancel_job("H:nowhere:999") is False

    worker = _worker(gearman_server, "agent1_exec-0", "build:c")
    shutdown_after.append(worker)
    taken = worker.getJob()
    assert taken.unique == b"kept"
    taken.sendWorkComplete(b"done")
    _eventually(lambda: kept.complete)
    if gearman_server.kind == "gearmand":
        assert cancelled.complete and cancelled.failure  # gearmand tells the client: WORK_FAIL
    else:
        assert not cancelled.complete  # gear's server tells the client nothing


def test_refused_connection_is_one_error_naming_the_server():
    port = free_port()
    with pytest.raises(GearmanServerError) as error, AdminClient(GearmanServer(HOST, port)) as admin:
        admin.status()
    assert (
        str(error.value)
        == f"gearman server {HOST}:{port}: connection refused (is the Gearman server running on that port?)"
    )


def test_a_server_that_does_not_answer_times_out_naming_the_server(gearman_server):
    gearman_server.pause()
    with pytest.raises(GearmanServerError) as error, AdminClient(gearman_server.server, timeout=0.3) as admin:
        admin.status()
    assert str(error.value) == f"gearman server {gearman_server.address}: no answer to `status` within 0.3 s"


@pytest.fixture
def scripted_server() -> Iterator[Callable[[bytes], GearmanServer]]:
    """A TCP server that answers every connection with fixed bytes."""
    listeners = []

    def start(answer: bytes) -> GearmanServer:
        listener = socket.create_server((HOST, 0))
        listeners.append(listener)

        def serve() -> None:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(answer)
                time.sleep(0.5)

        threading.Thread(target=serve, daemon=True).start()
        return GearmanServer(HOST, listener.getsockname()[1])

    yield start
    for listener in listeners:
        listener.close()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"build:a\t1\t0\n.\n", "garbled answer to `status`: b'build:a\\t1\\t0'"),
        (b"build:a\tone\t0\t1\n.\n", "garbled answer to `status`: b'build:a\\tone\\t0\\t1'"),
        (
            b"ERR UNKNOWN_COMMAND Unknown+server+command\r\n",
            "`status` refused: ERR UNKNOWN_COMMAND Unknown+server+command",
        ),
        (b"build:a\t1\t0\t1\n", "closed the connection while answering `status`"),
    ],
    ids=["missing-column", "not-a-number", "err-line", "no-end-line"],
)
def test_a_bad_status_answer_is_one_error_naming_the_server(scripted_server, answer, message):
    server = scripted_server(answer)
    with pytest.raises(GearmanServerError) as error, AdminClient(server, timeout=2) as admin:
        admin.status()
    assert str(error.value) == f"gearman server {server}: {message}"


def test_admin_over_tls_needs_a_client_certificate_from_the_servers_ca(tls_gear_server, gearman_tls: TLSFiles):
    with AdminClient(tls_gear_server.server, gearman_tls.client) as admin:
        assert admin.version() == "gear-0.16.0"
        assert admin.workers()[0].client_id == "-"
    with pytest.raises(GearmanServerError) as error, AdminClient(tls_gear_server.server, gearman_tls.untrusted_client):
        pass
    assert str(error.value).startswith(f"gearman server {tls_gear_server.address}: TLS handshake failed: ")
