"""Fixtures of the Jenkins double's own tests.

tests/conftest.py registers the double's pytest plugin for the whole suite; these
imports make its fixtures available here as well, and add helpers shared by the
double's tests (a double shared per module, polling, script output parsing).
"""

from __future__ import annotations

import json

import pytest

from tests.jenkins_double import start_double
from tests.jenkins_double.pytest_plugin import (  # noqa: F401  (fixtures and hook)
    jenkins_double,
    jenkins_double_factory,
    pytest_runtest_makereport,
)

MARK = "@@JSON@@"


@pytest.fixture(scope="module")
def shared_double(tmp_path_factory):
    """One double per test module, for tests that do not interfere with each other."""
    double = start_double(tmp_path_factory.mktemp("jenkins"))
    double.set_quiet_period(0)
    yield double
    double.stop()


def groovy_json(double, script: str):
    """Runs a script whose last printed line is MARK + JSON, returns the decoded JSON."""
    output = double.run_script(script)
    for line in reversed(output.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise AssertionError(f"no {MARK} line in script output:\n{output}")
