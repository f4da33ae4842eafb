"""The controller's and the agent's names for operations and events agree, and the agent version covers its parts."""

import re
from importlib import resources

from jinja2 import nodes

from controller.masters.agent_protocol import EVENT_TYPES, OPERATION_NAMES, EventsReply, Inventory, Schedule
from controller.templates import environment, template_hash

TEMPLATES = resources.files("groovy_templates")


def groovy_sources() -> dict[str, str]:
    return {entry.name: entry.read_text() for entry in TEMPLATES.iterdir() if entry.name.endswith(".groovy")}


def test_every_operation_the_controller_sends_is_one_the_agent_switches_on():
    switch = set(re.findall(r"case '(\w+)':", groovy_sources()["_agent_operations.groovy"]))
    assert switch == OPERATION_NAMES


def test_every_event_the_agent_emits_is_one_the_controller_knows():
    emitted = {name for source in groovy_sources().values() for name in re.findall(r"emit\('(\w+)'", source)}
    assert emitted == set(EVENT_TYPES)


def included(name: str) -> set[str]:
    """Every template ``name`` includes or extends, transitively."""
    found = set()
    tree = environment().parse(TEMPLATES.joinpath(name).read_text())
    for node in tree.find_all((nodes.Include, nodes.Extends)):
        child = node.template.value
        found |= {child} | included(child)
    return found


def test_the_agent_version_hashes_every_part_the_agent_script_includes():
    parts = included("agent.groovy")
    assert {"_agent_core.groovy", "_agent_records.groovy", "_payload.groovy"} <= parts
    hashed = set(groovy_sources())  # template_hash digests every .groovy file of the package
    assert parts <= hashed
    assert len(template_hash()) == 12


def test_a_schedule_answer_and_an_inventory_parse_into_types():
    op = Schedule("pep8", "n1", "u1", {"A": "1"}, "r1", 3000)
    assert op.to_json() == {
        "op": "schedule",
        "job": "pep8",
        "node": "n1",
        "uuid": "u1",
        "params": {"A": "1"},
        "reservation": "r1",
        "handover_ms": 3000,
    }
    assert op.parse({"status": "queued", "queue_id": 7}).queue_id == 7
    assert op.parse({"status": "rejected", "reason": "the job is disabled"}).reason == "the job is disabled"
    assert op.parse({"status": "error", "reason": "java.lang.X: y"}).reason == "java.lang.X: y"
    inventory = Inventory.parse(
        {
            "seq": 3,
            "quieting_down": False,
            "nodes": [
                {"name": "", "labels": ["built-in"], "mode": "NORMAL", "executors": 2, "online": True,
                 "temporarily_offline": False}
            ],
            "jobs": [{"name": "pep8", "label": "a", "disabled": False, "buildable": True, "parameters": ["P"]}],
            "running": [],
            "builds": [{"uuid": "u1", "job": "pep8", "state": "queued", "queue_id": 7}],
            "records_complete": True,
            "finished": ["u0"],
        }
    )  # fmt: skip
    assert inventory.jobs[0].parameters == frozenset({"P"})
    assert inventory.builds[0].queue_id == 7 and inventory.finished == ("u0",)
    reply = EventsReply.parse(
        {"events": [{"type": "newer_agents_event", "seq": 4}, {"type": "records_complete", "seq": 5}],
         "last_seq": 5, "gap": False, "stopped": False}
    )  # fmt: skip
    assert [type(e).__name__ for e in reply.events] == ["RecordsComplete"]
