"""`gearman-jenkins check`: one line per check, OK / WARN / FAIL, and what to do about each problem.

The doubles here are only read from (the agent is installed once, in-process,
for the master that needs one), so the module shares them.
"""

from __future__ import annotations

import pytest

from controller.config import MasterConfig, Secret
from controller.masters.client import MasterClient
from controller.templates import agent_version
from tests.cli.conftest import gearman_jenkins, lines_with, master_entry, write_config
from tests.ports import free_port

READER_TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def doubles(module_doubles):
    """jenkins1 with the agent; bare without; bare also knows a read-only user."""
    deployed = module_doubles("jenkins1")
    MasterClient(MasterConfig("jenkins1", deployed.url, deployed.admin_user, Secret(deployed.admin_token))).install()
    bare = module_doubles("bare", users=[f"reader:{READER_TOKEN}:readonly"])
    return deployed, bare


@pytest.fixture
def config(tmp_path, doubles, module_gearmand):
    deployed, bare = doubles
    masters = [master_entry("jenkins1", deployed), master_entry("bare", bare)]
    return write_config(tmp_path / "controller.yaml", [module_gearmand.address], masters)


def rows(run, status: str) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith(f"{status} ")]


def statuses(run) -> dict[tuple[str, str], str]:
    return {(check["target"], check["check"]): check["status"] for check in run.json()["checks"]}


def test_everything_reachable_with_an_agent_is_all_ok(config, module_gearmand):
    run = gearman_jenkins("check", "-c", config, "--master", "jenkins1")
    assert run.returncode == 0, str(run)
    lines = run.stdout.splitlines()
    assert lines[-1] == "7 checks: 7 OK, 0 WARN, 0 FAIL"
    for check in ("http", "authentication", "crumb", "administer", "script call", "agent"):
        [line] = lines_with(run.stdout, "master jenkins1", check)
        assert line.startswith("OK ")
    [server] = lines_with(run.stdout, f"gearman {module_gearmand.address}")
    assert server.startswith("OK ") and "version 1.1.20" in server and "round trip" in server
    [http] = lines_with(run.stdout, "master jenkins1", "http")
    assert "Jenkins 2.479.3" in http
    [agent] = lines_with(run.stdout, "master jenkins1", "agent")
    assert f"agent {agent_version()} running" in agent and "the one this controller ships" in agent
    assert run.stderr == ""


def test_master_without_agent_is_a_warning_saying_to_deploy(config):
    run = gearman_jenkins("check", "-c", config, "--master", "bare")
    assert run.returncode == 0, str(run)
    [line] = lines_with(run.stdout, "master bare", "agent")
    assert line.startswith("WARN ") and "not installed" in line
    [problem] = run.stderr.splitlines()
    assert problem.startswith("gearman-jenkins check: WARN master bare agent: not installed")
    assert f"run `gearman-jenkins deploy -c {config} --master bare`" in problem


def test_unreachable_gearman_server_fails_naming_host_and_port(tmp_path, doubles):
    deployed, _ = doubles
    port = free_port()
    config = write_config(tmp_path / "c.yaml", [f"127.0.0.1:{port}"], [master_entry("jenkins1", deployed)])
    run = gearman_jenkins("check", "-c", config)
    assert run.returncode == 1
    [line] = rows(run, "FAIL")
    assert f"gearman 127.0.0.1:{port}" in line and "connection refused" in line
    [problem] = run.stderr.splitlines()
    assert f"start the Gearman server on 127.0.0.1:{port}, or correct gearman.servers in {config}" in problem
    # The masters are still checked.
    assert len(lines_with(run.stdout, "OK ", "master jenkins1")) == 6


def test_wrong_token_fails_naming_the_master_and_what_to_do(tmp_path, doubles, module_gearmand):
    deployed, _ = doubles
    masters = [master_entry("jenkins1", deployed), master_entry("wrong", deployed, token="not-the-token")]
    config = write_config(tmp_path / "c.yaml", [module_gearmand.address], masters)
    run = gearman_jenkins("check", "-c", config)
    assert run.returncode == 1
    [line] = rows(run, "FAIL")
    assert "master wrong" in line and "authentication" in line and "HTTP 401" in line
    [problem] = run.stderr.splitlines()
    assert problem.startswith("gearman-jenkins check: FAIL master wrong authentication: HTTP 401: user 'admin'")
    assert f"put a valid API token for that user in masters[1] of {config}" in problem
    # Nothing past authentication is reported for that master; the other one is fully checked.
    assert [check for (target, check) in statuses(gearman_jenkins("check", "-c", config, "--json"))
            if target == "master wrong"] == ["http", "authentication"]  # fmt: skip


def test_user_without_administer_fails_the_script_console_check(tmp_path, doubles, module_gearmand):
    _, bare = doubles
    reader = {"name": "bare", "url": bare.url, "user": "reader", "token": READER_TOKEN}
    config = write_config(tmp_path / "c.yaml", [module_gearmand.address], [reader])
    run = gearman_jenkins("check", "-c", config)
    assert run.returncode == 1
    [line] = rows(run, "FAIL")
    assert "master bare" in line and "administer" in line and "lacks Overall/Administer" in line
    assert "grant that user Overall/Administer" in run.stderr
    assert lines_with(run.stdout, "OK ", "master bare", "authentication")


def test_unreachable_master_fails_once_and_the_rest_is_checked(tmp_path, doubles, module_gearmand):
    deployed, _ = doubles
    down = {"name": "down", "url": f"http://127.0.0.1:{free_port()}/", "user": "admin", "token": "x"}
    config = write_config(tmp_path / "c.yaml", [module_gearmand.address], [down, master_entry("jenkins1", deployed)])
    run = gearman_jenkins("check", "-c", config)
    assert run.returncode == 1
    [line] = lines_with(run.stdout, "master down")
    assert line.startswith("FAIL ") and f"cannot reach {down['url']}: Connection refused" in line
    assert f"start Jenkins or correct the url in masters[0] of {config}" in run.stderr
    assert len(lines_with(run.stdout, "OK ", "master jenkins1")) == 6


def test_url_that_is_not_jenkins_fails_the_http_check(tmp_path, module_gearmand):
    # The Gearman server's port answers, but not HTTP: not a Jenkins.
    bogus = {"name": "bogus", "url": f"http://{module_gearmand.address}/", "user": "admin", "token": "x"}
    config = write_config(tmp_path / "c.yaml", [], [bogus])
    run = gearman_jenkins("check", "-c", config, "--timeout", "2")
    assert run.returncode == 1
    [line] = lines_with(run.stdout, "master bogus")
    assert line.startswith("FAIL ") and "http" in line and "something answers there, but not in HTTP" in line
    [warning] = rows(run, "WARN")
    assert "no Gearman server configured" in warning


def test_json_has_every_check_with_its_fix_and_what_was_learned(config, module_gearmand):
    run = gearman_jenkins("check", "-c", config, "--json")
    assert run.returncode == 0, str(run)
    report = run.json()
    assert report["ok"] is True and report["config"] == str(config)
    checks = report["checks"]
    assert report["summary"] == {"OK": 12, "WARN": 1, "FAIL": 0}
    assert len(checks) == 13
    for check in checks:
        assert set(check) == {"target", "check", "status", "detail", "fix", "ms", "data"}
        assert (check["fix"] is None) == (check["status"] == "OK")
    by_key = {(check["target"], check["check"]): check for check in checks}
    assert by_key[(f"gearman {module_gearmand.address}", "server")]["data"]["version"].startswith("1.1.20")
    assert by_key[("master jenkins1", "http")]["data"] == {"jenkins_version": "2.479.3"}
    agent = by_key[("master jenkins1", "agent")]["data"]
    assert agent["installed"] is True and agent["version"] == agent["shipped"] == agent_version()
    assert by_key[("master bare", "agent")]["data"]["installed"] is False
    assert by_key[("master jenkins1", "script call")]["ms"] > 0
    # The problem lines still go to stderr, for a human watching a script.
    assert "WARN master bare agent" in run.stderr


def test_a_token_file_others_may_read_is_a_warning_saying_chmod(tmp_path, doubles, module_gearmand):
    deployed, _ = doubles
    token = tmp_path / "jenkins1.token"
    token.write_text(deployed.admin_token + "\n")
    token.chmod(0o644)
    entry = {"name": "jenkins1", "url": deployed.url, "user": deployed.admin_user, "token_file": token.name}
    config = write_config(tmp_path / "c.yaml", [module_gearmand.address], [entry])
    run = gearman_jenkins("check", "-c", config)
    assert run.returncode == 0, str(run)
    [line] = rows(run, "WARN")
    assert line.split()[:4] == ["WARN", "file", str(token), "permissions"]
    assert line.endswith(f"masters[0].token_file: {token} is accessible by group and others (mode 0644)")
    [problem] = run.stderr.splitlines()
    assert problem.endswith(f"(mode 0644); chmod 600 {token}")

    token.chmod(0o600)
    run = gearman_jenkins("check", "-c", config)
    assert rows(run, "WARN") == [] and run.stderr == ""
