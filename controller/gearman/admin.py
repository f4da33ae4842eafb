"""A client for Gearman's text admin protocol against one server.

Commands (protocol document, "Administrative Protocol"): ``status``,
``workers``, ``version`` and ``cancel job HANDLE``. One blocking TCP or TLS
connection, one command at a time, TCP_NODELAY set so that a short command is
not held back by Nagle's algorithm. Answers are parsed into dataclasses; the
formats of gearmand and of gear's server are both handled (gearmand ends
error lines with CRLF, both end lists with a ``.`` line and show ``-`` for a
connection that sent no SET_CLIENT_ID).

This module must never let a socket or TLS exception escape, nor retry on its
own: every failure (refused, timeout, TLS, garbled answer) is one
``GearmanServerError`` naming ``host:port``. It sends admin commands only,
never binary packets.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from types import TracebackType

from controller.config import GearmanServer, TLSConfig
from controller.errors import GearmanServerError
from controller.gearman.tls import client_context

DEFAULT_TIMEOUT = 5.0
_LIST_END = b"."


@dataclass(frozen=True)
class FunctionStatus:
    """One line of ``status``: ``FUNCTION\\tTOTAL\\tRUNNING\\tAVAILABLE_WORKERS``."""

    name: str
    queued: int  # TOTAL in the protocol document: every job of the function, running ones included
    running: int
    workers: int  # connections that registered the function (CAN_DO), busy or idle


@dataclass(frozen=True)
class WorkerInfo:
    """One line of ``workers``: ``FD IP-ADDRESS CLIENT-ID : FUNCTION ...``.

    Every connection is listed, clients and admin connections included;
    ``client_id`` is ``"-"`` when the connection sent no SET_CLIENT_ID.
    """

    fd: int
    ip: str
    client_id: str
    functions: tuple[str, ...]


class AdminClient:
    """One admin connection; use as a context manager or call ``close()``.

    Not thread-safe: the protocol pairs answers with commands by order only.
    """

    def __init__(self, server: GearmanServer, tls: TLSConfig | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.server = server
        self.tls = tls
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._buffer = b""

    def __enter__(self) -> AdminClient:
        self.connect()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _error(self, message: str) -> GearmanServerError:
        return GearmanServerError(str(self.server), message)

    def connect(self) -> None:
        if self._sock is not None:
            return
        context = client_context(self.tls) if self.tls else None
        try:
            sock = socket.create_connection((self.server.host, self.server.port), timeout=self.timeout)
        except ConnectionRefusedError:
            raise self._error("connection refused (is the Gearman server running on that port?)") from None
        except TimeoutError:
            raise self._error(f"no answer within {self.timeout:g} s while connecting") from None
        except socket.gaierror as exc:
            raise self._error(f"cannot resolve host: {exc.strerror}") from None
        except OSError as exc:
            raise self._error(f"cannot connect: {exc.strerror or exc}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if context is not None:
            try:
                sock = context.wrap_socket(sock, server_hostname=self.server.host)
            except (ssl.SSLError, OSError) as exc:
                sock.close()
                raise self._error(f"TLS handshake failed: {_reason(exc)}") from None
        self._sock = sock
        self._buffer = b""

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    # -- commands ---------------------------------------------------------

    def status(self) -> list[FunctionStatus]:
        result = []
        for line in self._list_command("status"):
            fields = line.split(b"\t")
            try:
                name, queued, running, workers = fields
                result.append(FunctionStatus(_text(name), int(queued), int(running), int(workers)))
            except ValueError:
                raise self._garbled("status", line) from None
        return result

    def workers(self) -> list[WorkerInfo]:
        result = []
        for line in self._list_command("workers"):
            # "FD IP CLIENT-ID : F1 F2"; the IP may be IPv6 (colons) and gear's
            # server leaves "- : " with a trailing space when there are no functions.
            parts = line.split(b" ", 2)
            if len(parts) != 3 or not parts[0].isdigit():
                raise self._garbled("workers", line)
            fd, ip, rest = parts
            client_id, separator, functions = rest.partition(b" :")
            if not separator:
                raise self._garbled("workers", line)
            result.append(WorkerInfo(int(fd), _text(ip), _text(client_id), tuple(map(_text, functions.split()))))
        return result

    def unique_jobs(self) -> set[str]:
        """Unique ids of every job the server holds, queued or running (``show unique jobs``)."""
        return {_text(line) for line in self._list_command("show unique jobs") if line}

    def version(self) -> str:
        """The server's version text (gearmand: ``1.1.20``; gear's server has no such command)."""
        line = self._line_command("version")
        if not line.startswith(b"OK "):
            raise self._garbled("version", line)
        return _text(line[3:])

    def cancel_job(self, handle: str | bytes) -> bool:
        """Ask the server to drop a job; False if it says UNKNOWN_JOB.

        gear's server removes a job only while it is queued and tells its
        client nothing. gearmand 1.1.20 also answers OK for a running job and
        sends WORK_FAIL to the job's client; it never hands a cancelled job to
        a worker.
        """
        if isinstance(handle, str):
            handle = handle.encode("utf-8")
        if not handle or any(c in handle for c in b" \t\r\n"):
            raise ValueError(f"not a job handle: {handle!r}")
        line = self._line_command(b"cancel job " + handle, check_error=False)
        if line == b"OK":
            return True
        if line.startswith(b"ERR UNKNOWN_JOB"):
            return False
        if line.startswith(b"ERR "):
            raise self._error(f"`cancel job` refused: {_text(line)}")
        raise self._garbled("cancel job", line)

    # -- wire -------------------------------------------------------------

    def _send(self, command: str | bytes) -> None:
        if isinstance(command, str):
            command = command.encode("utf-8")
        self.connect()
        assert self._sock is not None
        try:
            self._sock.sendall(command + b"\n")
        except (OSError, ssl.SSLError) as exc:
            self.close()
            raise self._error(f"connection lost while sending `{_text(command)}`: {_reason(exc)}") from None

    def _read_line(self, command: str) -> bytes:
        assert self._sock is not None
        while b"\n" not in self._buffer:
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                self.close()
                raise self._error(f"no answer to `{command}` within {self.timeout:g} s") from None
            except (OSError, ssl.SSLError) as exc:
                self.close()
                raise self._error(f"connection lost while reading the answer to `{command}`: {_reason(exc)}") from None
            if not chunk:
                self.close()
                raise self._error(f"closed the connection while answering `{command}`")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.rstrip(b"\r")

    def _line_command(self, command: str | bytes, check_error: bool = True) -> bytes:
        name = _text(command)
        self._send(command)
        line = self._read_line(name)
        if check_error and line.startswith(b"ERR "):
            raise self._error(f"`{name}` refused: {_text(line)}")
        return line

    def _list_command(self, command: str) -> list[bytes]:
        self._send(command)
        lines = []
        while True:
            line = self._read_line(command)
            if line == _LIST_END:
                return lines
            # An error replaces the whole list; no list line can start this way
            # for status (tab-separated) or workers (starts with the fd).
            if not lines and line.startswith(b"ERR ") and b"\t" not in line:
                raise self._error(f"`{command}` refused: {_text(line)}")
            lines.append(line)

    def _garbled(self, command: str, line: bytes) -> GearmanServerError:
        self.close()  # the rest of the answer cannot be trusted to be framed either
        return self._error(f"garbled answer to `{command}`: {line[:200]!r}")


def _text(value: bytes | str) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", errors="replace")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return exc.reason or str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
