"""pytest fixtures for end-to-end tests of the controller.

``farm`` builds a small build farm: Jenkins doubles (named ``jenkins1``,
``jenkins2``...), a Gearman server, the agent deployed, and the real
controller process running against them; a failed test gets the
controller's log in its report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.controller.jenkins_changes import run as change_script
from tests.controller_harness import ControllerProcess, function_workers, wait_until, write_config
from tests.tcp_proxy import TcpProxy
from tests.zuul_client import ZuulLikeClient


@dataclass(frozen=True)
class MasterAddress:
    """Where the controller reaches a master (the double itself, or a proxy in front of it), and who should own it."""

    url: str
    admin_user: str
    admin_token: str
    controllers: tuple[str, ...] = ()


# The lease of a master as its agent holds it (the masters' own word on who owns them).
LEASE = (
    "def agent = hudson.ExtensionList.lookup(hudson.model.queue.QueueTaskDispatcher)"
    ".find { it.getClass().getName() == 'GearmanJenkinsAgent' && !it.stopped }\n"
    "println groovy.json.JsonOutput.toJson(agent == null ? null : agent.lease.state())"
)


CLOSE_WAIT_S = 5.0


@dataclass
class Farm:
    tmp: Path
    server: Any
    doubles: dict[str, Any] = field(default_factory=dict)
    controller: ControllerProcess | None = None
    client: ZuulLikeClient | None = None
    options: dict[str, Any] = field(default_factory=dict)
    extra_clients: list[ZuulLikeClient] = field(default_factory=list)

    @property
    def config_path(self) -> Path:
        return self.tmp / "controller.yaml"

    servers: list[Any] = field(default_factory=list)  # more servers besides ``server``
    tls: Any = None  # TLSConfig the controller and client use
    proxies: dict[str, TcpProxy] = field(default_factory=dict)  # master -> the proxy the controller goes through
    preferences: dict[str, tuple[str, ...]] = field(default_factory=dict)  # master -> its preferred controllers
    named: dict[str, ControllerProcess] = field(default_factory=dict)  # several controllers, by name

    def proxy(self, master: str) -> TcpProxy:
        """Put a proxy between the controller and ``master`` (before the controller starts)."""
        double = self.doubles[master]
        self.proxies[master] = TcpProxy("127.0.0.1", double.port)
        return self.proxies[master]

    def write_config(
        self,
        masters: list[str] | None = None,
        path: Path | None = None,
        proxies: dict[str, TcpProxy] | None = None,
        **options: Any,
    ) -> Path:
        """The controller's config for the named doubles (default: all of them)."""
        addresses = [s.address for s in [self.server, *self.servers] if s is not None]
        proxies = self.proxies if proxies is None else proxies
        chosen = [(name, self.doubles[name]) for name in masters or self.doubles]
        addressed = [
            (
                name,
                MasterAddress(
                    proxies[name].url if name in proxies else d.url,
                    d.admin_user,
                    d.admin_token,
                    self.preferences.get(name, ()),
                ),
            )
            for name, d in chosen
        ]
        return write_config(path or self.config_path, addresses, addressed, tls=self.tls, **{**self.options, **options})

    def start_named_controller(self, name: str, proxies: dict[str, TcpProxy] | None = None) -> ControllerProcess:
        """One of several controllers of the farm: the same masters and servers, a name of its own."""
        config = self.write_config(path=self.tmp / f"{name}.yaml", proxies=proxies or {}, controller_name=name)
        controller = ControllerProcess(config, self.tmp / f"{name}.log").start()
        self.named[name] = controller
        return controller

    def lease(self, master: str) -> dict[str, Any] | None:
        """The master's lease as its agent holds it: owner, epoch, remaining_ms, held_ms."""
        return json.loads(change_script(self.doubles[master], LEASE))

    def owner(self, master: str) -> str | None:
        lease = self.lease(master)
        return lease["owner"] if lease else None

    def start_controller(self, *extra: str, masters: list[str] | None = None) -> ControllerProcess:
        self.write_config(masters)
        self.controller = ControllerProcess(self.config_path, self.tmp / "controller.log", *extra).start()
        return self.controller

    def connect_client(self, server: Any = None) -> ZuulLikeClient:
        """A client of ``server`` (default: the farm's first server); the first one made is ``self.client``."""
        server = server or self.server
        client = ZuulLikeClient((server.host, server.port), tls=self.tls)
        if self.client is None:
            self.client = client
        else:
            self.extra_clients.append(client)
        return client

    def close(self) -> None:
        """Clients first, then controllers (SIGTERM; SIGKILL after a few seconds, since a build a
        test left running would otherwise hold the clean stop for as long as it runs), then proxies."""
        for client in [self.client, *self.extra_clients]:
            if client is not None:
                client.shutdown()
        for controller in [self.controller, *self.named.values()]:
            if controller is not None:
                controller.stop(timeout=CLOSE_WAIT_S)
        for proxy in self.proxies.values():
            proxy.close()

    def wait_for_function(self, function: str, workers: int = 1, timeout: float = 30, server: Any = None) -> None:
        server = server or self.server
        wait_until(
            lambda: function_workers(server, self.tls).get(function, 0) >= workers,
            timeout,
            f"{workers} workers registering {function} on {server.address}",
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    farm = getattr(item, "_farm", None)
    if report.failed and farm is not None:
        if farm.controller is not None:
            report.sections.append(("controller log", farm.controller.log()[-30000:]))
        for name, controller in farm.named.items():
            report.sections.append((f"controller {name} log", controller.log()[-20000:]))


@pytest.fixture
def farm_factory(request, tmp_path, jenkins_double_factory):
    def make(server: Any, masters: int = 2, **options: Any) -> Farm:
        farm = Farm(tmp_path, server, options=options)
        for index in range(1, masters + 1):
            name = f"jenkins{index}"
            farm.doubles[name] = jenkins_double_factory(name)
        request.node._farm = farm
        # On the test item, not this fixture: item finalizers run last in, first out, so the
        # farm's clients and controllers stop while the Gearman server the test passed in (set
        # up before this call) still runs; otherwise they would first retry a vanished server.
        request.node.addfinalizer(farm.close)
        return farm

    return make


@pytest.fixture
def farm(farm_factory, gearmand) -> Iterator[Farm]:
    """Two doubles behind gearmand, no controller started yet."""
    yield farm_factory(gearmand)
