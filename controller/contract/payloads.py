"""Arguments and replies of the Gearman functions (docs/contract.md).

Parses what clients send (``build:``, ``stop:``, ``set_description:``
arguments) into plain values or a one-line reason for WORK_EXCEPTION, and
builds the JSON the workers send back (WORK_DATA, WORK_COMPLETE).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

OFFLINE_NODE_WHEN_COMPLETE = "OFFLINE_NODE_WHEN_COMPLETE"
UUID_PARAMETER = "GEARMAN_UUID"
# Arguments travel to Jenkins inside one script-console request.
MAX_ARGUMENTS_BYTES = 4 * 1024 * 1024


class BadArguments(ValueError):
    """The client's arguments cannot be used; the message goes into WORK_EXCEPTION."""


def _json_object(arguments: bytes, function: str) -> dict[str, Any]:
    if len(arguments) > MAX_ARGUMENTS_BYTES:
        raise BadArguments(
            f"{function}: arguments are {len(arguments)} bytes, more than the {MAX_ARGUMENTS_BYTES} bytes allowed"
        )
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadArguments(f"{function}: arguments are not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadArguments(
            f"{function}: arguments are not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(value, dict):
        raise BadArguments(f"{function}: arguments must be a JSON object, got a JSON {type(value).__name__}")
    return value


def build_parameters(arguments: bytes, function: str) -> dict[str, str]:
    """``build:`` arguments -> build parameters; non-string values become their JSON text."""
    parameters = {}
    for name, value in _json_object(arguments, function).items():
        text = value if isinstance(value, str) else json.dumps(value)
        if not name or "\0" in name or "=" in name:
            raise BadArguments(f"{function}: {name!r} cannot be a build parameter name")
        if "\0" in text:
            raise BadArguments(
                f"{function}: parameter {name} contains a NUL byte, which no build environment can carry"
            )
        if name == UUID_PARAMETER:
            raise BadArguments(f"{function}: {UUID_PARAMETER} is set by gearman-jenkins from the job's unique id")
        parameters[name] = text
    return parameters


def _build_number(value: Any, function: str) -> int:
    """``number`` is an integer from Zuul and a string from ad-hoc scripts."""
    if isinstance(value, bool):
        raise BadArguments(f"{function}: number must be a build number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise BadArguments(f"{function}: number must be a build number, got {value!r}")


@dataclass(frozen=True)
class BuildRef:
    """A build named by job and number, or by the uuid of its Gearman job."""

    job: str | None = None
    number: int | None = None
    uuid: str | None = None


def stop_target(arguments: bytes, function: str) -> BuildRef:
    data = _json_object(arguments, function)
    # gear_client.py adds a random "uuid" to every job's parameters: a name and
    # number, when given, say which build is meant.
    if "uuid" in data and "name" not in data:
        if not isinstance(data["uuid"], str) or not data["uuid"]:
            raise BadArguments(f"{function}: uuid must be a non-empty string")
        return BuildRef(uuid=data["uuid"])
    return _job_and_number(data, function)


def _job_and_number(data: dict[str, Any], function: str) -> BuildRef:
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise BadArguments(f'{function}: expected {{"name": JOB, "number": N}}')
    if "number" not in data:
        raise BadArguments(f"{function}: no build number given for job {name}")
    return BuildRef(job=name, number=_build_number(data["number"], function))


def description_target(arguments: bytes, function: str) -> tuple[BuildRef, str]:
    data = _json_object(arguments, function)
    ref = _job_and_number(data, function)
    description = data.get("html_description")
    if not isinstance(description, str):
        raise BadArguments(f"{function}: html_description must be a string")
    return ref, description


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def build_data(
    *, job: str, number: int | None, manager: str, worker: str, url: str | None, node: str, labels: list[str]
) -> dict[str, Any]:
    """The WORK_DATA object of a started build (WORK_COMPLETE adds ``result``)."""
    return {
        "name": job,
        "number": number,
        "manager": manager,
        "worker": worker,
        "url": url,
        "node_name": node,
        "node_labels": labels,
    }
