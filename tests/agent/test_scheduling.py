"""Scheduling through the agent: pinned to the reserved node, parameters intact and inert, one build per uuid.

Parameter values travel from Python to the build as data only (base64 of
JSON, decoded in Groovy): whatever they contain reaches the build's
``ParametersAction`` byte for byte and runs nothing, neither as Groovy nor
in the build's shell.
"""

from __future__ import annotations

import hashlib
import threading

import pytest

from tests.agent.conftest import (
    builds_of,
    client_for,
    find,
    groovy,
    new_uuid,
    reserve,
    schedule,
    wait_idle,
    wait_state,
)
from tests.controller.jenkins_changes import change

PARAMETER_DIGESTS = """
def b = j.getItemByFullName(data.job).getBuildByNumber(data.number as int)
def digest = { String s -> java.security.MessageDigest.getInstance('SHA-256').digest(s.getBytes('UTF-8')).encodeHex().toString() }
emit(b.getAction(hudson.model.ParametersAction).getAllParameters().collectEntries { p ->
    [(p.getName()): [sha256: digest(p.getValue()), length: p.getValue().length(), class: p.getClass().getName()]]
})
"""

TRICKY_VALUES = {
    "SAFE_EXIT": "${Jenkins.instance.doSafeExit(null)}",
    "EXIT": '${System.exit(3)}" + System.exit(4) + "',
    "TRIPLE_SINGLE": "'''",
    "TRIPLE_DOUBLE": '"""',
    "QUOTES": "'\"`'",
    "BACKSLASHES": "\\ \\\\ \\n \\t \\u0027 \\' \\\"",
    "DOLLARS": "$ $$ ${} $1 ${X} $GEARMAN_UUID",
    "NEWLINES": "one\ntwo\r\nthree\n\n",
    "UNICODE": "żółć — 日本語 — 🎉 𝄞 \u00a0\u200b\ufeff\U0010fffd",
    "CONTROL": "\x01\x02\t\x1b[31m\x7f",
    "EMPTY": "",
    "LARGE": ("0123456789abcdef€🎉\n" * 5000)[: 100 * 1024],
}


def java_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


# Each would create the file @, were it ever spliced into Groovy or evaluated by a shell.
BREAKOUTS = {
    "PWN_GSTRING": "${new File('@').createNewFile()}",
    "PWN_SINGLE": "'); new File('@').createNewFile(); ('",
    "PWN_TRIPLE": "'''+new File('@').createNewFile()+'''",
    "PWN_DOUBLE": '"+new File("@").createNewFile()+"',
    # Groovy turns \\u escapes in source into characters before it parses anything.
    "PWN_UNICODE_ESCAPE": "\\u0027); new File('@').createNewFile(); //",
    "PWN_SHELL": "$(touch @) `touch @`; touch @",
    "PWN_JSON": '", "x": "${new File(\'@\').createNewFile()}',
}


def breakouts(directory) -> tuple[dict[str, str], list]:
    """BREAKOUTS, each aimed at its own file in directory, and those files."""
    files = [directory / f"pwned-{name.lower()}" for name in BREAKOUTS]
    values = {name: value.replace("@", str(path)) for (name, value), path in zip(BREAKOUTS.items(), files, strict=True)}
    return values, files


@pytest.fixture(scope="module")
def master(agent_double, tmp_path_factory):
    double = agent_double
    out = tmp_path_factory.mktemp("environments")
    double.add_node("sch-a", labels="shared", executors=1)
    double.add_node("sch-b", labels="shared", executors=1)
    double.create_job("sch-shared", command="true", label="shared")
    double.create_job(
        "sch-env",
        command=f"env -0 > {out}/$GEARMAN_UUID.env",
        label="shared",
        parameters=[{"name": "DECLARED", "type": "string", "default": "default value"}],
    )
    double.create_job("sch-fast", command="true", label="sch-a")
    double.create_job("sch-off", command="true", disabled=True)
    double.out = out
    return double


def environment_of(master, uuid: str) -> dict[str, str]:
    raw = (master.out / f"{uuid}.env").read_bytes()
    pairs = (entry.split(b"=", 1) for entry in raw.split(b"\0") if entry)
    return {name.decode(): value.decode("utf-8") for name, value in pairs}


def assert_parameters_intact(master, build: dict, expected: dict[str, str]) -> None:
    digests = groovy(master, PARAMETER_DIGESTS, job=build["job"], number=build["number"])
    for name, value in expected.items():
        assert digests[name]["sha256"] == hashlib.sha256(value.encode("utf-8")).hexdigest(), name
        assert digests[name]["length"] == java_length(value), name
        assert digests[name]["class"] == "hudson.model.StringParameterValue", name


def test_build_runs_on_the_pinned_node_although_the_label_matches_two(master):
    client = client_for(master)
    for node in ("sch-a", "sch-b", "sch-b", "sch-a"):
        [reservation] = reserve(client, node)
        queued = schedule(client, "sch-shared", node, reservation=reservation)
        assert queued["status"] == "queued"
        build = wait_state(client, queued["uuid"], ("finished",))
        assert build["node"] == node
        assert build["result"] == "SUCCESS"
    _epoch, inventory = client.inventory()
    assert inventory["held"] == {}


def test_declared_and_undeclared_parameters_reach_the_build_environment(master):
    client = client_for(master)
    params = {"DECLARED": "given", "UNDECLARED": "also given", "NUMBER_AS_TEXT": "42"}

    queued = schedule(client, "sch-env", "sch-a", params)
    build = wait_state(client, queued["uuid"], ("finished",))

    assert build["result"] == "SUCCESS"
    environment = environment_of(master, queued["uuid"])
    assert {name: environment.get(name) for name in params} == params
    assert environment["GEARMAN_UUID"] == queued["uuid"]
    assert_parameters_intact(master, build, {**params, "GEARMAN_UUID": queued["uuid"]})


def test_tricky_values_arrive_byte_for_byte_and_run_nothing(master, tmp_path):
    client = client_for(master)
    pwn, files = breakouts(tmp_path)
    params = {**TRICKY_VALUES, **pwn}

    queued = schedule(client, "sch-env", "sch-b", params)
    build = wait_state(client, queued["uuid"], ("finished",))

    assert build["result"] == "SUCCESS"
    assert_parameters_intact(master, build, params)
    # The shell sees them too, except where Jenkins itself rewrites a value:
    # $NAME references and $$ are expanded (EnvVars.overrideExpandingAll), an empty value unsets.
    environment = environment_of(master, queued["uuid"])
    for name, value in params.items():
        if "$" not in value and value:
            assert environment.get(name) == value, name
    assert "EMPTY" not in environment
    assert [path for path in files if path.exists()] == []
    assert client.probe().installed


def test_a_one_megabyte_value_arrives_intact(master, tmp_path):
    client = client_for(master)
    pwn, files = breakouts(tmp_path)
    big = ("${Jenkins.instance.doSafeExit(null)}'''\"\"\"\\$\n żółć 🎉 " * 40000)[: 1024 * 1024]
    params = {"BIG": big, **pwn}

    queued = schedule(client, "sch-env", "sch-a", params)
    build = wait_state(client, queued["uuid"], ("finished",))

    # Over Linux's 128 KiB cap for one environment string the shell cannot start,
    # in Jenkins as here; the value itself is whole in the build's ParametersAction.
    assert_parameters_intact(master, build, params)
    assert [path for path in files if path.exists()] == []
    assert client.probe().installed
    assert schedule(client, "sch-shared", "sch-a")["status"] == "queued"


def test_same_uuid_scheduled_twice_gives_one_build(master):
    client = client_for(master)
    uuid = new_uuid()

    first = schedule(client, "sch-fast", "sch-a", {"N": "1"}, uuid=uuid)
    second = schedule(client, "sch-fast", "sch-a", {"N": "1"}, uuid=uuid)

    assert first["status"] == "queued"
    assert second["status"] == "existing"
    assert second["build"]["uuid"] == uuid
    wait_state(client, uuid, ("finished",))
    third = schedule(client, "sch-fast", "sch-a", {"N": "1"}, uuid=uuid)
    assert third["status"] == "existing"
    assert third["build"]["state"] == "finished"
    assert [b["uuid"] for b in builds_of(master, "sch-fast")].count(uuid) == 1


def test_same_uuid_scheduled_concurrently_from_two_threads_gives_one_build(master):
    uuids = [new_uuid() for _ in range(6)]
    statuses: dict[str, list[str]] = {uuid: [] for uuid in uuids}

    def send(uuid: str, barrier: threading.Barrier) -> None:
        client = client_for(master)
        barrier.wait()
        statuses[uuid].append(schedule(client, "sch-fast", "sch-a", uuid=uuid)["status"])

    for uuid in uuids:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=send, args=(uuid, barrier)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    client = client_for(master)
    for uuid in uuids:
        wait_state(client, uuid, ("finished",))
    counted = [b["uuid"] for b in builds_of(master, "sch-fast")]
    assert {uuid: counted.count(uuid) for uuid in uuids} == {uuid: 1 for uuid in uuids}
    assert {uuid: sorted(found) for uuid, found in statuses.items()} == {uuid: ["existing", "queued"] for uuid in uuids}


def test_unknown_or_disabled_job_is_rejected_and_its_reservation_released(master):
    client = client_for(master)
    wait_idle(master, client, ["sch-a", "sch-b"])
    [first, second] = reserve(client, "sch-b", count=1) + reserve(client, "sch-a", count=1)

    missing = schedule(client, "no-such-job", "sch-b", reservation=first)
    disabled = schedule(client, "sch-off", "sch-a", reservation=second)

    assert missing["status"] == "rejected"
    assert disabled["status"] == "rejected"
    assert find(client, missing["uuid"]) is None
    _epoch, inventory = client.inventory()
    assert inventory["held"] == {}


def test_build_for_a_node_removed_after_its_reservation_runs_where_its_label_allows(master):
    client = client_for(master)
    wait_idle(master, client, ["sch-a", "sch-b"])
    master.add_node("sch-gone", labels="shared", executors=1)
    [reservation] = reserve(client, "sch-gone")
    change(master, "remove_node", node="sch-gone")

    queued = schedule(client, "sch-shared", "sch-gone", reservation=reservation)

    assert queued["status"] == "queued"
    build = wait_state(client, queued["uuid"], ("finished",), timeout=10)
    assert build["node"] in ("sch-a", "sch-b")
    assert client.inventory()[1]["held"] == {}


def test_build_for_an_offline_node_runs_where_its_label_allows(master):
    client = client_for(master)
    wait_idle(master, client, ["sch-a", "sch-b"])
    change(master, "temporarily_offline", node="sch-b", offline=True)
    try:
        queued = schedule(client, "sch-shared", "sch-b")

        build = wait_state(client, queued["uuid"], ("finished",), timeout=10)
    finally:
        change(master, "temporarily_offline", node="sch-b", offline=False)
    assert build["node"] == "sch-a"
    assert client.inventory()[1]["held"] == {}
