"""`gearman-jenkins submit`, `stop` and `describe` through their real entry point, against fake workers.

Each test runs the installed console script as a subprocess, as an operator
or a script would, against a real Gearman server and the fake workers of
tests/gearman/fake_worker.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import gear
import pytest

from controller.gearman.admin import AdminClient
from tests.gearman.fake_worker import FakeJenkinsWorkers
from tests.gearman_servers import HOST, ServerProcess
from tests.ports import free_port

COMMAND = str(Path(sys.executable).with_name("gearman-jenkins"))
SEED_BUILD_PARAMS = '{"OFFLINE_NODE_WHEN_COMPLETE":"false","param1":"moon","param1":"sun"}'


def gearman_jenkins(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def workers(gearman_server: ServerProcess) -> Iterator[FakeJenkinsWorkers]:
    with FakeJenkinsWorkers(gearman_server.host, gearman_server.port, executors=2) as fake:
        yield fake


@pytest.fixture
def twenty_executors(gearman_server: ServerProcess) -> Iterator[FakeJenkinsWorkers]:
    with FakeJenkinsWorkers(gearman_server.host, gearman_server.port, executors=20) as fake:
        yield fake


@pytest.fixture
def gear_workers(gear_server: ServerProcess) -> Iterator[FakeJenkinsWorkers]:
    with FakeJenkinsWorkers(gear_server.host, gear_server.port, executors=2) as fake:
        yield fake


def received(workers: FakeJenkinsWorkers, function: str) -> list:
    return [job for job in workers.received if job.function == function]


# -- the seed's gear_client.py command lines ---------------------------------


def test_seed_build_example_prints_like_gear_client_and_sends_the_params(gearman_server, workers):
    result = gearman_jenkins(
        "submit", "-s", HOST, "-p", str(gearman_server.port), "--function=build:fake", f"--params={SEED_BUILD_PARAMS}"
    )
    assert result.returncode == 0, result.stderr
    [job] = received(workers, "build:fake")
    # Duplicate keys: the last wins, as with gear_client.py's simplejson. The
    # unique id also travels as parameter "uuid", as gear_client.py sent it.
    assert job.arguments == {"OFFLINE_NODE_WHEN_COMPLETE": "false", "param1": "sun", "uuid": job.unique}
    assert re.fullmatch(r"[0-9a-f]{32}", job.unique)
    out = result.stdout
    assert f"Sending job: build:fake to {gearman_server.address} with params=" in out
    assert "Waiting for jobs to finish" in out and "---- Job Results ----" in out
    [line] = [line for line in out.splitlines() if line.startswith(f"{job.unique} : ")]
    assert '"result": "SUCCESS"' in line and '"node_name": "agent1"' in line
    assert result.stderr == ""


def test_seed_stop_example_runs_unchanged(gearman_server, workers):
    result = gearman_jenkins(
        "submit", "-s", HOST, "-p", str(gearman_server.port),
        "--function=stop:fake-master", '--params={"name":"fake","number":"130"}',
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [job] = received(workers, "stop:fake-master")
    assert job.arguments == {"name": "fake", "number": "130"}  # no uuid added: only build: jobs get one
    assert f"{job.unique} : ['Build fake #130 aborted']" in result.stdout


def test_seed_set_description_example_runs_unchanged(gearman_server, workers):
    params = '{"name":"fake","number":"105","html_description":"<h1>My New Description</h1>"}'
    result = gearman_jenkins(
        "submit", "-s", f"{HOST}:{gearman_server.port}", "--function=set_description:fake-master", f"--params={params}"
    )
    assert result.returncode == 0, result.stderr
    [job] = received(workers, "set_description:fake-master")
    assert job.arguments == json.loads(params)
    assert "['Description of fake #105 set']" in result.stdout


# -- submit -----------------------------------------------------------------


def test_twenty_iterations_run_at_once_with_one_progress_line_per_event(gearman_server, twenty_executors):
    start = time.monotonic()
    result = gearman_jenkins(
        "submit", "-s", gearman_server.address, "--function", "build:fake",
        "--params", '{"FAKE_SECONDS": "1"}', "--iterations", "20", "--wait",
    )  # fmt: skip
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    assert elapsed < 6, f"20 one-second builds on 20 executors took {elapsed:.1f} s: not concurrent"
    uniques = {job.unique for job in received(twenty_executors, "build:fake")}
    assert len(uniques) == 20
    results = result.stdout.splitlines()
    assert len(results) == 20
    for line in results:
        unique, outcome, url = line.split(" ")
        assert unique in uniques and outcome == "SUCCESS" and url.startswith("http://jenkins.invalid/job/fake/")
    progress = result.stderr.splitlines()
    assert all(re.match(r"\[\d+/20\] ", line) for line in progress), result.stderr
    for index in range(1, 21):
        mine = [line for line in progress if line.startswith(f"[{index}/20] ")]
        assert mine[0].startswith(f"[{index}/20] queued build:fake on {gearman_server.address} as H:")
        assert any(" started fake #" in line and "on master fake-master, node agent1" in line for line in mine)
        assert any(" running " in line and "of ~1:00 min estimated" in line for line in mine)
        assert mine[-1].startswith(f"[{index}/20] SUCCESS after 1.")


def test_json_prints_one_object_per_job(gear_server, gear_workers):
    result = gearman_jenkins(
        "submit", "-s", gear_server.address, "--function", "build:fake", "--iterations", "2", "--json"
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 2
    for record in records:
        assert record["function"] == "build:fake"
        assert record["status"] == "WORK_COMPLETE" and record["result"] == "SUCCESS"
        assert record["handle"].startswith("H:")
        assert record["data"]["manager"] == "fake-master" and record["data"]["url"].startswith("http://")
    assert {record["unique"] for record in records} == {job.unique for job in received(gear_workers, "build:fake")}


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ('{"FAKE_RESULT": "FAILURE"}', "WORK_COMPLETE", "build finished FAILURE: http://jenkins.invalid/job/fake/1/"),
        ('{"FAKE_PACKET": "WORK_FAIL"}', "WORK_FAIL", "WORK_FAIL: the worker gave up on the job"),
        (
            '{"FAKE_PACKET": "WORK_EXCEPTION"}',
            "WORK_EXCEPTION",
            "WORK_EXCEPTION: fake: job 'fake' cannot be scheduled: bad arguments",
        ),
    ],
    ids=["failure-result", "work-fail", "work-exception"],
)
def test_a_failed_build_exits_1_with_one_line_saying_why(gearman_server, workers, params, status, message):
    # gearmand relays WORK_EXCEPTION only to clients that set the "exceptions" option.
    result = gearman_jenkins(
        "submit", "-s", gearman_server.address, "--function", "build:fake", "--params", params, "--json"
    )
    assert result.returncode == 1
    record = json.loads(result.stdout)
    assert record["status"] == status
    line = assert_one_line_error(result)
    assert line.startswith(f"gearman-jenkins submit: {record['unique']} (build:fake): {message}")


def test_unique_is_used_as_given(gear_server, gear_workers):
    result = gearman_jenkins("submit", "-s", gear_server.address, "--function", "build:fake", "--unique", "my-uuid-1")
    assert result.returncode == 0, result.stderr
    [job] = received(gear_workers, "build:fake")
    assert job.unique == "my-uuid-1" and job.arguments == {"uuid": "my-uuid-1"}


def test_an_unreachable_server_is_one_line_naming_it():
    port = free_port()
    result = gearman_jenkins("submit", "-s", HOST, "-p", str(port), "--function", "build:fake")
    assert result.returncode == 1
    line = assert_one_line_error(result)
    assert line == (
        f"gearman-jenkins: gearman server {HOST}:{port}: connection refused "
        "(is the Gearman server running on that port?); check -s/-p or the config's gearman.servers"
    )


def test_a_server_that_stopped_answering_fails_within_the_timeout(gear_server):
    gear_server.pause()
    start = time.monotonic()
    result = gearman_jenkins("submit", "-s", gear_server.address, "--function", "build:fake", "--timeout", "1")
    assert time.monotonic() - start < 5
    assert result.returncode == 1
    # The kernel still accepts connections for a stopped process; nothing answers.
    assert assert_one_line_error(result) == (
        f"gearman-jenkins: gearman server {gear_server.address}: accepts TCP connections "
        "but answered no Gearman request within 1 s"
    )


def test_a_server_killed_mid_build_ends_the_wait_with_one_line(gearman_server, workers):
    submit = subprocess.Popen(
        [COMMAND, "submit", "-s", gearman_server.address, "--function", "build:fake",
         "--params", '{"FAKE_SECONDS": "30"}', "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not received(workers, "build:fake"):
            assert time.monotonic() < deadline, "the build never reached a worker"
            time.sleep(0.02)
        gearman_server.kill()
        stdout, stderr = submit.communicate(timeout=10)
    finally:
        submit.kill()
    assert submit.returncode == 1
    record = json.loads(stdout)
    assert record["status"] == "LOST"
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [
        f"gearman-jenkins submit: {record['unique']} (build:fake): "
        f"lost the connection to gearman server {gearman_server.address} before an answer came"
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{not json", "--params is not JSON (Expecting property name enclosed in double quotes: line 1 column 2"),
        ('["a"]', "--params must be a JSON object, got list; pass --raw to send it"),
    ],
    ids=["not-json", "not-an-object"],
)
def test_bad_params_exit_2_before_anything_is_sent(params, message):
    port = free_port()  # nothing listens: usage is checked before connecting
    result = gearman_jenkins("submit", "-s", f"{HOST}:{port}", "--function", "build:fake", "--params", params)
    assert result.returncode == 2
    assert assert_one_line_error(result).startswith(f"gearman-jenkins: {message}")


def test_raw_sends_params_byte_for_byte(gear_server, gear_workers):
    result = gearman_jenkins(
        "submit", "-s", gear_server.address, "--function", "build:fake", "--params", "not json at all", "--raw"
    )
    assert result.returncode == 0, result.stderr
    [job] = received(gear_workers, "build:fake")
    assert job.arguments == "not json at all"


def test_timeout_cancels_the_job_still_in_the_gearman_queue(gearman_server):
    result = gearman_jenkins(
        "submit", "-s", gearman_server.address, "--function", "build:nobody", "--timeout", "0.5", "--json"
    )
    assert result.returncode == 1
    record = json.loads(result.stdout)
    assert record["status"] == "TIMEOUT"
    assert assert_one_line_error(result) == (
        f"gearman-jenkins submit: {record['unique']} (build:nobody): no answer in time; cancelled in the Gearman queue"
    )
    # A worker that turns up later gets the next job, not the cancelled one.
    client = gear.Client("later")
    client.addServer(gearman_server.host, gearman_server.port)
    client.waitForServer(5)
    worker = gear.Worker("late-worker")
    worker.addServer(gearman_server.host, gearman_server.port)
    worker.waitForServer(5)
    try:
        client.submitJob(gear.Job("build:nobody", b"{}", unique="later"))
        worker.registerFunction("build:nobody")
        assert worker.getJob().unique == b"later"
    finally:
        worker.shutdown()
        client.shutdown()


# -- stop and describe ------------------------------------------------------


def test_stop_by_job_and_number_prints_the_workers_answer(gearman_server, workers):
    result = gearman_jenkins(
        "stop", "-s", gearman_server.address, "--manager", "fake-master", "--job", "fake", "--number", "7"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Build fake #7 aborted\n"
    [job] = received(workers, "stop:fake-master")
    assert job.arguments == {"name": "fake", "number": 7}  # a JSON integer, as Zuul sends it


def test_stop_by_uuid(gear_server, gear_workers):
    result = gearman_jenkins("stop", "-s", gear_server.address, "--manager", "fake-master", "--uuid", "abc123")
    assert result.returncode == 0, result.stderr
    assert received(gear_workers, "stop:fake-master")[0].arguments == {"uuid": "abc123"}


@pytest.mark.parametrize(
    ("job", "number", "message"),
    [
        ("fake", "0", "stop:fake-master: WORK_FAIL (for stop: the build exists but is not running)"),
        ("gone", "3", "stop:fake-master: WORK_EXCEPTION: No build {'name': 'gone', 'number': 3} on fake-master"),
    ],
    ids=["work-fail", "work-exception"],
)
def test_stop_exits_1_with_the_workers_reason(gearman_server, workers, job, number, message):
    result = gearman_jenkins(
        "stop", "-s", gearman_server.address, "--manager", "fake-master", "--job", job, "--number", number
    )
    assert result.returncode == 1
    assert assert_one_line_error(result) == f"gearman-jenkins stop: {message}"


def test_stop_for_an_unknown_manager_says_no_worker_registered_it(gear_server, gear_workers):
    result = gearman_jenkins(
        "stop", "-s", gear_server.address, "--manager", "jenkins99", "--uuid", "x", "--timeout", "0.5"
    )
    assert result.returncode == 1
    assert assert_one_line_error(result) == (
        f"gearman-jenkins stop: stop:jenkins99: no answer within 0.5 s: no worker has registered stop:jenkins99 "
        f"on {gear_server.address} (is the controller running, and is that the master's name?)"
    )
    with AdminClient(gear_server.server) as admin:  # the unanswered job did not stay queued
        assert [s.queued for s in admin.status() if s.name == "stop:jenkins99"] in ([], [0])


def test_stop_with_a_config_of_one_master_needs_no_manager(tmp_path, gear_server, gear_workers):
    config = tmp_path / "config.yaml"
    config.write_text(
        f'gearman:\n  servers: ["{gear_server.address}"]\n'
        "masters:\n  - {name: fake-master, url: 'http://jenkins.invalid/', user: u, token: t}\n"
    )
    result = gearman_jenkins("stop", "-c", str(config), "--job", "fake", "--number", "9")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Build fake #9 aborted\n"


def test_stop_usage_errors_exit_2(gear_server):
    result = gearman_jenkins("stop", "-s", gear_server.address, "--job", "fake", "--number", "1")
    assert result.returncode == 2
    assert assert_one_line_error(result) == (
        "gearman-jenkins: --manager NAME is needed (or -c CONFIG with a single master)"
    )


def test_describe_sends_the_html_description(gearman_server, workers):
    result = gearman_jenkins(
        "describe", "-s", gearman_server.address, "--manager", "fake-master",
        "--job", "fake", "--number", "105", "--description", "<h1>My New Description</h1>",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Description of fake #105 set\n"
    [job] = received(workers, "set_description:fake-master")
    assert job.arguments == {"name": "fake", "number": 105, "html_description": "<h1>My New Description</h1>"}


def test_describe_of_an_unknown_build_exits_1(gearman_server, workers):
    result = gearman_jenkins(
        "describe", "-s", gearman_server.address, "--manager", "fake-master",
        "--job", "gone", "--number", "1", "--description", "x", "--json",
    )  # fmt: skip
    assert result.returncode == 1
    assert json.loads(result.stdout)["status"] == "WORK_EXCEPTION"
    assert assert_one_line_error(result).startswith("gearman-jenkins describe: set_description:fake-master: ")


def test_submit_with_a_config_uses_its_tls_settings(tmp_path, tls_gear_server, gearman_tls):
    client = gearman_tls.client
    config = tmp_path / "config.yaml"
    config.write_text(
        f'gearman:\n  servers: ["{tls_gear_server.address}"]\n'
        f"  tls: {{key: {client.key}, cert: {client.cert}, ca: {client.ca}}}\n"
        "masters:\n  - {name: fake-master, url: 'http://jenkins.invalid/', user: u, token: t}\n"
    )
    with FakeJenkinsWorkers(tls_gear_server.host, tls_gear_server.port, executors=1, tls=client):
        result = gearman_jenkins("submit", "-c", str(config), "--function", "build:fake", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["result"] == "SUCCESS"


def test_submit_with_an_untrusted_certificate_is_one_line_naming_the_server(tmp_path, tls_gear_server, gearman_tls):
    untrusted = gearman_tls.untrusted_client
    config = tmp_path / "config.yaml"
    config.write_text(
        f'gearman:\n  servers: ["{tls_gear_server.address}"]\n'
        f"  tls: {{key: {untrusted.key}, cert: {untrusted.cert}, ca: {untrusted.ca}}}\n"
        "masters:\n  - {name: fake-master, url: 'http://jenkins.invalid/', user: u, token: t}\n"
    )
    result = gearman_jenkins("submit", "-c", str(config), "--function", "build:fake")
    assert result.returncode == 1
    assert assert_one_line_error(result).startswith(
        f"gearman-jenkins: gearman server {tls_gear_server.address}: TLS handshake failed: "
    )
