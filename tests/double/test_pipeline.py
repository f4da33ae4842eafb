"""Pipeline jobs: runs on one-off executors, node blocks as PlaceholderTask queue items, steps, abort.

Written as one would probe a real Jenkins with the Pipeline plugins, through the script
console: WorkflowJob, WorkflowRun, ExecutorStepExecution.PlaceholderTask and the queue.
"""

import os

import pytest

from tests.double.conftest import MARK, groovy_json
from tests.jenkins_double import groovy_data_literal_body
from tests.waiting import wait_until

PLACEHOLDER = "org.jenkinsci.plugins.workflow.support.steps.ExecutorStepExecution$PlaceholderTask"
WAIT_FOR = "while [ ! -e '{flag}' ]; do sleep 0.05; done"

RUN = """
import hudson.model.*
def data = new groovy.json.JsonSlurper().parseText(new String(Base64.decoder.decode('%s'), 'UTF-8'))
def job = jenkins.model.Jenkins.get().getItemByFullName(data.job)
def actions = []
if (data.params != null) {
    actions << new ParametersAction(data.params.collect { k, v -> v instanceof Boolean ? new BooleanParameterValue(k, v) : new StringParameterValue(k, v) })
}
def run = job.scheduleBuild2(0, actions as Action[]).get()
println '%s' + groovy.json.JsonOutput.toJson([number: run.number, result: String.valueOf(run.result), log: run.log,
    building: run.building, url: run.url, queueId: run.queueId])
"""


def run_pipeline(double, job, params=None):
    """Schedules the Pipeline and waits for the run to end (QueueTaskFuture.get())."""
    return groovy_json(double, RUN % (groovy_data_literal_body({"job": job, "params": params}), MARK))


def start_pipeline(double, job):
    assert double.run_script(f"println Jenkins.get().getItemByFullName('{job}').scheduleBuild2(0) != null") == "true"


def last_run_state(double, job):
    return groovy_json(
        double,
        f"""
        def r = Jenkins.get().getItemByFullName('{job}').lastBuild
        println '{MARK}' + groovy.json.JsonOutput.toJson(r == null ? null : [number: r.number, building: r.building,
            logUpdated: r.logUpdated, result: String.valueOf(r.result), log: r.log])
        """,
    )


def finished_run(double, job):
    """Waits until the job's last run is over and its log complete (isLogUpdated() false)."""
    return wait_until(
        lambda: (lambda s: s if s and not s["logUpdated"] else None)(last_run_state(double, job)),
        message=job + " to end",
    )


def busy_executables(double, computer):
    """Class names of what the computer's executors (configured and one-off) are running."""
    return groovy_json(
        double,
        f"""
        def c = Jenkins.get().getComputer('{computer}')
        println '{MARK}' + groovy.json.JsonOutput.toJson(c.allExecutors.findAll {{ it.busy }}.collect {{ it.currentExecutable.getClass().name }})
        """,
    )


def env_line(log, name):
    for line in log.splitlines():
        if line.startswith(name + "="):
            return line[len(name) + 1 :]
    return None


def test_node_block_runs_sh_on_the_matching_agent_while_the_run_holds_a_one_off_executor(jenkins_double, tmp_path):
    double = jenkins_double
    double.set_quiet_period(0)
    # Flyweight: the run needs no configured executor of the built-in node.
    double.run_script("Jenkins.get().setNumExecutors(0)")
    double.add_node("other", labels="windows", executors=1)
    double.add_node("lin", labels="linux", executors=2)
    flag = tmp_path / "go"
    double.create_pipeline("p", "node('linux') {\n  sh '''env | sort\n" + WAIT_FOR.format(flag=flag) + "'''\n}\n")
    start_pipeline(double, "p")
    wait_until(lambda: busy_executables(double, "lin"), message="the node block to take an executor of lin")
    data = groovy_json(
        double,
        f"""
        import org.jenkinsci.plugins.workflow.support.steps.ExecutorStepExecution
        def j = Jenkins.get(); def run = j.getItem('p').lastBuild
        def e = run.executor; def agent = j.getComputer('lin').executors.find {{ it.busy }}
        def exec = agent.currentExecutable
        println '{MARK}' + groovy.json.JsonOutput.toJson([
            runExecutor: e.getClass().name, number: e.number, owner: e.owner.getClass().name,
            oneOffs: j.toComputer().oneOffExecutors.size(), sameAsOneOff: j.toComputer().oneOffExecutors[0].is(e),
            builtInExecutors: j.toComputer().executors.size(), oneOffViaRun: run.oneOffExecutor.is(e),
            building: run.building, result: String.valueOf(run.result),
            exec: exec.getClass().name, parentIsTask: exec.parent instanceof ExecutorStepExecution.PlaceholderTask,
            parentExecutable: exec.parentExecutable.is(run), ownerTask: exec.parent.ownerTask.is(j.getItem('p')),
            taskRun: exec.parent.run().is(run), agentNumber: agent.number, otherBusy: j.getComputer('other').countBusy()])
        """,
    )
    assert data == {
        "runExecutor": "hudson.model.OneOffExecutor",
        "number": -1,
        "owner": "jenkins.model.Jenkins$MasterComputer",
        "oneOffs": 1,
        "sameAsOneOff": True,
        "builtInExecutors": 0,
        "oneOffViaRun": True,
        "building": True,
        "result": "null",
        "exec": PLACEHOLDER + "$PlaceholderExecutable",
        "parentIsTask": True,
        "parentExecutable": True,
        "ownerTask": True,
        "taskRun": True,
        "agentNumber": data["agentNumber"],
        "otherBusy": 0,
    }
    flag.write_text("go")
    state = finished_run(double, "p")
    assert state["result"] == "SUCCESS"
    log = state["log"]
    assert "Running on lin in " + str(double.home / "agents" / "lin" / "workspace" / "p") in log
    assert env_line(log, "NODE_NAME") == "lin"
    assert sorted(env_line(log, "NODE_LABELS").split()) == ["lin", "linux"]
    assert env_line(log, "EXECUTOR_NUMBER") == str(data["agentNumber"])
    assert env_line(log, "WORKSPACE") == str(double.home / "agents" / "lin" / "workspace" / "p")
    assert env_line(log, "WORKSPACE_TMP") == env_line(log, "WORKSPACE") + "@tmp"
    assert env_line(log, "JENKINS_NODE_COOKIE")
    assert env_line(log, "JOB_NAME") == "p" and env_line(log, "BUILD_NUMBER") == "1"
    assert (
        log.index("[Pipeline] node")
        < log.index("Running on lin")
        < log.index("[Pipeline] {")
        < log.index("[Pipeline] sh")
    )
    assert log.rstrip().endswith("[Pipeline] }\n[Pipeline] // node\n[Pipeline] End of Pipeline\nFinished: SUCCESS")
    # The agent's executor was freed when the block ended; the one-off executor goes just
    # after the run completed (as in Jenkins, after onCompleted and onFinalized).
    assert busy_executables(double, "lin") == []
    wait_until(lambda: busy_executables(double, "") == [], message="the one-off executor to go")


QUEUE_EVENTS = """
import hudson.model.*
import hudson.model.queue.*
def events = Collections.synchronizedList([])
System.getProperties().put('double.test.queue', events)
class Q extends QueueListener {
    List e
    Q(List e) { this.e = e }
    String d(Queue.Item i) {
        def t = i.task
        def kind = t.getClass().simpleName
        return kind == 'PlaceholderTask' ? "${kind}[${i.assignedLabel}]" : kind
    }
    void onEnterWaiting(Queue.WaitingItem i) {
        e << "enterWaiting:" + d(i)
        if (i.task.getClass().simpleName == 'PlaceholderTask') {
            def t = i.task
            e << [label: String.valueOf(t.assignedLabel), owner: t.ownerTask.fullName, name: t.fullDisplayName,
                  url: t.url, affinity: t.affinityKey, concurrent: t.concurrentBuild, unblocked: t.causeOfBlockage == null,
                  ownerExecutable: t.ownerExecutable.fullDisplayName, subTasks: t.subTasks.size(), continued: t.continued]
        }
    }
    void onLeaveWaiting(Queue.WaitingItem i) { e << "leaveWaiting:" + d(i) }
    void onEnterBuildable(Queue.BuildableItem i) { e << "enterBuildable:" + d(i) }
    void onLeaveBuildable(Queue.BuildableItem i) { e << "leaveBuildable:" + d(i) }
    void onLeft(Queue.LeftItem i) { e << "left:" + d(i) + ":" + i.cancelled }
}
QueueListener.all().add(new Q(events))
"""


def test_each_node_block_enters_the_queue_as_a_placeholder_task(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.add_node("a1", labels="alpha")
    double.add_node("b1", labels="beta")
    double.run_script(QUEUE_EVENTS)
    double.create_pipeline(
        "two", "stage('Build') {\n node('alpha') { echo 'one' }\n}\nnode('beta') { echo 'two' }\n", folder=None
    )
    run = run_pipeline(double, "two")
    assert run["result"] == "SUCCESS"
    events = groovy_json(
        double, f"println '{MARK}' + groovy.json.JsonOutput.toJson(System.getProperties().get('double.test.queue'))"
    )
    described = [e for e in events if isinstance(e, dict)]
    transitions = [e for e in events if isinstance(e, str)]
    # The run itself is a flyweight task: from waiting straight onto a one-off executor, never buildable.
    assert transitions[:3] == ["enterWaiting:WorkflowJob", "leaveWaiting:WorkflowJob", "left:WorkflowJob:false"]
    for label in ("alpha", "beta"):
        task = f"PlaceholderTask[{label}]"
        assert [t for t in transitions if t.endswith(task) or t.endswith(task + ":false")] == [
            "enterWaiting:" + task,
            "leaveWaiting:" + task,
            "enterBuildable:" + task,
            "leaveBuildable:" + task,
            "left:" + task + ":false",
        ]
    assert described == [
        {
            "label": "alpha",
            "owner": "two",
            "name": "part of two #1",
            "url": "job/two/1/",
            "affinity": "two#Build",
            "concurrent": False,
            "unblocked": True,
            "ownerExecutable": "two #1",
            "subTasks": 1,
            "continued": False,
        },
        {
            "label": "beta",
            "owner": "two",
            "name": "part of two #1",
            "url": "job/two/1/",
            "affinity": "two",
            "concurrent": False,
            "unblocked": True,
            "ownerExecutable": "two #1",
            "subTasks": 1,
            "continued": False,
        },
    ]
    log = run["log"]
    assert log.index("Running on a1") < log.index("\none\n") < log.index("Running on b1") < log.index("\ntwo\n")


def test_running_placeholder_is_named_after_its_stage_and_switches_to_a_self_label(shared_double, tmp_path):
    shared_double.add_node("stager", labels="stagey")
    flag = tmp_path / "go"
    shared_double.create_pipeline(
        "staged", "stage('Compile') {\n node('stagey') { sh \"" + WAIT_FOR.format(flag=flag) + '" }\n}\n'
    )
    try:
        start_pipeline(shared_double, "staged")
        wait_until(
            lambda: "[Pipeline] sh" in (last_run_state(shared_double, "staged") or {}).get("log", ""), message="sh"
        )
        data = groovy_json(
            shared_double,
            f"""
            def t = Jenkins.get().getComputer('stager').executors.find {{ it.busy }}.currentExecutable.parent
            println '{MARK}' + groovy.json.JsonOutput.toJson([name: t.displayName, label: t.assignedLabel.name, started: t.hasStarted(),
                lastBuiltOn: t.lastBuiltOn?.nodeName, continued: t.continued])
            """,
        )
    finally:
        flag.write_text("go")
    assert data == {
        "name": "staged #1 (Compile)",
        "label": "stager",
        "started": True,
        "lastBuiltOn": "stager",
        "continued": True,
    }
    finished_run(shared_double, "staged")


def test_queue_task_dispatcher_can_keep_a_placeholder_off_a_node(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.add_node("guarded", labels="special")
    double.run_script("""
        import hudson.model.queue.*
        def seen = Collections.synchronizedList([])
        System.getProperties().put('double.test.seen', seen)
        class KeepOff extends QueueTaskDispatcher {
            List seen
            KeepOff(List seen) { this.seen = seen }
            CauseOfBlockage canTake(Node node, Queue.BuildableItem item) {
                seen << node.nodeName + ':' + item.task.getClass().simpleName
                return item.task.getClass().simpleName == 'PlaceholderTask' ? CauseOfBlockage.fromMessage(new jenkins.util.NonLocalizable('kept off')) : null
            }
        }
        QueueTaskDispatcher.all().add(new KeepOff(seen))
    """)
    double.create_pipeline("kept", "node('special') { echo 'got the node' }")
    start_pipeline(double, "kept")
    # Every node's reason, joined (Jenkins' CompositeCauseOfBlockage): the built-in node lacks the label.
    wait_until(
        lambda: (
            "kept off"
            in double.run_script(
                "println Jenkins.get().queue.items.find { it.task.getClass().simpleName == 'PlaceholderTask' }?.why"
            )
        ),
        message="the placeholder to be kept off",
    )
    seen = groovy_json(
        double, f"println '{MARK}' + groovy.json.JsonOutput.toJson(System.getProperties().get('double.test.seen'))"
    )
    assert "guarded:PlaceholderTask" in seen
    assert last_run_state(double, "kept")["building"] is True
    assert busy_executables(double, "guarded") == []
    double.run_script(
        "hudson.model.queue.QueueTaskDispatcher.all().removeAll(hudson.model.queue.QueueTaskDispatcher.all()"
        ".findAll { it.getClass().name == 'KeepOff' }); Jenkins.get().queue.scheduleMaintenance()"
    )
    state = finished_run(double, "kept")
    assert state["result"] == "SUCCESS" and "Running on guarded" in state["log"]


def test_unlabelled_node_block_avoids_exclusive_agents(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.run_script("Jenkins.get().setNumExecutors(0)")
    double.add_node("reserved", labels="excl", mode="EXCLUSIVE")
    double.add_node("open", labels="")
    double.create_pipeline(
        "pick",
        "for (int i = 0; i < 3; i++) { node { sh 'echo ON=$NODE_NAME' } }\nnode('excl') { sh 'echo ON=$NODE_NAME' }",
    )
    log = run_pipeline(double, "pick")["log"]
    assert [line for line in log.splitlines() if line.startswith("ON=")] == [
        "ON=open",
        "ON=open",
        "ON=open",
        "ON=reserved",
    ]


def test_params_and_env_reach_sh_as_literal_values(shared_double):
    script = """
env.EXTRA = 'set-by-script'
echo "params: ${params.P} ${params.FLAG} ${params.UNDECLARED} ${params.DEFAULTED}"
node('built-in') {
  echo "env in node: ${env.NODE_NAME} ${env.P}"
  sh 'echo "P=$P"; echo "FLAG=$FLAG"; echo "EXTRA=$EXTRA"; echo "DEFAULTED=$DEFAULTED"; echo "UNDECLARED=${UNDECLARED:-unset}"'
}
"""
    shared_double.create_pipeline(
        "params",
        script,
        parameters=[
            {"name": "P", "type": "string", "default": "d"},
            {"name": "FLAG", "type": "boolean", "default": False},
            {"name": "DEFAULTED", "type": "string", "default": "dflt"},
        ],
    )
    run = run_pipeline(shared_double, "params", {"P": "$HOME/x", "FLAG": True, "UNDECLARED": "u"})
    assert run["result"] == "SUCCESS"
    log = run["log"]
    # params has every value passed (declared or not); only declared ones reach the environment.
    assert "params: $HOME/x true u dflt" in log
    assert "env in node: built-in $HOME/x" in log
    # Durable tasks escape $, so a value is passed literally (a freestyle build would expand $HOME).
    assert env_line(log, "P") == "$HOME/x"
    assert env_line(log, "FLAG") == "true"
    assert env_line(log, "EXTRA") == "set-by-script"
    # The run was scheduled with a ParametersAction lacking DEFAULTED: params falls back to the
    # default (ParamsVariable), the environment does not have it, as in Jenkins.
    assert env_line(log, "DEFAULTED") == ""
    assert env_line(log, "UNDECLARED") == "unset"


def test_current_build_result_sets_the_result_and_only_worse(shared_double):
    shared_double.create_pipeline(
        "unstable",
        "currentBuild.result = 'UNSTABLE'\necho \"now ${currentBuild.result} ${currentBuild.currentResult}\"\n"
        "currentBuild.result = 'SUCCESS'\ncurrentBuild.description = 'described'\necho 'done'",
    )
    run = run_pipeline(shared_double, "unstable")
    assert run["result"] == "UNSTABLE"
    assert "now UNSTABLE UNSTABLE" in run["log"] and run["log"].rstrip().endswith("Finished: UNSTABLE")
    assert shared_double.run_script("println Jenkins.get().getItem('unstable').lastBuild.description") == "described"


def test_failing_sh_fails_the_build_and_stops_the_script(shared_double):
    shared_double.create_pipeline("failing", "node { sh 'echo before; exit 3' }\necho 'not reached'")
    run = run_pipeline(shared_double, "failing")
    assert run["result"] == "FAILURE"
    assert "before" in run["log"] and "not reached" not in run["log"]
    assert "[Pipeline] End of Pipeline\nERROR: script returned exit code 3\nFinished: FAILURE" in run["log"]


def test_sh_status_and_stdout_can_be_returned(shared_double):
    shared_double.create_pipeline(
        "returns",
        "node {\n def code = sh(script: 'exit 4', returnStatus: true)\n"
        " def out = sh(script: 'echo captured', returnStdout: true).trim()\n echo \"code=${code} out=${out}\"\n}",
    )
    run = run_pipeline(shared_double, "returns")
    assert run["result"] == "SUCCESS" and "code=4 out=captured" in run["log"]


@pytest.mark.parametrize(
    "script,message",
    [
        ("sh 'echo outside'", "MissingContextVariableException: Required context class hudson.FilePath is missing"),
        ("error 'gave up'", "ERROR: gave up"),
        ("nosuchstep 'x'", "java.lang.NoSuchMethodError: No such DSL method 'nosuchstep' found among steps"),
        ("node {", "org.codehaus.groovy.control.MultipleCompilationErrorsException"),
    ],
)
def test_script_errors_fail_the_build(shared_double, script, message):
    shared_double.create_pipeline("broken", script)
    run = run_pipeline(shared_double, "broken")
    assert run["result"] == "FAILURE" and message in run["log"], run["log"]


@pytest.mark.parametrize("how", ["run.executor.interrupt(Result.ABORTED)", "run.doStop()"])
def test_abort_mid_sh_kills_it_aborts_the_run_and_frees_the_node(jenkins_double, tmp_path, how):
    double = jenkins_double
    double.set_quiet_period(0)
    double.add_node("worker", labels="linux", executors=1)
    pidfile = tmp_path / "child.pid"
    double.create_pipeline(
        "long", f"node('linux') {{ sh 'sleep 300 & echo $! > {pidfile}; wait' }}\necho 'after the node block'"
    )
    start_pipeline(double, "long")
    wait_until(lambda: pidfile.exists() and pidfile.read_text().strip(), message="the shell to start")
    child = int(pidfile.read_text())
    data = groovy_json(
        double,
        f"""
        def run = Jenkins.get().getItem('long').lastBuild
        {how}
        while (run.isLogUpdated()) {{ Thread.sleep(50) }}
        println '{MARK}' + groovy.json.JsonOutput.toJson([result: run.result.toString(), log: run.log])
        """,
    )
    assert data["result"] == "ABORTED"
    assert "Sending interrupt signal to process" in data["log"] and "after the node block" not in data["log"]
    assert data["log"].rstrip().endswith("Finished: ABORTED")
    wait_until(lambda: not os.path.exists(f"/proc/{child}"), timeout=10, message="the sleep to be killed")
    wait_until(lambda: busy_executables(double, "worker") == [], message="the agent executor to be free")
    wait_until(lambda: busy_executables(double, "") == [], message="the one-off executor to go")


def test_interrupting_the_node_executor_aborts_the_block(jenkins_double, tmp_path):
    # The plugin cancels the body (BodyExecution.cancel): the sh is stopped, the run ends ABORTED.
    double = jenkins_double
    double.set_quiet_period(0)
    double.add_node("worker", labels="linux", executors=1)
    flag = tmp_path / "never"
    double.create_pipeline("blocky", "node('linux') { sh \"" + WAIT_FOR.format(flag=flag) + '" }')
    start_pipeline(double, "blocky")
    wait_until(lambda: "[Pipeline] sh" in (last_run_state(double, "blocky") or {}).get("log", ""), message="the sh")
    double.run_script("Jenkins.get().getComputer('worker').executors.find { it.busy }.interrupt()")
    state = finished_run(double, "blocky")
    assert state["result"] == "ABORTED"
    wait_until(lambda: busy_executables(double, "worker") == [], message="the agent executor to be free")


def test_cancelling_the_placeholder_item_aborts_the_node_step(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.create_pipeline("nowhere", "node('no-such-label') { echo 'never' }")
    start_pipeline(double, "nowhere")
    wait_until(
        lambda: (
            double.run_script(
                "println Jenkins.get().queue.items.find { it.task.getClass().simpleName == 'PlaceholderTask' } != null"
            )
            == "true"
        ),
        message="the placeholder item",
    )
    double.run_script(
        "def q = Jenkins.get().queue; q.cancel(q.items.find { it.task.getClass().simpleName == 'PlaceholderTask' })"
    )
    state = finished_run(double, "nowhere")
    assert state["result"] == "ABORTED" and "Queue task was cancelled" in state["log"]


def test_quiet_down_holds_new_runs_and_node_blocks(jenkins_double, tmp_path):
    double = jenkins_double
    double.set_quiet_period(0)
    flag = tmp_path / "go"
    # Plain Groovy between steps (the double does not enforce the sandbox).
    double.create_pipeline(
        "held", f"while (!new File('{flag}').exists()) {{ Thread.sleep(50) }}\nnode {{ echo 'in the node block' }}"
    )
    start_pipeline(double, "held")
    wait_until(lambda: last_run_state(double, "held"), message="the run to start")
    double.run_script("Jenkins.get().doQuietDown()")
    start_pipeline(double, "held")
    flag.write_text("go")
    whys = wait_until(
        lambda: (lambda w: w if len(w) == 2 and all(x["why"] == "Jenkins is about to shut down" for x in w) else None)(
            groovy_json(
                double,
                f"println '{MARK}' + groovy.json.JsonOutput.toJson(Jenkins.get().queue.items.collect {{ [task: it.task.getClass().simpleName, why: it.why] }})",
            )
        ),
        message="both items held by quiet-down",
    )
    assert sorted(w["task"] for w in whys) == ["PlaceholderTask", "WorkflowJob"]
    double.run_script("Jenkins.get().doCancelQuietDown()")
    wait_until(
        lambda: (
            double.run_script("println Jenkins.get().getItem('held').builds.collect { it.result }")
            == "[SUCCESS, SUCCESS]"
        ),
        message="both runs to finish",
    )


def test_disable_concurrent_builds_serialises_runs(shared_double, tmp_path):
    flag = tmp_path / "go"
    shared_double.create_pipeline("serial", 'node { sh "' + WAIT_FOR.format(flag=flag) + '" }', concurrent=False)
    start_pipeline(shared_double, "serial")
    wait_until(lambda: last_run_state(shared_double, "serial"), message="first run")
    try:
        start_pipeline(shared_double, "serial")
        # Once out of its (zero) quiet period, the second run's item waits blocked.
        blocked = wait_until(
            lambda: [
                i
                for i in groovy_json(
                    shared_double,
                    f"println '{MARK}' + groovy.json.JsonOutput.toJson(Jenkins.get().queue.items.findAll {{ it.task.name == 'serial' }}.collect {{ [type: it.getClass().simpleName, why: it.why] }})",
                )
                if i["type"] != "WaitingItem"
            ],
            message="the second run's queue item to leave the waiting list",
        )
        assert blocked[0]["type"] == "BlockedItem" and blocked[0]["why"].startswith("Build #1 is already in progress")
        assert shared_double.run_script("println Jenkins.get().getItem('serial').builds.size()") == "1"
    finally:
        flag.write_text("go")
    data = wait_until(
        lambda: (lambda d: d if len(d) == 2 and all(not b["logUpdated"] for b in d) else None)(
            groovy_json(
                shared_double,
                f"println '{MARK}' + groovy.json.JsonOutput.toJson(Jenkins.get().getItem('serial').builds.collect {{ "
                "[logUpdated: it.logUpdated, start: it.startTimeInMillis, end: it.startTimeInMillis + it.duration] })",
            )
        ),
        message="both runs",
    )
    second, first = data
    assert second["start"] >= first["end"]


def test_runs_overlap_without_the_property(shared_double, tmp_path):
    flag = tmp_path / "go"
    shared_double.create_pipeline("overlap", "node('built-in') { sh \"" + WAIT_FOR.format(flag=flag) + '" }')
    shared_double.run_script("Jenkins.get().setNumExecutors(2)")
    try:
        start_pipeline(shared_double, "overlap")
        start_pipeline(shared_double, "overlap")
        wait_until(
            lambda: (
                shared_double.run_script("println Jenkins.get().getItem('overlap').builds.count { it.building }") == "2"
                and len(busy_executables(shared_double, "")) == 4
            ),
            message="two runs at once, each with a one-off executor and a node block",
        )
    finally:
        flag.write_text("go")
    wait_until(
        lambda: (
            shared_double.run_script("println Jenkins.get().getItem('overlap').builds.collect { it.result }")
            == "[SUCCESS, SUCCESS]"
        ),
        message="both runs",
    )


RUN_EVENTS = """
import hudson.model.*
import hudson.model.listeners.*
def events = Collections.synchronizedList([])
System.getProperties().put('double.test.runs', events)
class R extends RunListener<Run> {
    List e
    R(List e) { this.e = e }
    void onInitialize(Run r) { e << "initialize:${r.number}:${r.building}" }
    void onStarted(Run r, TaskListener l) { e << "started:${r.number}:${r.building}:${r.executor?.getClass()?.simpleName}" }
    void onCompleted(Run r, TaskListener l) { e << "completed:${r.result}:${r.building}:${r.executor != null}" }
    void onFinalized(Run r) { e << "finalized:${r.number}:${r.logUpdated}" }
}
RunListener.all().add(new R(events))
"""


def test_run_listener_sees_a_pipeline_run_as_jenkins_fires_it(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.run_script(RUN_EVENTS)
    double.create_pipeline(
        "listened", "node { echo 'x' }", parameters=[{"name": "P", "type": "string", "default": "d"}]
    )
    data = groovy_json(
        double,
        f"""
        def item = Jenkins.get().queue.schedule2(Jenkins.get().getItem('listened'), 0,
            new CauseAction(new Cause.RemoteCause('h', 'n')), new ParametersAction(new StringParameterValue('P', 'v'))).item
        def run = item.future.get()
        println '{MARK}' + groovy.json.JsonOutput.toJson([events: System.getProperties().get('double.test.runs'),
            queueId: run.queueId == item.id, url: run.url, causes: run.causes*.shortDescription,
            params: run.getAction(ParametersAction).parameters.collect {{ [it.name, it.value] }},
            log: run.log, cls: run.getClass().name, parent: run.parent.getClass().name])
        """,
    )
    assert data["events"] == [
        "initialize:1:true",
        "started:1:true:OneOffExecutor",
        "completed:SUCCESS:false:true",
        "finalized:1:false",
    ]
    assert data["queueId"] is True and data["url"] == "job/listened/1/"
    assert data["causes"] == ["Started by remote host h with note: n"]
    assert data["params"] == [["P", "v"]]
    assert data["log"].startswith("Started by remote host h with note: n\n[Pipeline] Start of Pipeline\n")
    assert data["cls"] == "org.jenkinsci.plugins.workflow.job.WorkflowRun"
    assert data["parent"] == "org.jenkinsci.plugins.workflow.job.WorkflowJob"


def test_workflow_job_model_mirrors_the_plugin(shared_double):
    shared_double.create_pipeline("model", "echo 'x'")
    data = groovy_json(
        shared_double,
        f"""
        import org.jenkinsci.plugins.workflow.job.properties.DisableConcurrentBuildsJobProperty
        def job = Jenkins.get().getItem('model')
        def r = [flyweight: job instanceof Queue.FlyweightTask, label: job.assignedLabel.name, concurrent: job.concurrentBuild,
            buildable: job.buildable, sandbox: job.definition.sandbox, script: job.definition.script,
            lastBuiltOn: job.lastBuiltOn.is(Jenkins.get()), hasDisable: job.respondsTo('disable').size() > 0]
        job.setConcurrentBuild(false)
        r.property = job.getProperty(DisableConcurrentBuildsJobProperty) != null
        r.concurrentAfter = job.concurrentBuild
        job.setConcurrentBuild(true)
        r.propertyAfter = job.getProperty(DisableConcurrentBuildsJobProperty) != null
        job.makeDisabled(true)
        r.disabled = job.disabled; r.buildableDisabled = job.buildable; r.scheduled = job.scheduleBuild2(0) != null
        job.makeDisabled(false)
        r.enabled = job.buildable
        println '{MARK}' + groovy.json.JsonOutput.toJson(r)
        """,
    )
    assert data == {
        "flyweight": True,
        "label": "built-in",
        "concurrent": True,
        "buildable": True,
        "sandbox": True,
        "script": "echo 'x'",
        "lastBuiltOn": True,
        "hasDisable": False,
        "property": True,
        "concurrentAfter": False,
        "propertyAfter": False,
        "disabled": True,
        "buildableDisabled": False,
        "scheduled": False,
        "enabled": True,
    }


def test_a_clean_shutdown_aborts_running_pipelines_and_records_it(jenkins_double, tmp_path):
    # Jenkins would pause the run and resume it after the restart; the double aborts it (documented).
    double = jenkins_double
    double.set_quiet_period(0)
    flag = tmp_path / "never"
    double.create_pipeline("interrupted", 'node { sh "' + WAIT_FOR.format(flag=flag) + '" }')
    start_pipeline(double, "interrupted")
    wait_until(lambda: len(busy_executables(double, "")) == 2, message="the run and its node block")
    double.restart()
    state = last_run_state(double, "interrupted")
    assert state["building"] is False and state["result"] == "ABORTED"
    assert state["log"].rstrip().endswith("Finished: ABORTED")
    assert busy_executables(double, "") == []


def test_a_run_left_unfinished_by_a_crash_loads_as_aborted(jenkins_double, tmp_path):
    double = jenkins_double
    double.set_quiet_period(0)
    flag = tmp_path / "never"
    double.create_pipeline("crashed", 'node { sh "' + WAIT_FOR.format(flag=flag) + '" }')
    start_pipeline(double, "crashed")
    wait_until(lambda: len(busy_executables(double, "")) == 2, message="the run and its node block")
    double.kill()
    double.start()
    # Saved when it started, so it is there; the double cannot resume it (Jenkins would).
    state = last_run_state(double, "crashed")
    assert state["number"] == 1 and state["building"] is False and state["result"] == "ABORTED"
    assert double.run_script("println Jenkins.get().getItem('crashed').nextBuildNumber") == "2"
