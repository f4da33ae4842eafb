"""Ports for the suite's servers, taken from below the kernel's ephemeral range.

Servers restart in place (a master, a Gearman server, sshd): the restarted
process must bind the same port again. A port from the ephemeral range (what
binding port 0 gives) can meanwhile become the local port of one of the many
outgoing connections the suite makes, and the restart then fails with
"Address already in use". The kernel never gives a port below that range to
an outgoing connection.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

HOST = "127.0.0.1"
LOWEST = 20000  # above the ports of services a test machine may run
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port() -> int:
    """A loopback port nothing listens on right now (another process could still take it: callers retry)."""
    first_ephemeral = int(EPHEMERAL_RANGE.read_text().split()[0]) if EPHEMERAL_RANGE.exists() else 32768
    for _ in range(500):
        port = random.randrange(LOWEST, first_ephemeral) if first_ephemeral > LOWEST + 1000 else 0
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port on {HOST} between {LOWEST} and {first_ephemeral}")
