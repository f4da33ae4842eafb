"""Arguments of build:, stop: and set_description:, and what the workers send back."""

import json

import pytest

from controller.contract import payloads
from controller.contract.payloads import BadArguments, BuildRef


def test_build_arguments_become_string_parameters():
    arguments = json.dumps({"param1": "moon", "count": 3, "flag": True, "nested": {"a": [1]}}).encode()
    assert payloads.build_parameters(arguments, "build:x") == {
        "param1": "moon",
        "count": "3",
        "flag": "true",
        "nested": '{"a": [1]}',
    }


def test_empty_arguments_mean_no_parameters():
    assert payloads.build_parameters(b"", "build:x") == {}


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "must be a JSON object, got a JSON list"),
        (b'"text"', "must be a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"a": "x\\u0000y"}', "NUL byte"),
        (b'{"GEARMAN_UUID": "x"}', "set by gearman-jenkins"),
        (b'{"A=B": "x"}', "cannot be a build parameter name"),
    ],
)
def test_unusable_build_arguments_give_a_one_line_reason(arguments, reason):
    with pytest.raises(BadArguments) as raised:
        payloads.build_parameters(arguments, "build:job")
    message = str(raised.value)
    assert reason in message
    assert message.startswith("build:job: ")
    assert "\n" not in message


def test_oversized_arguments_are_refused_without_parsing():
    arguments = b'{"big": "' + b"x" * payloads.MAX_ARGUMENTS_BYTES + b'"}'
    with pytest.raises(BadArguments, match="bytes allowed"):
        payloads.build_parameters(arguments, "build:job")


@pytest.mark.parametrize("number", [130, "130", " 130 "])
def test_stop_accepts_number_as_integer_or_string(number):
    arguments = json.dumps({"name": "myProject", "number": number}).encode()
    assert payloads.stop_target(arguments, "stop:m") == BuildRef(job="myProject", number=130)


def test_stop_by_uuid():
    assert payloads.stop_target(b'{"uuid": "abc"}', "stop:m") == BuildRef(uuid="abc")


@pytest.mark.parametrize("arguments", [b'{"name": "x"}', b'{"number": 1}', b'{"name": "x", "number": "one"}'])
def test_stop_without_a_build_is_refused(arguments):
    with pytest.raises(BadArguments):
        payloads.stop_target(arguments, "stop:m")


def test_set_description_arguments():
    arguments = b'{"name": "myProject", "number": "105", "html_description": "<h1>My New Description</h1>"}'
    ref, description = payloads.description_target(arguments, "set_description:m")
    assert ref == BuildRef(job="myProject", number=105)
    assert description == "<h1>My New Description</h1>"


def test_work_data_has_the_keys_zuul_reads():
    data = payloads.build_data(
        job="pep8",
        number=7,
        manager="jenkins01",
        worker="n1_exec-0",
        url="http://j/job/pep8/7/",
        node="n1",
        labels=["a"],
    )
    assert set(data) == {"name", "number", "manager", "worker", "url", "node_name", "node_labels"}
    assert json.loads(payloads.encode(data))["number"] == 7
