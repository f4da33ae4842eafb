"""--jenkins-version: the release the double impersonates, and the members and behaviours
that differ between 2.479.3 (the default) and later releases."""

import pytest
import requests

from tests.double.conftest import MARK, groovy_json

TEMPORARY_OFFLINE = f"""
import hudson.slaves.OfflineCause
def j = Jenkins.get(); def c = j.getComputer('agent')
def r = [version: Jenkins.VERSION, parsed: Jenkins.getVersion().toString(),
    responds: !c.metaClass.respondsTo(c, 'setTemporaryOfflineCause', OfflineCause).isEmpty(),
    respondsNode: !c.node.metaClass.respondsTo(c.node, 'isTemporarilyOffline').isEmpty()]
try {{
    c.setTemporaryOfflineCause(new OfflineCause.ByCLI('direct'))
    r.direct = [offline: c.temporarilyOffline, cause: String.valueOf(c.offlineCause)]
    c.setTemporaryOfflineCause(null)
}} catch (MissingMethodException e) {{
    r.direct = e.class.name + ':' + e.method
}}
c.setTemporarilyOffline(true, new OfflineCause.ByCLI('legacy'))
r.legacy = [offline: c.temporarilyOffline, isOffline: c.offline, cause: String.valueOf(c.offlineCause),
    nodeCause: String.valueOf(c.node.temporaryOfflineCause)]
c.setTemporarilyOffline(false, null)
r.back = [offline: c.temporarilyOffline, nodeCause: c.node.temporaryOfflineCause == null]
println '{MARK}' + groovy.json.JsonOutput.toJson(r)
"""


def offline_probe(double):
    double.add_node("agent", labels="a")
    return groovy_json(double, TEMPORARY_OFFLINE)


def test_default_version_is_2_479_3_everywhere(jenkins_double):
    response = requests.get(
        jenkins_double.url, auth=(jenkins_double.admin_user, jenkins_double.admin_token), timeout=30
    )
    assert response.headers["X-Jenkins"] == "2.479.3"
    assert (
        jenkins_double.run_script(
            "println Jenkins.VERSION + ' ' + Jenkins.getVersion().isOlderThan(new hudson.util.VersionNumber('2.480'))"
        )
        == "2.479.3 true"
    )


@pytest.mark.parametrize("version", ["2.479.3", "2.481"])
def test_before_2_482_set_temporary_offline_cause_is_missing_and_set_temporarily_offline_works(
    jenkins_double_factory, version
):
    double = jenkins_double_factory(jenkins_version=version)
    data = offline_probe(double)
    assert data["version"] == version and data["parsed"] == version
    assert data["responds"] is False and data["respondsNode"] is False
    assert data["direct"] == "groovy.lang.MissingMethodException:setTemporaryOfflineCause"
    assert data["legacy"] == {
        "offline": True,
        "isOffline": True,
        "cause": "Disconnected by admin : legacy",
        "nodeCause": "Disconnected by admin : legacy",
    }
    assert data["back"] == {"offline": False, "nodeCause": True}


def test_from_2_482_set_temporary_offline_cause_exists(jenkins_double_factory):
    double = jenkins_double_factory(jenkins_version="2.482")
    data = offline_probe(double)
    assert data["version"] == "2.482"
    assert data["responds"] is True and data["respondsNode"] is True
    assert data["direct"] == {"offline": True, "cause": "Disconnected by admin : direct"}
    assert data["legacy"]["offline"] is True and data["legacy"]["nodeCause"] == "Disconnected by admin : legacy"
    assert data["back"] == {"offline": False, "nodeCause": True}


def test_x_jenkins_header_follows_the_option(jenkins_double_factory):
    double = jenkins_double_factory(jenkins_version="2.482")
    assert (
        requests.get(double.url + "api/json", timeout=30, auth=(double.admin_user, double.admin_token)).headers[
            "X-Jenkins"
        ]
        == "2.482"
    )


def test_a_script_defined_computer_subclass_hides_the_method_too(jenkins_double_factory):
    double = jenkins_double_factory(jenkins_version="2.479.3")
    out = double.run_script("""
        class MyComputer extends hudson.slaves.SlaveComputer {
            MyComputer(hudson.model.Slave s) { super(s) }
        }
        def c = new MyComputer(new hudson.slaves.DumbSlave('mine', '/tmp/mine', new hudson.slaves.JNLPLauncher()))
        println c.metaClass.respondsTo(c, 'setTemporaryOfflineCause', hudson.slaves.OfflineCause).isEmpty()
    """)
    assert out == "true"


def test_an_unknown_version_is_refused(tmp_path):
    from tests.jenkins_double import start_double

    with pytest.raises(RuntimeError, match="exited before it was ready"):
        start_double(tmp_path / "bad", jenkins_version="latest")
    assert "--jenkins-version takes a Jenkins 2.x release" in (tmp_path / "bad" / "double.stderr").read_text()


LISTENED = f"""
import hudson.model.listeners.SaveableListener
import hudson.slaves.ComputerListener
def events = Collections.synchronizedList([])
class N extends jenkins.model.NodeListener {{
    List e; N(List e) {{ this.e = e }}
    protected void onUpdated(Node o, Node n) {{ e << 'nodeUpdated' }}
}}
class S extends SaveableListener {{
    List e; S(List e) {{ this.e = e }}
    void onChange(hudson.model.Saveable o, hudson.XmlFile f) {{ if (!(o instanceof jenkins.security.apitoken.ApiTokenStats)) e << ('saved:' + o.getClass().simpleName) }}
}}
class C extends ComputerListener {{
    List e; C(List e) {{ this.e = e }}
    void onTemporarilyOffline(Computer c, hudson.slaves.OfflineCause cause) {{ e << 'tempOffline' }}
    void onTemporarilyOnline(Computer c) {{ e << 'tempOnline' }}
}}
def ls = [new N(events), new S(events), new C(events)]
jenkins.model.NodeListener.all().add(ls[0]); SaveableListener.all().add(ls[1]); ComputerListener.all().add(ls[2])
try {{
    def j = Jenkins.get()
    j.updateNode(j.getNode('agent'))
    events << '|'
    j.getComputer('agent').setTemporarilyOffline(true, new hudson.slaves.OfflineCause.ByCLI('x'))
}} finally {{
    jenkins.model.NodeListener.all().remove(ls[0]); SaveableListener.all().remove(ls[1]); ComputerListener.all().remove(ls[2])
}}
println '{MARK}' + groovy.json.JsonOutput.toJson(events)
"""


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        # 2.479.3: updateNode saves the node only; Computer.setTemporarilyOffline saves the node and fires itself.
        ("2.479.3", ["saved:DumbSlave", "|", "saved:DumbSlave", "tempOffline"]),
        # 2.482: the node saves itself, then fires the computer listeners.
        ("2.482", ["saved:DumbSlave", "|", "saved:DumbSlave", "tempOffline"]),
        # 2.503: updateNode fires NodeListener.onUpdated; the node goes through updateNode.
        ("2.503", ["saved:DumbSlave", "nodeUpdated", "|", "saved:DumbSlave", "nodeUpdated", "tempOffline"]),
    ],
)
def test_update_node_and_temporary_offline_events_per_version(jenkins_double_factory, version, expected):
    double = jenkins_double_factory(jenkins_version=version)
    double.add_node("agent")
    assert groovy_json(double, LISTENED) == expected


@pytest.mark.jenkins_version("2.481")
def test_the_marker_sets_the_version_of_the_fixture(jenkins_double):
    assert jenkins_double.run_script("println Jenkins.VERSION") == "2.481"


@pytest.mark.parametrize("version", ["2.479.3", "2.503"])
def test_a_temporarily_offline_agent_is_still_offline_after_a_restart(jenkins_double_factory, version):
    double = jenkins_double_factory(jenkins_version=version)
    double.add_node("agent")
    double.run_script(
        "Jenkins.get().getComputer('agent').setTemporarilyOffline(true, new hudson.slaves.OfflineCause.ByCLI('kept'))"
    )
    double.restart()
    data = groovy_json(
        double,
        f"def c = Jenkins.get().getComputer('agent')\n"
        f"println '{MARK}' + groovy.json.JsonOutput.toJson([c.temporarilyOffline, c.online, String.valueOf(c.offlineCause)])",
    )
    assert data == [True, False, "Disconnected by admin : kept"]
