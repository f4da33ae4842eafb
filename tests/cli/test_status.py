"""`gearman-jenkins status`: executors and builds per master, Gearman functions per server.

One farm for the module: gearmand, a master ``jenkins1`` driven by the real
controller (so its Gearman functions are registered and Gearman builds
carry a uuid), and a master ``bare`` that no controller touches and that
has no agent.
"""

from __future__ import annotations

import re
import signal
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from controller.config import MasterConfig, Secret
from controller.gearman.admin import AdminClient
from controller.masters.client import MasterClient
from controller.templates import agent_version
from tests.cli.conftest import COMMAND, gearman_jenkins, lines_with, master_entry, write_config
from tests.controller_harness import ControllerProcess, function_workers, wait_until
from tests.ports import free_port


@pytest.fixture(scope="module")
def farm(module_doubles, module_gearmand, tmp_path_factory) -> Iterator[dict]:
    jenkins1 = module_doubles("jenkins1")
    jenkins1.set_quiet_period(0)
    jenkins1.add_node("agent1", labels="linux x86", executors=1)
    jenkins1.create_job("sleeper", command="sleep 60", label="linux")
    jenkins1.create_job("plain", command="sleep 60", label="built-in")
    bare = module_doubles("bare")
    bare.add_node("nothing-here", executors=1)
    directory = tmp_path_factory.mktemp("status")
    controller_config = write_config(
        directory / "controller.yaml", [module_gearmand.address], [master_entry("jenkins1", jenkins1)]
    )
    controller = ControllerProcess(controller_config, directory / "controller.log").start()
    try:
        wait_until(lambda: function_workers(module_gearmand).get("build:sleeper"), 30, "build:sleeper registered")
        yield {"jenkins1": jenkins1, "bare": bare, "controller_config": controller_config}
    finally:
        controller.kill()  # SIGKILL: do not wait for the sleeping builds to report


@pytest.fixture
def config(tmp_path, farm, module_gearmand):
    masters = [master_entry("jenkins1", farm["jenkins1"]), master_entry("bare", farm["bare"])]
    return write_config(tmp_path / "controller.yaml", [module_gearmand.address], masters)


def inventory(double) -> dict:
    return MasterClient(MasterConfig("m", double.url, double.admin_user, Secret(double.admin_token))).inventory()[1]


def gearman_status(server) -> list:
    with AdminClient(server.server) as admin:
        return admin.status()


def section(stdout: str, header_start: str) -> list[str]:
    """The lines of one master's or server's block (up to the blank line after it)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_running_builds_nodes_and_gearman_functions_in_aligned_tables(farm, module_gearmand):
    jenkins1 = farm["jenkins1"]
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    submit = [COMMAND, "submit", "-c", farm["controller_config"], "--function", "build:sleeper", "--wait"]
    submits = [
        subprocess.Popen([*submit, "--unique", unique], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for unique in (first, second)
    ]
    try:
        jenkins1.client().build_job("plain")
        wait_until(lambda: len(inventory(jenkins1)["running"]) == 2, 30, "two running builds")
        wait_until(
            lambda: any(f.name == "build:sleeper" and f.queued == 2 for f in gearman_status(module_gearmand)),
            10,
            "the second Gearman build waiting",
        )
        run = gearman_jenkins("status", "-c", farm["controller_config"])
    finally:
        for submit in submits:
            submit.send_signal(signal.SIGINT)  # cancels the job still queued
            submit.wait(10)
    assert run.returncode == 0, str(run)
    gearman_uuid = next(b["uuid"] for b in inventory(jenkins1)["running"] if b["job"] == "sleeper")
    assert gearman_uuid in (first, second)

    master = section(run.stdout, "master jenkins1")
    assert master[0].startswith(f"master jenkins1  {jenkins1.url}  agent {agent_version()} (epoch ")
    assert re.fullmatch(r"  owned by \S+ \(lease epoch \d+, held \d+(\.\d)? s\)", master[1]), master[1]
    assert master[2] == (
        "  executors: 3 total, 1 idle, 2 busy, 0 offline; builds: 2 running, 0 Gearman builds queued in Jenkins"
    )
    assert master[3:] == [
        "  NODE        STATE   EXECUTORS  IDLE  BUSY  OFFLINE  MODE    LABELS",
        "  (built-in)  online          2     1     1        0  NORMAL  -",
        "  agent1      online          1     0     1        0  NORMAL  linux x86",
    ]
    builds = section(run.stdout[run.stdout.index("  BUILD") :], "  BUILD")
    assert re.fullmatch(r"  BUILD +STATE +NODE +AGE +UUID", builds[0])
    assert re.fullmatch(r"  plain #1 +running +\(built-in\) +\d+ s +-", builds[1])
    assert re.fullmatch(rf"  sleeper #1 +running +agent1 +\d+ s +{gearman_uuid}", builds[2])
    assert builds[1].index("running") == builds[0].index("STATE")  # aligned

    server = section(run.stdout, f"gearman {module_gearmand.address}")
    rows = {line.split()[0]: line.split()[1:] for line in server[2:]}
    assert server[1].split() == ["FUNCTION", "QUEUED", "RUNNING", "WORKERS"]
    assert rows["build:sleeper"] == ["1", "1", "1"]  # one waiting, one running, agent1's one executor
    assert rows["build:plain"] == ["0", "0", "2"]
    assert rows["stop:jenkins1"] == ["0", "0", "1"] and rows["set_description:jenkins1"] == ["0", "0", "1"]


def test_master_without_agent_is_one_line_and_the_rest_is_still_reported(config, module_gearmand):
    run = gearman_jenkins("status", "-c", config)
    assert run.returncode == 1
    [bare] = lines_with(run.stdout, "master bare")
    assert bare == f"master bare  NO AGENT  no agent installed; run `gearman-jenkins deploy -c {config} --master bare`"
    assert section(run.stdout, "master jenkins1")[3].lstrip().startswith("NODE")
    assert section(run.stdout, f"gearman {module_gearmand.address}")[1].lstrip().startswith("FUNCTION")


def test_master_option_reports_that_master_only(config, module_gearmand):
    run = gearman_jenkins("status", "-c", config, "--master", "jenkins1")
    assert run.returncode == 0, str(run)
    assert not lines_with(run.stdout, "master bare")
    assert lines_with(run.stdout, "master jenkins1") and lines_with(run.stdout, f"gearman {module_gearmand.address}")


def test_down_master_and_down_gearman_server_are_one_line_each(tmp_path, farm, module_gearmand):
    down_url = f"http://127.0.0.1:{free_port()}/"
    dead = f"127.0.0.1:{free_port()}"
    masters = [
        {"name": "down", "url": down_url, "user": "admin", "token": "x"},
        master_entry("jenkins1", farm["jenkins1"]),
    ]
    config = write_config(tmp_path / "c.yaml", [dead, module_gearmand.address], masters)
    run = gearman_jenkins("status", "-c", config)
    assert run.returncode == 1
    assert lines_with(run.stdout, "master down") == [
        f"master down  DOWN  cannot reach {down_url}: Connection refused; "
        f"start Jenkins or correct the url in masters[0] of {config}"
    ]
    assert lines_with(run.stdout, f"gearman {dead}") == [
        f"gearman {dead}  DOWN  connection refused (is the Gearman server running on that port?); "
        f"start the Gearman server on {dead}, or correct gearman.servers in {config}"
    ]
    assert lines_with(run.stdout, "master jenkins1") and lines_with(run.stdout, f"gearman {module_gearmand.address}")
    assert "Traceback" not in run.stderr


def test_json_holds_everything_the_tables_show(config, farm, module_gearmand):
    run = gearman_jenkins("status", "-c", config, "--json")
    assert run.returncode == 1
    report = run.json()
    assert report["ok"] is False
    jenkins1, bare = report["masters"]
    assert bare == {
        "name": "bare",
        "url": farm["bare"].url,
        "state": "no_agent",
        "error": "no agent installed",
        "fix": f"run `gearman-jenkins deploy -c {config} --master bare`",
    }
    assert jenkins1["state"] == "ok" and jenkins1["agent_version"] == agent_version()
    assert {node["name"] for node in jenkins1["nodes"]} == {"", "agent1"}
    [agent1] = [node for node in jenkins1["nodes"] if node["name"] == "agent1"]
    assert set(agent1) == {"name", "state", "mode", "labels", "total", "idle", "busy", "offline"}
    assert agent1["labels"] == ["agent1", "linux", "x86"]  # the self label too, as Jenkins lists them
    assert set(jenkins1["executors"]) == {"total", "idle", "busy", "offline"}
    for build in jenkins1["builds"]:
        assert build["url"].startswith(farm["jenkins1"].url)
        assert set(build) >= {"job", "number", "state", "node", "uuid", "age_s", "queue_id"}
    [server] = report["gearman"]
    assert server["server"] == module_gearmand.address and server["state"] == "ok"
    names = {function["name"] for function in server["functions"]}
    assert {"build:sleeper", "stop:jenkins1", "set_description:jenkins1"} <= names
    assert all(set(f) == {"name", "queued", "total", "running", "workers"} for f in server["functions"])
