"""The function set of an executor worker (docs/contract.md: functions of an executor worker)."""

from controller.contract.functions import FunctionTable, Skipped, function_set_for
from controller.contract.model import EXCLUSIVE, Job, Node


def node(name, *labels, mode="NORMAL", online=True, temporarily_offline=False):
    return Node(name, frozenset({name, *labels}), mode, 1, online, temporarily_offline)


def test_unlabelled_job_registers_build_function_on_normal_node():
    assert function_set_for(node("n1", "linux"), [Job("pep8", None)]) == {"build:pep8"}


def test_exclusive_node_gets_no_unlabelled_jobs():
    assert function_set_for(node("n1", "linux", mode=EXCLUSIVE), [Job("pep8", None)]) == set()


def test_exclusive_node_still_gets_jobs_whose_label_matches():
    functions = function_set_for(node("n1", "linux", mode=EXCLUSIVE), [Job("pep8", "linux")])
    assert functions == {"build:pep8", "build:pep8:linux"}


def test_plugin_example_precise_or_oneiric():
    functions = function_set_for(node("precise-123", "precise"), [Job("pep8", "precise || oneiric")])
    assert functions == {"build:pep8", "build:pep8:precise"}


def test_and_expression_registers_each_atom_of_the_node_in_the_expression():
    functions = function_set_for(node("n", "a", "b", "c"), [Job("job", "a && b")])
    assert functions == {"build:job", "build:job:a", "build:job:b"}


def test_node_name_is_one_of_its_atoms():
    functions = function_set_for(node("precise-123", "precise"), [Job("only-here", "precise-123")])
    assert functions == {"build:only-here", "build:only-here:precise-123"}


def test_label_not_matching_registers_nothing_for_that_job():
    assert function_set_for(node("n", "trusty"), [Job("pep8", "precise || oneiric")]) == set()


def test_negated_atoms_are_not_registered():
    assert function_set_for(node("n", "b"), [Job("job", "!a")]) == {"build:job"}


def test_disabled_and_unbuildable_jobs_register_nothing():
    jobs = [Job("off", None, disabled=True), Job("cannot", None, buildable=False)]
    assert function_set_for(node("n"), jobs) == set()


def test_offline_and_temporarily_offline_nodes_register_nothing():
    jobs = [Job("pep8", None)]
    assert function_set_for(node("n", online=False), jobs) == set()
    assert function_set_for(node("n", temporarily_offline=True), jobs) == set()


def test_names_gearman_cannot_carry_are_skipped_and_reported():
    skipped: set[Skipped] = set()
    jobs = [Job("ok", None), Job("tab\there", None), Job("colon:job", None), Job("x" * 600, None)]
    assert function_set_for(node("n"), jobs, skipped) == {"build:ok"}
    assert {s.name for s in skipped} == {"tab\there", "colon:job", "x" * 600}
    assert all(s.reason for s in skipped)


def test_unicode_job_names_are_kept():
    assert function_set_for(node("n"), [Job("bau-ü-✓", None)]) == {"build:bau-ü-✓"}


def test_table_shares_sets_between_nodes_that_differ_only_by_name():
    table = FunctionTable()
    table.set_jobs([Job("pep8", "precise"), Job("docs", None)])
    first = table.for_node(node("precise-1", "precise"))
    assert table.for_node(node("precise-2", "precise")) is first
    assert first == {"build:pep8", "build:pep8:precise", "build:docs"}


def test_table_shares_sets_between_nodes_that_differ_only_by_labels_no_job_mentions():
    table = FunctionTable()
    table.set_jobs([Job("unit", "single-use"), Job("docs", None)])
    first = table.for_node(node("np-1", "single-use", "np-1-label", mode=EXCLUSIVE))
    for index in range(2, 50):
        assert table.for_node(node(f"np-{index}", "single-use", f"np-{index}-label", mode=EXCLUSIVE)) is first
    assert first == {"build:unit", "build:unit:single-use"}
    assert len(table._by_shape) == 1


def test_table_keeps_node_name_when_a_job_label_mentions_it():
    table = FunctionTable()
    table.set_jobs([Job("pinned", "precise-1")])
    assert table.for_node(node("precise-1", "precise")) == {"build:pinned", "build:pinned:precise-1"}
    assert table.for_node(node("precise-2", "precise")) == set()


def test_table_recomputes_after_job_changes():
    table = FunctionTable()
    table.set_jobs([Job("a", None)])
    n = node("n")
    assert table.for_node(n) == {"build:a"}
    table.put_job(Job("a", None, disabled=True))
    assert table.for_node(n) == set()
    table.put_job(Job("b", None))
    table.remove_job("a")
    assert table.for_node(n) == {"build:b"}


def test_pipeline_registers_its_build_function_on_every_node_exclusive_ones_included():
    pipeline = Job("pipe", None, pipeline=True)
    assert function_set_for(node("n", "linux"), [pipeline]) == {"build:pipe"}
    assert function_set_for(node("e", "linux", mode=EXCLUSIVE), [pipeline]) == {"build:pipe"}


def test_pipeline_registers_no_label_functions():
    assert function_set_for(node("n", "a", "b"), [Job("pipe", None, pipeline=True)]) == {"build:pipe"}


def test_disabled_pipeline_and_pipeline_on_an_offline_node_register_nothing():
    assert function_set_for(node("n"), [Job("pipe", None, disabled=True, pipeline=True)]) == set()
    assert function_set_for(node("n", online=False), [Job("pipe", None, pipeline=True)]) == set()


def test_jobs_in_folders_register_by_full_name_only():
    jobs = [Job("team/sub/unit", "linux"), Job("team/pipe", None, pipeline=True)]
    assert function_set_for(node("n", "linux"), jobs) == {
        "build:team/sub/unit",
        "build:team/sub/unit:linux",
        "build:team/pipe",
    }
