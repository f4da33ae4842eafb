"""What systemd sees of the controller: sd_notify messages, journald-style log lines, warnings.

The real controller process runs as systemd would run it: ``$NOTIFY_SOCKET``
naming a datagram socket this test reads (as systemd does for Type=notify),
``$JOURNAL_STREAM`` naming the file its stderr goes to (as systemd does for a
journald stream). Its one master is unreachable: none of this needs one.
"""

from __future__ import annotations

import re
import signal
import socket
import uuid
from pathlib import Path

import pytest
import yaml

from tests.controller_harness import ControllerProcess, wait_until
from tests.gearman_servers import free_port


def write_config(tmp_path: Path, server, token_mode: int = 0o600, **options) -> Path:
    token = tmp_path / "down.token"
    token.write_text("0123456789abcdef\n")
    token.chmod(token_mode)
    config = tmp_path / "controller.yaml"
    master = {"name": "down", "url": f"http://127.0.0.1:{free_port()}/", "user": "gearman", "token_file": token.name}
    config.write_text(
        yaml.safe_dump({"gearman": {"servers": [server.address]}, "masters": [master], "options": options})
    )
    return config


@pytest.fixture
def notify_socket():
    name = f"gearman-jenkins-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)  # the abstract namespace, as "@name" in $NOTIFY_SOCKET
    sock.settimeout(15)
    yield sock, "@" + name
    sock.close()


def receive(sock: socket.socket) -> dict[str, str]:
    return dict(line.split("=", 1) for line in sock.recv(4096).decode().splitlines())


def test_systemd_hears_ready_reloading_and_stopping(tmp_path, gearmand, notify_socket):
    sock, address = notify_socket
    config = write_config(tmp_path, gearmand)
    controller = ControllerProcess(config, tmp_path / "controller.log", env={"NOTIFY_SOCKET": address}).start()
    try:
        assert receive(sock) == {"READY": "1", "STATUS": "serving 1 master: down"}

        controller.process.send_signal(signal.SIGHUP)
        reloading = receive(sock)
        assert reloading["RELOADING"] == "1" and int(reloading["MONOTONIC_USEC"]) > 0
        assert receive(sock) == {"READY": "1", "STATUS": "serving 1 master: down"}

        config.write_text("masters: {}\n")
        controller.process.send_signal(signal.SIGHUP)
        assert "RELOADING" in receive(sock)
        failed = receive(sock)
        assert failed["READY"] == "1"
        assert failed["STATUS"].startswith(f"config reload failed: {config} line 1: masters: expected a list")
        assert failed["STATUS"].endswith("; serving 1 master: down")

        controller.process.send_signal(signal.SIGTERM)
        assert receive(sock) == {"STOPPING": "1", "STATUS": "stopping: waiting for running builds to report"}
        assert controller.process.wait(30) == 0
    finally:
        controller.stop()


def test_under_journald_a_line_is_the_priority_level_logger_and_message(tmp_path, gearmand):
    config = write_config(tmp_path, gearmand, token_mode=0o644)
    log = tmp_path / "controller.log"
    log.touch()
    stream = log.stat()
    env = {"JOURNAL_STREAM": f"{stream.st_dev}:{stream.st_ino}"}
    controller = ControllerProcess(config, log, env=env).start()
    try:
        wait_until(lambda: "master down: cannot reach" in controller.log(), 30, "the master to be found down")
        controller.process.send_signal(signal.SIGUSR1)
        wait_until(lambda: "state: master down" in controller.log(), 10, "the state dump")
    finally:
        controller.stop()
    lines = controller.log().splitlines()
    token = tmp_path / "down.token"
    assert (
        f"<4>WARNING gearman_jenkins.daemon: config {config}: masters[0].token_file: {token} is accessible" in lines[0]
    )
    assert any(line.startswith("<6>INFO gearman_jenkins.daemon: controller started: 1 masters") for line in lines)
    assert any(line.startswith("<3>ERROR gearman_jenkins.master: master down: cannot reach") for line in lines)
    assert all(re.match(r"<[2-7]>(DEBUG|INFO|WARNING|ERROR|CRITICAL) gearman_jenkins\.\w+: ", line) for line in lines)


def test_elsewhere_a_line_starts_with_its_time(tmp_path, gearmand):
    """$JOURNAL_STREAM inherited from a parent whose stderr went to journald does not count."""
    config = write_config(tmp_path, gearmand)
    controller = ControllerProcess(config, tmp_path / "controller.log", env={"JOURNAL_STREAM": "8:12345"}).start()
    try:
        wait_until(lambda: "controller started" in controller.log(), 30, "the controller to start")
    finally:
        controller.stop()
    [started] = [line for line in controller.log().splitlines() if "controller started" in line]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO gearman_jenkins.daemon: controller started", started)


def test_exposed_secret_files_are_logged_at_start_and_at_each_reload(tmp_path, gearmand):
    config = write_config(tmp_path, gearmand, token_mode=0o640)
    controller = ControllerProcess(config, tmp_path / "controller.log").start()
    try:
        wait_until(lambda: "controller started" in controller.log(), 30, "the controller to start")
        controller.reload()
        (tmp_path / "down.token").chmod(0o600)
        controller.reload()
    finally:
        controller.stop()
    token = tmp_path / "down.token"
    warnings = [line for line in controller.log().splitlines() if "is accessible by" in line]
    assert len(warnings) == 2, warnings
    for line in warnings:
        assert line.endswith(f"masters[0].token_file: {token} is accessible by group (mode 0640); chmod 600 {token}")
        assert " WARNING gearman_jenkins.daemon: " in line
