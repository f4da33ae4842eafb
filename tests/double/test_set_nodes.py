"""Jenkins.setNodes (Nodes.setNodes) per version: NodeListener under the queue lock since
2.483 (after the node is in place since 2.488), ComputerListener.onConfigurationChange
under the lock in every version, and what happens to a replaced node's temporary
offline state."""

import pytest

from tests.double.conftest import MARK, groovy_json

# Whether the queue lock is held while a listener runs: another thread tries to take it
# (Queue.tryWithLock returns false when someone holds it; on the listener's own thread
# the lock is reentrant, so that thread could not tell). A queue maintenance may hold the
# lock for a moment too, so only five refusals 20 ms apart count as held by the listener.
PROBE = f"""
import hudson.slaves.*
def events = Collections.synchronizedList([])
def lockedElsewhere = {{ ->
    def taken = false
    def t = Thread.start {{
        for (int i = 0; i < 5 && !taken; i++) {{
            taken = Queue.tryWithLock({{ }} as Runnable)
            if (!taken) {{ Thread.sleep(20) }}
        }}
    }}
    t.join()
    !taken
}}
class N extends jenkins.model.NodeListener {{
    List e; Closure locked
    N(List e, Closure locked) {{ this.e = e; this.locked = locked }}
    protected void onCreated(Node n) {{ e << [event: 'created', node: n.nodeName, locked: locked(), inPlace: Jenkins.get().getNode(n.nodeName).is(n)] }}
    protected void onUpdated(Node o, Node n) {{ e << [event: 'updated', node: n.nodeName, locked: locked(), inPlace: Jenkins.get().getNode(n.nodeName).is(n), same: o.is(n)] }}
    protected void onDeleted(Node n) {{ e << [event: 'deleted', node: n.nodeName, locked: locked(), inPlace: Jenkins.get().getNode(n.nodeName) != null] }}
}}
class C extends ComputerListener {{
    List e; Closure locked
    C(List e, Closure locked) {{ this.e = e; this.locked = locked }}
    void onConfigurationChange() {{ e << [event: 'configuration', locked: locked()] }}
}}
def j = Jenkins.get()
def baseline = lockedElsewhere()
def n = new N(events, lockedElsewhere); def c = new C(events, lockedElsewhere)
jenkins.model.NodeListener.all().add(n); ComputerListener.all().add(c)
try {{
    def keep = new DumbSlave('keep', j.getNode('keep').remoteFS, new JNLPLauncher())
    def fresh = new DumbSlave('fresh', j.getNode('keep').remoteFS + '-fresh', new JNLPLauncher())
    j.setNodes([keep, fresh])
}} finally {{
    jenkins.model.NodeListener.all().remove(n); ComputerListener.all().remove(c)
}}
println '{MARK}' + groovy.json.JsonOutput.toJson([baseline: baseline, events: events, nodes: j.nodes*.nodeName])
"""


def set_nodes(double):
    double.add_node("keep")
    double.add_node("gone")
    return groovy_json(double, PROBE)


CONFIGURATION = {"event": "configuration", "locked": True}


@pytest.mark.parametrize("version", ["2.479.3", "2.482"])
def test_before_2_483_set_nodes_fires_no_node_listener(jenkins_double_factory, version):
    data = set_nodes(jenkins_double_factory(jenkins_version=version))
    assert data["baseline"] is False
    assert data["events"] == [CONFIGURATION]
    assert data["nodes"] == ["fresh", "keep"]


def test_from_2_483_node_listener_fires_under_the_queue_lock_before_the_node_is_in_place(jenkins_double_factory):
    data = set_nodes(jenkins_double_factory(jenkins_version="2.483"))
    assert data["baseline"] is False
    assert data["events"] == [
        {"event": "updated", "node": "keep", "locked": True, "inPlace": False, "same": False},
        {"event": "created", "node": "fresh", "locked": True, "inPlace": False},
        CONFIGURATION,
        # After Nodes.save(), outside the lock.
        {"event": "deleted", "node": "gone", "locked": False, "inPlace": False},
    ]


@pytest.mark.parametrize("version", ["2.488", "2.503"])
def test_from_2_488_node_listener_fires_under_the_lock_once_the_node_is_in_place(jenkins_double_factory, version):
    data = set_nodes(jenkins_double_factory(jenkins_version=version))
    assert data["events"] == [
        {"event": "updated", "node": "keep", "locked": True, "inPlace": True, "same": False},
        {"event": "created", "node": "fresh", "locked": True, "inPlace": True},
        CONFIGURATION,
        {"event": "deleted", "node": "gone", "locked": False, "inPlace": False},
    ]


TEMPORARILY_OFFLINE = f"""
def j = Jenkins.get()
j.getComputer('keep').setTemporarilyOffline(true, new hudson.slaves.OfflineCause.ByCLI('maintenance'))
j.setNodes([new hudson.slaves.DumbSlave('keep', j.getNode('keep').remoteFS, new hudson.slaves.JNLPLauncher())])
def c = j.getComputer('keep')
println '{MARK}' + groovy.json.JsonOutput.toJson([offline: c.temporarilyOffline, cause: String.valueOf(j.getNode('keep').temporaryOfflineCause)])
"""


@pytest.mark.parametrize(
    ("version", "kept"),
    [
        ("2.479.3", True),  # the computer keeps its own state and pushes it to the new node
        ("2.482", False),  # the state is the old node's only: lost (fixed in 2.564)
        ("2.503", False),
        ("2.564", True),  # setNodes copies the cause to the new node
    ],
)
def test_a_replaced_nodes_temporary_offline_state_per_version(jenkins_double_factory, version, kept):
    double = jenkins_double_factory(jenkins_version=version)
    double.add_node("keep")
    data = groovy_json(double, TEMPORARILY_OFFLINE)
    if kept:
        assert data == {"offline": True, "cause": "Disconnected by admin : maintenance"}
    else:
        assert data == {"offline": False, "cause": "null"}
