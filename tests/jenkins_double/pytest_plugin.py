"""pytest fixtures that start Jenkins doubles and always stop them.

Register with ``pytest_plugins = ["tests.jenkins_double.pytest_plugin"]``.
A failed test gets each double's log attached to its report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.jenkins_double import JenkinsDouble, start_double


class DoubleFactory:
    """Starts doubles in a test's tmp_path; stops every one of them at teardown."""

    def __init__(self, base: Path):
        self._base = base
        self.started: list[JenkinsDouble] = []

    def __call__(self, name: str | None = None, **options) -> JenkinsDouble:
        home = self._base / (name or f"jenkins{len(self.started) + 1}")
        double = start_double(home, **options)
        self.started.append(double)
        return double

    def stop_all(self) -> None:
        for double in self.started:
            double.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    factory = getattr(item, "_jenkins_double_factory", None)
    if report.failed and factory is not None:
        for double in factory.started:
            report.sections.append((f"Jenkins double log ({double.home})", double.log_text()[-20000:]))


@pytest.fixture
def jenkins_double_factory(request, tmp_path):
    factory = DoubleFactory(tmp_path)
    request.node._jenkins_double_factory = factory
    yield factory
    factory.stop_all()


@pytest.fixture
def jenkins_double(jenkins_double_factory) -> JenkinsDouble:
    return jenkins_double_factory("jenkins")
