"""build: arguments: parameters, OFFLINE_NODE_WHEN_COMPLETE, and input that cannot run."""

import json

import pytest

from tests.controller.jenkins_changes import change
from tests.controller_harness import function_workers, wait_until


@pytest.fixture
def master(farm_factory, gearmand):
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    double.add_node("single-use", labels="single", executors=1)
    double.add_node("other", labels="other", executors=2)
    double.create_job("echo", command='printf "%s" "$MESSAGE" > out.txt', label="single || other")
    double.create_job("once", command="true", label="single")
    farm.start_controller()
    farm.wait_for_function("build:once:single")
    farm.connect_client()
    return farm


def parameters_of(double, job, number):
    return json.loads(change(double, "build_parameters", job=job, number=number))


def test_parameters_reach_the_build_byte_for_byte_and_run_nothing(master):
    client = master.client
    tricky = {
        "MESSAGE": "${Jenkins.instance.doSafeExit(null)}",
        "QUOTES": "''' \"\"\" \\ $HOME ${x} \n second line",
        "UNICODE": "zürich ✓ 𝄞",
        "NUMBER": 42,
    }
    build = client.submit("build:echo", tricky)
    client.wait([build], 60)
    assert build.result == "SUCCESS"
    values = parameters_of(master.doubles["jenkins1"], "echo", build.data["number"])
    assert values["MESSAGE"] == tricky["MESSAGE"]
    assert values["QUOTES"] == tricky["QUOTES"]
    assert values["UNICODE"] == tricky["UNICODE"]
    assert values["NUMBER"] == "42"  # non-string values arrive as their JSON text
    assert values["GEARMAN_UUID"] == build.unique
    assert master.doubles["jenkins1"].is_running()  # doSafeExit did not run


def test_a_one_megabyte_value_arrives_intact(master):
    # Linux caps one environment string at 128 KiB, so a shell step could not
    # start with it (in Jenkins as in the double); the build's ParametersAction
    # still holds it intact, which is what this checks.
    master.doubles["jenkins1"].create_job("nosteps", label="other")
    master.wait_for_function("build:nosteps")
    big = "".join(chr(0x20 + i % 90) for i in range(1024 * 1024))
    build = master.client.submit("build:nosteps", {"BIG": big})
    master.client.wait([build], 60)
    assert build.result == "SUCCESS"
    assert parameters_of(master.doubles["jenkins1"], "nosteps", build.data["number"])["BIG"] == big


def test_offline_node_when_complete_takes_the_node_offline_before_work_complete(master):
    client = master.client
    double = master.doubles["jenkins1"]
    build = client.submit("build:once", {"OFFLINE_NODE_WHEN_COMPLETE": "true"})
    client.wait([build], 60)
    assert build.result == "SUCCESS"
    assert build.data["node_name"] == "single-use"
    state = json.loads(change(double, "node_state", node="single-use"))
    assert state["temporarily"] is True
    # Its workers register nothing now, and no other build ran there.
    wait_until(lambda: function_workers(master.server).get("build:once:single", 0) == 0, 5, "single-use unregistered")
    follow = client.submit("build:once")
    with pytest.raises(AssertionError):
        client.wait([follow], 3)
    assert [b["number"] for b in json.loads(change(double, "builds_of", job="once"))] == [build.data["number"]]
    change(double, "temporarily_offline", node="single-use", offline=False)
    client.wait([follow], 30)
    assert follow.result == "SUCCESS"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"this is not json", "arguments are not JSON"),
        (b"[1, 2, 3]", "must be a JSON object"),
        (b'{"A": "x\\u0000y"}', "NUL byte"),
        (b'{"pad": "' + b"y" * (10 * 1024 * 1024) + b'"}', "bytes allowed"),
    ],
)
def test_unusable_arguments_get_work_exception_and_the_controller_stays_up(master, raw, reason):
    client = master.client
    bad = client.submit("build:echo", raw=raw)
    client.wait([bad], 60)
    assert bad.kinds() == ["WORK_EXCEPTION"]
    assert reason in bad.events[0][1]
    good = client.submit("build:echo", {"MESSAGE": "still here"})
    client.wait([good], 60)
    assert good.result == "SUCCESS"


def test_job_deleted_after_registration_gets_work_exception(master):
    client = master.client
    double = master.doubles["jenkins1"]
    double.create_job("doomed", command="true", label="other")
    master.wait_for_function("build:doomed")
    change(double, "delete_job", job="doomed")
    # The function may still be registered for a moment; a job that reaches a worker then is refused.
    build = client.submit("build:doomed")
    wait_until(
        lambda: build.answered or function_workers(master.server).get("build:doomed", 0) == 0,
        10,
        "answer or unregister",
    )
    if build.answered:
        assert build.kinds() == ["WORK_EXCEPTION"]
        assert "no such job" in build.events[0][1]


def test_an_undeclared_parameter_the_policy_denies_gets_work_exception_naming_it(master):
    client = master.client
    double = master.doubles["jenkins1"]
    double.create_job("declares-path", command="true", label="other", parameters=[{"name": "PATH", "type": "string"}])
    master.wait_for_function("build:declares-path")

    refused = client.submit("build:echo", {"MESSAGE": "hi", "LD_PRELOAD": "/tmp/evil.so"})
    declared = client.submit("build:declares-path", {"PATH": "/usr/bin:/bin"})
    client.wait([refused, declared], 60)

    assert refused.kinds() == ["WORK_EXCEPTION"]
    assert "parameter LD_PRELOAD is not declared by job echo on jenkins1" in refused.events[0][1]
    assert "options.undeclared_parameters" in refused.events[0][1]
    assert declared.result == "SUCCESS"
    assert parameters_of(double, "declares-path", declared.data["number"])["PATH"] == "/usr/bin:/bin"
