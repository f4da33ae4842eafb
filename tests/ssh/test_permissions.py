"""Permission errors on the master host, provoked for real against a real sshd.

Root may write anywhere, so a 0555 directory proves nothing when the SSH user
is root. The server in tests/sshd.py therefore also lets ``nobody`` log in when
the suite runs as root, and these tests connect as ``sshd_server.unprivileged_user``:
``nobody`` under root (denied by ownership), the test user otherwise (denied
by the 0555 or 0000 mode). No mock stands in for sshd or the file system.
"""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path

import pytest

from controller.errors import SSHError
from controller.ssh_transport import install_file, read_file
from tests.sshd import SSHDServer

AGENT = "init.groovy.d/gearman-jenkins-agent.groovy"


@pytest.fixture
def unprivileged_user(sshd_server: SSHDServer) -> str:
    if sshd_server.unprivileged_user is None:
        pytest.skip("running as root and there is no user 'nobody' to log in as")
    return sshd_server.unprivileged_user


def test_unwritable_directory_is_reported_with_its_path(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, unprivileged_user: str
):
    directory = ssh_jenkins_home / "init.groovy.d"
    directory.mkdir(mode=0o555)
    directory.chmod(0o555)

    with pytest.raises(SSHError) as error:
        install_file(sshd_server.ssh_config(ssh_jenkins_home, user=unprivileged_user), AGENT, b"x")

    assert str(error.value) == (
        f"ssh 127.0.0.1:{sshd_server.port}: permission denied creating a file in {directory} "
        f"(as user {unprivileged_user})"
    )
    assert os.listdir(directory) == []


def test_directory_that_cannot_be_created_is_reported_with_its_path(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, unprivileged_user: str
):
    ssh_jenkins_home.chmod(0o555)

    with pytest.raises(SSHError) as error:
        install_file(sshd_server.ssh_config(ssh_jenkins_home, user=unprivileged_user), AGENT, b"x")

    assert str(error.value) == (
        f"ssh 127.0.0.1:{sshd_server.port}: permission denied creating directory {ssh_jenkins_home / 'init.groovy.d'} "
        f"(as user {unprivileged_user})"
    )


def test_unreadable_file_is_reported_with_its_path(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, unprivileged_user: str
):
    target = ssh_jenkins_home / AGENT
    target.parent.mkdir()
    target.write_bytes(b"secret agent")
    target.chmod(0o000)

    with pytest.raises(SSHError, match=re.escape(f"permission denied reading {target} (as user {unprivileged_user})")):
        read_file(sshd_server.ssh_config(ssh_jenkins_home, user=unprivileged_user), AGENT)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs a file owned by another user than the SSH user")
def test_owner_that_cannot_be_kept_is_reported_and_the_file_still_replaced(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, unprivileged_user: str
):
    # A shared directory: the unprivileged user may replace root's file but not give the new one to root.
    target = ssh_jenkins_home / AGENT
    target.parent.mkdir()
    target.parent.chmod(0o777)
    target.write_bytes(b"old")

    result = install_file(sshd_server.ssh_config(ssh_jenkins_home, user=unprivileged_user), AGENT, b"new")

    nobody = pwd.getpwnam(unprivileged_user)
    assert target.read_bytes() == b"new"
    assert (target.stat().st_uid, target.stat().st_gid) == (nobody.pw_uid, nobody.pw_gid)
    assert result.warnings == (
        f"{target} is owned by {nobody.pw_uid}:{nobody.pw_gid} (user {unprivileged_user}), not 0:0: "
        "not permitted to change its owner",
    )
