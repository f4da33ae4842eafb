"""The Gearman binary protocol for workers, without I/O ("sans-I/O").

Packet type names are those of the protocol document (gear.constants
mirrors them). ``encode`` builds request packets; ``PacketReader`` turns
received bytes into ``Packet`` objects. Nothing here touches a socket.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from gear import constants

REQ = constants.REQ
RES = constants.RES
_HEADER = struct.Struct("!4sII")

# How many NUL-separated arguments each response a worker can receive has;
# the last one is opaque data and may itself contain NUL bytes.
_ARGUMENT_COUNT = {
    constants.NOOP: 0,
    constants.NO_JOB: 0,
    constants.JOB_ASSIGN: 3,  # handle, function, data
    constants.JOB_ASSIGN_UNIQ: 4,  # handle, function, unique, data
    constants.ECHO_RES: 1,
    constants.ERROR: 2,  # code, text
    constants.OPTION_RES: 1,
}


class ProtocolError(Exception):
    """The server sent something that is not a Gearman response."""


@dataclass(frozen=True)
class Packet:
    type: int
    arguments: tuple[bytes, ...]

    @property
    def name(self) -> str:
        return constants.types.get(self.type, f"UNKNOWN({self.type})")


def encode(packet_type: int, *arguments: bytes) -> bytes:
    """A request packet: magic, type, size, then the NUL-joined arguments."""
    body = b"\0".join(arguments)
    return _HEADER.pack(REQ, packet_type, len(body)) + body


def packet_type(packet: bytes) -> int:
    """The type of an encoded packet."""
    return _HEADER.unpack_from(packet)[1]


def can_do(function: str) -> bytes:
    return encode(constants.CAN_DO, function.encode("utf-8"))


def cant_do(function: str) -> bytes:
    return encode(constants.CANT_DO, function.encode("utf-8"))


def reset_abilities() -> bytes:
    return encode(constants.RESET_ABILITIES)


def set_client_id(client_id: str) -> bytes:
    return encode(constants.SET_CLIENT_ID, client_id.encode("utf-8"))


def pre_sleep() -> bytes:
    return encode(constants.PRE_SLEEP)


def grab_job_uniq() -> bytes:
    return encode(constants.GRAB_JOB_UNIQ)


def work_data(handle: bytes, data: bytes) -> bytes:
    return encode(constants.WORK_DATA, handle, data)


def work_status(handle: bytes, numerator: int, denominator: int) -> bytes:
    return encode(constants.WORK_STATUS, handle, str(numerator).encode(), str(denominator).encode())


def work_complete(handle: bytes, data: bytes) -> bytes:
    return encode(constants.WORK_COMPLETE, handle, data)


def work_fail(handle: bytes) -> bytes:
    return encode(constants.WORK_FAIL, handle)


def work_exception(handle: bytes, data: bytes) -> bytes:
    return encode(constants.WORK_EXCEPTION, handle, data)


class PacketReader:
    """Accumulates received bytes and yields complete response packets."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Packet]:
        self._buffer += data
        packets = []
        while len(self._buffer) >= _HEADER.size:
            magic, packet_type, size = _HEADER.unpack_from(self._buffer)
            if magic != RES:
                raise ProtocolError(f"expected a response packet, got magic {bytes(magic)!r}")
            end = _HEADER.size + size
            if len(self._buffer) < end:
                break
            body = bytes(self._buffer[_HEADER.size : end])
            del self._buffer[:end]
            count = _ARGUMENT_COUNT.get(packet_type)
            if count is None:
                raise ProtocolError(f"unexpected packet type {constants.types.get(packet_type, packet_type)}")
            arguments = tuple(body.split(b"\0", count - 1)) if count else ()
            if len(arguments) != count:
                raise ProtocolError(f"{constants.types[packet_type]} with {len(arguments)} arguments")
            packets.append(Packet(packet_type, arguments))
        return packets
