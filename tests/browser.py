"""Headless Chromium for tests and the demo, driven over the DevTools protocol on a pipe.

Debian's ``chromium`` started with ``--remote-debugging-pipe`` reads protocol
commands from file descriptor 3 and writes answers and events to 4, as
JSON messages ended by NUL; puppeteer and playwright drive it the same way.
That needs nothing beyond the browser: no chromedriver, no websocket
client, no Python package. One page target, attached in flat mode (its
commands carry its ``sessionId``).

It only ever opens the loopback URLs it is given, with a fresh profile and
every background service (updates, sync, QUIC) off.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.waiting import wait_until

FLAGS = (
    "--headless",
    "--no-sandbox",  # we run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
COMMAND_TIMEOUT = 30.0


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, or stopped answering."""


class Browser:
    """One Chromium process with one page; use as a context manager."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 900):
        binary = shutil.which("chromium")
        if binary is None:
            raise RuntimeError("no chromium on PATH: install Debian's chromium package (make sysdeps does)")
        profile.mkdir(parents=True, exist_ok=True)
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()
        stderr = open(profile / "chromium.log", "ab")

        def on_3_and_4() -> None:
            # Either end may itself be 3 or 4: move both out of the way first.
            high_read = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
            high_write = fcntl.fcntl(answers_write, fcntl.F_DUPFD, 10)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self._process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            preexec_fn=on_3_and_4,
            close_fds=False,
        )
        stderr.close()
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.page("Page.enable")

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(BrowserError, OSError):  # it may be gone already
                self._call("Browser.close", timeout=5)
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
        os.close(self._commands)
        os.close(self._answers)

    # ---- what tests use ---------------------------------------------------------------

    def open(self, url: str, scripts: bool = True) -> None:
        """Load ``url`` and wait for its load event; ``scripts`` False loads it as a browser without JavaScript."""
        self.page("Emulation.setScriptExecutionDisabled", {"value": not scripts})
        self._events.clear()
        self.page("Page.navigate", {"url": url})
        self._wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (it runs even with the page's scripts disabled)."""
        reply = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression}: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15.0, message: str | None = None) -> Any:
        """The first true value of ``expression``, polled."""
        return wait_until(lambda: self.evaluate(expression), timeout, message or expression, interval=0.1)

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page, not only the window."""
        size = self.page("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.page("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    # ---- the protocol -------------------------------------------------------------------

    def page(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A command to the page target."""
        return self._call(method, params, session=self._session)

    def _call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = COMMAND_TIMEOUT,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline, method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait_event(self, method: str, timeout: float = COMMAND_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self._events:
                if event["method"] == method:
                    self._events.remove(event)
                    return event
            message = self._read(deadline, method)
            if "method" in message:
                self._events.append(message)

    def _read(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                raise BrowserError(f"no answer from chromium to {waiting_for}")
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise BrowserError(f"chromium exited (code {self._process.poll()}) while waiting for {waiting_for}")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)
