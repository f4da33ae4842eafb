"""install_file, remove_file and read_file against a real sshd on loopback (tests/sshd.py)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from controller import ssh_transport
from controller.errors import SSHError
from controller.ssh_transport import Outcome, install_file, read_file, remove_file
from tests.sshd import SSHDServer

AGENT = "init.groovy.d/gearman-jenkins-agent.groovy"
IS_ROOT = os.geteuid() == 0
# Root can give files to any owner, so the tests can prove ownership is copied
# from another user; otherwise only the test user's own ids are possible.
OTHER_OWNER = (12345, 23456) if IS_ROOT else (os.getuid(), os.getgid())


def owner_and_mode(path: Path) -> tuple[int, int, int]:
    attributes = path.stat()
    return attributes.st_uid, attributes.st_gid, stat.S_IMODE(attributes.st_mode)


def test_new_file_is_created_with_mode_0644_in_a_created_directory(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    ssh = sshd_server.ssh_config(ssh_jenkins_home)

    result = install_file(ssh, AGENT, b"println 'agent'\n")

    target = ssh_jenkins_home / AGENT
    assert target.read_bytes() == b"println 'agent'\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o755
    assert result.outcome is Outcome.CREATED
    assert result.path == str(target)
    assert result.size == len(b"println 'agent'\n")
    assert result.created_directories == (str(target.parent),)
    assert result.warnings == ()
    assert os.listdir(target.parent) == [target.name], "no temporary file may be left behind"


def test_created_directory_and_file_are_owned_like_jenkins_home(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    os.chown(ssh_jenkins_home, *OTHER_OWNER)

    install_file(sshd_server.ssh_config(ssh_jenkins_home), AGENT, b"x")

    assert owner_and_mode(ssh_jenkins_home / "init.groovy.d") == (*OTHER_OWNER, 0o755)
    assert owner_and_mode(ssh_jenkins_home / AGENT) == (*OTHER_OWNER, 0o644)


def test_replacing_keeps_the_old_files_mode_and_owner(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    target = ssh_jenkins_home / AGENT
    target.parent.mkdir()
    target.write_bytes(b"old agent")
    target.chmod(0o640)
    os.chown(target, *OTHER_OWNER)

    result = install_file(sshd_server.ssh_config(ssh_jenkins_home), AGENT, b"new agent, longer")

    assert result.outcome is Outcome.REPLACED
    assert result.created_directories == ()
    assert target.read_bytes() == b"new agent, longer"
    assert owner_and_mode(target) == (*OTHER_OWNER, 0o640)
    assert os.listdir(target.parent) == [target.name]


def test_identical_content_is_not_rewritten(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    ssh = sshd_server.ssh_config(ssh_jenkins_home)
    install_file(ssh, AGENT, b"same")
    before = (ssh_jenkins_home / AGENT).stat()

    result = install_file(ssh, AGENT, b"same")

    after = (ssh_jenkins_home / AGENT).stat()
    assert result.outcome is Outcome.UNCHANGED
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_concurrent_reader_sees_only_complete_old_or_new_content(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    # Sizes differ, so a truncated or half-written file cannot pass for a version.
    versions = [bytes([ord("a") + index]) * (1_000_000 + index * 65_536) for index in range(8)]
    ssh = sshd_server.ssh_config(ssh_jenkins_home)
    install_file(ssh, AGENT, versions[0])
    target = ssh_jenkins_home / AGENT
    seen: list[bytes] = []
    problems: list[str] = []
    done = threading.Event()

    def hammer() -> None:
        while not done.is_set():
            try:
                content = target.read_bytes()
            except FileNotFoundError:
                problems.append("target missing")
                continue
            if content not in versions:
                problems.append(f"partial content: {len(content)} bytes starting {content[:1]!r}")
            elif not seen or seen[-1] != content:
                seen.append(content)

    reader = threading.Thread(target=hammer)
    reader.start()
    try:
        for version in versions[1:]:
            install_file(ssh, AGENT, version)
    finally:
        done.set()
        reader.join()

    assert problems == []
    # The reader may stop before it reads the last version; the file has it.
    assert target.read_bytes() == versions[-1]
    assert [versions.index(content) for content in seen] == sorted(versions.index(content) for content in seen)
    assert len(seen) >= 3, "the reader must have overlapped several writes to prove anything"
    assert os.listdir(target.parent) == [target.name]


def test_without_posix_rename_a_new_file_is_still_created(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, monkeypatch: pytest.MonkeyPatch
):
    # OpenSSH always offers posix-rename; the transport is made to look for a
    # name the server does not offer, so the fallback runs against real sshd.
    monkeypatch.setattr(ssh_transport, "POSIX_RENAME", "posix-rename@not-offered.invalid")

    result = install_file(sshd_server.ssh_config(ssh_jenkins_home), AGENT, b"new")

    assert result.outcome is Outcome.CREATED
    assert (ssh_jenkins_home / AGENT).read_bytes() == b"new"


def test_without_posix_rename_an_existing_file_is_left_whole(
    sshd_server: SSHDServer, ssh_jenkins_home: Path, monkeypatch: pytest.MonkeyPatch
):
    # OpenSSH's plain SFTP rename refuses to overwrite, as the SFTP draft says.
    ssh = sshd_server.ssh_config(ssh_jenkins_home)
    install_file(ssh, AGENT, b"old")
    monkeypatch.setattr(ssh_transport, "POSIX_RENAME", "posix-rename@not-offered.invalid")

    with pytest.raises(SSHError, match=r"cannot replace .* atomically.*old file is unchanged"):
        install_file(ssh, AGENT, b"new")

    assert (ssh_jenkins_home / AGENT).read_bytes() == b"old"
    assert os.listdir(ssh_jenkins_home / "init.groovy.d") == ["gearman-jenkins-agent.groovy"]


def test_remove_file_removes_and_reports_whether_it_was_there(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    ssh = sshd_server.ssh_config(ssh_jenkins_home)
    install_file(ssh, AGENT, b"agent")

    assert remove_file(ssh, AGENT) is True
    assert not (ssh_jenkins_home / AGENT).exists()
    assert remove_file(ssh, AGENT) is False
    assert remove_file(ssh, "no-such-directory/agent.groovy") is False


def test_read_file_returns_the_content_or_none(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    ssh = sshd_server.ssh_config(ssh_jenkins_home)
    assert read_file(ssh, AGENT) is None
    install_file(ssh, AGENT, b"\x00binary\xff and text\n")
    assert read_file(ssh, AGENT) == b"\x00binary\xff and text\n"


def test_missing_jenkins_home_is_reported_and_not_created(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    missing = ssh_jenkins_home / "var-lib-jenkins"
    ssh = sshd_server.ssh_config(missing)

    for operation in (lambda: install_file(ssh, AGENT, b"x"), lambda: read_file(ssh, AGENT)):
        with pytest.raises(SSHError) as error:
            operation()
        assert str(error.value) == (
            f"ssh 127.0.0.1:{sshd_server.port}: jenkins_home {missing} does not exist on 127.0.0.1"
        )
    assert not missing.exists()


def test_paths_outside_jenkins_home_are_refused(sshd_server: SSHDServer, ssh_jenkins_home: Path):
    ssh = sshd_server.ssh_config(ssh_jenkins_home)
    for path in ("../escape.groovy", "/etc/passwd", ""):
        with pytest.raises(ValueError, match="inside jenkins_home"):
            install_file(ssh, path, b"x")
