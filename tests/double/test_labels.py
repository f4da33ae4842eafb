"""Label expressions and node selection, as Jenkins' grammar and Node.canTake define them."""

import pytest

from tests.double.conftest import MARK, groovy_json


@pytest.fixture(scope="module")
def labelled(shared_double):
    shared_double.add_node("n-a", labels="a")
    shared_double.add_node("n-b", labels="b")
    shared_double.add_node("n-ab", labels="a b")
    shared_double.add_node("n-q", labels='"has space"')
    shared_double.add_node("n-x", labels="a x", mode="EXCLUSIVE")
    return shared_double


def nodes_of(double, expression):
    return groovy_json(
        double,
        f"""
        def l = Label.parseExpression(new String(Base64.decoder.decode('{__import__("base64").b64encode(expression.encode()).decode()}'), 'UTF-8'))
        println '{MARK}' + groovy.json.JsonOutput.toJson(Jenkins.get().getNodes().findAll {{ l.matches(it) }}.collect {{ it.nodeName }}.sort())
    """,
    )


@pytest.mark.parametrize(
    "expression,expected",
    [
        ("a && b", ["n-ab"]),
        ("a || b", ["n-a", "n-ab", "n-b", "n-x"]),
        ("!a", ["n-b", "n-q"]),
        ("a -> b", ["n-ab", "n-b", "n-q"]),
        ("a <-> b", ["n-ab", "n-q"]),
        ("(a || b) && !x", ["n-a", "n-ab", "n-b"]),
        ("a || b && x", ["n-a", "n-ab", "n-x"]),
        ('"has space"', ["n-q"]),
        ("n-ab", ["n-ab"]),
    ],
)
def test_label_expressions_match_like_jenkins(labelled, expression, expected):
    assert nodes_of(labelled, expression) == expected


def test_expressions_normalise_and_compare_by_expression(labelled):
    data = groovy_json(
        labelled,
        f"""
        def l = Label.parseExpression('a&&(b||c)')
        println '{MARK}' + groovy.json.JsonOutput.toJson([
            expr: l.expression, atoms: l.listAtoms()*.name.sort(), isAtom: l.isAtom(),
            same: Label.parseExpression('a && (b || c)') == l,
            atomName: Label.parseExpression('a').name, quoted: new hudson.model.labels.LabelAtom('has space').expression,
            bad: (try {{ Label.parseExpression('a &&'); 'parsed' }} catch (IllegalArgumentException e) {{ 'refused' }})])
    """.replace("(try {", "({ -> try {").replace("'refused' })])", "'refused' } })()])"),
    )
    assert data == {
        "expr": "a&&(b||c)",
        "atoms": ["a", "b", "c"],
        "isAtom": False,
        "same": True,
        "atomName": "a",
        "quoted": '"has space"',
        "bad": "refused",
    }


def test_exclusive_node_gets_no_unlabelled_jobs_but_matching_ones(labelled):
    data = groovy_json(
        labelled,
        f"""
        def j = Jenkins.get()
        ['roam': null, 'onx': 'x'].each {{ name, label ->
            def p = j.getItem(name) ?: j.createProject(FreeStyleProject, name)
            p.setAssignedLabel(label == null ? null : j.getLabel(label))
            p.setConcurrentBuild(true)
        }}
        def roam = (1..8).collect {{ j.getItem('roam').scheduleBuild2(0, new ParametersAction(new StringParameterValue('I', "$it"))).get().builtOnStr }}
        def onx = j.getItem('onx').scheduleBuild2(0).get().builtOnStr
        println '{MARK}' + groovy.json.JsonOutput.toJson([roam: roam.unique().sort(), onx: onx])
    """,
    )
    assert "n-x" not in data["roam"]
    assert data["onx"] == "n-x"


def test_job_created_without_agents_is_tied_to_the_built_in_node(jenkins_double):
    data = groovy_json(
        jenkins_double,
        f"""
        def p = Jenkins.get().createProject(FreeStyleProject, 'early')
        def before = String.valueOf(p.assignedLabel)
        p.setAssignedLabel(null)
        println '{MARK}' + groovy.json.JsonOutput.toJson([before: before, after: String.valueOf(p.assignedLabel)])
    """,
    )
    assert data == {"before": "built-in", "after": "null"}
