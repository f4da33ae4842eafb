"""Listeners registered by a posted script fire where Jenkins fires them."""

from tests.double.conftest import MARK, groovy_json

REGISTER = """
import hudson.model.*
import hudson.model.listeners.*
import hudson.model.queue.*
import hudson.slaves.*
import jenkins.model.*
def events = Collections.synchronizedList([])
System.getProperties().put('double.test.events', events)
class R extends RunListener<Run> {
    List e
    R(List e) { this.e = e }
    void onStarted(Run r, TaskListener l) { e << "started:${r.number}:${r.isBuilding()}" }
    void onCompleted(Run r, TaskListener l) { e << "completed:${r.result}:${r.isBuilding()}:${r.executor != null}" }
    void onFinalized(Run r) { e << "finalized:${r.number}" }
    void onDeleted(Run r) { e << "deleted:${r.number}" }
}
class C extends ComputerListener {
    List e
    C(List e) { this.e = e }
    void onOnline(Computer c, TaskListener l) { e << "online:${c.name}" }
    void onOffline(Computer c, OfflineCause cause) { e << "offline:${c.name}" }
    void onTemporarilyOnline(Computer c) { e << "tempOnline:${c.name}" }
    void onTemporarilyOffline(Computer c, OfflineCause cause) { e << "tempOffline:${c.name}" }
    void onConfigurationChange() { e << "config" }
}
class I extends ItemListener {
    List e
    I(List e) { this.e = e }
    void onCreated(Item i) { e << "created:${i.name}" }
    void onDeleted(Item i) { e << "itemDeleted:${i.name}" }
    void onRenamed(Item i, String o, String n) { e << "renamed:${o}:${n}" }
    void onLocationChanged(Item i, String o, String n) { e << "moved:${o}:${n}" }
    void onUpdated(Item i) { e << "updated:${i.name}" }
}
class N extends NodeListener {
    List e
    N(List e) { this.e = e }
    protected void onCreated(Node n) { e << "nodeCreated:${n.nodeName}" }
    protected void onUpdated(Node o, Node n) { e << "nodeUpdated:${n.nodeName}" }
    protected void onDeleted(Node n) { e << "nodeDeleted:${n.nodeName}" }
}
class Q extends QueueListener {
    List e
    Q(List e) { this.e = e }
    void onEnterWaiting(Queue.WaitingItem i) { e << "enterWaiting" }
    void onLeaveWaiting(Queue.WaitingItem i) { e << "leaveWaiting" }
    void onEnterBlocked(Queue.BlockedItem i) { e << "enterBlocked" }
    void onLeaveBlocked(Queue.BlockedItem i) { e << "leaveBlocked" }
    void onEnterBuildable(Queue.BuildableItem i) { e << "enterBuildable" }
    void onLeaveBuildable(Queue.BuildableItem i) { e << "leaveBuildable" }
    void onLeft(Queue.LeftItem i) { e << "left:${i.cancelled}" }
}
class Broken extends RunListener<Run> {
    void onStarted(Run r, TaskListener l) { throw new IllegalStateException('listener bug') }
}
RunListener.all().add(new Broken())
RunListener.all().add(new R(events)); ComputerListener.all().add(new C(events)); ItemListener.all().add(new I(events))
NodeListener.all().add(new N(events)); QueueListener.all().add(new Q(events))
"""

EVENTS = f"println '{MARK}' + groovy.json.JsonOutput.toJson(System.getProperties().get('double.test.events'))"


def test_every_listener_fires(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.run_script(REGISTER)
    double.add_node("agent", labels="l")
    double.create_job("job", command="true", label="l")
    double.run_script(
        "def b = Jenkins.get().getItem('job').scheduleBuild2(0).get(); while (b.isLogUpdated()) { Thread.sleep(20) }"
    )
    double.run_script("""
        def j = Jenkins.get(); def job = j.getItem('job')
        job.disable(); job.enable(); job.lastBuild.delete()
        job.setDescription('d'); job.renameTo('job2'); j.getItem('job2').delete()
        def c = j.getComputer('agent')
        c.setTemporarilyOffline(true, new hudson.slaves.OfflineCause.ByCLI('x')); c.setTemporarilyOffline(false, null)
        c.disconnect(null).get(); c.connect(false)
        // Jenkins 2.479.3's updateNode fires no NodeListener (2.503 does, see test_versions);
        // replacing the node with addNode fires onUpdated in every version.
        j.updateNode(j.getNode('agent'))
        def old = j.getNode('agent')
        j.addNode(new hudson.slaves.DumbSlave('agent', old.remoteFS, new hudson.slaves.JNLPLauncher()))
        j.removeNode(j.getNode('agent'))
    """)
    events = groovy_json(double, EVENTS)
    expected_in_order = [
        "nodeCreated:agent",
        "created:job",
        "enterWaiting",
        "leaveWaiting",
        "enterBuildable",
        "leaveBuildable",
        "left:false",
        "started:1:true",
        "completed:SUCCESS:false:true",
        "finalized:1",
    ]
    positions = [events.index(e) for e in expected_in_order]
    assert positions == sorted(positions), events
    for e in [
        "online:agent",
        "config",
        "updated:job",
        "deleted:1",
        "renamed:job:job2",
        "moved:job:job2",
        "itemDeleted:job2",
        "tempOffline:agent",
        "tempOnline:agent",
        "offline:agent",
        "nodeUpdated:agent",
        "nodeDeleted:agent",
    ]:
        assert e in events, (e, events)
    assert "listener bug" in double.log_text()
