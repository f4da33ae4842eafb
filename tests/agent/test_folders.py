"""Jobs in folders and Pipeline jobs, as the agent reports them: by full name, and within 1 s of a change.

Folders (cloudbees-folder) nest items; a job's full name is its path ("a/b/job").
Moving or renaming a folder changes the full name of every job inside it, and
the agent reports each of them under its new name.
"""

from __future__ import annotations

import pytest

from tests.agent.conftest import (
    EventWatcher,
    assert_gapless,
    client_for,
    observe,
    schedule,
    wait_state,
)
from tests.controller.jenkins_changes import change


@pytest.fixture(scope="module")
def double(agent_double):
    agent_double.add_node("fold-node", labels="fold", executors=1)
    agent_double.create_folder("outer/inner")
    agent_double.create_job("unit", command="true", label="fold", folder="outer/inner")
    agent_double.create_pipeline("pipe", "node('fold') { sh 'true' }", folder="outer")
    agent_double.create_job("unit", command="true")  # the same short name at the top level
    return agent_double


@pytest.fixture(scope="module")
def watcher(double):
    watcher = EventWatcher(client_for(double), after=0).start()
    yield watcher
    watcher.stop()


@pytest.fixture(autouse=True)
def no_gaps(watcher):
    yield
    assert_gapless(watcher)


def of_type(event_type, **fields):
    def matches(event):
        if event["type"] != event_type:
            return False
        body = event.get("job") if event_type == "job" else event
        return all(body.get(k) == v for k, v in fields.items())

    return matches


def test_inventory_lists_pipelines_and_jobs_in_nested_folders_by_full_name(double, client):
    jobs = {job["name"]: job for job in client.inventory()[1]["jobs"]}

    assert {"outer/inner/unit", "outer/pipe", "unit"} <= set(jobs)
    assert not {"outer", "outer/inner"} & set(jobs)  # folders are not jobs
    assert (jobs["outer/inner/unit"]["kind"], jobs["outer/inner/unit"]["label"]) == ("freestyle", "fold")
    # A Pipeline's own label is the built-in node's, where its run goes: not reported.
    assert (jobs["outer/pipe"]["kind"], jobs["outer/pipe"]["label"]) == ("pipeline", None)
    assert (jobs["outer/pipe"]["disabled"], jobs["outer/pipe"]["buildable"]) == (False, True)


def test_a_pipeline_in_a_folder_created_disabled_and_enabled_is_reported(double, watcher):
    created = observe(
        watcher,
        "pipeline created in a folder",
        lambda: double.create_pipeline("made", "echo 'hi'", folder="outer/inner"),
        of_type("job", name="outer/inner/made"),
    )
    assert (created["job"]["kind"], created["job"]["label"]) == ("pipeline", None)

    observe(
        watcher,
        "pipeline disabled",
        lambda: change(double, "make_disabled", job="outer/inner/made", disabled=True),
        of_type("job", name="outer/inner/made", disabled=True, buildable=False),
    )
    observe(
        watcher,
        "pipeline enabled",
        lambda: change(double, "make_disabled", job="outer/inner/made", disabled=False),
        of_type("job", name="outer/inner/made", disabled=False, buildable=True),
    )


def test_moving_and_renaming_a_folder_reports_every_job_inside_under_its_new_name(double, watcher):
    double.create_folder("movable/deep")
    double.create_job("fs", command="true", folder="movable/deep")
    double.create_pipeline("pl", "echo 'hi'", folder="movable")
    double.create_folder("target")

    start = watcher.mark()
    observe(
        watcher,
        "folder moved",
        lambda: change(double, "move_item", item="movable", to="target"),
        of_type("job", name="target/movable/deep/fs"),
    )
    watcher.wait_for(of_type("job", name="target/movable/pl"), timeout=1, start=start)
    watcher.wait_for(of_type("job_removed", name="movable/deep/fs"), timeout=0, start=start)
    watcher.wait_for(of_type("job_removed", name="movable/pl"), timeout=0, start=start)

    start = watcher.mark()
    observe(
        watcher,
        "folder renamed",
        lambda: change(double, "rename_job", job="target/movable", new_name="moved"),
        of_type("job", name="target/moved/pl", kind="pipeline"),
    )
    watcher.wait_for(of_type("job", name="target/moved/deep/fs"), timeout=1, start=start)
    watcher.wait_for(of_type("job_removed", name="target/movable/deep/fs"), timeout=0, start=start)

    start = watcher.mark()
    observe(
        watcher,
        "job moved to the top level",
        lambda: change(double, "move_item", item="target/moved/deep/fs", to=None),
        of_type("job", name="fs"),
    )
    watcher.wait_for(of_type("job_removed", name="target/moved/deep/fs"), timeout=0, start=start)


def test_deleting_a_folder_reports_its_jobs_removed(double, watcher):
    double.create_folder("doomed")
    double.create_pipeline("pl", "echo 'hi'", folder="doomed")

    observe(
        watcher,
        "folder deleted",
        lambda: change(double, "delete_job", job="doomed"),
        of_type("job_removed", name="doomed/pl"),
    )


def test_a_gearman_build_of_a_job_in_a_folder_is_recorded_by_full_name(double, client):
    gearman = schedule(client, "outer/inner/unit", "fold-node")

    build = wait_state(client, gearman["uuid"], ("finished",))

    assert (build["job"], build["result"], build["node"]) == ("outer/inner/unit", "SUCCESS", "fold-node")
    assert build["url"] == f"job/outer/job/inner/job/unit/{build['number']}/"
