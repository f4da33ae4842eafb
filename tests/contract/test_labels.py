"""Label expressions parse and match as Jenkins' grammar says."""

import pytest

from controller.contract.labels import LabelSyntaxError, get_label, parse_expression, parse_node_labels


@pytest.mark.parametrize(
    ("expression", "node_atoms", "matches"),
    [
        ("precise || oneiric", {"precise", "precise-123"}, True),
        ("precise || oneiric", {"trusty"}, False),
        ("a && b", {"a", "b", "c"}, True),
        ("a && b", {"a", "c"}, False),
        ("!a", {"b"}, True),
        ("!a", {"a"}, False),
        ("a -> b", {"c"}, True),
        ("a -> b", {"a"}, False),
        ("a -> b", {"a", "b"}, True),
        ("a <-> b", set(), True),
        ("a <-> b", {"a"}, False),
        ("(a || b) && !c", {"b"}, True),
        ("(a || b) && !c", {"b", "c"}, False),
        ("a || b && c", {"a"}, True),  # && binds tighter than ||
        ("!a && b", {"b"}, True),  # ! binds tighter than &&
        ('"my label" && x', {"my label", "x"}, True),
        ("a-b", {"a-b"}, True),  # '-' belongs to an atom unless it starts '->'
        ("a->b", {"a"}, False),
        ("ubuntu-22.04&&x86_64", {"ubuntu-22.04", "x86_64"}, True),
    ],
)
def test_expression_matches_like_jenkins(expression, node_atoms, matches):
    assert get_label(expression).matches(frozenset(node_atoms)) is matches


def test_atoms_are_every_atom_named_in_the_expression():
    assert get_label("(a || b) && !c -> d").atoms == {"a", "b", "c", "d"}


@pytest.mark.parametrize("text", ["a -> b -> c", "a &&", "(a", "!!a", "a & b", "a b"])
def test_invalid_expression_raises(text):
    with pytest.raises(LabelSyntaxError):
        parse_expression(text)


def test_text_that_does_not_parse_is_one_atom_as_in_jenkins_get_label():
    label = get_label("a -> b -> c")
    assert label.atoms == {"a -> b -> c"}
    assert label.matches(frozenset({"a -> b -> c"}))


def test_iff_chains_left_to_right():
    # (a <-> b) <-> c with a=T, b=F, c=F: (F) <-> F = T
    assert get_label("a <-> b <-> c").matches(frozenset({"a"}))


def test_quoted_whole_expression_is_unquoted_first():
    assert get_label('"x y"').atoms == {"x y"}


def test_node_label_string_splits_on_whitespace_and_honours_quotes():
    assert parse_node_labels('linux  "big disk"\tx86') == {"linux", "big disk", "x86"}
    assert parse_node_labels("") == frozenset()
