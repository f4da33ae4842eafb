"""Jobs in folders through Gearman: registered, built, stopped and described by full name.

A job's function is ``build:{full name}`` ("team/sub/unit"); no short-name alias
is registered, even where the short name is unambiguous (README: the Gearman
contract). Moving or renaming a folder re-registers every job inside it.
"""

from __future__ import annotations

import json

import pytest

from tests.controller.jenkins_changes import change
from tests.controller_harness import wait_until, worker_functions

# As tests/controller/test_registration.py: within 2 s, plus the admin output's own polling delay.
WITHIN = 2.5


@pytest.fixture
def folders(farm_factory, gearmand):
    """One node; jobs in team/sub, a Pipeline among them, and a top-level job sharing a short name."""
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    double.add_node("n1", labels="linux", executors=2)
    double.create_folder("team/sub")
    double.create_folder("other")
    double.create_job("unit", command="echo in-a-folder", label="linux", folder="team/sub")
    double.create_pipeline("pipe", "node('linux') { sh 'sleep 60' }", folder="team/sub")
    double.create_job("lonely", command="true", folder="team")
    double.create_job("unit", command="echo top-level", label="linux")
    farm.start_controller()
    farm.wait_for_function("build:team/sub/pipe", workers=2)
    farm.connect_client()
    return farm


def functions(farm) -> set[str]:
    return worker_functions(farm.server).get("n1_exec-0") or set()


def settle(farm, expected: set[str], message: str) -> None:
    wait_until(lambda: functions(farm) == expected, WITHIN, message)


def test_jobs_in_nested_folders_register_build_stop_and_describe_by_full_name_only(folders):
    client = folders.client
    double = folders.doubles["jenkins1"]
    assert functions(folders) == {
        "build:team/sub/unit",
        "build:team/sub/unit:linux",
        "build:team/sub/pipe",
        "build:team/lonely",
        "build:unit",  # the top-level job: its full name is its short name
        "build:unit:linux",
    }  # no build:lonely, although only one job is called lonely

    unit = client.submit("build:team/sub/unit")
    client.wait([unit], 30)
    assert unit.result == "SUCCESS"
    assert unit.data["name"] == "team/sub/unit"
    assert unit.data["url"] == f"{double.url}job/team/job/sub/job/unit/{unit.data['number']}/"
    assert "in-a-folder" in change(double, "run_log", job="team/sub/unit", number=unit.data["number"])
    assert json.loads(change(double, "builds_of", job="unit")) == []  # not the top-level job

    pipe = client.submit("build:team/sub/pipe")
    data = wait_until(lambda: pipe.data, 30, "the Pipeline started")
    assert data["name"] == "team/sub/pipe"
    stop = client.stop("jenkins1", data["name"], data["number"])  # as Zuul does, with WORK_DATA's name
    client.wait([stop, pipe], 30)
    assert stop.kinds()[-1] == "WORK_COMPLETE"
    assert pipe.result == "ABORTED"

    describe = client.submit(
        "set_description:jenkins1",
        {"name": "team/sub/unit", "number": unit.data["number"], "html_description": "<b>in a folder</b>"},
    )
    client.wait([describe], 30)
    assert describe.kinds() == ["WORK_COMPLETE"]
    assert change(double, "build_description", job="team/sub/unit", number=unit.data["number"]) == (
        "<b>in a folder</b>"
    )
    describe = client.submit(
        "set_description:jenkins1", {"name": "team/sub/pipe", "number": data["number"], "html_description": "stopped"}
    )
    client.wait([describe], 30)
    assert describe.kinds() == ["WORK_COMPLETE"]
    assert change(double, "build_description", job="team/sub/pipe", number=data["number"]) == "stopped"


def test_moved_renamed_and_disabled_jobs_in_folders_reregister_within_2_s(folders):
    double = folders.doubles["jenkins1"]
    top_level = {"build:unit", "build:unit:linux"}

    change(double, "rename_job", job="team", new_name="squad")
    settle(
        folders,
        {"build:squad/sub/unit", "build:squad/sub/unit:linux", "build:squad/sub/pipe", "build:squad/lonely"}
        | top_level,
        "folder renamed",
    )

    change(double, "move_item", item="squad/sub", to="other")
    settle(
        folders,
        {"build:other/sub/unit", "build:other/sub/unit:linux", "build:other/sub/pipe", "build:squad/lonely"}
        | top_level,
        "folder moved into another",
    )

    change(double, "move_item", item="other/sub/pipe", to=None)
    settle(
        folders,
        {"build:other/sub/unit", "build:other/sub/unit:linux", "build:pipe", "build:squad/lonely"} | top_level,
        "Pipeline moved to the top level",
    )

    change(double, "make_disabled", job="pipe", disabled=True)
    change(double, "disable_job", job="other/sub/unit")
    settle(folders, {"build:squad/lonely"} | top_level, "disabled jobs dropped")
    change(double, "make_disabled", job="pipe", disabled=False)
    settle(folders, {"build:pipe", "build:squad/lonely"} | top_level, "re-enabled Pipeline back")
