"""`deploy` and `undeploy` through the script console, and how `check` and `status` see the result.

The module shares one double (``jenkins1``); every test first brings it to
the state it starts from, so the tests do not depend on their order.
"""

from __future__ import annotations

import gear
import pytest

from controller.config import MasterConfig, Secret
from controller.masters.client import INIT_SCRIPT, MasterClient
from controller.templates import agent_version
from tests.cli.conftest import gearman_jenkins, lines_with, master_entry, write_config
from tests.controller_harness import function_workers, wait_until
from tests.ports import free_port


def client_of(double, version: str | None = None) -> MasterClient:
    master = MasterConfig("jenkins1", double.url, double.admin_user, Secret(double.admin_token))
    return MasterClient(master, version=version)


@pytest.fixture(scope="module")
def double(module_doubles):
    double = module_doubles("jenkins1")
    double.add_node("agent1", labels="linux x86", executors=2)
    return double


@pytest.fixture
def config(tmp_path, double, module_gearmand):
    return write_config(tmp_path / "controller.yaml", [module_gearmand.address], [master_entry("jenkins1", double)])


@pytest.fixture
def without_agent(double):
    client_of(double).uninstall()
    return double


def test_deploy_on_a_fresh_master_then_check_is_ok_and_status_shows_its_nodes(tmp_path, jenkins_double_factory):
    fresh = jenkins_double_factory("fresh")
    fresh.add_node("agent1", labels="linux x86", executors=2)
    fresh.add_node("win1", labels="windows", executors=1, mode="EXCLUSIVE")
    config = write_config(tmp_path / "controller.yaml", [], [master_entry("fresh", fresh)])

    deploy = gearman_jenkins("deploy", "-c", config)
    assert deploy.returncode == 0, str(deploy)
    boot_copy = fresh.home / INIT_SCRIPT
    assert deploy.stdout.startswith(f"fresh: agent {agent_version()} installed (epoch ")
    assert deploy.stdout.rstrip().endswith(f"boot copy written to {boot_copy} (via script-console)")
    assert boot_copy.read_text() == client_of(fresh).agent_script()

    check = gearman_jenkins("check", "-c", config)
    assert check.returncode == 0, str(check)
    assert not [line for line in check.stdout.splitlines() if line.startswith(("FAIL", "WARN")) and "master" in line]
    [agent] = lines_with(check.stdout, "master fresh", "agent")
    assert agent.startswith("OK ")

    status = gearman_jenkins("status", "-c", config)
    assert status.returncode == 0, str(status)
    assert status.stdout.startswith(f"master fresh  {fresh.url}  agent {agent_version()} (epoch ")
    [agent1] = lines_with(status.stdout, "agent1")
    assert agent1.split() == ["agent1", "online", "2", "2", "0", "0", "NORMAL", "linux", "x86"]
    [win1] = lines_with(status.stdout, "win1")
    assert win1.split() == ["win1", "online", "1", "1", "0", "0", "EXCLUSIVE", "windows"]
    [built_in] = lines_with(status.stdout, "(built-in)")
    assert built_in.split()[:2] == ["(built-in)", "online"]


def test_second_deploy_changes_nothing_and_says_so(config, double):
    first = gearman_jenkins("deploy", "-c", config, "--json")
    assert first.returncode == 0, str(first)
    second = gearman_jenkins("deploy", "-c", config)
    assert second.returncode == 0, str(second)
    assert second.stdout == (
        f"jenkins1: agent {agent_version()} already running, boot copy up to date at "
        f"{double.home / INIT_SCRIPT} (via script-console): nothing to do\n"
    )
    again = gearman_jenkins("deploy", "-c", config, "--json").json()
    [result] = again
    assert result["installed"] is False and result["persist_changed"] is False
    assert result["epoch"] == first.json()[0]["epoch"]  # the running agent was left alone


def test_deploy_json_reports_what_it_did(config, without_agent):
    run = gearman_jenkins("deploy", "-c", config, "--json")
    assert run.returncode == 0, str(run)
    [result] = run.json()
    assert result == {
        "master": "jenkins1",
        "via": "script-console",
        "version": agent_version(),
        "active": True,
        "installed": True,
        "replaced": [],
        "epoch": result["epoch"],
        "persisted": str(without_agent.home / INIT_SCRIPT),
        "persist_changed": True,
        "warnings": [],
        "error": None,
        "fix": None,
    }
    assert client_of(without_agent).probe().epoch == result["epoch"]


def test_undeploy_removes_the_agent_and_check_then_says_not_installed(config, double):
    assert gearman_jenkins("deploy", "-c", config).returncode == 0
    run = gearman_jenkins("undeploy", "-c", config)
    assert run.returncode == 0, str(run)
    assert run.stdout.startswith("jenkins1: agent removed from the running master (GearmanJenkinsAgent")
    assert run.stdout.rstrip().endswith("; boot copy deleted")
    assert not (double.home / INIT_SCRIPT).exists()
    assert client_of(double).probe().installed is False

    check = gearman_jenkins("check", "-c", config, "--master", "jenkins1")
    assert check.returncode == 0  # a missing agent is a warning: `run` would install it
    [agent] = lines_with(check.stdout, "master jenkins1", "agent")
    assert agent.startswith("WARN ") and "not installed" in agent

    again = gearman_jenkins("undeploy", "-c", config)
    assert again.returncode == 0
    assert again.stdout == "jenkins1: no agent running and no boot copy: nothing to do\n"


def test_undeploy_warns_when_a_controller_serves_the_master(config, double, module_gearmand):
    assert gearman_jenkins("deploy", "-c", config).returncode == 0
    controller = gear.Worker("fake-controller")  # registers what a controller's management worker does
    try:
        controller.addServer(module_gearmand.host, module_gearmand.port)
        controller.waitForServer(5)
        controller.registerFunction("stop:jenkins1")
        wait_until(lambda: function_workers(module_gearmand).get("stop:jenkins1"), 5, "stop:jenkins1 registered")
        run = gearman_jenkins("undeploy", "-c", config)
    finally:
        controller.shutdown()
    assert run.returncode == 0, str(run)
    assert run.stdout.splitlines()[1:] == [
        f"jenkins1: warning: a controller serves this master (stop:jenkins1 is registered on {module_gearmand.address}) "
        "and will install the agent again: stop it before undeploying"
    ]


def test_deploy_replaces_an_agent_of_another_version_that_check_reports(config, without_agent):
    client_of(without_agent, version="0.0.1+old").install()
    check = gearman_jenkins("check", "-c", config, "--master", "jenkins1")
    assert check.returncode == 1
    [agent] = lines_with(check.stdout, "master jenkins1", "agent")
    assert (
        agent.startswith("FAIL ") and f"agent 0.0.1+old installed, but this controller ships {agent_version()}" in agent
    )
    assert f"run `gearman-jenkins deploy -c {config} --master jenkins1` to replace it" in check.stderr

    status = gearman_jenkins("status", "-c", config)
    assert status.returncode == 1
    [line] = lines_with(status.stdout, "master jenkins1")
    assert "OTHER AGENT" in line and "0.0.1+old" in line

    deploy = gearman_jenkins("deploy", "-c", config)
    assert deploy.returncode == 0, str(deploy)
    assert deploy.stdout.startswith(f"jenkins1: agent {agent_version()} installed in place of 0.0.1+old (epoch ")
    probe = client_of(without_agent).probe()
    assert (probe.version, probe.agents) == (agent_version(), 1)


def test_wrong_token_fails_that_master_only_naming_it_and_what_to_do(tmp_path, double, module_gearmand):
    masters = [master_entry("wrong", double, token="not-the-token"), master_entry("jenkins1", double)]
    config = write_config(tmp_path / "controller.yaml", [module_gearmand.address], masters)
    run = gearman_jenkins("deploy", "-c", config)
    assert run.returncode == 1
    assert lines_with(run.stdout, "jenkins1: agent")  # the other master is still deployed
    [problem] = run.stderr.splitlines()
    assert problem == (
        f"gearman-jenkins deploy: master wrong: HTTP 401 from {double.url}: user 'admin' or its API token is wrong; "
        f"put a valid API token for that user in masters[0] of {config} (token, token_file or token_env); "
        "Jenkins makes one under the user's Security > API Token"
    )
    [wrong, _] = gearman_jenkins("deploy", "-c", config, "--json").json()
    assert wrong["error"].startswith("HTTP 401") and wrong["fix"].startswith("put a valid API token")
    undeploy = gearman_jenkins("undeploy", "-c", config, "--master", "wrong")
    assert undeploy.returncode == 1 and "master wrong: HTTP 401" in undeploy.stderr


def test_deploy_to_an_unreachable_master_fails_naming_its_url(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"
    config = write_config(tmp_path / "c.yaml", [], [{"name": "down", "url": url, "user": "admin", "token": "x"}])
    run = gearman_jenkins("deploy", "-c", config)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == (
        f"gearman-jenkins deploy: master down: cannot reach {url}: Connection refused; "
        f"start Jenkins or correct the url in masters[0] of {config}\n"
    )


def test_via_ssh_on_a_master_without_ssh_section_is_a_usage_error_and_changes_nothing(config, without_agent):
    for command in ("deploy", "undeploy"):
        run = gearman_jenkins(command, "-c", config, "--via", "ssh")
        assert run.returncode == 2
        assert run.stderr == (
            f"gearman-jenkins: {config}: --via ssh needs an ssh: section (host, user, jenkins_home) "
            "for master jenkins1 (masters[0]); add one, or use --via script-console\n"
        )
    assert client_of(without_agent).probe().installed is False
