"""pytest fixtures around tests/sshd.py: a real sshd on loopback and jenkins_home directories it can reach.

``sshd_server`` is session-scoped (one server for the whole run); tests must
not change its files. The ``ssh_jenkins_home`` fixture prints what sshd logged
during the test at teardown, which pytest shows only when the test failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sshd import SSHDServer, remove_tree, running_sshd


@pytest.fixture(scope="session")
def sshd_server() -> Iterator[SSHDServer]:
    with running_sshd() as server:
        yield server


@pytest.fixture
def ssh_jenkins_home(sshd_server: SSHDServer, request: pytest.FixtureRequest) -> Iterator[Path]:
    """An empty, existing jenkins_home for this test, reachable by the server's unprivileged user too."""
    path = sshd_server.new_directory(re.sub(r"[^\w.-]", "_", request.node.name)[:40])
    log_offset = sshd_server.log_path.stat().st_size
    yield path
    remove_tree(path)
    print(f"--- sshd log during this test ---\n{sshd_server.log_since(log_offset)}")
