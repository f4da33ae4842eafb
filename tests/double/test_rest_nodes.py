"""Agents over the REST API, the way Nodepool v0 and python-jenkins manage them."""

import re
import xml.etree.ElementTree as ET

import jenkins
import pytest
import requests

from tests.double.conftest import MARK, groovy_json
from tests.jenkins_double import start_double
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    d = start_double(tmp_path_factory.mktemp("jenkins"), users=["reader:rtoken:readonly"])
    d.set_quiet_period(0)
    yield d
    d.stop()


def nodepool_create(client, double, name, labels, executors=1):
    """What Nodepool v0's CreateNodeTask sent: an exclusive DumbSlave launched over SSH."""
    client.create_node(
        name,
        numExecutors=executors,
        nodeDescription="Dynamic single use node",
        remoteFS=str(double.home / "agents" / name),
        labels=labels,
        exclusive=True,
        launcher="hudson.plugins.sshslaves.SSHLauncher",
        launcher_params={"port": 22, "credentialsId": "nodepool-creds", "host": "192.0.2.10"},
    )


def build_on(double, job, params=None):
    client = double.client()
    queue_id = client.build_job(job, params or {"P": "x"})
    item = wait_until(
        lambda: (lambda i: i if i.get("executable") else None)(client.get_queue_item(queue_id)), message="start"
    )
    number = item["executable"]["number"]
    return wait_until(
        lambda: (lambda b: b if not b["building"] else None)(client.get_build_info(job, number)), message="end"
    )


def test_nodepool_cycle_create_use_disable_enable_delete_repeated(double):
    client = double.client()
    double.create_job(
        "on-pool",
        command='echo "ran on $NODE_NAME with $P"',
        label="pool",
        parameters=[{"name": "P", "type": "string"}],
    )
    for cycle in range(4):
        name = f"pool-node-{cycle}"
        nodepool_create(client, double, name, "pool trusty", executors=2)
        assert client.node_exists(name)
        info = client.get_node_info(name)
        assert info["_class"] == "hudson.slaves.SlaveComputer"
        assert info["displayName"] == name and info["numExecutors"] == 2 and len(info["executors"]) == 2
        assert info["offline"] is False and info["temporarilyOffline"] is False and info["idle"] is True
        assert sorted(label["name"] for label in info["assignedLabels"]) == sorted([name, "pool", "trusty"])
        build = build_on(double, "on-pool", {"P": f"cycle{cycle}"})
        assert build["result"] == "SUCCESS" and build["builtOn"] == name
        assert f"ran on {name} with cycle{cycle}" in client.get_build_console_output("on-pool", build["number"])

        client.disable_node(name, "held by nodepool")
        info = client.get_node_info(name)
        assert info["offline"] is True and info["temporarilyOffline"] is True
        assert info["offlineCauseReason"] == "Disconnected by admin : held by nodepool"
        assert info["offlineCause"]["_class"] == "hudson.slaves.OfflineCause$UserCause"
        client.enable_node(name)
        info = client.get_node_info(name)
        assert info["offline"] is False and info["offlineCause"] is None and info["offlineCauseReason"] == ""

        client.delete_node(name)
        assert not client.node_exists(name)
        assert name not in [n["name"] for n in client.get_nodes()]
        assert not (double.home / "nodes" / name).exists()


def test_a_temporarily_offline_node_takes_no_build_until_enabled(double):
    client = double.client()
    nodepool_create(client, double, "held", "heldlabel")
    double.create_job("needs-held", command="true", label="heldlabel")
    client.disable_node("held")
    assert client.get_node_info("held")["offlineCauseReason"] == "Disconnected by admin"
    queue_id = client.build_job("needs-held")
    wait_until(lambda: client.get_queue_item(queue_id).get("why"), message="the item to wait")
    assert client.get_queue_item(queue_id).get("executable") is None
    client.enable_node("held")
    number = wait_until(
        lambda: client.get_queue_item(queue_id).get("executable"), message="the build to start once enabled"
    )["number"]
    assert client.get_build_info("needs-held", number)["builtOn"] == "held"
    # A removed node's computer lives on until its builds end (as in Jenkins): delete once idle.
    wait_until(lambda: not client.get_build_info("needs-held", number)["building"], message="the build to end")
    client.delete_node("held")


def test_node_config_xml_round_trip_and_nodepool_relabel(double):
    client = double.client()
    nodepool_create(client, double, "relabel", "devstack-fresh", executors=1)
    config = client.get_node_config("relabel")
    assert config.startswith("<?xml version='1.1' encoding='UTF-8'?>\n<slave>\n")
    root = ET.fromstring(config.encode())
    assert [e.tag for e in root] == [
        "name",
        "description",
        "remoteFS",
        "numExecutors",
        "mode",
        "retentionStrategy",
        "launcher",
        "label",
        "nodeProperties",
    ]
    assert root.findtext("mode") == "EXCLUSIVE" and root.findtext("label") == "devstack-fresh"
    assert root.find("retentionStrategy").get("class") == "hudson.slaves.RetentionStrategy$Always"
    launcher = root.find("launcher")
    assert launcher.get("class") == "hudson.plugins.sshslaves.SSHLauncher"
    assert launcher.get("plugin").startswith("ssh-slaves@")
    assert [launcher.findtext(k) for k in ("host", "port", "credentialsId")] == ["192.0.2.10", "22", "nodepool-creds"]
    before = groovy_json(
        double,
        f"println '{MARK}' + groovy.json.JsonOutput.toJson(System.identityHashCode(Jenkins.get().getComputer('relabel')))",
    )
    # Nodepool v0 relabelled a used node by editing its config.xml with a regular expression.
    client.reconfig_node("relabel", re.sub(r"<label>.*</label>", "<label>devstack-used</label>", config))
    assert "<label>devstack-used</label>" in client.get_node_config("relabel")
    state = groovy_json(
        double,
        f"""
        def j = Jenkins.get()
        println '{MARK}' + groovy.json.JsonOutput.toJson([computer: System.identityHashCode(j.getComputer('relabel')),
            nodes: j.getLabel('devstack-used').nodes*.nodeName, old: j.getLabel('devstack-fresh').nodes*.nodeName])
        """,
    )
    assert state == {"computer": before, "nodes": ["relabel"], "old": []}
    client.delete_node("relabel")


def test_python_jenkins_default_launcher_and_plugins(double):
    client = double.client()
    client.create_node("cmd", labels="c")
    launcher = ET.fromstring(client.get_node_config("cmd").encode()).find("launcher")
    assert launcher.get("class") == "hudson.slaves.CommandLauncher"
    assert launcher.get("plugin").startswith("command-launcher@")
    client.create_node("inbound", launcher=jenkins.LAUNCHER_JNLP)
    inbound = client.get_node_info("inbound")
    assert inbound["jnlpAgent"] is True and inbound["launchSupported"] is False
    plugins = client.get_plugins()
    assert {p["shortName"] for p in plugins.values()} == {"ssh-slaves", "command-launcher"}
    assert plugins["ssh-slaves"]["active"] is True
    names = [n["name"] for n in client.get_nodes()]
    assert names[0] == "Built-In Node" and {"cmd", "inbound"} <= set(names)
    assert client.get_node_info("Built-In Node")["_class"] == "hudson.model.Hudson$MasterComputer"
    client.delete_node("cmd")
    client.delete_node("inbound")


def test_node_errors_answer_as_jenkins(double):
    auth = (double.admin_user, double.admin_token)
    client = double.client()
    client.create_node("dup", launcher=jenkins.LAUNCHER_JNLP)
    form = {"name": "dup", "type": "hudson.slaves.DumbSlave$DescriptorImpl", "json": "{}"}
    response = requests.post(double.url + "computer/doCreateItem", data=form, auth=auth, timeout=30)
    assert response.status_code == 400 and "Agent called ‘dup’ already exists" in response.text  # noqa: RUF001 (Jenkins' message)
    response = requests.post(
        double.url + "computer/doCreateItem", data=dict(form, name="bad/name"), auth=auth, timeout=30
    )
    assert response.status_code == 400 and "‘/’ is an unsafe character" in response.text  # noqa: RUF001 (Jenkins' message)
    response = requests.post(
        double.url + "computer/doCreateItem",
        data=dict(form, name="nolauncher", json='{"launcher": {"stapler-class": "hudson.slaves.NoSuchLauncher"}}'),
        auth=auth,
        timeout=30,
    )
    assert response.status_code == 500 and "not hudson.slaves.NoSuchLauncher" in response.text
    assert not client.node_exists("nolauncher")
    for method, path in [
        ("get", "computer/ghost/api/json"),
        ("post", "computer/ghost/toggleOffline"),
        ("post", "computer/ghost/doDelete"),
        ("get", "computer/ghost/config.xml"),
    ]:
        assert getattr(requests, method)(double.url + path, auth=auth, timeout=30).status_code == 404, path
    with pytest.raises(jenkins.JenkinsException, match="does not exist"):
        client.delete_node("ghost")
    assert requests.post(double.url + "computer/(built-in)/doDelete", auth=auth, timeout=30).status_code == 400
    assert requests.get(double.url + "computer/(built-in)/config.xml", auth=auth, timeout=30).status_code == 400
    assert requests.get(double.url + "computer/dup/doDelete", auth=auth, timeout=30).status_code == 405
    response = requests.post(double.url + "computer/dup/config.xml", data=b"<slave><name>dup", auth=auth, timeout=30)
    assert response.status_code == 500
    reader = ("reader", "rtoken")
    response = requests.post(double.url + "computer/dup/doDelete", auth=reader, timeout=30)
    assert response.status_code == 403 and "reader is missing the Agent/Delete permission" in response.text
    assert client.node_exists("dup")
    client.delete_node("dup")


NODE_LISTENERS = """
import hudson.model.*
import hudson.slaves.*
import jenkins.model.*
def events = Collections.synchronizedList([])
System.getProperties().put('double.rest.nodes', events)
class N extends NodeListener {
    List e
    N(List e) { this.e = e }
    protected void onCreated(Node n) { e << "created:${n.nodeName}:${n.labelString}" }
    protected void onUpdated(Node o, Node n) { e << "updated:${o.labelString}->${n.labelString}:${o.is(n)}" }
    protected void onDeleted(Node n) { e << "deleted:${n.nodeName}" }
}
class C extends ComputerListener {
    List e
    C(List e) { this.e = e }
    void onOnline(Computer c, TaskListener l) { e << "online:${c.name}" }
    void onTemporarilyOffline(Computer c, OfflineCause cause) { e << "tempOffline:${cause}" }
    void onTemporarilyOnline(Computer c) { e << "tempOnline:${c.name}" }
}
NodeListener.all().add(new N(events)); ComputerListener.all().add(new C(events))
"""


def rest_node_events(double) -> list[str]:
    """What listeners registered by a script hear while Nodepool-style REST calls come in."""
    double.run_script(NODE_LISTENERS)
    client = double.client()
    nodepool_create(client, double, "heard", "a")
    client.disable_node("heard", "why")
    client.enable_node("heard")
    client.reconfig_node("heard", client.get_node_config("heard").replace("<label>a</label>", "<label>b</label>"))
    client.delete_node("heard")
    return groovy_json(
        double, f"println '{MARK}' + groovy.json.JsonOutput.toJson(System.getProperties().get('double.rest.nodes'))"
    )


def test_rest_calls_fire_node_and_computer_listeners(jenkins_double):
    # 2.479.3: taking a computer offline leaves its node alone; updateNode fires no NodeListener.
    assert rest_node_events(jenkins_double) == [
        "online:heard",
        "created:heard:a",
        "tempOffline:Disconnected by admin : why",
        "tempOnline:heard",
        "updated:a->b:false",
        "deleted:heard",
    ]


@pytest.mark.jenkins_version("2.503")
def test_rest_calls_fire_node_listeners_for_offline_marks_since_2_503(jenkins_double):
    # From 2.482 the offline mark is the node's (saved with updateNode), from 2.503 updateNode fires onUpdated.
    assert rest_node_events(jenkins_double) == [
        "online:heard",
        "created:heard:a",
        "updated:a->a:true",
        "tempOffline:Disconnected by admin : why",
        "updated:a->a:true",
        "tempOnline:heard",
        "updated:a->b:false",
        "deleted:heard",
    ]


def test_xml_created_node_is_named_by_the_query(double):
    auth = (double.admin_user, double.admin_token)
    body = (
        "<slave><name>ignored</name><remoteFS>/tmp/x</remoteFS><numExecutors>3</numExecutors><mode>NORMAL</mode>"
        '<launcher class="hudson.slaves.JNLPLauncher"/><label>x1 x2</label><noSuchField/></slave>'
    )
    response = requests.post(
        double.url + "computer/createItem?name=fromxml",
        data=body,
        headers={"Content-Type": "application/xml"},
        auth=auth,
        timeout=30,
    )
    assert response.status_code == 200
    info = double.client().get_node_info("fromxml")
    assert info["numExecutors"] == 3 and sorted(a["name"] for a in info["assignedLabels"]) == ["fromxml", "x1", "x2"]
    assert "No field 'noSuchField' found in class 'hudson.slaves.DumbSlave'" in double.log_text()
    double.client().delete_node("fromxml")
