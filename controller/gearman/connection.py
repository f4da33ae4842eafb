"""Worker connections to Gearman servers over asyncio.

One ``Link`` is one worker's TCP (optionally TLS) connection to one server:
it connects with TCP_NODELAY (a job round trip is ~44 ms without it on
loopback, ~1 ms with it) and TCP keepalive, reconnects with exponential
backoff and jitter, and hands packets to its owner. The ``Connector`` holds
what all links share: the TLS context and a limit on simultaneous connection
attempts, so that thousands of workers reconnecting after a server restart
do not flood its listen queue.
"""

from __future__ import annotations

import asyncio
import logging
import random
import resource
import socket
import ssl
from collections.abc import Callable

from controller.config import GearmanServer, TLSConfig
from controller.gearman.protocol import Packet, PacketReader, ProtocolError
from controller.gearman.tls import client_context

log = logging.getLogger("gearman_jenkins.gearman")

FIRST_RETRY = 0.2
MAX_RETRY = 30.0
CONNECT_TIMEOUT = 10.0
SIMULTANEOUS_CONNECTS = 256


def raise_file_limit() -> None:
    """One socket per worker per server: take all the file descriptors the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def tune_socket(sock: socket.socket) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if hasattr(socket, "TCP_KEEPIDLE"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)


class Connector:
    """Opens connections for every link of one process."""

    def __init__(self, tls: TLSConfig | None = None):
        self.ssl = client_context(tls) if tls else None
        self._slots = asyncio.Semaphore(SIMULTANEOUS_CONNECTS)

    def link(
        self,
        server: GearmanServer,
        client_id: str,
        on_up: Callable[[Link], None],
        on_packet: Callable[[Link, Packet], None],
        on_down: Callable[[Link], None],
    ) -> Link:
        """A worker's connection to one server, opened through this connector."""
        return Link(self, server, client_id, on_up, on_packet, on_down)

    async def open(self, server: GearmanServer, protocol: asyncio.Protocol) -> None:
        loop = asyncio.get_running_loop()
        async with self._slots:
            sock = socket.socket(socket.AF_INET6 if ":" in server.host else socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.setblocking(False)
                tune_socket(sock)
                address = (await loop.getaddrinfo(server.host, server.port, family=sock.family))[0][4]
                await asyncio.wait_for(loop.sock_connect(sock, address), CONNECT_TIMEOUT)
                await asyncio.wait_for(
                    loop.create_connection(
                        lambda: protocol,
                        sock=sock,
                        ssl=self.ssl,
                        server_hostname=server.host if self.ssl else None,
                    ),
                    CONNECT_TIMEOUT,
                )
            except BaseException:
                sock.close()
                raise


class Link(asyncio.Protocol):
    """One worker's connection to one server; reconnects until closed.

    ``on_up(link)`` runs when connected (the owner sends its registration),
    ``on_packet(link, packet)`` for every response, ``on_down(link)`` when the
    connection is lost (whatever the server held for it is gone), but not
    after ``close()``: the owner asked for that and is done with the link.
    """

    def __init__(
        self,
        connector: Connector,
        server: GearmanServer,
        label: str,
        on_up: Callable[[Link], None],
        on_packet: Callable[[Link, Packet], None],
        on_down: Callable[[Link], None],
    ):
        self.connector = connector
        self.server = server
        self.label = label
        self._on_up = on_up
        self._on_packet = on_packet
        self._on_down = on_down
        self._transport: asyncio.Transport | None = None
        self._reader = PacketReader()
        self._closed = False
        self._retry = FIRST_RETRY
        self._task: asyncio.Task | None = None
        self.up = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._connect_loop())

    async def _connect_loop(self) -> None:
        while not self._closed:
            try:
                await self.connector.open(self.server, self)
                return
            except (TimeoutError, OSError, ssl.SSLError) as exc:
                delay = self._retry * random.uniform(0.75, 1.25)
                self._retry = min(self._retry * 2, MAX_RETRY)
                log.debug("worker %s: cannot connect to %s (%s); retry in %.1fs", self.label, self.server, exc, delay)
                await asyncio.sleep(delay)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._reader = PacketReader()
        if self._closed:
            transport.close()
            return
        self.up = True
        self._retry = FIRST_RETRY
        self._on_up(self)

    def data_received(self, data: bytes) -> None:
        try:
            packets = self._reader.feed(data)
        except ProtocolError as exc:
            log.warning("worker %s: bad data from %s: %s; reconnecting", self.label, self.server, exc)
            self._transport.abort()
            return
        for packet in packets:
            self._on_packet(self, packet)

    def connection_lost(self, exc: Exception | None) -> None:
        was_up = self.up
        self.up = False
        self._transport = None
        if was_up and not self._closed:
            self._on_down(self)
        if not self._closed:
            self.start()

    def send(self, data: bytes) -> None:
        if self._transport is not None and self.up:
            self._transport.write(data)

    def close(self) -> None:
        """Disconnect for good: the server forgets this worker and its functions."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
        if self._transport is not None:
            self._transport.close()
