"""The ``status_farm`` fixture (see ``status_farm.py``)."""

from __future__ import annotations

import pytest

from tests.gearman_servers import free_port
from tests.status.status_farm import ADMIN_USER, GATED, NODE, StatusFarm


@pytest.fixture
def status_farm(farm_factory, jenkins_double_factory, gearmand, tmp_path) -> StatusFarm:
    port = free_port()
    farm = farm_factory(gearmand, masters=0, metrics_port=port, orphan_grace=2)
    double = farm.doubles["jenkins1"] = jenkins_double_factory("jenkins1", admin_user=ADMIN_USER)
    double.add_node(NODE, labels="linux", executors=2)
    double.create_job("gated", command=GATED, label="linux")
    farm.start_controller()
    farm.wait_for_function("build:gated", workers=2)
    farm.connect_client()
    gates = tmp_path / "gates"
    gates.mkdir()
    return StatusFarm(farm, port, gates)
