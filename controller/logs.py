"""What a log line looks like: for a terminal or a file, or for journald.

One line per event, always naming what it is about (master, node, job,
uuid), so that ``grep uuid`` follows one build. Written to stderr:

- elsewhere: ``2026-12-02 14:20:00,921 INFO gearman_jenkins.daemon: ...``;
- when stderr is a journald stream (systemd sets ``$JOURNAL_STREAM`` to the
  stream's device and inode, sd_journal_stream_fd(3)): no timestamp, since
  journald adds its own, and the syslog priority first (``<4>WARNING ...``),
  which journald takes as the entry's priority (``journalctl -p warning``)
  and removes. A record's traceback is folded into its line (``\\n`` for
  each line break), so that a traceback stays one journal entry.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

LOCAL_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOURNAL_FORMAT = "%(levelname)s %(name)s: %(message)s"

# syslog(3) priorities journald reads from a "<N>" line prefix.
_PRIORITIES = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class JournalFormatter(logging.Formatter):
    """``<priority>LEVEL logger: message``, the whole record on one line."""

    def __init__(self) -> None:
        super().__init__(JOURNAL_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITIES.get(record.levelno, 6)
        return f"<{priority}>" + super().format(record).replace("\n", "\\n")


def writes_to_journald(stream: TextIO) -> bool:
    """Whether ``stream`` is the journald stream systemd gave this process (not just any inherited variable)."""
    expected = os.environ.get("JOURNAL_STREAM", "")
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return expected == f"{status.st_dev}:{status.st_ino}"


def configure(level: str) -> None:
    """Log to stderr at ``level``, in the format that suits where stderr goes."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JournalFormatter() if writes_to_journald(sys.stderr) else logging.Formatter(LOCAL_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def set_level(level: str) -> None:
    """A reloaded config's ``options.log_level``."""
    logging.getLogger().setLevel(level)
