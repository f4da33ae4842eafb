"""Runs the real controller (``gearman-jenkins run``) as a process for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from controller.gearman.admin import AdminClient
from tests import waiting


def write_config(path: Path, servers: list[str], masters: list[Any], tls: Any = None, **options: Any) -> Path:
    """Config for ``masters`` (Jenkins doubles, named after themselves) on ``servers``."""
    data = {
        "gearman": {
            "servers": servers,
            **({"tls": {"key": str(tls.key), "cert": str(tls.cert), "ca": str(tls.ca)}} if tls else {}),
        },
        "masters": [
            {
                "name": name,
                "url": double.url,
                "user": double.admin_user,
                "token": double.admin_token,
                **({"controllers": list(double.controllers)} if getattr(double, "controllers", ()) else {}),
            }
            for name, double in masters
        ],
        "options": {"event_poll_timeout": 10, "log_level": "DEBUG", **options},
    }
    path.write_text(yaml.safe_dump(data))
    return path


class ControllerProcess:
    def __init__(self, config: Path, log: Path, *extra: str, env: dict[str, str] | None = None):
        self.config = config
        self.log_path = log
        self.extra = extra
        self.env = env or {}  # added to this process's environment
        self.process: subprocess.Popen | None = None

    def start(self) -> ControllerProcess:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "controller", "run", "-c", str(self.config), *self.extra],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
        )
        log.close()
        return self

    def stop(self, timeout: float = 30) -> int | None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return self.process.wait(10)
        return self.process.returncode if self.process else None

    def reload(self, timeout: float = 10) -> str:
        """SIGHUP; returns the log line saying how the reload went, once it is there."""
        outcomes = len(self._reload_outcomes())
        self.process.send_signal(signal.SIGHUP)
        return wait_until(
            lambda: self._reload_outcomes()[outcomes:][:1], timeout, "the controller to log its config reload"
        )[0]

    def _reload_outcomes(self) -> list[str]:
        return [line for line in self.log().splitlines() if "config reloaded from" in line or "reload failed" in line]

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, message: str = "condition", **kwargs: Any) -> Any:
    """tests.waiting.wait_until, treating any error as "not yet": servers restart under these tests."""
    return waiting.wait_until(predicate, timeout, message, ignore=(Exception,), **kwargs)


def function_workers(server: Any, tls: Any = None) -> dict[str, int]:
    """``status`` admin output: function -> number of registered workers."""
    with AdminClient(server.server, tls) as admin:
        return {f.name: f.workers for f in admin.status() if f.workers}


def worker_functions(server: Any) -> dict[str, set[str]]:
    """``workers`` admin output: client id -> functions (one entry per connection)."""
    with AdminClient(server.server) as admin:
        return {w.client_id: set(w.functions) for w in admin.workers() if w.client_id and w.client_id != "-"}
