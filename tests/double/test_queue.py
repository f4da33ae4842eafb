"""The queue's life cycle and rules: offline nodes, quiet-down, dispatchers, folding, left items."""

from tests.double.conftest import MARK, groovy_json
from tests.waiting import wait_until

ITEM_STATE = f"""
def q = Jenkins.get().queue
println '{MARK}' + groovy.json.JsonOutput.toJson(q.items.collect {{ [id: it.id, type: it.getClass().simpleName, why: it.why] }})
"""


def queue_state(double):
    return groovy_json(double, ITEM_STATE)


def schedule(double, job, param=None):
    value = "" if param is None else f", new ParametersAction(new StringParameterValue('P', '{param}'))"
    return int(
        double.run_script(f"println Jenkins.get().queue.schedule2(Jenkins.get().getItem('{job}'), 0{value}).item.id")
    )


def build_count(double, job):
    return int(double.run_script(f"println Jenkins.get().getItem('{job}').builds.size()"))


def test_temporarily_offline_node_holds_the_queue_until_back(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.run_script("Jenkins.get().setNumExecutors(0)")
    double.add_node("solo", labels="solo")
    double.create_job("held", command="true", label="solo")
    double.run_script(
        "Jenkins.get().getComputer('solo').setTemporarilyOffline(true, new hudson.slaves.OfflineCause.ByCLI('maintenance'))"
    )
    schedule(double, "held")
    state = wait_until(lambda: [i for i in queue_state(double) if i["type"] == "BuildableItem"], message="buildable")
    assert state[0]["why"] == "‘solo’ is offline"  # noqa: RUF001 (Jenkins' message)
    assert build_count(double, "held") == 0
    double.run_script("Jenkins.get().getComputer('solo').setTemporarilyOffline(false, null)")
    wait_until(lambda: build_count(double, "held") == 1, message="the build to start")


def test_disconnected_agent_holds_the_queue_and_fails_running_builds(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.add_node("lost", labels="lost")
    double.create_job("long", command="sleep 60", label="lost")
    schedule(double, "long")
    wait_until(
        lambda: double.run_script("println Jenkins.get().getItem('long').isBuilding()") == "true", message="start"
    )
    data = groovy_json(
        double,
        f"""
        def c = Jenkins.get().getComputer('lost')
        c.disconnect(new hudson.slaves.OfflineCause.ChannelTermination(new java.io.IOException('agent died'))).get()
        def b = Jenkins.get().getItem('long').lastBuild
        while (b.isLogUpdated()) {{ Thread.sleep(50) }}
        println '{MARK}' + groovy.json.JsonOutput.toJson([online: c.online, result: b.result.toString(), log: b.log])
    """,
    )
    assert data["online"] is False and data["result"] == "FAILURE"
    assert "FATAL: command execution failed" in data["log"]
    schedule(double, "long")
    wait_until(
        lambda: queue_state(double) and queue_state(double)[0]["why"] == "‘lost’ is offline",  # noqa: RUF001
        message="blocked on offline",
    )
    double.run_script("Jenkins.get().getComputer('lost').connect(false)")
    wait_until(lambda: build_count(double, "long") == 2, message="restart after reconnect")


def test_quiet_down_starts_nothing_new(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.create_job("quiet", command="true", label=None)
    double.run_script("Jenkins.get().doQuietDown()")
    schedule(double, "quiet")
    wait_until(
        lambda: [i for i in queue_state(double) if i["why"] == "Jenkins is about to shut down"], message="shutdown why"
    )
    assert build_count(double, "quiet") == 0
    double.run_script("Jenkins.get().doCancelQuietDown()")
    wait_until(lambda: build_count(double, "quiet") == 1, message="build after cancel")


def test_dispatcher_defined_in_a_script_blocks_a_node_until_removed(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.run_script("Jenkins.get().setNumExecutors(0)")
    double.add_node("guarded")
    double.create_job("dispatched", command="true", label=None)
    double.run_script("""
        import hudson.model.queue.*
        class NotThere extends QueueTaskDispatcher {
            CauseOfBlockage canTake(Node node, Queue.BuildableItem item) {
                return node.nodeName == 'guarded' ? CauseOfBlockage.fromMessage(new jenkins.util.NonLocalizable('not here')) : null
            }
        }
        QueueTaskDispatcher.all().add(new NotThere())
    """)
    schedule(double, "dispatched")
    wait_until(lambda: [i for i in queue_state(double) if i["why"] == "not here"], message="dispatcher why")
    assert build_count(double, "dispatched") == 0
    double.run_script(
        "QueueTaskDispatcher.all().removeAll(QueueTaskDispatcher.all().findAll { it.class.name == 'NotThere' }); Jenkins.get().queue.scheduleMaintenance()".replace(
            "QueueTaskDispatcher", "hudson.model.queue.QueueTaskDispatcher"
        )
    )
    wait_until(lambda: build_count(double, "dispatched") == 1, message="build after removal")


def test_schedule2_folds_duplicates_and_keeps_differing_parameters_apart(shared_double):
    shared_double.create_job("fold", command="true", parameters=[{"name": "P", "type": "string", "default": ""}])
    data = groovy_json(
        shared_double,
        f"""
        def j = Jenkins.get(); def q = j.queue; def job = j.getItem('fold')
        j.doQuietDown()
        def mk = {{ v -> new ParametersAction(new StringParameterValue('P', v)) }}
        def r1 = q.schedule2(job, 0, mk('x'), new CauseAction(new Cause.RemoteCause('h', 'one')))
        def r2 = q.schedule2(job, 0, mk('x'), new CauseAction(new Cause.RemoteCause('h', 'two')))
        def r3 = q.schedule2(job, 0, mk('y'))
        def causes = r1.item.causes*.shortDescription
        q.cancel(r1.item); q.cancel(r3.item)
        j.doCancelQuietDown()
        println '{MARK}' + groovy.json.JsonOutput.toJson([c1: r1.created, c2: r2.created, same: r1.item.id == r2.item.id,
            c3: r3.created, differs: r3.item.id != r1.item.id, causes: causes])
    """,
    )
    assert data == {
        "c1": True,
        "c2": False,
        "same": True,
        "c3": True,
        "differs": True,
        "causes": ["Started by remote host h with note: one", "Started by remote host h with note: two"],
    }


def test_left_items_after_start_and_after_cancel(shared_double):
    shared_double.create_job("left", command="true")
    data = groovy_json(
        shared_double,
        f"""
        def j = Jenkins.get(); def q = j.queue; def job = j.getItem('left')
        def started = job.scheduleBuild2(0)
        def build = started.get()
        def startedId = build.queueId
        j.doQuietDown()
        // Under the queue lock, as Jenkins code would: maintenance cannot re-file the item in between.
        def cancelled = Queue.withLock({{ def item = q.schedule2(job, 0).item; q.cancel(item); item }} as java.util.concurrent.Callable)
        j.doCancelQuietDown()
        def l1 = q.getItem(startedId); def l2 = q.getItem(cancelled.id)
        println '{MARK}' + groovy.json.JsonOutput.toJson([t1: l1.getClass().simpleName, exec: l1.executable.number == build.number,
            c1: l1.cancelled, t2: l2.getClass().simpleName, c2: l2.cancelled, e2: l2.executable == null,
            futureCancelled: cancelled.future.isCancelled()])
    """,
    )
    assert data == {
        "t1": "LeftItem",
        "exec": True,
        "c1": False,
        "t2": "LeftItem",
        "c2": True,
        "e2": True,
        "futureCancelled": True,
    }


def test_non_concurrent_job_second_item_waits_blocked(shared_double, tmp_path):
    flag = tmp_path / "go"
    shared_double.create_job("serial", command=f"while [ ! -e {flag} ]; do sleep 0.1; done", concurrent=False)
    schedule(shared_double, "serial")
    wait_until(
        lambda: shared_double.run_script("println Jenkins.get().getItem('serial').isBuilding()") == "true",
        message="first build",
    )
    schedule(shared_double, "serial", param="second")
    blocked = wait_until(
        lambda: [i for i in queue_state(shared_double) if i["type"] == "BlockedItem"], message="blocked item"
    )
    assert blocked[0]["why"].startswith("Build #1 is already in progress")
    flag.write_text("go")
    wait_until(
        lambda: build_count(shared_double, "serial") == 2 and not queue_state(shared_double), message="second build"
    )
