"""Loading the controller's config: sources of tokens, defaults, and one-line errors."""

import re

import pytest

from controller.config import DEFAULT_GEARMAN_PORT, GearmanServer, Secret, load_config, parse_server
from controller.errors import ConfigError

MINIMAL = """\
gearman:
  servers: ["127.0.0.1:4730", "gear.example.org"]
masters:
  - url: https://jenkins01.example.org/ci
    user: gearman
    {token}
"""


def write(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_defaults_and_names(tmp_path):
    config = load_config(write(tmp_path, MINIMAL.format(token="token: abc")))
    assert config.gearman_servers == (GearmanServer("127.0.0.1", 4730), GearmanServer("gear.example.org", 4730))
    master = config.masters[0]
    assert master.name == "jenkins01.example.org"  # the URL's host
    assert master.url == "https://jenkins01.example.org/ci/"
    assert master.token.reveal() == "abc"
    assert config.options.orphan_grace == 60 and config.options.metrics_port is None


def test_token_from_a_file_relative_to_the_config(tmp_path):
    (tmp_path / "jenkins01.token").write_text("from-file\n")
    config = load_config(write(tmp_path, MINIMAL.format(token="token_file: jenkins01.token")))
    assert config.masters[0].token.reveal() == "from-file"


def test_token_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("J1_TOKEN", "from-env")
    config = load_config(write(tmp_path, MINIMAL.format(token="token_env: J1_TOKEN")))
    assert config.masters[0].token.reveal() == "from-env"


def test_tokens_never_show_in_reprs(tmp_path):
    config = load_config(write(tmp_path, MINIMAL.format(token="token: s3cr3t")))
    assert "s3cr3t" not in repr(config)
    assert "s3cr3t" not in str(Secret("s3cr3t"))


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (
            "token_env: NOT_SET_ANYWHERE",
            "line 6: masters[0].token_env: environment variable NOT_SET_ANYWHERE is not set",
        ),
        ("token_file: missing.token", "line 6: masters[0].token_file: expected an existing file"),
        ("", "masters[0]: expected exactly one of token, token_file or token_env"),
    ],
)
def test_token_errors_name_line_and_key(tmp_path, token, message):
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, MINIMAL.format(token=token)))
    assert message in str(raised.value)
    assert str(raised.value).startswith(str(tmp_path / "config.yaml"))


def test_two_masters_with_one_name_are_refused(tmp_path):
    text = (
        MINIMAL.format(token="token: a") + "  - url: https://jenkins01.example.org:8443/\n    user: x\n    token: b\n"
    )
    with pytest.raises(ConfigError, match=re.escape("masters[1].name: 'jenkins01.example.org' is already the name")):
        load_config(write(tmp_path, text))


def test_unknown_keys_are_refused_with_the_allowed_ones(tmp_path):
    with pytest.raises(ConfigError, match=re.escape("options.poll: unknown key")):
        load_config(write(tmp_path, MINIMAL.format(token="token: a") + "options:\n  poll: 3\n"))


@pytest.mark.parametrize(
    ("text", "server"),
    [
        ("h:1", GearmanServer("h", 1)),
        ("h", GearmanServer("h", DEFAULT_GEARMAN_PORT)),
        ("[::1]:5", GearmanServer("::1", 5)),
        ("::1", GearmanServer("::1", DEFAULT_GEARMAN_PORT)),
    ],
)
def test_server_names(text, server):
    assert parse_server(text) == server
    assert parse_server(str(server)) == server


@pytest.mark.parametrize("text", ["a:b:c", "h:0", "h:70000", ":5", "h:x"])
def test_malformed_server_names(text):
    with pytest.raises(ValueError):
        parse_server(text)


def test_record_wait_and_parameter_policy(tmp_path):
    text = MINIMAL.format(token="token: abc") + (
        'options:\n  record_wait: 30\n  undeclared_parameters:\n    allow: ["ZUUL_*"]\n    deny: ["ZUUL_SECRET"]\n'
    )
    options = load_config(write(tmp_path, text)).options
    assert options.record_wait == 30
    assert options.undeclared_parameters.allow == ("ZUUL_*",)
    assert options.undeclared_parameters.deny == ("ZUUL_SECRET",)
    default = load_config(write(tmp_path, MINIMAL.format(token="token: abc"))).options.undeclared_parameters
    assert default.allow == ("*",) and "PATH" in default.deny


@pytest.mark.parametrize(
    "policy, message",
    [
        ("undeclared_parameters: [ZUUL_*]", "options.undeclared_parameters: expected a mapping"),
        ("undeclared_parameters:\n    allow: ZUUL_*", "options.undeclared_parameters.allow: expected a list"),
        ('undeclared_parameters:\n    deny: [""]', "options.undeclared_parameters.deny[0]: expected a non-empty"),
        ("undeclared_parameters:\n    only: [X]", "options.undeclared_parameters.only: unknown key"),
    ],
)
def test_parameter_policy_errors_name_the_key(tmp_path, policy, message):
    text = MINIMAL.format(token="token: abc") + f"options:\n  {policy}\n"
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, text))
