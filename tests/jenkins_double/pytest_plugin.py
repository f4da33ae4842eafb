"""pytest fixtures that start Jenkins doubles and always stop them.

Register with ``pytest_plugins = ["tests.jenkins_double.pytest_plugin"]``.
A failed test gets each double's log attached to its report.
``@pytest.mark.jenkins_version("2.482")`` makes the ``jenkins_double`` fixture (and
the factory's doubles, unless given ``jenkins_version=``) impersonate that release.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.jenkins_double import JenkinsDouble, start_double


class DoubleFactory:
    """Starts doubles in a test's tmp_path; stops every one of them at teardown."""

    def __init__(self, base: Path, jenkins_version: str | None = None):
        self._base = base
        self._jenkins_version = jenkins_version
        self.started: list[JenkinsDouble] = []

    def __call__(self, name: str | None = None, **options) -> JenkinsDouble:
        home = self._base / (name or f"jenkins{len(self.started) + 1}")
        if self._jenkins_version is not None:
            options.setdefault("jenkins_version", self._jenkins_version)
        double = start_double(home, **options)
        self.started.append(double)
        return double

    def stop_all(self) -> None:
        for double in self.started:
            double.stop()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "jenkins_version(version): the Jenkins release the test's doubles impersonate (--jenkins-version)"
    )


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
    marker = request.node.get_closest_marker("jenkins_version")
    factory = DoubleFactory(tmp_path, marker.args[0] if marker else None)
    request.node._jenkins_double_factory = factory
    yield factory
    factory.stop_all()


@pytest.fixture
def jenkins_double(jenkins_double_factory) -> JenkinsDouble:
    return jenkins_double_factory("jenkins")
