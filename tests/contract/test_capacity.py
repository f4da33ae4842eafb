"""Which executor workers grab, and in what order (spreading)."""

from controller.contract.model import Job, Node
from controller.dispatch.capacity import pick_grabbers
from controller.dispatch.roster import ExecutorKey
from controller.masters.agent_protocol import BuildInfo
from controller.masters.view import MasterView


def view(name, nodes, running=()):
    v = MasterView(name)
    v.nodes = {n.name: n for n in nodes}
    v.functions.set_jobs([Job("job", None)])
    for node, number in running:
        v.running[("job", number)] = BuildInfo("job", number, None, "running", node=node)
    return v


def keys(master, node, count):
    return [ExecutorKey(master, node, i) for i in range(count)]


def test_one_pick_per_free_executor():
    views = {"m": view("m", [Node("a", frozenset({"a"}), executors=2)], running=[("a", 1)])}
    picks = pick_grabbers(keys("m", "a", 2), views, {}, limit=10)
    assert len(picks) == 1


def test_commitments_count_as_busy():
    views = {"m": view("m", [Node("a", frozenset({"a"}), executors=2)])}
    assert pick_grabbers(keys("m", "a", 2), views, {("m", "a"): 2}, limit=10) == []


def test_least_loaded_node_first():
    views = {
        "m": view(
            "m",
            [Node("busy", frozenset(), executors=4), Node("idle", frozenset(), executors=4)],
            running=[("busy", 1), ("busy", 2)],
        )
    }
    picks = pick_grabbers(keys("m", "busy", 4) + keys("m", "idle", 4), views, {}, limit=1)
    assert picks[0].node == "idle"


def test_picks_spread_across_masters_and_nodes():
    views = {
        "m1": view("m1", [Node("a", frozenset(), executors=4)]),
        "m2": view("m2", [Node("b", frozenset(), executors=4)]),
    }
    picks = pick_grabbers(keys("m1", "a", 4) + keys("m2", "b", 4), views, {}, limit=4)
    assert sorted(p.master for p in picks) == ["m1", "m1", "m2", "m2"]


def test_offline_and_unknown_nodes_never_grab():
    views = {"m": view("m", [Node("off", frozenset(), executors=2, temporarily_offline=True)])}
    assert pick_grabbers(keys("m", "off", 2) + keys("m", "gone", 1), views, {}, limit=10) == []


def test_limit_is_respected():
    views = {"m": view("m", [Node("a", frozenset(), executors=10)])}
    assert len(pick_grabbers(keys("m", "a", 10), views, {}, limit=3)) == 3


def test_between_equally_loaded_nodes_one_with_a_spare_reservation_goes_first():
    views = {"m": view("m", [Node("a", frozenset(), executors=2), Node("b", frozenset(), executors=2)])}
    picks = pick_grabbers(keys("m", "a", 2) + keys("m", "b", 2), views, {}, limit=1, spares={("m", "b")})
    assert picks[0].node == "b"


def test_a_spare_reservation_does_not_beat_a_less_loaded_node():
    views = {
        "m": view("m", [Node("a", frozenset(), executors=2), Node("b", frozenset(), executors=2)], running=[("b", 1)])
    }
    picks = pick_grabbers(keys("m", "a", 2) + keys("m", "b", 2), views, {}, limit=1, spares={("m", "b")})
    assert picks[0].node == "a"
