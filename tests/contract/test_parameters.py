"""The policy for parameters a job does not declare (README: "Undeclared parameters")."""

import pytest

from controller.contract.parameters import DEFAULT_DENY, ParameterPolicy, refused_parameter


@pytest.mark.parametrize(
    "name", ["PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV", "JAVA_TOOL_OPTIONS", "PYTHONPATH", "GIT_SSH_COMMAND"]
)
def test_the_default_policy_refuses_variables_that_change_how_programs_load_or_run(name):
    assert refused_parameter({"ZUUL_UUID": "x", name: "evil"}, (), ParameterPolicy()) == name


def test_the_default_policy_accepts_other_undeclared_names():
    parameters = {"ZUUL_PROJECT": "p", "MESSAGE": "hi", "path": "lower case is another variable", "LDAP_URL": "x"}
    assert refused_parameter(parameters, (), ParameterPolicy()) is None


def test_a_declared_parameter_is_accepted_whatever_its_name():
    assert refused_parameter({"PATH": "/opt/bin"}, {"PATH"}, ParameterPolicy()) is None


def test_an_allow_list_accepts_only_its_patterns_and_the_contracts_own_parameter():
    policy = ParameterPolicy(allow=("ZUUL_*",))
    assert refused_parameter({"ZUUL_CHANGE": "1", "OFFLINE_NODE_WHEN_COMPLETE": "true"}, (), policy) is None
    assert refused_parameter({"ZUUL_CHANGE": "1", "MESSAGE": "hi"}, (), policy) == "MESSAGE"
    assert refused_parameter({"MESSAGE": "hi"}, {"MESSAGE"}, policy) is None


def test_deny_wins_over_allow():
    policy = ParameterPolicy(allow=("*",), deny=("SECRET_*",))
    assert refused_parameter({"SECRET_KEY": "x"}, (), policy) == "SECRET_KEY"
    assert refused_parameter({"PATH": "x"}, (), policy) is None  # a deny list of its own replaces the default


def test_the_first_refused_name_in_the_clients_order_is_reported():
    assert refused_parameter({"A": "1", "LD_AUDIT": "2", "PATH": "3"}, (), ParameterPolicy()) == "LD_AUDIT"
    assert "LD_*" in DEFAULT_DENY
