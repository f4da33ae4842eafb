"""pytest fixtures for Gearman servers (see tests/gearman_servers.py).

- ``gearmand``: Debian's gearmand on a free loopback port, in-memory queue.
- ``gear_server``: our embedded gear server (``controller.gearman.embedded_server``) as a process.
- ``gearman_server``: parametrized over both (ids ``gearmand`` and ``gear``) for
  behaviour that must hold with either.
- ``gearman_tls``: a throwaway CA with server and client certificates (session-wide).
- ``tls_gear_server``: the embedded server requiring client certificates from that CA.

Each server is started per test (about 30 ms for gearmand, 150 ms for gear),
stopped at teardown whatever the test did to it (killed, paused), and its log
printed at teardown, which pytest shows only for a failed test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gearman_servers import SERVER_KINDS, GearmandProcess, GearProcess, ServerProcess, TLSFiles, make_tls_files


def _running(server: ServerProcess) -> Iterator[ServerProcess]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
        print(f"--- {server.kind} log ({server.address}) ---\n{server.log()}")


@pytest.fixture
def gearmand(tmp_path: Path) -> Iterator[ServerProcess]:
    yield from _running(GearmandProcess(tmp_path / "gearmand"))


@pytest.fixture
def gear_server(tmp_path: Path) -> Iterator[ServerProcess]:
    yield from _running(GearProcess(tmp_path / "gear"))


@pytest.fixture(params=sorted(SERVER_KINDS, reverse=True))  # ids: gearmand, gear
def gearman_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    kind = request.param
    yield from _running(SERVER_KINDS[kind](tmp_path / kind))


@pytest.fixture(scope="session")
def gearman_tls(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    return make_tls_files(tmp_path_factory.mktemp("gearman-tls"))


@pytest.fixture
def tls_gear_server(tmp_path: Path, gearman_tls: TLSFiles) -> Iterator[ServerProcess]:
    yield from _running(GearProcess(tmp_path / "gear-tls", tls=gearman_tls.server))
