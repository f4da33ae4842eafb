"""Which controller owns which master (controller/ownership/assignment.py)."""

from collections import Counter

from controller.ownership.assignment import owners

SIX = {f"m{i}": () for i in range(6)}


def everyone_reaches(controllers, masters=SIX):
    return {c: frozenset(masters) for c in controllers}


def test_one_controller_owns_every_master_it_reaches():
    assert set(owners(SIX, everyone_reaches(["a"]), {}).values()) == {"a"}


def test_three_controllers_own_two_masters_each():
    result = owners(SIX, everyone_reaches(["a", "b", "c"]), {})
    assert sorted(Counter(result.values()).values()) == [2, 2, 2]


def test_nothing_moves_while_nothing_changes():
    first = owners(SIX, everyone_reaches(["a", "b", "c"]), {})
    assert owners(SIX, everyone_reaches(["a", "b", "c"]), first) == first


def test_a_controller_leaving_moves_only_its_masters():
    before = owners(SIX, everyone_reaches(["a", "b", "c"]), {})
    after = owners(SIX, everyone_reaches(["a", "b"]), {m: o for m, o in before.items() if o != "c"})
    moved = {m for m in SIX if before[m] != after[m]}
    assert moved == {m for m, o in before.items() if o == "c"}
    assert sorted(Counter(after.values()).values()) == [3, 3]


def test_a_controller_joining_takes_only_what_is_over_the_others_share():
    alone = owners(SIX, everyone_reaches(["a"]), {})
    joined = owners(SIX, everyone_reaches(["a", "b", "c"]), alone)
    assert sorted(Counter(joined.values()).values()) == [2, 2, 2]
    assert sum(1 for m in SIX if joined[m] != alone[m]) == 4  # a keeps 2 of its 6


def test_a_preferred_controller_owns_its_master_when_alive():
    masters = {**SIX, "m0": ("c", "b")}
    assert owners(masters, everyone_reaches(["a", "b", "c"]), {"m0": "a"})["m0"] == "c"
    assert owners(masters, everyone_reaches(["a", "b"]), {"m0": "a"})["m0"] == "b"
    assert owners(masters, everyone_reaches(["a"]), {})["m0"] == "a"


def test_a_master_goes_only_to_a_controller_that_reaches_it():
    reaches = {"a": frozenset(SIX) - {"m1"}, "b": frozenset({"m2"})}
    result = owners(SIX, reaches, {"m1": "a"})
    assert result["m1"] is None
    assert result["m2"] in ("a", "b")
    reaches["b"] = frozenset({"m1"})
    assert owners(SIX, reaches, {"m1": "a"})["m1"] == "b"  # its owner no longer reaches it
