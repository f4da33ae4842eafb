"""stop: and set_description:, and cancellation in each of the seed's three states."""

import json

import pytest

from tests.controller.jenkins_changes import change
from tests.controller_harness import wait_until


@pytest.fixture
def master(farm_factory, gearman_server):
    farm = farm_factory(gearman_server, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    double.add_node("n1", labels="linux", executors=1)
    double.create_job("sleepy", command="sleep 60", label="linux")
    double.create_job("quick", command="echo quick", label="linux")
    double.create_job("serial", command="sleep 60", label="linux", concurrent=False)
    farm.start_controller()
    farm.wait_for_function("build:quick:linux")
    farm.connect_client()
    return farm


def builds(farm, job):
    return json.loads(change(farm.doubles["jenkins1"], "builds_of", job=job))


def running(record):
    return wait_until(lambda: record.data, 30, f"{record.job.name} started")


def test_stop_running_build_by_name_and_number_like_zuul(master):
    client = master.client
    build = client.submit("build:sleepy")
    data = running(build)
    stop = client.stop(data["manager"], data["name"], data["number"])  # number as a JSON integer
    client.wait([stop, build], 30)
    assert stop.kinds()[-1] == "WORK_COMPLETE"
    assert build.result == "ABORTED"


def test_stop_accepts_number_as_string(master):
    client = master.client
    build = client.submit("build:sleepy")
    data = running(build)
    stop = client.submit("stop:jenkins1", {"name": "sleepy", "number": str(data["number"])})
    client.wait([stop, build], 30)
    assert build.result == "ABORTED"


def test_stop_of_a_finished_build_fails_and_of_an_unknown_build_raises(master):
    client = master.client
    done = client.submit("build:quick")
    client.wait([done], 30)
    finished = client.submit("stop:jenkins1", {"name": "quick", "number": done.data["number"]})
    unknown = client.submit("stop:jenkins1", {"name": "quick", "number": 999})
    garbage = client.submit("stop:jenkins1", raw=b"not json")
    client.wait([finished, unknown, garbage], 30)
    assert finished.kinds()[-1] == "WORK_FAIL"
    assert unknown.kinds() == ["WORK_EXCEPTION"]
    assert "no build quick #999" in unknown.events[0][1]
    assert garbage.kinds() == ["WORK_EXCEPTION"]


def test_cancel_in_the_executor_by_uuid(master):
    client = master.client
    build = client.submit("build:sleepy")
    running(build)
    stop = client.submit("stop:jenkins1", {"uuid": build.unique})
    client.wait([stop, build], 30)
    assert "aborted" in stop.completion
    assert build.result == "ABORTED"


def test_cancel_in_the_jenkins_queue_by_uuid(master):
    client = master.client
    double = master.doubles["jenkins1"]
    change(double, "add_executor_node", node="n2", labels="linux", executors=2)
    master.wait_for_function("build:serial:linux", workers=3)
    first = client.submit("build:serial")
    running(first)
    # The job does not run concurrently: the second build waits in Jenkins' queue.
    second = client.submit("build:serial")
    wait_until(lambda: change(double, "queue_length") == "1", 30, "second build in the Jenkins queue")
    stop = client.submit("stop:jenkins1", {"uuid": second.unique})
    client.wait([stop, second], 30)
    assert "removed" in stop.completion
    assert second.kinds() == ["WORK_COMPLETE"]
    assert second.result == "ABORTED"
    assert [b["number"] for b in builds(master, "serial")] == [first.data["number"]]


def test_cancel_in_the_gearman_queue_by_uuid(master):
    client = master.client
    blocker = client.submit("build:sleepy")
    running(blocker)
    # n1's only executor is busy: this job waits in the Gearman server's queue.
    waiting = client.submit("build:quick")
    stop = client.submit("stop:jenkins1", {"uuid": waiting.unique})
    client.wait([stop], 30)
    assert "will complete as ABORTED" in stop.completion
    client.wait([client.stop("jenkins1", "sleepy", blocker.data["number"])], 30)
    client.wait([waiting, blocker], 30)
    assert waiting.kinds() == ["WORK_COMPLETE"]
    assert waiting.result == "ABORTED"
    assert builds(master, "quick") == []  # nothing ran


def test_set_description(master):
    client = master.client
    build = client.submit("build:quick")
    client.wait([build], 30)
    number = build.data["number"]
    describe = client.submit(
        "set_description:jenkins1",
        {"name": "quick", "number": str(number), "html_description": "<h1>My New Description</h1>"},
    )
    missing = client.submit("set_description:jenkins1", {"name": "quick", "number": 999, "html_description": "x"})
    client.wait([describe, missing], 30)
    assert describe.kinds() == ["WORK_COMPLETE"]
    assert (
        change(master.doubles["jenkins1"], "build_description", job="quick", number=number)
        == "<h1>My New Description</h1>"
    )
    assert missing.kinds() == ["WORK_EXCEPTION"]
