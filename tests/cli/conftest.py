"""Helpers and shared fixtures for the command-line tests.

Every test runs ``gearman-jenkins`` as a subprocess through its installed
console script, as an operator or a cron job would. Doubles and Gearman
servers that tests only read from are started once per module; a test that
changes a master gets its own double.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.gearman_servers import GearmandProcess
from tests.jenkins_double import JenkinsDouble, start_double

COMMAND = str(Path(sys.executable).with_name("gearman-jenkins"))


@dataclass
class Run:
    """One finished ``gearman-jenkins`` process."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return f"$ gearman-jenkins {' '.join(self.args)}\n-> {self.returncode}\n{self.stdout}\n{self.stderr}"


def gearman_jenkins(*args: Any, timeout: float = 60) -> Run:
    """Runs the command; no expected failure may print a traceback."""
    argv = [str(arg) for arg in args]
    env = {key: value for key, value in os.environ.items() if key != "GEARMAN_JENKINS_CONFIG"}
    done = subprocess.run([COMMAND, *argv], capture_output=True, text=True, timeout=timeout, env=env)
    run = Run(argv, done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in run.output, str(run)
    return run


def master_entry(name: str, double: JenkinsDouble, token: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "url": double.url, "user": double.admin_user, "token": token or double.admin_token, **extra}


def write_config(path: Path, servers: list[str], masters: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"gearman": {"servers": servers}, "masters": masters}, sort_keys=False))
    return path


def lines_with(text: str, *words: str) -> list[str]:
    return [line for line in text.splitlines() if all(word in line for word in words)]


@dataclass
class ModuleDoubles:
    """Doubles shared by the tests of one module; a failed test's report carries their logs."""

    base: Path
    started: list[JenkinsDouble] = field(default_factory=list)

    def __call__(self, name: str, **options: Any) -> JenkinsDouble:
        double = start_double(self.base / name, **options)
        self.started.append(double)
        return double


@pytest.fixture(scope="module")
def module_doubles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleDoubles]:
    doubles = ModuleDoubles(tmp_path_factory.mktemp("doubles"))
    yield doubles
    for double in doubles.started:
        double.stop()


@pytest.fixture(autouse=True)
def _double_logs_in_reports(request: pytest.FixtureRequest) -> None:
    # tests/jenkins_double/pytest_plugin.py attaches the logs of the doubles it finds here.
    if "module_doubles" in request.fixturenames and not hasattr(request.node, "_jenkins_double_factory"):
        request.node._jenkins_double_factory = request.getfixturevalue("module_doubles")


@pytest.fixture(scope="module")
def module_gearmand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GearmandProcess]:
    server = GearmandProcess(tmp_path_factory.mktemp("gearmand"))
    server.start()
    yield server
    server.stop()
