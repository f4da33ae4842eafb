"""Who a thread acts as, and what Queue.getItems() shows it, as in Jenkins.

Jenkins' SecurityContextHolder is thread-local: a request (and the script console)
runs as its user, executors, timers and queue maintenance as SYSTEM, and a thread a
script starts as nobody, i.e. ANONYMOUS, until it switches with ACL.as2. Queue.getItems()
only lists items whose task the current authentication may read (Item.READ).
"""

import pytest
import requests

from tests.double.conftest import MARK, groovy_json

# Schedules one item that stays in the queue (quiet period of an hour).
SCHEDULE = "Jenkins.get().queue.schedule2(Jenkins.get().getItem('held'), 3600)"

PROBE = f"""
import hudson.security.*
def q = Jenkins.get().queue
def heldId = q.getItem(Jenkins.get().getItem('held')).id
def r = [:]
def record = {{ String key -> r[key] = [who: Jenkins.getAuthentication2().name, items: q.items.size(),
    user: User.current()?.id] }}
record('console')
def t = Thread.start {{
    try {{
        record('thread')
        def ctx = ACL.as2(ACL.SYSTEM2)
        try {{ record('system') }} finally {{ ctx.close() }}
        record('closed')
        ctx = ACL.as(User.getById('reader', false))
        try {{ record('reader') }} finally {{ ctx.close() }}
        ctx = ACL.as(User.getById('stranger', true))
        try {{ record('stranger') }} finally {{ ctx.close() }}
        r.itemById = q.getItem(heldId) != null
        r.timer = jenkins.util.Timer.get().submit({{ [Jenkins.getAuthentication2().name, q.items.size()] }}
            as java.util.concurrent.Callable).get()
    }} catch (Throwable e) {{ r.error = e.toString() }}
}}
t.join()
println '{MARK}' + groovy.json.JsonOutput.toJson(r)
"""


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    from tests.jenkins_double import start_double

    double = start_double(tmp_path_factory.mktemp("acl"), users=["reader:rtoken:readonly"])
    double.create_job("held", command="true")
    double.run_script(SCHEDULE)
    yield double
    double.stop()


def test_a_thread_a_script_starts_is_anonymous_and_sees_no_queue_items(secured):
    data = groovy_json(secured, PROBE)
    assert "error" not in data, data
    assert data["console"] == {"who": "admin", "items": 1, "user": "admin"}
    assert data["thread"] == {"who": "anonymous", "items": 0, "user": None}
    assert data["closed"] == {"who": "anonymous", "items": 0, "user": None}


def test_acl_as2_system_on_that_thread_sees_the_items(secured):
    data = groovy_json(secured, PROBE)
    assert data["system"] == {"who": "SYSTEM", "items": 1, "user": "SYSTEM"}


def test_a_read_only_user_sees_items_and_an_unknown_user_does_not(secured):
    data = groovy_json(secured, PROBE)
    assert data["reader"] == {"who": "reader", "items": 1, "user": "reader"}
    assert data["stranger"] == {"who": "stranger", "items": 0, "user": "stranger"}


def test_get_item_by_id_is_not_filtered(secured):
    # Queue.getItem(long) has no permission check in Jenkins either.
    assert groovy_json(secured, PROBE)["itemById"] is True


def test_timer_tasks_run_as_system(secured):
    assert groovy_json(secured, PROBE)["timer"] == ["SYSTEM", 1]


def test_remote_api_queue_of_a_read_only_user_lists_the_item(secured):
    items = requests.get(secured.url + "queue/api/json", auth=("reader", "rtoken"), timeout=30).json()["items"]
    assert [i["task"]["name"] for i in items] == ["held"]


def test_permissions_of_each_kind_of_user(secured):
    data = groovy_json(
        secured,
        f"""
        import hudson.security.*
        def job = Jenkins.get().getItem('held'); def j = Jenkins.get()
        def perms = {{ a -> [admin: j.getACL().hasPermission2(a, Jenkins.ADMINISTER), read: job.hasPermission2(a, Item.READ),
            discover: job.hasPermission2(a, Item.DISCOVER), build: job.hasPermission2(a, Item.BUILD)] }}
        def denied = null
        def t = Thread.start {{ try {{ j.checkPermission(Jenkins.ADMINISTER) }} catch (e) {{ denied = e.class.name + ': ' + e.message }} }}
        t.join()
        println '{MARK}' + groovy.json.JsonOutput.toJson([admin: perms(User.getById('admin', false).impersonate2()),
            reader: perms(User.getById('reader', false).impersonate2()), anonymous: perms(Jenkins.ANONYMOUS2),
            system: perms(ACL.SYSTEM2), denied: denied, itemRead: Item.READ.id, impliedBy: Item.READ.impliedBy.id])
    """,
    )
    assert data["admin"] == {"admin": True, "read": True, "discover": True, "build": True}
    assert data["reader"] == {"admin": False, "read": True, "discover": True, "build": False}
    assert data["anonymous"] == {"admin": False, "read": False, "discover": False, "build": False}
    # AccessControlled lets SYSTEM do anything; the root ACL asked directly does not know it.
    assert data["system"] == {"admin": False, "read": True, "discover": True, "build": True}
    assert (
        data["denied"]
        == "hudson.security.AccessDeniedException3: anonymous is missing the Overall/Administer permission"
    )
    assert (
        data["itemRead"] == "hudson.model.Item.Read" and data["impliedBy"] == "hudson.security.Permission.GenericRead"
    )


def test_with_anonymous_read_a_script_thread_sees_the_items(jenkins_double_factory):
    double = jenkins_double_factory(anonymous_read=True)
    double.create_job("held", command="true")
    double.run_script(SCHEDULE)
    data = groovy_json(
        double,
        f"""
        def n = null
        def t = Thread.start {{ n = [Jenkins.getAuthentication2().name, Jenkins.get().queue.items.size()] }}
        t.join()
        println '{MARK}' + groovy.json.JsonOutput.toJson(n)
    """,
    )
    assert data == ["anonymous", 1]


def test_executor_threads_run_as_system(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.create_job("built", command="true")
    data = groovy_json(
        double,
        f"""
        import hudson.model.listeners.RunListener
        def seen = Collections.synchronizedList([])
        class WhoStarts extends RunListener<Run> {{
            List seen
            WhoStarts(List seen) {{ super(Run); this.seen = seen }}
            void onStarted(Run r, TaskListener l) {{
                seen << [Jenkins.getAuthentication2().name, new Cause.UserIdCause().userId, Jenkins.get().queue.items.size()]
            }}
        }}
        def listener = new WhoStarts(seen)
        RunListener.all().add(listener)
        try {{
            def b = Jenkins.get().getItem('built').scheduleBuild2(0).get()
            while (b.isLogUpdated()) {{ Thread.sleep(20) }}
        }} finally {{ RunListener.all().remove(listener) }}
        println '{MARK}' + groovy.json.JsonOutput.toJson(seen)
    """,
    )
    assert data == [["SYSTEM", "SYSTEM", 0]]


def test_queue_listeners_run_as_system_even_from_an_anonymous_thread(jenkins_double):
    double = jenkins_double
    double.create_job("queued", command="true")
    data = groovy_json(
        double,
        f"""
        import hudson.model.queue.QueueListener
        def seen = Collections.synchronizedList([])
        class Who extends QueueListener {{
            List seen
            Who(List seen) {{ this.seen = seen }}
            void onEnterWaiting(Queue.WaitingItem wi) {{ seen << Jenkins.getAuthentication2().name }}
        }}
        def l = new Who(seen)
        // Looked up here: Jenkins.getItem filters by Item.READ in Jenkins (not in the double; see its README).
        def job = Jenkins.get().getItem('queued')
        QueueListener.all().add(l)
        try {{
            def t = Thread.start {{ Jenkins.get().queue.schedule2(job, 3600) }}
            t.join()
        }} finally {{ QueueListener.all().remove(l) }}
        println '{MARK}' + groovy.json.JsonOutput.toJson(seen)
    """,
    )
    # Listeners.notify(QueueListener, asSystem=true, ...), as Queue's items fire it.
    assert data == ["SYSTEM"]
