"""State survives a restart; init.groovy.d runs at boot; agent-defined classes cannot be reloaded."""

from tests.double.conftest import MARK, groovy_json
from tests.waiting import wait_until

SNAPSHOT = f"""
def j = Jenkins.get(); def job = j.getItem('kept')
def b = job.getBuildByNumber(1)
println '{MARK}' + groovy.json.JsonOutput.toJson([
    label: job.assignedLabelString, disabled: job.disabled, concurrent: job.concurrentBuild, next: job.nextBuildNumber,
    params: job.getProperty(ParametersDefinitionProperty).parameterDefinitionNames, builders: job.buildersList.size(),
    result: b.result.toString(), description: b.description, builtOn: b.builtOnStr, duration: b.duration > 0,
    buildParams: b.getAction(ParametersAction).parameters.collect {{ [it.name, it.value] }}, causes: b.causes*.shortDescription,
    node: [labels: j.getNode('keeper').labelString, executors: j.getNode('keeper').numExecutors, mode: j.getNode('keeper').mode.name()],
    builtIn: j.numExecutors])
"""


def test_jobs_nodes_and_builds_persist_across_a_restart(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.run_script("Jenkins.get().setNumExecutors(3)")
    double.add_node("keeper", labels="k1 k2", executors=2, mode="EXCLUSIVE")
    double.create_job(
        "kept",
        command="sleep 0.2",
        label="k1 && k2",
        concurrent=False,
        parameters=[{"name": "P", "type": "string", "default": "d"}],
    )
    double.run_script("""
        def b = Jenkins.get().getItem('kept').scheduleBuild2(0, new Cause.RemoteCause('gearman', 'uuid-1'),
            new ParametersAction([new StringParameterValue('P', 'v')])).get()
        b.setDescription('desc')
    """)
    before = groovy_json(double, SNAPSHOT)
    double.restart()
    after = groovy_json(double, SNAPSHOT)
    assert after == before
    assert after["buildParams"] == [["P", "v"]] and after["causes"] == [
        "Started by remote host gearman with note: uuid-1"
    ]
    assert after["node"] == {"labels": "k1 k2", "executors": 2, "mode": "EXCLUSIVE"} and after["builtIn"] == 3


def test_agent_defined_action_is_dropped_on_reload_with_a_warning(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.create_job("marked", command="true")
    double.run_script("""
        class AgentMark extends InvisibleAction { String uuid = 'u' }
        def b = Jenkins.get().getItem('marked').scheduleBuild2(0, new AgentMark()).get()
    """)
    double.restart()
    data = groovy_json(
        double,
        f"""
        def b = Jenkins.get().getItem('marked').getBuildByNumber(1)
        println '{MARK}' + groovy.json.JsonOutput.toJson([actions: b.allActions*.getClass()*.simpleName,
            monitored: hudson.diagnosis.OldDataMonitor.get(Jenkins.get()).data.size()])
    """,
    )
    assert "AgentMark" not in data["actions"] and data["monitored"] == 1
    assert "AgentMark" in double.log_text()


def test_build_running_when_the_process_died(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.create_job("crash", command="sleep 60")
    double.create_job("crash2", command="sleep 60")
    double.run_script(
        "Jenkins.get().getItem('crash').scheduleBuild2(0); Jenkins.get().getItem('crash2').scheduleBuild2(0)"
    )
    wait_until(
        lambda: double.run_script("println Jenkins.get().getItem('crash').isBuilding()") == "true", message="start"
    )
    wait_until(
        lambda: double.run_script("println Jenkins.get().getItem('crash2').isBuilding()") == "true", message="start"
    )
    double.run_script("Jenkins.get().getItem('crash').lastBuild.setDescription('saved while running')")
    double.kill()
    double.start()
    data = groovy_json(
        double,
        f"""
        def job = Jenkins.get().getItem('crash'); def unsaved = Jenkins.get().getItem('crash2')
        println '{MARK}' + groovy.json.JsonOutput.toJson([builds: job.builds*.number, result: String.valueOf(job.getBuildByNumber(1)?.result),
            building: job.getBuildByNumber(1)?.isBuilding(), next: job.nextBuildNumber,
            unsaved: unsaved.builds*.number, unsavedNext: unsaved.nextBuildNumber])
    """,
    )
    # Saved while running: back as ABORTED. Never saved: gone, but its number stays used.
    assert data == {"builds": [1], "result": "ABORTED", "building": False, "next": 2, "unsaved": [], "unsavedNext": 2}


def test_queue_persists_across_a_clean_restart(jenkins_double):
    double = jenkins_double
    double.create_job("queued", command="true")
    item_id = double.run_script(
        "println Jenkins.get().queue.schedule2(Jenkins.get().getItem('queued'), 3600, new CauseAction(new Cause.RemoteCause('h', 'n'))).item.id"
    )
    double.restart()
    data = groovy_json(
        double,
        f"""
        def i = Jenkins.get().queue.getItem({item_id} as long)
        println '{MARK}' + groovy.json.JsonOutput.toJson([type: i.getClass().simpleName, causes: i.causes*.shortDescription])
    """,
    )
    assert data == {"type": "WaitingItem", "causes": ["Started by remote host h with note: n"]}


def test_init_scripts_run_at_boot_in_name_order(jenkins_double_factory, tmp_path):
    home = tmp_path / "initial"
    (home / "init.groovy.d").mkdir(parents=True)
    (home / "init.groovy.d" / "20-second.groovy").write_text(
        "System.setProperty('double.init', System.getProperty('double.init', '') + 'second')\n"
    )
    (home / "init.groovy.d" / "10-first.groovy").write_text(
        "import jenkins.model.Jenkins\nSystem.setProperty('double.init', 'first,')\n"
        "Jenkins.get().createProject(hudson.model.FreeStyleProject, 'from-init')\n"
    )
    double = jenkins_double_factory("initial")
    assert double.run_script("println System.getProperty('double.init')") == "first,second"
    assert double.run_script("println Jenkins.get().getItem('from-init') != null") == "true"
