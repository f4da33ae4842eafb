"""A real OpenSSH server on loopback, for the tests of the SSH deploy.

``running_sshd()`` starts Debian's ``/usr/sbin/sshd -D -e`` on 127.0.0.1 and
a free port with its own config, its own ed25519 host key and key-only
authentication with a freshly generated client key, and stops it on exit.
Nothing here touches the system's sshd, its config, host keys or
~/.ssh; the only system change is creating sshd's privilege-separation
directory (/run/sshd) when running as root and it is missing.

When run as root, the server also accepts the same client key for the
unprivileged user ``nobody``, so that permission errors can be provoked for
real (root may write anywhere). Everything it reads as that user lives in a
world-traversable temporary directory for that reason.
"""

from __future__ import annotations

import getpass
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from controller.config import SSHConfig
from tests.ports import free_port

SSHD = Path("/usr/sbin/sshd")
PRIVSEP_DIRECTORY = Path("/run/sshd")
HOST = "127.0.0.1"
START_TIMEOUT = 5.0
UNPRIVILEGED_USER_WHEN_ROOT = "nobody"


@dataclass(frozen=True)
class SSHDServer:
    host: str
    port: int
    user: str
    client_key: Path
    known_hosts: Path
    known_hosts_without_server: Path
    host_public_key: Path
    # A user that cannot write where the test user can: "nobody" under root,
    # else the test user itself (a 0555 directory stops it). None if unavailable.
    unprivileged_user: str | None
    workdir: Path
    log_path: Path

    def ssh_config(self, jenkins_home: Path | str, user: str | None = None) -> SSHConfig:
        """An SSHConfig for this server, authenticating with the generated client key."""
        return SSHConfig(
            host=self.host,
            user=user or self.user,
            jenkins_home=str(jenkins_home),
            port=self.port,
            key=self.client_key,
            known_hosts=self.known_hosts,
        )

    def new_directory(self, name: str) -> Path:
        """A fresh directory that the unprivileged user can reach (pytest's tmp_path is 0700 under root)."""
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir / "homes"))
        path.chmod(0o755)
        return path

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


def write_ed25519_key(private_path: Path, comment: str) -> str:
    """Write a new unencrypted ed25519 key in OpenSSH format (0600) and its .pub; return the public line."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    line = f"{public.decode()} {comment}\n"
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private)
    private_path.with_name(private_path.name + ".pub").write_text(line)
    return line


def known_hosts_line(host: str, port: int, public_line: str) -> str:
    key_type, key_data = public_line.split()[:2]
    return f"[{host}]:{port} {key_type} {key_data}\n"


def remove_tree(path: Path) -> None:
    """rmtree that also works when a test left a directory read-only."""
    for directory, _, _ in os.walk(path):
        os.chmod(directory, 0o700)
    shutil.rmtree(path, ignore_errors=True)


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return getpass.getuser()
    try:
        pwd.getpwnam(UNPRIVILEGED_USER_WHEN_ROOT)
    except KeyError:
        return None
    return UNPRIVILEGED_USER_WHEN_ROOT


def _config(workdir: Path, port: int, users: list[str]) -> str:
    return f"""\
ListenAddress {HOST}
Port {port}
HostKey {workdir / "ssh_host_ed25519_key"}
PidFile none
AuthorizedKeysFile {workdir / "authorized_keys"}/%u
AllowUsers {" ".join(users)}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
# Strict modes would refuse the authorized keys: they sit under /tmp (world-writable)
# and, for nobody, in root's directory.
StrictModes no
UseDNS no
Subsystem sftp internal-sftp
LogLevel VERBOSE
"""


@contextmanager
def running_sshd() -> Iterator[SSHDServer]:
    """Start a private sshd on loopback; yield how to reach it; stop it and remove its files."""
    if not SSHD.exists():
        raise RuntimeError(f"{SSHD} not found: install Debian's openssh-server")
    if os.geteuid() == 0:
        # sshd refuses to start as root without its privilege-separation directory.
        PRIVSEP_DIRECTORY.mkdir(mode=0o755, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="gearman-jenkins-sshd-"))
    workdir.chmod(0o755)
    try:
        yield from _serve(workdir)
    finally:
        remove_tree(workdir)


def _serve(workdir: Path) -> Iterator[SSHDServer]:
    (workdir / "homes").mkdir(mode=0o755)
    host_public = write_ed25519_key(workdir / "ssh_host_ed25519_key", "gearman-jenkins-test-host")
    client_public = write_ed25519_key(workdir / "client_ed25519", "gearman-jenkins-test-client")
    user = getpass.getuser()
    unprivileged = _unprivileged_user()
    users = sorted({user, unprivileged} - {None})
    (workdir / "authorized_keys").mkdir(mode=0o755)
    for name in users:
        (workdir / "authorized_keys" / name).write_text(client_public)
    (workdir / "known_hosts_without_server").write_text("")
    log_path = workdir / "sshd.log"
    for _ in range(3):  # another process may take the free port before sshd binds it
        port = free_port()
        (workdir / "sshd_config").write_text(_config(workdir, port, users))
        process = _start(workdir, log_path)
        if _wait_listening(process, log_path, port):
            break
        _stop(process)
        if "Address already in use" not in log_path.read_text(errors="replace"):
            raise RuntimeError(f"sshd did not start:\n{log_path.read_text(errors='replace')}")
    else:
        raise RuntimeError(f"sshd found no free port:\n{log_path.read_text(errors='replace')}")
    (workdir / "known_hosts").write_text(known_hosts_line(HOST, port, host_public))
    try:
        yield SSHDServer(
            host=HOST,
            port=port,
            user=user,
            client_key=workdir / "client_ed25519",
            known_hosts=workdir / "known_hosts",
            known_hosts_without_server=workdir / "known_hosts_without_server",
            host_public_key=workdir / "ssh_host_ed25519_key.pub",
            unprivileged_user=unprivileged,
            workdir=workdir,
            log_path=log_path,
        )
    finally:
        _stop(process)


def _start(workdir: Path, log_path: Path) -> subprocess.Popen:
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(workdir / "sshd_config")],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )


def _wait_listening(process: subprocess.Popen, log_path: Path, port: int) -> bool:
    ready = f"Server listening on {HOST} port {port}."
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if ready in log_path.read_text(errors="replace"):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def _stop(process: subprocess.Popen) -> None:
    # Only the listener: sshd puts each connection in its own session, and
    # those end when their client disconnects.
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
