"""init.groovy.d runs where Jenkins' reactor runs it, and sees what it would see there.

Jenkins (Jenkins.java, Nodes.load, GroovyInitScript, Queue.init): agents and their
computers at SYSTEM_CONFIG_LOADED, jobs, then after JOB_CONFIG_ADAPTED the init scripts
and the queue load (in the double: scripts first), all as SYSTEM; after the reactor,
Jenkins.save(), the built-in node's ComputerListener.onOnline, ItemListener.onLoaded;
agents come online after that.
"""

from tests.double.conftest import MARK, groovy_json

PROBE = """
import hudson.model.Computer
import hudson.model.Item
import hudson.model.Queue
import hudson.model.TaskListener
import hudson.model.listeners.ItemListener
import hudson.model.listeners.SaveableListener
import hudson.model.queue.QueueListener
import hudson.slaves.ComputerListener
import jenkins.model.Jenkins

def j = Jenkins.get()
def seen = [
    initLevel: j.initLevel.name(),
    who: Jenkins.getAuthentication2().name,
    jobs: j.items*.name,
    nodes: j.nodes*.nodeName,
    computers: j.computers.collect { [it.name, it.online, it.numExecutors] },
    queue: j.queue.items.size(),
]
def events = Collections.synchronizedList([])
System.getProperties().put('double.boot.seen', seen)
System.getProperties().put('double.boot.events', events)

class BootComputers extends ComputerListener {
    List e
    BootComputers(List e) { this.e = e }
    void onOnline(Computer c, TaskListener l) { e << ('online:' + c.name + ':' + Jenkins.getAuthentication2().name) }
}
class BootQueue extends QueueListener {
    List e
    BootQueue(List e) { this.e = e }
    void onEnterWaiting(Queue.WaitingItem wi) { e << ('enterWaiting:' + wi.task.name) }
}
class BootSaves extends SaveableListener {
    List e
    BootSaves(List e) { this.e = e }
    void onChange(hudson.model.Saveable o, hudson.XmlFile f) { if (o instanceof Jenkins) { e << 'jenkinsSaved' } }
}
class BootItems extends ItemListener {
    List e
    BootItems(List e) { this.e = e }
    void onLoaded() { e << 'itemsLoaded' }
}
ComputerListener.all().add(new BootComputers(events))
QueueListener.all().add(new BootQueue(events))
SaveableListener.all().add(new BootSaves(events))
ItemListener.all().add(new BootItems(events))
"""

READ = f"""
println '{MARK}' + groovy.json.JsonOutput.toJson([seen: System.getProperties().get('double.boot.seen'),
    events: new ArrayList(System.getProperties().get('double.boot.events')),
    queue: Jenkins.get().queue.items*.task*.name, agentOnline: Jenkins.get().getComputer('agent').online])
"""


def restart_with_init_script(double, name, text):
    double.stop()
    (double.home / "init.groovy.d").mkdir(exist_ok=True)
    (double.home / "init.groovy.d" / name).write_text(text)
    double.start()


def test_an_init_script_sees_jobs_agents_and_computers_but_not_the_queue(jenkins_double):
    double = jenkins_double
    double.add_node("agent", labels="a", executors=2)
    double.create_job("job", command="true")
    double.run_script("Jenkins.get().queue.schedule2(Jenkins.get().getItem('job'), 3600)")
    restart_with_init_script(double, "10-probe.groovy", PROBE)
    data = groovy_json(double, READ)
    assert data["seen"] == {
        "initLevel": "JOB_CONFIG_ADAPTED",
        "who": "SYSTEM",
        "jobs": ["job"],
        "nodes": ["agent"],
        # Nodes.load made every computer; the agent's launch has not completed yet.
        "computers": [["", True, 2], ["agent", False, 2]],
        "queue": 0,
    }
    assert data["queue"] == ["job"] and data["agentOnline"] is True


def test_listeners_an_init_script_registers_hear_the_rest_of_the_boot_in_order(jenkins_double):
    double = jenkins_double
    double.add_node("agent", labels="a")
    double.create_job("job", command="true")
    double.run_script("Jenkins.get().queue.schedule2(Jenkins.get().getItem('job'), 3600)")
    restart_with_init_script(double, "10-probe.groovy", PROBE)
    assert groovy_json(double, READ)["events"] == [
        "enterWaiting:job",  # Queue.init loads the saved queue after the init scripts
        "jenkinsSaved",  # Jenkins.save() once the reactor is done
        "online:" + ":SYSTEM",  # the built-in node, fired by the Jenkins constructor
        "itemsLoaded",
        "online:agent:SYSTEM",  # the agent's launch completes after the boot
    ]


def test_an_item_an_init_script_schedules_is_dropped_by_the_queue_load(jenkins_double):
    double = jenkins_double
    double.create_job("job", command="true")
    restart_with_init_script(
        double,
        "10-schedule.groovy",
        "jenkins.model.Jenkins.get().queue.schedule2(jenkins.model.Jenkins.get().getItem('job'), 3600)\n",
    )
    assert double.run_script("println Jenkins.get().queue.items.size()") == "0"
    assert "Loading queue will discard previously scheduled items" in double.log_text()


def test_agents_added_by_an_init_script_connect_after_the_boot(jenkins_double):
    double = jenkins_double
    restart_with_init_script(
        double,
        "10-agent.groovy",
        """
import hudson.slaves.*
def j = jenkins.model.Jenkins.get()
j.addNode(new DumbSlave('early', new File(j.rootDir, 'early').path, new JNLPLauncher()))
System.setProperty('double.boot.early', String.valueOf(j.getComputer('early').online))
""",
    )
    assert double.run_script("println System.getProperty('double.boot.early')") == "false"
    assert double.run_script("println Jenkins.get().getComputer('early').online") == "true"
