"""`deploy --via ssh` and `undeploy --via ssh` against a real sshd (tests/sshd.py).

The double's JENKINS_HOME is the directory the sshd serves, so a file the
deploy writes over SFTP is the file the double runs at boot.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controller.config import MasterConfig, Secret
from controller.masters.client import INIT_SCRIPT, MasterClient
from controller.templates import agent_version
from tests.cli.conftest import gearman_jenkins, master_entry, write_config
from tests.jenkins_double import JenkinsDouble, start_double


@pytest.fixture
def double(ssh_jenkins_home: Path) -> Iterator[JenkinsDouble]:
    double = start_double(ssh_jenkins_home)
    try:
        yield double
    finally:
        double.stop()


def ssh_section(sshd_server, jenkins_home: Path, known_hosts: Path | None = None) -> dict:
    return {
        "host": sshd_server.host,
        "port": sshd_server.port,
        "user": sshd_server.user,
        "key": str(sshd_server.client_key),
        "known_hosts": str(known_hosts or sshd_server.known_hosts),
        "jenkins_home": str(jenkins_home),
    }


def probe(double: JenkinsDouble):
    return MasterClient(MasterConfig("jenkins1", double.url, double.admin_user, Secret(double.admin_token))).probe()


def agent_script(double: JenkinsDouble) -> str:
    return MasterClient(
        MasterConfig("jenkins1", double.url, double.admin_user, Secret(double.admin_token))
    ).agent_script()


def test_agent_written_over_ssh_is_active_and_survives_a_restart(tmp_path, sshd_server, double):
    master = master_entry("jenkins1", double, ssh=ssh_section(sshd_server, double.home))
    config = write_config(tmp_path / "controller.yaml", [], [master])
    boot_copy = double.home / INIT_SCRIPT

    run = gearman_jenkins("deploy", "-c", config, "--via", "ssh")
    assert run.returncode == 0, str(run)
    assert run.stdout.startswith(f"jenkins1: agent {agent_version()} installed (epoch ")
    assert run.stdout.rstrip().endswith(f"boot copy written to {sshd_server.host}:{boot_copy} (via ssh)")
    assert boot_copy.read_text() == agent_script(double)
    before = probe(double)
    assert before.installed and before.version == agent_version()

    again = gearman_jenkins("deploy", "-c", config, "--via", "ssh")
    assert again.returncode == 0, str(again)
    assert again.stdout.rstrip().endswith("(via ssh): nothing to do")

    double.restart()
    check = gearman_jenkins("check", "-c", config, "--json")
    assert check.returncode == 0, str(check)
    [agent] = [c for c in check.json()["checks"] if c["check"] == "agent"]
    assert agent["status"] == "OK"
    assert agent["data"]["epoch"] != before.epoch  # loaded anew from init.groovy.d at boot

    undeploy = gearman_jenkins("undeploy", "-c", config, "--via", "ssh")
    assert undeploy.returncode == 0, str(undeploy)
    assert undeploy.stdout.rstrip().endswith("; boot copy deleted over SSH")
    assert not boot_copy.exists()
    assert probe(double).installed is False


def test_deploy_over_ssh_to_a_stopped_master_leaves_the_boot_copy_for_its_next_start(tmp_path, sshd_server, double):
    master = master_entry("jenkins1", double, ssh=ssh_section(sshd_server, double.home))
    config = write_config(tmp_path / "controller.yaml", [], [master])
    double.stop()

    run = gearman_jenkins("deploy", "-c", config, "--via", "ssh")
    assert run.returncode == 1
    assert run.stderr == (
        "gearman-jenkins deploy: master jenkins1: boot copy written over SSH, but the running master does not have "
        f"the agent: cannot reach {double.url}: Connection refused; "
        f"start Jenkins or correct the url in masters[0] of {config}\n"
    )
    assert (double.home / INIT_SCRIPT).read_text() == agent_script(double)

    double.start()
    after = probe(double)
    assert after.installed and after.version == agent_version()


def test_unknown_host_key_is_refused_with_the_keyscan_hint_and_nothing_is_written(tmp_path, sshd_server, double):
    ssh = ssh_section(sshd_server, double.home, known_hosts=sshd_server.known_hosts_without_server)
    config = write_config(tmp_path / "controller.yaml", [], [master_entry("jenkins1", double, ssh=ssh)])

    run = gearman_jenkins("deploy", "-c", config, "--via", "ssh")
    assert run.returncode == 1
    assert run.stdout == ""
    [problem] = run.stderr.splitlines()
    address = f"{sshd_server.host}:{sshd_server.port}"
    assert problem.startswith(
        f"gearman-jenkins deploy: master jenkins1: ssh {address}: unknown host key ED25519 SHA256:"
    )
    keyscan = f"`ssh-keyscan -p {sshd_server.port} {sshd_server.host} >> {sshd_server.known_hosts_without_server}`"
    assert problem.endswith(keyscan)
    assert not (double.home / "init.groovy.d").exists()
    assert probe(double).installed is False
    assert sshd_server.known_hosts_without_server.read_text() == ""  # nothing was accepted on our behalf
