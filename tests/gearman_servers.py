"""Gearman servers for tests: a real gearmand and our embedded gear server, each a subprocess on loopback.

Both kinds share one interface (``host``, ``port``, ``address``,
``server`` as a ``GearmanServer``, ``start()``, ``stop()``, ``kill()``,
``restart()`` on the same port, ``pause()``/``resume()`` with
SIGSTOP/SIGCONT, ``log()``), so that a test parametrized over both proves a
behaviour holds with either. gearmand runs with its in-memory queue only (no
persistence) and logs to a file in the test's directory; the embedded server's
stdout and stderr go to a file too. Also: ``make_tls_files`` writes a
throwaway CA with server and client certificates for TLS tests.

Nothing here listens anywhere but 127.0.0.1, and a server object always
leaves no process behind once ``stop()`` or ``kill()`` has returned.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from controller.config import GearmanServer, TLSConfig
from tests.ports import free_port
from tests.processes import freeze

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
REPO = Path(__file__).resolve().parent.parent


def gearmand_path() -> str | None:
    return shutil.which("gearmand", path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin")


class ServerProcess:
    """One Gearman server subprocess; subclasses say how to start it."""

    kind = ""

    def __init__(self, directory: Path, tls: TLSConfig | None = None):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.tls = tls
        self.host = HOST
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False
        self.log_path = directory / f"{self.kind}.log"
        self._log_offset = 0  # where the current run's output starts in the log

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def server(self) -> GearmanServer:
        return GearmanServer(self.host, self.port)

    def __repr__(self) -> str:
        return f"<{self.kind} {self.address}>"

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _wait_ready(self, deadline: float) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """Start on ``self.port``; on the first start pick a free port."""
        if self.process is not None:
            raise RuntimeError(f"{self!r} is already running")
        first_start = self.port == 0
        for _attempt in range(5):
            if first_start:
                self.port = self._first_port()
            with open(self.log_path, "ab") as log:
                log.write(f"--- start on {self.address} ---\n".encode())
                log.flush()
                self._log_offset = log.tell()
                self.process = subprocess.Popen(
                    self._command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO
                )
            try:
                self._wait_ready(time.monotonic() + START_TIMEOUT)
                return
            except RuntimeError:
                self.kill()
                # The port was taken between choosing and binding it: try another
                # one, but only before the first successful start.
                if not first_start:
                    raise
        raise RuntimeError(f"{self.kind} did not start; log:\n{self.log()}")

    def _first_port(self) -> int:
        return free_port()

    def _exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def stop(self) -> int | None:
        """SIGTERM (SIGKILL after 5 s); returns the exit status."""
        if self.process is None:
            return None
        self.resume()
        self.process.terminate()
        try:
            return self._reap(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            return self.kill()

    def kill(self) -> int | None:
        """SIGKILL, as a crash would."""
        if self.process is None:
            return None
        self.process.kill()
        self.paused = False
        return self._reap(STOP_TIMEOUT)

    def _reap(self, timeout: float) -> int:
        assert self.process is not None
        code = self.process.wait(timeout)
        self.process = None
        return code

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        """SIGSTOP: connections stay open, nothing is answered (the kernel still accepts)."""
        if self.process is not None and not self.paused:
            freeze(self.process.pid)
            self.paused = True

    def resume(self) -> None:
        if self.process is not None and self.paused:
            self.process.send_signal(signal.SIGCONT)
            self.paused = False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class GearmandProcess(ServerProcess):
    """Debian's gearmand (1.1.20), in-memory queue, INFO log."""

    kind = "gearmand"

    def _command(self) -> list[str]:
        binary = gearmand_path()
        if binary is None:
            raise RuntimeError("gearmand is not installed (Debian package gearman-job-server; `make sysdeps`)")
        command = [
            binary,
            "--listen", self.host,
            "--port", str(self.port),
            "--log-file", str(self.log_path),
            "--pid-file", str(self.directory / "gearmand.pid"),
            "--verbose", "INFO",
            "--queue-type", "builtin",
            "--threads", "1",
        ]  # fmt: skip
        if self.tls:
            # Debian's build has no TLS: given --ssl it still reads the
            # ClientHello as a Gearman packet ("invalid magic value").
            raise RuntimeError("Debian's gearmand 1.1.20 is built without TLS; test TLS with the gear server")
        return command

    def _wait_ready(self, deadline: float) -> None:
        # gearmand prints nothing on stdout; it is ready when it accepts connections.
        while time.monotonic() < deadline:
            if self._exited():
                raise RuntimeError(f"gearmand exited; log:\n{self.log()}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"gearmand not listening on {self.address} after {START_TIMEOUT:g} s")


class GearProcess(ServerProcess):
    """``python -m controller.gearman.embedded_server``: gear's server with our socket options."""

    kind = "gear"
    READY = b"gearman server listening on "

    def _first_port(self) -> int:
        return 0  # the server picks one and says which in its ready line

    def _command(self) -> list[str]:
        command = [sys.executable, "-m", "controller.gearman.embedded_server", "--host", self.host]
        command += ["--port", str(self.port)]
        if self.tls:
            command += ["--ssl-key", str(self.tls.key), "--ssl-cert", str(self.tls.cert), "--ssl-ca", str(self.tls.ca)]
        return command

    def _wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            text = self.log_path.read_bytes()[self._log_offset :]
            marker = text.rfind(self.READY)
            if marker != -1 and b"\n" in text[marker:]:
                address = text[marker + len(self.READY) :].split(b"\n", 1)[0].split(b" ", 1)[0].decode()
                self.port = int(address.rsplit(":", 1)[1])
                return
            if self._exited():
                raise RuntimeError(f"embedded gear server exited; log:\n{self.log()}")
            time.sleep(0.01)
        raise RuntimeError(f"embedded gear server gave no ready line after {START_TIMEOUT:g} s")


SERVER_KINDS: dict[str, type[ServerProcess]] = {"gearmand": GearmandProcess, "gear": GearProcess}


# -- TLS ----------------------------------------------------------------------


@dataclass(frozen=True)
class TLSFiles:
    """A throwaway CA and the server and client key pairs it signed."""

    ca: Path
    server: TLSConfig  # key, cert, ca for the Gearman server
    client: TLSConfig  # key, cert, ca for clients and workers
    untrusted_client: TLSConfig  # signed by another CA: the server must refuse it


def make_tls_files(directory: Path) -> TLSFiles:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return path

    def write_cert(cert: x509.Certificate, path: Path) -> Path:
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path

    def make_ca(label: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name(f"test CA {label}"))
            .issuer_name(name(f"test CA {label}"))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return key, cert, write_cert(cert, directory / f"{label}-ca.crt")

    def issue(label: str, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, server: bool) -> TLSConfig:
        key = ec.generate_private_key(ec.SECP256R1())
        usage = x509.ExtendedKeyUsageOID.SERVER_AUTH if server else x509.ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(label))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False)
        )
        if server:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
                critical=False,
            )
        cert = builder.sign(ca_key, hashes.SHA256())
        return TLSConfig(
            key=write_key(key, directory / f"{label}.key"),
            cert=write_cert(cert, directory / f"{label}.crt"),
            ca=directory / "main-ca.crt",
        )

    ca_key, ca_cert, ca_path = make_ca("main")
    other_key, other_cert, _ = make_ca("other")
    return TLSFiles(
        ca=ca_path,
        server=issue("server", ca_key, ca_cert, server=True),
        client=issue("client", ca_key, ca_cert, server=False),
        untrusted_client=issue("untrusted-client", other_key, other_cert, server=False),
    )
