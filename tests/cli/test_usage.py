"""The command line itself: help, version, and what every command says about a config it cannot use.

No master or Gearman server is needed here: each of these fails (or
answers) before contacting anything.
"""

from __future__ import annotations

import re

import pytest

from controller import __version__
from controller.cli import SUBCOMMANDS
from tests.cli.conftest import gearman_jenkins

CONFIG_COMMANDS = ["check", "status", "deploy", "undeploy", "run"]
VALID = """\
gearman:
  servers: ["127.0.0.1:4730"]
masters:
  - name: jenkins1
    url: http://127.0.0.1:8080/
    user: admin
    token: secret
"""


def one_line_error(run) -> str:
    lines = run.stderr.splitlines()
    assert len(lines) == 1, str(run)
    assert run.stdout == "", str(run)
    return lines[0]


def test_help_lists_every_subcommand():
    run = gearman_jenkins("--help")
    assert run.returncode == 0
    listed = re.findall(r"^    (\w+) ", run.stdout, re.MULTILINE)
    assert listed == list(SUBCOMMANDS)
    assert set(SUBCOMMANDS) == {"run", "deploy", "undeploy", "check", "status", "submit", "stop", "describe"}


@pytest.mark.parametrize("command", ["check", "status", "deploy", "undeploy"])
def test_each_operator_command_has_help_with_its_options(command):
    run = gearman_jenkins(command, "--help")
    assert run.returncode == 0
    for option in ("-c CONFIG", "--master NAME", "--json"):
        assert option in run.stdout, f"{command} --help lacks {option}"


def test_version_prints_the_package_version():
    run = gearman_jenkins("--version")
    assert run.returncode == 0
    assert run.stdout.strip() == f"gearman-jenkins {__version__}"


def test_no_subcommand_is_a_usage_error():
    assert gearman_jenkins().returncode == 2


@pytest.mark.parametrize("command", CONFIG_COMMANDS)
def test_missing_config_names_the_file(command, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    run = gearman_jenkins(command, "-c", missing)
    assert run.returncode == 2
    assert one_line_error(run) == f"gearman-jenkins: {missing}: no such config file (give one with -c PATH)"


@pytest.mark.parametrize("command", ["check", "run"])
def test_unreadable_config_names_the_file_and_the_reason(command, tmp_path):
    # A directory: unreadable as a file even for root, which ignores file modes.
    run = gearman_jenkins(command, "-c", tmp_path)
    assert run.returncode == 2
    assert one_line_error(run) == f"gearman-jenkins: {tmp_path}: cannot read config file: Is a directory"


def test_config_that_is_not_utf8_names_the_file_and_line(tmp_path):
    config = tmp_path / "latin1.yaml"
    config.write_bytes(b"gearman:\n  servers: []\n# caf\xe9\n")
    run = gearman_jenkins("check", "-c", config)
    assert run.returncode == 2
    assert one_line_error(run) == f"gearman-jenkins: {config} line 3: not UTF-8 text (byte 0xe9)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            VALID.replace("url: http://127.0.0.1:8080/", "url: ftp://127.0.0.1/"),
            "line 5: masters[0].url: expected an http(s) URL, got 'ftp://127.0.0.1/'",
            id="bad-value",
        ),
        pytest.param(
            VALID.replace("  servers:", "  server:"),
            "line 2: gearman.server: unknown key (expected one of: servers, tls)",
            id="unknown-key",
        ),
        pytest.param(
            VALID.replace("    token: secret\n", ""),
            "line 4: masters[0]: expected exactly one of token, token_file or token_env",
            id="missing-token",
        ),
        pytest.param(
            VALID.replace('["127.0.0.1:4730"]', '["127.0.0.1:4730"'),
            "line 3: not valid YAML: expected ',' or ']', but got '<scalar>'",
            id="not-yaml",
        ),
        pytest.param("- just\n- a list\n", "line 1: the top level: expected a mapping, got list", id="not-a-mapping"),
    ],
)
def test_invalid_config_names_file_line_and_key(text, expected, tmp_path):
    config = tmp_path / "controller.yaml"
    config.write_text(text)
    run = gearman_jenkins("check", "-c", config)
    assert run.returncode == 2
    assert one_line_error(run) == f"gearman-jenkins: {config} {expected}"


@pytest.mark.parametrize("command", ["check", "status", "deploy", "undeploy"])
def test_unknown_master_is_a_usage_error_naming_the_configured_ones(command, tmp_path):
    config = tmp_path / "controller.yaml"
    config.write_text(VALID)
    run = gearman_jenkins(command, "-c", config, "--master", "jenkins9")
    assert run.returncode == 2
    assert one_line_error(run) == f"gearman-jenkins: {config}: no master named 'jenkins9' (configured: jenkins1)"


def test_run_without_any_gearman_server_is_a_usage_error(tmp_path):
    config = tmp_path / "controller.yaml"
    config.write_text(VALID.replace('["127.0.0.1:4730"]', "[]"))
    run = gearman_jenkins("run", "-c", config)
    assert run.returncode == 2
    assert one_line_error(run) == (
        f"gearman-jenkins: {config}: no Gearman server: list gearman.servers or pass --embedded-gearman"
    )


def test_run_refuses_an_invalid_config_like_every_command(tmp_path):
    config = tmp_path / "controller.yaml"
    config.write_text(VALID.replace("user: admin", "user: ''"))
    run = gearman_jenkins("run", "-c", config)
    assert run.returncode == 2
    assert one_line_error(run) == f"gearman-jenkins: {config} line 6: masters[0].user: expected a non-empty string"


def test_run_with_a_malformed_embedded_gearman_address_is_a_usage_error(tmp_path):
    config = tmp_path / "controller.yaml"
    config.write_text(VALID)
    run = gearman_jenkins("run", "-c", config, "--embedded-gearman", "127.0.0.1:70000")
    assert run.returncode == 2
    assert "--embedded-gearman: expected [HOST:]PORT" in one_line_error(run)


def test_deploy_and_undeploy_refuse_a_config_without_masters(tmp_path):
    config = tmp_path / "controller.yaml"
    config.write_text('gearman:\n  servers: ["127.0.0.1:4730"]\n')
    for command in ("deploy", "undeploy"):
        run = gearman_jenkins(command, "-c", config)
        assert run.returncode == 2
        assert one_line_error(run) == f"gearman-jenkins: {config}: no masters configured"


def test_non_positive_timeout_is_a_usage_error(tmp_path):
    config = tmp_path / "controller.yaml"
    config.write_text(VALID)
    for command in ("check", "status"):
        run = gearman_jenkins(command, "-c", config, "--timeout", "0")
        assert run.returncode == 2
        assert one_line_error(run) == "gearman-jenkins: --timeout 0: must be more than 0 seconds"
