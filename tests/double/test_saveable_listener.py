"""SaveableListener.onChange fires where Jenkins core fires it, with the same Saveable.

Jenkins fires it from every save(): ApiTokenStats on each request authenticated with
an API token, User, Queue (through Queue.Saver), Descriptor/GlobalConfiguration, a
Node's own save (addNode, updateNode) with the Node, Nodes.save (setNodes) with the
Nodes object once per agent file, Jenkins, jobs and builds.
"""

import time

import requests

from tests.double.conftest import MARK, groovy_json
from tests.waiting import wait_until

REGISTER = """
import hudson.model.listeners.SaveableListener
def events = Collections.synchronizedList([])
System.getProperties().put('double.test.saves', events)
class Recorder extends SaveableListener {
    List e
    Recorder(List e) { this.e = e }
    void onChange(hudson.model.Saveable o, hudson.XmlFile f) {
        def home = Jenkins.get().rootDir.toPath()
        // getName(), not .name: on hudson.model.User's class, .name would call User.get("name").
        e << [type: o.getClass().getName(), file: home.relativize(f.file.toPath()).toString(), exists: f.file.exists(),
              who: Jenkins.getAuthentication2().name, node: o instanceof Node ? o.nodeName : null]
    }
}
SaveableListener.all().add(new Recorder(events))
"""

EVENTS = f"""
def events = System.getProperties().get('double.test.saves')
println '{MARK}' + groovy.json.JsonOutput.toJson(new ArrayList(events))
events.clear()
"""

API_TOKEN_STATS = "jenkins.security.apitoken.ApiTokenStats"


def post_script(double, script):
    """One request: POST /scriptText with the admin's API token (no crumb needed)."""
    response = requests.post(
        double.url + "scriptText", data={"script": script}, auth=(double.admin_user, double.admin_token), timeout=30
    )
    assert response.status_code == 200, response.text
    return response.text


def saves(double, exclude_token_stats=True):
    events = groovy_json(double, EVENTS)
    return [e for e in events if not (exclude_token_stats and e["type"] == API_TOKEN_STATS)]


def test_every_api_token_request_saves_the_users_api_token_stats(jenkins_double):
    double = jenkins_double
    post_script(double, REGISTER)
    for _ in range(5):
        response = requests.get(double.url + "api/json", auth=(double.admin_user, double.admin_token), timeout=30)
        assert response.status_code == 200
    # The read-back request is token-authenticated too: its save comes before its script runs.
    output = post_script(double, EVENTS)
    events = [e for e in json_after_mark(output) if e["type"] == API_TOKEN_STATS]
    assert len(events) == 6, events
    for e in events:
        directory, name = e["file"].rsplit("/", 1)
        assert name == "apiTokenStats.json" and e["exists"]
        assert directory.startswith("users/admin_") and directory[len("users/admin_") :].isdigit()
        # Fired while the request is being authenticated: the thread does not act as the user yet.
        assert e["who"] == "anonymous"


def test_password_requests_save_no_api_token_stats(jenkins_double_factory):
    double = jenkins_double_factory(passwords=["admin:pw"])
    post_script(double, REGISTER)
    session = requests.Session()
    session.auth = ("admin", "pw")
    for _ in range(3):
        assert session.get(double.url + "api/json", timeout=30).status_code == 200
    events = json_after_mark(post_script(double, EVENTS))
    assert [e["type"] for e in events] == [API_TOKEN_STATS]  # the read-back request's own


def json_after_mark(output):
    import json

    line = [line for line in output.splitlines() if line.startswith(MARK)][-1]
    return json.loads(line[len(MARK) :])


def test_disabled_usage_statistics_save_the_configuration_and_then_no_stats(jenkins_double):
    double = jenkins_double
    post_script(double, REGISTER)
    post_script(
        double, "jenkins.security.apitoken.ApiTokenPropertyConfiguration.get().setUsageStatisticsEnabled(false)"
    )
    for _ in range(3):
        requests.get(double.url + "api/json", auth=(double.admin_user, double.admin_token), timeout=30)
    events = json_after_mark(post_script(double, EVENTS))
    # The disabling request's own stats were saved before it ran; nothing after.
    assert [(e["type"], e["file"]) for e in events] == [
        (API_TOKEN_STATS, events_file(double)),
        (
            "jenkins.security.apitoken.ApiTokenPropertyConfiguration",
            "jenkins.security.apitoken.ApiTokenPropertyConfiguration.json",
        ),
    ]


def events_file(double):
    folder = post_script(double, "print User.getById('admin', false).userFolder.name")
    return f"users/{folder}/apiTokenStats.json"


def test_add_node_and_update_node_fire_with_the_node_and_its_config_file(jenkins_double):
    double = jenkins_double
    double.run_script(REGISTER)
    double.add_node("agent", labels="a")
    double.run_script("def n = Jenkins.get().getNode('agent'); n.setLabelString('b'); Jenkins.get().updateNode(n)")
    expected = {
        "type": "hudson.slaves.DumbSlave",
        "file": "nodes/agent/config.json",
        "exists": True,
        "who": "admin",
        "node": "agent",
    }
    assert saves(double) == [expected, expected]


def test_set_nodes_fires_with_the_nodes_object_once_per_node_file(jenkins_double):
    double = jenkins_double
    double.add_node("one")
    double.add_node("two")
    double.run_script(REGISTER)
    double.run_script("""
        def j = Jenkins.get()
        def three = new hudson.slaves.DumbSlave('three', j.getNode('one').remoteFS + '3', new hudson.slaves.JNLPLauncher())
        j.setNodes([j.getNode('one'), three])
    """)
    events = saves(double)
    assert [(e["type"], e["file"], e["node"]) for e in events] == [
        ("jenkins.model.Nodes", "nodes/one/config.json", None),
        ("jenkins.model.Nodes", "nodes/three/config.json", None),
    ]


def test_queue_saver_saves_the_queue_once_some_seconds_after_it_changed(jenkins_double):
    double = jenkins_double
    double.create_job("queued", command="true")
    double.run_script(REGISTER)
    double.run_script("Queue.Saver.DELAY_SECONDS = 2")
    try:
        started = time.monotonic()
        double.run_script("def j = Jenkins.get().getItem('queued'); Jenkins.get().queue.schedule2(j, 3600)")
        double.run_script(
            "Jenkins.get().queue.schedule2(Jenkins.get().getItem('queued'), 3600, new ParametersAction([]))"
        )
        assert saves(double) == []  # not at once
        queue_saves = wait_until(
            lambda: [
                e
                for e in groovy_json(double, EVENTS.replace("events.clear()", ""))
                if e["type"] == "hudson.model.Queue"
            ],
            timeout=15,
            message="Queue.save from Queue.Saver",
        )
        assert time.monotonic() - started >= 2
        # SYSTEM: Queue.Saver runs on jenkins.util.Timer.
        assert queue_saves == [
            {"type": "hudson.model.Queue", "file": "queue.json", "exists": True, "who": "SYSTEM", "node": None}
        ]
        saved = double.run_script(
            "println new groovy.json.JsonSlurper().parse(new File(Jenkins.get().rootDir, 'queue.json')).items.size()"
        )
        assert saved == "1"
    finally:
        double.run_script("Queue.Saver.DELAY_SECONDS = 60")


def test_user_save_fires_and_getting_a_user_saves_nothing(jenkins_double):
    double = jenkins_double
    double.run_script(REGISTER)
    data = groovy_json(
        double,
        f"""
        def u = User.getById('newbie', true)
        def before = u.userFolder
        u.setFullName('New Bie')
        u.save()
        def refused = null
        try {{ User.getById('SYSTEM', true).save() }} catch (IOException e) {{ refused = e.message }}
        println '{MARK}' + groovy.json.JsonOutput.toJson([before: before == null, folder: u.userFolder.name, refused: refused,
            current: User.current().id])
    """,
    )
    assert data["before"] is True and data["folder"].startswith("newbie_")
    assert data["refused"] == '"SYSTEM" is prohibited as a username for security reasons.'
    assert data["current"] == "admin"
    assert saves(double) == [
        {
            "type": "hudson.model.User",
            "file": f"users/{data['folder']}/config.json",
            "exists": True,
            "who": "admin",
            "node": None,
        }
    ]


def test_root_url_setting_fires_with_the_location_configuration(jenkins_double):
    double = jenkins_double
    double.run_script(REGISTER)
    double.run_script("jenkins.model.JenkinsLocationConfiguration.get().setUrl('http://ci.example.org')")
    assert [(e["type"], e["file"]) for e in saves(double)] == [
        ("jenkins.model.JenkinsLocationConfiguration", "jenkins.model.JenkinsLocationConfiguration.json")
    ]


def test_jenkins_job_and_build_saves_still_fire(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.create_job("job", command="true")
    double.run_script(REGISTER)
    double.run_script("""
        Jenkins.get().setQuietPeriod(1)
        def job = Jenkins.get().getItem('job'); job.setDescription('d')
        def b = job.scheduleBuild2(0).get(); while (b.isLogUpdated()) { Thread.sleep(20) }
    """)
    types = {(e["type"], e["file"]) for e in saves(double)}
    assert ("jenkins.model.Jenkins", "config.json") in types
    assert ("hudson.model.FreeStyleProject", "jobs/job/config.json") in types
    assert ("hudson.model.FreeStyleBuild", "jobs/job/builds/1/build.json") in types
