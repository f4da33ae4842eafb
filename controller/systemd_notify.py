"""sd_notify(3) without libsystemd: tells systemd when the controller is ready, reloading or stopping.

The unit (contrib/systemd/gearman-jenkins.service) has ``Type=notify``:
systemd sets ``$NOTIFY_SOCKET`` and considers the service started once it
receives ``READY=1``. Each notification is one datagram of ``KEY=value``
lines on that AF_UNIX socket (a leading ``@`` names Linux's abstract
namespace). Without ``$NOTIFY_SOCKET`` (not started by systemd) every call
does nothing. A notification that cannot be sent is logged, never raised:
the controller serves builds whether or not systemd hears of it.
"""

from __future__ import annotations

import logging
import os
import socket
import time

log = logging.getLogger("gearman_jenkins.systemd")


def notify(*assignments: str) -> None:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    message = "\n".join(assignments).encode("utf-8")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message, address)
    except OSError as exc:
        log.warning("cannot notify systemd on %s: %s", os.environ["NOTIFY_SOCKET"], exc.strerror or exc)


def one_line(text: str) -> str:
    return " ".join(text.split())


def ready(status: str) -> None:
    """Started, or done reloading; ``status`` is what ``systemctl status`` shows."""
    notify("READY=1", f"STATUS={one_line(status)}")


def reloading() -> None:
    # MONOTONIC_USEC lets a systemd with Type=notify-reload (253 and later) match it to its SIGHUP.
    notify("RELOADING=1", f"MONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}")


def stopping(status: str) -> None:
    notify("STOPPING=1", f"STATUS={one_line(status)}")
