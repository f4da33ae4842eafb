"""Builds: parameters, environment, results, abort, and python-jenkins' remote API."""

import os

import pytest

from tests.double.conftest import MARK, groovy_json
from tests.jenkins_double import groovy_data_literal_body
from tests.waiting import wait_until

RUN_BUILD = """
import hudson.model.*
def data = new groovy.json.JsonSlurper().parseText(new String(Base64.decoder.decode('%s'), 'UTF-8'))
def job = jenkins.model.Jenkins.get().getItem(data.job)
def values = data.params.collect { k, v -> new StringParameterValue(k, v) }
def action = data.safe == null ? new ParametersAction(values) : new ParametersAction(values, data.safe)
def build = job.scheduleBuild2(0, new Cause.UserIdCause(), action).get()
println '%s' + groovy.json.JsonOutput.toJson([
    number: build.number, result: build.result.toString(), log: build.log,
    parameters: build.getAction(ParametersAction).parameters.collect { [it.name, it.value] },
    all: build.getAction(ParametersAction).allParameters.collect { [it.name, it.value] },
    causes: build.causes.collect { it.shortDescription }])
"""


def run_build(double, job, params=None, safe=None):
    return groovy_json(
        double, RUN_BUILD % (groovy_data_literal_body({"job": job, "params": params or {}, "safe": safe}), MARK)
    )


def env_of(log, name):
    for line in log.splitlines():
        if line.startswith(name + "="):
            return line[len(name) + 1 :]
    return None


def test_declared_safe_and_undeclared_parameters(shared_double):
    shared_double.create_job(
        "params", command="env | sort", parameters=[{"name": "DECLARED", "type": "string", "default": "d"}]
    )
    build = run_build(shared_double, "params", {"DECLARED": "one", "SAFE": "two", "DROPPED": "three"}, safe=["SAFE"])
    assert build["result"] == "SUCCESS"
    assert env_of(build["log"], "DECLARED") == "one"
    assert env_of(build["log"], "SAFE") == "two"
    assert env_of(build["log"], "DROPPED") is None
    assert sorted(build["parameters"]) == [["DECLARED", "one"], ["SAFE", "two"]]
    assert sorted(build["all"]) == [["DECLARED", "one"], ["DROPPED", "three"], ["SAFE", "two"]]
    assert "Skipped parameter `DROPPED`" in shared_double.log_text()


def test_build_environment_has_jenkins_variables(shared_double):
    shared_double.create_job("envvars", command="env | sort")
    log = run_build(shared_double, "envvars")["log"]
    assert env_of(log, "JOB_NAME") == "envvars"
    assert env_of(log, "NODE_NAME") == "built-in"
    assert env_of(log, "NODE_LABELS") == "built-in"
    assert env_of(log, "EXECUTOR_NUMBER") in ("0", "1")
    assert env_of(log, "BUILD_NUMBER") == env_of(log, "BUILD_ID") == "1"
    assert env_of(log, "WORKSPACE").endswith("/workspace/envvars")
    # No root URL is configured and the build runs outside any request.
    assert env_of(log, "BUILD_URL") is None and env_of(log, "JENKINS_URL") is None


ODD_VALUES = [
    "'''",
    '"""',
    "$notavariable ${not.a.variable}",
    "back\\slash \\n",
    "two\nlines",
    "ünïcødé ☃ 𝄞",
    "${Jenkins.instance.doSafeExit(null)}",
]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_parameter_values_arrive_byte_for_byte(shared_double, value):
    shared_double.create_job(
        "odd",
        command='printf %s "$VALUE" > "$WORKSPACE/value.out"',
        parameters=[{"name": "VALUE", "type": "text", "default": ""}],
    )
    build = run_build(shared_double, "odd", {"VALUE": value})
    assert build["result"] == "SUCCESS"
    assert (shared_double.home / "workspace" / "odd" / "value.out").read_bytes() == value.encode("utf-8")
    assert build["all"] == [["VALUE", value]]


def test_dollar_references_to_known_variables_are_expanded_as_jenkins_does(shared_double):
    # Launcher hands variables over with EnvVars.overrideExpandingAll: $HOME is expanded,
    # $$ becomes $. The ParametersAction keeps the raw value.
    shared_double.create_job(
        "expand", command='echo "V=$V"', parameters=[{"name": "V", "type": "string", "default": ""}]
    )
    build = run_build(shared_double, "expand", {"V": "$HOME/x $$"})
    assert env_of(build["log"].replace("+ echo ", ""), "V") == os.environ["HOME"] + "/x $"
    assert build["all"] == [["V", "$HOME/x $$"]]


@pytest.mark.parametrize("command,result", [("exit 0", "SUCCESS"), ("exit 3", "FAILURE"), (None, "SUCCESS")])
def test_result_follows_the_exit_code(shared_double, command, result):
    shared_double.create_job("exitcode", command=command)
    assert run_build(shared_double, "exitcode")["result"] == result


def test_value_over_the_environment_limit_fails_the_build_but_stays_in_the_action(shared_double):
    shared_double.create_job("huge", command="echo never", parameters=[{"name": "BIG", "type": "text", "default": ""}])
    big = "x" * (200 * 1024)
    build = run_build(shared_double, "huge", {"BIG": big})
    assert build["result"] == "FAILURE"
    assert "FATAL: command execution failed" in build["log"]
    assert "Argument list too long" in build["log"]
    assert build["all"] == [["BIG", big]]


def test_executor_interrupt_aborts_and_kills_the_process_tree(shared_double, tmp_path):
    pidfile = tmp_path / "child.pid"
    shared_double.create_job("abortme", command=f"sleep 300 & echo $! > {pidfile}; wait")
    assert shared_double.run_script("println Jenkins.get().getItem('abortme').scheduleBuild2(0) != null") == "true"
    wait_until(lambda: pidfile.exists() and pidfile.read_text().strip(), message="the shell to start")
    child = int(pidfile.read_text())
    data = groovy_json(
        shared_double,
        f"""
        def build = jenkins.model.Jenkins.get().getItem('abortme').lastBuild
        build.executor.interrupt()
        while (build.isLogUpdated()) {{ Thread.sleep(50) }}
        println '{MARK}' + groovy.json.JsonOutput.toJson([result: build.result.toString(), log: build.log])
    """,
    )
    assert data["result"] == "ABORTED"
    assert "Build was aborted" in data["log"]
    wait_until(lambda: not os.path.exists(f"/proc/{child}"), timeout=10, message="the child process to die")


def test_python_jenkins_direct_client_builds_and_reads_results(shared_double):
    shared_double.create_job(
        "direct", command="echo direct $P", parameters=[{"name": "P", "type": "string", "default": "x"}]
    )
    client = shared_double.client()
    queue_id = client.build_job("direct", {"P": "remote", "UNDECLARED": "dropped"})
    item = wait_until(
        lambda: (lambda i: i if i.get("executable") else None)(client.get_queue_item(queue_id)), message="start"
    )
    number = item["executable"]["number"]
    info = wait_until(
        lambda: (lambda b: b if not b["building"] else None)(client.get_build_info("direct", number)), message="end"
    )
    assert info["result"] == "SUCCESS"
    params = next(a for a in info["actions"] if a.get("_class") == "hudson.model.ParametersAction")["parameters"]
    assert [(p["name"], p["value"]) for p in params] == [("P", "remote")]
    causes = next(a for a in info["actions"] if a.get("_class") == "hudson.model.CauseAction")["causes"]
    assert causes[0]["userId"] == shared_double.admin_user
    assert "direct remote" in client.get_build_console_output("direct", number)
    job = client.get_job_info("direct")
    assert job["lastBuild"]["number"] == number and job["color"] == "blue"
    assert client.get_queue_item(queue_id)["cancelled"] is False
