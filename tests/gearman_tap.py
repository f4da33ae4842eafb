"""A relay in front of a Gearman server that records what each connection sends it.

Tests put it between the controller and a real server to count registration
traffic: every request packet's type (named as in the protocol document),
per connection, with the client id the connection's SET_CLIENT_ID gave.
Responses and admin (text) connections pass through unread. Loopback only;
two threads per connection, all gone once ``close()`` returns.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from dataclasses import dataclass, field

from gear import constants

from controller.config import GearmanServer

HOST = "127.0.0.1"
_HEADER = struct.Struct(">4sII")


@dataclass
class TappedConnection:
    number: int  # in the order connections were accepted
    client_id: str = "-"
    packets: list[str] = field(default_factory=list)


class GearmanTap:
    def __init__(self, upstream: GearmanServer):
        self.upstream = upstream
        self.connections: list[TappedConnection] = []
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server((HOST, 0))
        self.host, self.port = HOST, self._listener.getsockname()[1]
        self._closed = False
        self._spawn(self._accept)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def server(self) -> GearmanServer:
        return GearmanServer(self.host, self.port)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                downstream, _ = self._listener.accept()
                upstream = socket.create_connection((self.upstream.host, self.upstream.port))
            except OSError:
                return
            for sock in (downstream, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                tapped = TappedConnection(len(self.connections))
                self.connections.append(tapped)
                self._sockets += [downstream, upstream]
            self._spawn(self._relay, downstream, upstream, tapped)
            self._spawn(self._relay, upstream, downstream, None)

    def _relay(self, source: socket.socket, target: socket.socket, tapped: TappedConnection | None) -> None:
        pending = b""
        reading = tapped is not None
        try:
            while data := source.recv(65536):
                target.sendall(data)
                if reading:
                    pending = self._read_packets(pending + data, tapped)
                    reading = pending is not None
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _read_packets(self, data: bytes, tapped: TappedConnection) -> bytes | None:
        """Records the whole packets in ``data``; returns the rest, or None for a text (admin) connection."""
        while len(data) >= _HEADER.size:
            magic, kind, size = _HEADER.unpack_from(data)
            if magic != b"\0REQ":
                return None
            if len(data) < _HEADER.size + size:
                break
            body, data = data[_HEADER.size : _HEADER.size + size], data[_HEADER.size + size :]
            with self._lock:
                tapped.packets.append(constants.types.get(kind, str(kind)))
                if kind == constants.SET_CLIENT_ID:
                    tapped.client_id = body.decode("utf-8", "replace")
        return data

    def snapshot(self) -> dict[int, int]:
        """Connection number -> packets recorded so far: a mark to compare later traffic with."""
        with self._lock:
            return {c.number: len(c.packets) for c in self.connections}

    def since(self, mark: dict[int, int]) -> list[tuple[TappedConnection, list[str]]]:
        """Per connection, the packets it sent after ``mark`` (new connections: all of theirs)."""
        with self._lock:
            return [(c, c.packets[mark.get(c.number, 0) :]) for c in self.connections]

    def close(self) -> None:
        self._closed = True
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone does not)
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(5)
