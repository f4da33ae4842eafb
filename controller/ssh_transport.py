"""Files in a master host's ``$JENKINS_HOME`` over SSH/SFTP (paramiko).

``deploy --via ssh`` writes the rendered agent into
``$JENKINS_HOME/init.groovy.d/`` so that a restarted master loads it at boot;
``undeploy --via ssh`` removes it. This module is that transport and nothing
more: it knows nothing about agents or templates.

What it guarantees:
- The target is replaced atomically: content goes to a temporary name in the
  same directory (a name Jenkins' init loader ignores, as it does not end in
  ``.groovy``) and is renamed over the target. A reader, or a Jenkins booting
  at that moment, sees the old file or the new one, never a missing or
  half-written one.
- A replaced file keeps its mode and owner; a new one gets the directory's
  owner and mode 0644. Identical content is not rewritten.
- Host keys are checked against known_hosts and an unknown or changed key is
  refused; nothing is ever added to known_hosts.
- Every failure is one ``SSHError`` line naming host:port and the path or
  user@host concerned.

What it must never do: log, print or put in an error message a private key's
contents or a passphrase (only key paths and public fingerprints), nor run a
command on the remote host (SFTP only).
"""

from __future__ import annotations

import enum
import errno
import functools
import posixpath
import secrets
import socket
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import paramiko
from paramiko.message import Message
from paramiko.sftp import CMD_EXTENDED, CMD_INIT, CMD_VERSION, SFTPError

from controller.config import SSHConfig
from controller.errors import SSHError

DEFAULT_CONNECT_TIMEOUT = 10.0
# A server that stops answering mid-transfer must not hang deploy forever;
# one SFTP request on a live link takes far less than this.
OPERATION_TIMEOUT = 60.0
USER_KNOWN_HOSTS = Path("~/.ssh/known_hosts")
SYSTEM_KNOWN_HOSTS = Path("/etc/ssh/ssh_known_hosts")
NEW_FILE_MODE = 0o644
NEW_DIRECTORY_MODE = 0o755
POSIX_RENAME = "posix-rename@openssh.com"
FSYNC = "fsync@openssh.com"


class Outcome(enum.Enum):
    CREATED = "created"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class InstallResult:
    path: str
    size: int
    outcome: Outcome
    created_directories: tuple[str, ...] = ()
    # Ownership that could not be given (the SSH user may not chown); the file
    # is in place and readable, but an operator may want to know.
    warnings: tuple[str, ...] = ()


def install_file(
    ssh: SSHConfig, relative_path: str, content: bytes, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
) -> InstallResult:
    """Atomically write ``content`` to ``<jenkins_home>/<relative_path>`` on the SSH host."""
    relative = _checked_relative(relative_path)
    with _session(ssh, connect_timeout) as session:
        return session.install(relative, content)


def remove_file(ssh: SSHConfig, relative_path: str, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> bool:
    """Remove ``<jenkins_home>/<relative_path>``; False when it was not there."""
    relative = _checked_relative(relative_path)
    with _session(ssh, connect_timeout) as session:
        return session.remove(relative)


def read_file(ssh: SSHConfig, relative_path: str, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> bytes | None:
    """Content of ``<jenkins_home>/<relative_path>``, or None when it does not exist."""
    relative = _checked_relative(relative_path)
    with _session(ssh, connect_timeout) as session:
        return session.read(relative)


def _checked_relative(relative_path: str) -> str:
    # The path comes from our own code, never from a user; a bad one is a bug.
    path = PurePosixPath(relative_path)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"expected a path inside jenkins_home, got {relative_path!r}")
    return str(path)


def _address(ssh: SSHConfig) -> str:
    return f"[{ssh.host}]:{ssh.port}" if ":" in ssh.host else f"{ssh.host}:{ssh.port}"


class _SFTPClient(paramiko.SFTPClient):
    """paramiko's SFTP client that also remembers the extensions the server offers.

    paramiko reads the server's extension list in the version handshake and
    drops it, so it cannot tell whether posix-rename or fsync is available
    (an unsupported request fails with a status it does not map to an errno).
    This overrides that one handshake method of paramiko's (pinned) SFTP code.
    """

    extensions: frozenset[str] = frozenset()

    def _send_version(self) -> int:
        request = Message()
        request.add_int(3)
        self._send_packet(CMD_INIT, request)
        kind, data = self._read_packet()
        if kind != CMD_VERSION:
            raise SFTPError("Incompatible sftp protocol")
        reply = Message(data)
        version = reply.get_int()
        names = set()
        while reply.get_remainder():
            names.add(reply.get_text())
            reply.get_binary()
        self.extensions = frozenset(names)
        return version

    def fsync(self, handle: paramiko.SFTPFile) -> None:
        # paramiko has no call for this OpenSSH extension; it is a plain
        # extended request on the file's handle.
        self._request(CMD_EXTENDED, FSYNC, handle.handle)


@contextmanager
def _session(ssh: SSHConfig, connect_timeout: float) -> Iterator[_Session]:
    client = paramiko.SSHClient()
    try:
        known_hosts = _load_known_hosts(client, ssh)
        client.set_missing_host_key_policy(_RefuseUnknownHostKey(ssh, known_hosts))
        _connect(client, ssh, connect_timeout)
        with _translated(ssh, "opening an SFTP session to", _address(ssh)):
            channel = client.get_transport().open_session(timeout=connect_timeout)
            channel.settimeout(OPERATION_TIMEOUT)
            channel.invoke_subsystem("sftp")
            sftp = _SFTPClient(channel)
        with sftp:
            yield _Session(ssh, sftp)
    finally:
        client.close()


def _load_known_hosts(client: paramiko.SSHClient, ssh: SSHConfig) -> list[Path]:
    user_file = (ssh.known_hosts or USER_KNOWN_HOSTS).expanduser()
    if ssh.known_hosts is not None and not user_file.is_file():
        raise SSHError(_address(ssh), f"known_hosts file {user_file} does not exist")
    files = [path for path in (user_file, SYSTEM_KNOWN_HOSTS) if path.is_file()]
    for path in files:
        # "System" in paramiko's terms means read-only: nothing is ever saved back.
        try:
            client.load_system_host_keys(str(path))
        except OSError as exc:
            raise SSHError(_address(ssh), f"cannot read known_hosts file {path}: {exc.strerror}") from None
    return files


class _RefuseUnknownHostKey(paramiko.RejectPolicy):
    """RejectPolicy whose refusal tells the operator what key was offered and how to accept it."""

    def __init__(self, ssh: SSHConfig, known_hosts: list[Path]):
        self.ssh = ssh
        self.known_hosts = known_hosts

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        searched = " or ".join(str(path) for path in self.known_hosts) or "any known_hosts file"
        target = self.ssh.known_hosts or USER_KNOWN_HOSTS
        raise SSHError(
            _address(self.ssh),
            f"unknown host key {key.algorithm_name} {key.fingerprint} (not in {searched}); "
            "check that fingerprint with the host's administrator, then accept it with "
            f"`ssh-keyscan -p {self.ssh.port} {self.ssh.host} >> {target}`",
        )


def _connect(client: paramiko.SSHClient, ssh: SSHConfig, timeout: float) -> None:
    address = _address(ssh)
    pkey = _load_key(ssh.key, address) if ssh.key is not None else None
    try:
        client.connect(
            ssh.host,
            port=ssh.port,
            username=ssh.user,
            pkey=pkey,
            # With an explicit key, that key only; otherwise what `ssh` would try.
            allow_agent=pkey is None,
            look_for_keys=pkey is None,
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
        )
    except SSHError:
        raise
    except paramiko.BadHostKeyException as exc:
        raise SSHError(
            address,
            f"HOST KEY CHANGED! the host presented {exc.key.algorithm_name} {exc.key.fingerprint} but known_hosts "
            f"has {exc.expected_key.algorithm_name} {exc.expected_key.fingerprint}; this may be a man-in-the-middle "
            "attack, nothing was sent; if the host was really reinstalled, verify the new fingerprint with its "
            f"administrator and replace the old entry (`ssh-keygen -R '[{ssh.host}]:{ssh.port}'`)",
        ) from None
    except paramiko.AuthenticationException as exc:
        used = f"key {ssh.key}" if ssh.key is not None else "the ssh-agent and the default keys in ~/.ssh"
        allowed = getattr(exc, "allowed_types", None)
        offered = f"; the server accepts only {', '.join(allowed)}" if allowed else ""
        raise SSHError(address, f"authentication failed for {ssh.user}@{ssh.host} with {used}{offered}") from None
    except socket.gaierror as exc:
        raise SSHError(address, f"cannot resolve host name {ssh.host!r}: {exc.strerror}") from None
    except paramiko.ssh_exception.NoValidConnectionsError as exc:
        refused = all(error.errno == errno.ECONNREFUSED for error in exc.errors.values())
        reason = "connection refused (is sshd running, is the port right?)" if refused else "host unreachable"
        raise SSHError(address, reason) from None
    except TimeoutError:
        raise SSHError(address, f"no answer within {timeout:g} s") from None
    except paramiko.SSHException as exc:
        # The banner timeout lands here: something accepted the TCP connection but never spoke SSH.
        raise SSHError(address, f"SSH handshake failed within {timeout:g} s: {exc}") from None
    except OSError as exc:
        raise SSHError(address, f"cannot connect: {exc.strerror or exc}") from None
    # Each SFTP write waits for its status; with Nagle's algorithm against
    # delayed ACKs every round trip stalled (measured on loopback: 27 ms per
    # 32 KiB, a 1.2 MB file took 1.2 s; 0.15 s with TCP_NODELAY).
    client.get_transport().sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _load_key(path: Path, address: str) -> paramiko.PKey:
    # Messages name the path only: the exceptions of key parsers are not
    # promised to keep key material out of their text.
    try:
        return paramiko.PKey.from_path(path)
    except (paramiko.PasswordRequiredException, TypeError):
        # cryptography, under paramiko, signals a missing passphrase with TypeError.
        raise SSHError(
            address, f"key {path} is protected by a passphrase; load it into ssh-agent and leave ssh.key unset"
        ) from None
    except OSError as exc:
        raise SSHError(address, f"cannot read key {path}: {exc.strerror}") from None
    except (paramiko.SSHException, paramiko.UnknownKeyType, ValueError):
        raise SSHError(
            address, f"key {path} is not an RSA, ECDSA or Ed25519 private key in PEM or OpenSSH format"
        ) from None


@contextmanager
def _translated(ssh: SSHConfig, action: str, path: str) -> Iterator[None]:
    """Turn SFTP and transport failures inside the block into one SSHError naming the path."""
    address = _address(ssh)
    try:
        yield
    except SSHError:
        raise
    except PermissionError:
        raise SSHError(address, f"permission denied {action} {path} (as user {ssh.user})") from None
    except FileNotFoundError:
        raise SSHError(address, f"no such file or directory {action} {path}") from None
    except TimeoutError:
        raise SSHError(address, f"no answer within {OPERATION_TIMEOUT:g} s {action} {path}") from None
    except (OSError, EOFError, paramiko.SSHException) as exc:
        raise SSHError(address, f"failed {action} {path}: {exc}") from None


class _Session:
    """The file operations of one connection, relative to jenkins_home."""

    def __init__(self, ssh: SSHConfig, sftp: _SFTPClient):
        self.ssh = ssh
        self.sftp = sftp

    def install(self, relative_path: str, content: bytes) -> InstallResult:
        home = self._jenkins_home()
        target = posixpath.join(self.ssh.jenkins_home, relative_path)
        directory = posixpath.dirname(target)
        created, warnings = self._make_directories(relative_path, home)
        existing = self._stat(target)
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            raise SSHError(_address(self.ssh), f"{target} exists and is not a regular file")
        if existing is not None and existing.st_size == len(content) and self._read(target, existing) == content:
            return InstallResult(target, len(content), Outcome.UNCHANGED, created, warnings)
        if existing is not None:
            owner, mode = existing, stat.S_IMODE(existing.st_mode)
        else:
            owner, mode = self._stat(directory), NEW_FILE_MODE
        temporary = posixpath.join(directory, f".{posixpath.basename(target)}.{secrets.token_hex(6)}.tmp")
        try:
            warnings += self._write_temporary(temporary, content, mode, owner, target)
            self._rename_over(temporary, target, replacing=existing is not None)
        except BaseException:
            self._remove_quietly(temporary)
            raise
        outcome = Outcome.REPLACED if existing is not None else Outcome.CREATED
        return InstallResult(target, len(content), outcome, created, warnings)

    def remove(self, relative_path: str) -> bool:
        self._jenkins_home()
        target = posixpath.join(self.ssh.jenkins_home, relative_path)
        with _translated(self.ssh, "removing", target):
            try:
                self.sftp.remove(target)
            except FileNotFoundError:
                return False
        return True

    def read(self, relative_path: str) -> bytes | None:
        self._jenkins_home()
        target = posixpath.join(self.ssh.jenkins_home, relative_path)
        existing = self._stat(target)
        return None if existing is None else self._read(target, existing)

    def _jenkins_home(self) -> paramiko.SFTPAttributes:
        home = self.ssh.jenkins_home
        attributes = self._stat(home)
        if attributes is None:
            raise SSHError(_address(self.ssh), f"jenkins_home {home} does not exist on {self.ssh.host}")
        if not stat.S_ISDIR(attributes.st_mode):
            raise SSHError(_address(self.ssh), f"jenkins_home {home} is not a directory")
        return attributes

    def _stat(self, path: str) -> paramiko.SFTPAttributes | None:
        with _translated(self.ssh, "reading the attributes of", path):
            try:
                return self.sftp.stat(path)
            except FileNotFoundError:
                return None

    def _read(self, path: str, attributes: paramiko.SFTPAttributes) -> bytes:
        with _translated(self.ssh, "reading", path), self.sftp.open(path, "rb") as remote:
            remote.prefetch(attributes.st_size)
            return remote.read()

    def _make_directories(
        self, relative_path: str, home: paramiko.SFTPAttributes
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        created: list[str] = []
        warnings: list[str] = []
        path = self.ssh.jenkins_home
        for part in PurePosixPath(relative_path).parent.parts:
            path = posixpath.join(path, part)
            existing = self._stat(path)
            if existing is not None:
                if not stat.S_ISDIR(existing.st_mode):
                    raise SSHError(_address(self.ssh), f"{path} exists and is not a directory")
                continue
            with _translated(self.ssh, "creating directory", path):
                self.sftp.mkdir(path)
                # Explicit, so that the server's umask does not decide whether Jenkins can read it.
                self.sftp.chmod(path, NEW_DIRECTORY_MODE)
                ours = self.sftp.stat(path)
                warnings += self._give_owner(path, ours, home, functools.partial(self.sftp.chown, path))
            created.append(path)
        return tuple(created), tuple(warnings)

    def _write_temporary(
        self, temporary: str, content: bytes, mode: int, owner: paramiko.SFTPAttributes, target: str
    ) -> tuple[str, ...]:
        with _translated(self.ssh, "creating a file in", posixpath.dirname(temporary)):
            # "x": never write through a file someone else placed under that name.
            remote = self.sftp.open(temporary, "wx")
        with remote, _translated(self.ssh, "writing", temporary):
            # Owner and mode before any content, so the content is never more exposed than the old file's.
            warnings = self._give_owner(target, remote.stat(), owner, remote.chown)
            remote.chmod(mode)
            remote.write(content)
            remote.flush()
            if FSYNC in self.sftp.extensions:
                self.sftp.fsync(remote)
            # paramiko ignores errors when closing a file, so check what the server holds.
            written = remote.stat().st_size
        if written != len(content):
            raise SSHError(_address(self.ssh), f"wrote {written} of {len(content)} bytes to {temporary}")
        return warnings

    def _give_owner(
        self,
        path: str,
        current: paramiko.SFTPAttributes,
        wanted: paramiko.SFTPAttributes,
        chown: Callable[[int, int], None],
    ) -> tuple[str, ...]:
        if (current.st_uid, current.st_gid) == (wanted.st_uid, wanted.st_gid):
            return ()
        try:
            chown(wanted.st_uid, wanted.st_gid)
        except PermissionError:
            # Only root may give a file away; the content is still installed and readable.
            return (
                f"{path} is owned by {current.st_uid}:{current.st_gid} (user {self.ssh.user}), "
                f"not {wanted.st_uid}:{wanted.st_gid}: not permitted to change its owner",
            )
        return ()

    def _rename_over(self, temporary: str, target: str, *, replacing: bool) -> None:
        with _translated(self.ssh, "renaming a temporary file over", target):
            if POSIX_RENAME in self.sftp.extensions:
                self.sftp.posix_rename(temporary, target)
                return
            # Plain SFTP rename: fine for a new file; over an existing one some
            # servers replace atomically and others refuse, which leaves the old
            # file whole. Never delete the target first: that would leave it missing.
            try:
                self.sftp.rename(temporary, target)
            except OSError:
                if not replacing:
                    raise
                raise SSHError(
                    _address(self.ssh),
                    f"cannot replace {target} atomically: the server offers no {POSIX_RENAME} and its rename "
                    "does not overwrite; the old file is unchanged",
                ) from None

    def _remove_quietly(self, path: str) -> None:
        # Cleanup after a failure that is already being reported; its own failure would only hide that one.
        with suppress(OSError, EOFError, paramiko.SSHException):
            self.sftp.remove(path)
