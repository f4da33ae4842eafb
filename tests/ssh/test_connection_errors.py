"""Host keys, authentication and unreachable hosts: each refused with one clear line, nothing written."""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from controller.errors import SSHError
from controller.ssh_transport import install_file
from tests.sshd import SSHDServer, known_hosts_line, write_ed25519_key

AGENT = "init.groovy.d/gearman-jenkins-agent.groovy"


def openssh_fingerprint(public_key: Path) -> str:
    # "256 SHA256:... comment (ED25519)", as OpenSSH itself prints it.
    return subprocess.run(
        ["ssh-keygen", "-lf", str(public_key)], capture_output=True, text=True, check=True
    ).stdout.split()[1]


@pytest.fixture
def closed_port() -> Iterator[int]:
    # Bound but not listening: connecting is refused, and no other process can take the port meanwhile.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


def test_unknown_host_key_is_refused_with_its_fingerprint_and_how_to_accept_it(
    sshd_server: SSHDServer, ssh_jenkins_home: Path
):
    ssh = dataclasses.replace(
        sshd_server.ssh_config(ssh_jenkins_home), known_hosts=sshd_server.known_hosts_without_server
    )

    with pytest.raises(SSHError) as error:
        install_file(ssh, AGENT, b"x")

    port = sshd_server.port
    fingerprint = openssh_fingerprint(sshd_server.host_public_key)
    assert str(error.value) == (
        f"ssh 127.0.0.1:{port}: unknown host key ED25519 {fingerprint} "
        f"(not in {sshd_server.known_hosts_without_server}); check that fingerprint with the host's administrator, "
        f"then accept it with `ssh-keyscan -p {port} 127.0.0.1 >> {sshd_server.known_hosts_without_server}`"
    )
    assert os.listdir(ssh_jenkins_home) == []


def test_following_the_keyscan_hint_makes_the_host_known(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, tmp_path: Path
):
    known_hosts = tmp_path / "known_hosts"
    with known_hosts.open("a") as appended:  # exactly what the hint says: ssh-keyscan ... >> known_hosts
        subprocess.run(["ssh-keyscan", "-p", str(sshd_server.port), "127.0.0.1"], stdout=appended, check=True)

    install_file(dataclasses.replace(sshd_server.ssh_config(ssh_jenkins_home), known_hosts=known_hosts), AGENT, b"x")

    assert (ssh_jenkins_home / AGENT).read_bytes() == b"x"


def test_changed_host_key_is_refused_loudly(sshd_server: SSHDServer, ssh_jenkins_home: Path, tmp_path: Path):
    impostor = write_ed25519_key(tmp_path / "old_host_key", "old")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(known_hosts_line("127.0.0.1", sshd_server.port, impostor))
    ssh = dataclasses.replace(sshd_server.ssh_config(ssh_jenkins_home), known_hosts=known_hosts)

    with pytest.raises(SSHError) as error:
        install_file(ssh, AGENT, b"x")

    message = str(error.value)
    assert message.startswith(f"ssh 127.0.0.1:{sshd_server.port}: HOST KEY CHANGED! ")
    assert f"presented ED25519 {openssh_fingerprint(sshd_server.host_public_key)}" in message
    assert f"known_hosts has ED25519 {openssh_fingerprint(tmp_path / 'old_host_key.pub')}" in message
    assert "man-in-the-middle" in message
    assert "\n" not in message
    assert os.listdir(ssh_jenkins_home) == []


def test_wrong_client_key_fails_authentication_naming_user_host_and_key(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, tmp_path: Path
):
    write_ed25519_key(tmp_path / "stranger", "not authorized")
    ssh = dataclasses.replace(sshd_server.ssh_config(ssh_jenkins_home), key=tmp_path / "stranger")

    with pytest.raises(SSHError) as error:
        install_file(ssh, AGENT, b"x")

    assert str(error.value) == (
        f"ssh 127.0.0.1:{sshd_server.port}: authentication failed for {sshd_server.user}@127.0.0.1 "
        f"with key {tmp_path / 'stranger'}"
    )
    assert os.listdir(ssh_jenkins_home) == []


def test_passphrase_protected_key_is_refused_with_advice(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, tmp_path: Path
):
    protected = tmp_path / "protected"
    protected.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.BestAvailableEncryption(b"correct horse"),
        )
    )
    ssh = dataclasses.replace(sshd_server.ssh_config(ssh_jenkins_home), key=protected)

    with pytest.raises(
        SSHError, match=re.escape(f"key {protected} is protected by a passphrase; load it into ssh-agent")
    ):
        install_file(ssh, AGENT, b"x")


def test_closed_port_is_reported_as_connection_refused(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, closed_port: int
):
    ssh = dataclasses.replace(sshd_server.ssh_config(ssh_jenkins_home), port=closed_port)

    with pytest.raises(SSHError) as error:
        install_file(ssh, AGENT, b"x")

    assert str(error.value) == (
        f"ssh 127.0.0.1:{closed_port}: connection refused (is sshd running, is the port right?)"
    )


def test_server_that_never_speaks_ssh_times_out_naming_host_and_port(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel completes the handshake; nothing ever answers
        port = silent.getsockname()[1]
        ssh = dataclasses.replace(sshd_server.ssh_config(ssh_jenkins_home), port=port)

        with pytest.raises(SSHError, match=rf"^ssh 127\.0\.0\.1:{port}: SSH handshake failed within 0\.5 s"):
            install_file(ssh, AGENT, b"x", connect_timeout=0.5)
