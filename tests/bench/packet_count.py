"""A loopback TCP proxy in front of gearmand that counts the registration packets workers send.

What the controller claims to send is not evidence; what crosses the wire
is. Every client-to-server byte stream is parsed as Gearman binary packets
(a text admin command, which starts without the NUL of ``\\0REQ``, is
skipped to its newline) and CAN_DO / CAN_DO_TIMEOUT / CANT_DO /
RESET_ABILITIES are counted, the first three only for ``build:`` functions
(the executor workers' registrations). Forwarding is asyncio on a thread of
its own, so a thousand connections cost no thousand threads.
"""

from __future__ import annotations

import asyncio
import collections
import struct
import threading

from gear import constants

from tests.ports import HOST, free_port

HEADER = struct.Struct("!4sII")
_NAMED = {constants.CAN_DO: "CAN_DO", constants.CAN_DO_TIMEOUT: "CAN_DO", constants.CANT_DO: "CANT_DO"}


class CountingProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._counts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"packet counter :{self.port}", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError(f"the packet-counting proxy on {HOST}:{self.port} did not start")

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def counts(self) -> dict[str, int]:
        """Packets counted so far: CAN_DO, CANT_DO (build: functions), RESET_ABILITIES."""
        with self._lock:
            return {key: self._counts[key] for key in ("CAN_DO", "CANT_DO", "RESET_ABILITIES")}

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(asyncio.start_server(self._connection, HOST, self.port, backlog=4096))
        self._started.set()
        self._loop.run_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pump(reader, up_writer, self._count), self._pump(up_reader, writer, None))

    async def _pump(self, reader, writer, count) -> None:
        pending = b""
        try:
            while data := await reader.read(65536):
                if count is not None:
                    pending = count(pending + data)
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def _count(self, data: bytes) -> bytes:
        """Counts the whole packets in data; returns the incomplete rest."""
        seen: collections.Counter[str] = collections.Counter()
        offset = 0
        while offset < len(data):
            if data[offset] != 0:  # a text admin command
                end = data.find(b"\n", offset)
                if end < 0:
                    break
                offset = end + 1
                continue
            if len(data) - offset < HEADER.size:
                break
            _magic, kind, size = HEADER.unpack_from(data, offset)
            if len(data) - offset < HEADER.size + size:
                break
            body = data[offset + HEADER.size : offset + HEADER.size + size]
            if kind == constants.RESET_ABILITIES:
                seen["RESET_ABILITIES"] += 1
            elif kind in _NAMED and body.startswith(b"build:"):
                seen[_NAMED[kind]] += 1
            offset += HEADER.size + size
        if seen:
            with self._lock:
                self._counts.update(seen)
        return data[offset:]
