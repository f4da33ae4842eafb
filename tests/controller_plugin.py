"""pytest fixtures for end-to-end tests of the controller.

``farm`` builds a small build farm: Jenkins doubles (named ``jenkins1``,
``jenkins2``...), a Gearman server, the agent deployed, and the real
controller process running against them; a failed test gets the
controller's log in its report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.controller_harness import ControllerProcess, function_workers, wait_until, write_config
from tests.zuul_client import ZuulLikeClient


@dataclass
class Farm:
    tmp: Path
    server: Any
    doubles: dict[str, Any] = field(default_factory=dict)
    controller: ControllerProcess | None = None
    client: ZuulLikeClient | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.tmp / "controller.yaml"

    def write_config(self) -> Path:
        return write_config(self.config_path, [self.server.address], list(self.doubles.items()), **self.options)

    def start_controller(self, *extra: str) -> ControllerProcess:
        self.write_config()
        self.controller = ControllerProcess(self.config_path, self.tmp / "controller.log", *extra).start()
        return self.controller

    def connect_client(self) -> ZuulLikeClient:
        if self.client is None:
            self.client = ZuulLikeClient((self.server.host, self.server.port))
        return self.client

    def wait_for_function(self, function: str, workers: int = 1, timeout: float = 30) -> None:
        wait_until(
            lambda: function_workers(self.server).get(function, 0) >= workers,
            timeout,
            f"{workers} workers registering {function}",
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    farm = getattr(item, "_farm", None)
    if report.failed and farm is not None and farm.controller is not None:
        report.sections.append(("controller log", farm.controller.log()[-30000:]))


@pytest.fixture
def farm_factory(request, tmp_path, jenkins_double_factory):
    farms = []

    def make(server: Any, masters: int = 2, **options: Any) -> Farm:
        farm = Farm(tmp_path, server, options=options)
        for index in range(1, masters + 1):
            name = f"jenkins{index}"
            farm.doubles[name] = jenkins_double_factory(name)
        farms.append(farm)
        request.node._farm = farm
        return farm

    yield make
    for farm in farms:
        if farm.client is not None:
            farm.client.shutdown()
        if farm.controller is not None:
            farm.controller.stop()


@pytest.fixture
def farm(farm_factory, gearmand) -> Iterator[Farm]:
    """Two doubles behind gearmand, no controller started yet."""
    yield farm_factory(gearmand)
