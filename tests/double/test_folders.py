"""Folders (cloudbees-folder): nesting, names and URLs, lookups, moves and renames, the remote API, restarts."""

import jenkins
import requests

from tests.double.conftest import MARK, groovy_json
from tests.waiting import wait_until

LOCATION_EVENTS = """
import hudson.model.*
import hudson.model.listeners.*
def events = Collections.synchronizedList([])
System.getProperties().put('double.test.items', events)
class I extends ItemListener {
    List e
    I(List e) { this.e = e }
    void onCreated(Item i) { e << "created:${i.fullName}" }
    void onRenamed(Item i, String o, String n) { e << "renamed:${o}:${n}" }
    void onLocationChanged(Item i, String o, String n) { e << "moved:${o}:${n}:${i.fullName}" }
    void onDeleted(Item i) { e << "deleted:${i.fullName}" }
}
ItemListener.all().add(new I(events))
"""

EVENTS = f"println '{MARK}' + groovy.json.JsonOutput.toJson(System.getProperties().get('double.test.items'))"


def test_nested_items_have_full_names_urls_and_are_found_by_full_name(shared_double):
    assert shared_double.create_folder("outer/inner") == "job/outer/job/inner/"
    shared_double.create_job("fs", command="echo $JOB_NAME $JOB_BASE_NAME; pwd", folder="outer/inner")
    shared_double.create_pipeline("pipe", "echo 'x'", folder="outer")
    shared_double.create_job("top", command="true")
    data = groovy_json(
        shared_double,
        f"""
        import com.cloudbees.hudson.plugins.folder.Folder
        import org.jenkinsci.plugins.workflow.job.WorkflowJob
        def j = Jenkins.get()
        def fs = j.getItemByFullName('outer/inner/fs')
        def build = fs.scheduleBuild2(0).get()
        println '{MARK}' + groovy.json.JsonOutput.toJson([
            fullName: fs.fullName, name: fs.name, url: fs.url, display: fs.fullDisplayName, parent: fs.parent.fullName,
            folderUrl: j.getItem('outer').url, innerParent: fs.parent.parent.is(j.getItem('outer')),
            typed: j.getItemByFullName('outer/inner/fs', FreeStyleProject) != null,
            wrongType: j.getItemByFullName('outer/inner/fs', WorkflowJob) == null,
            notTopLevel: j.getItem('fs') == null, noSuch: j.getItemByFullName('outer/nope/fs') == null,
            throughJob: j.getItemByFullName('top/x') == null, caseInsensitive: j.getItemByFullName('OUTER/Inner/FS').is(fs),
            topLevel: j.items*.name.sort(), inOuter: j.getItem('outer').items*.name.sort(),
            allItems: j.getAllItems(Item)*.fullName, allJobs: j.getAllItems(Job)*.fullName,
            allFolders: j.getAllItems(Folder)*.fullName, allJobsOfFolder: j.getItem('outer').allJobs*.fullName.sort(),
            rootDir: fs.rootDir.path, buildUrl: build.url, log: build.log, externalId: build.externalizableId,
            fromId: Run.fromExternalizableId('outer/inner/fs#1').is(build)])
        """,
    )
    home = shared_double.home
    assert data.pop("log").splitlines()[-4:-1] == [
        "outer/inner/fs fs",
        "+ pwd",
        str(home / "workspace" / "outer" / "inner" / "fs"),
    ]
    assert data == {
        "fullName": "outer/inner/fs",
        "name": "fs",
        "url": "job/outer/job/inner/job/fs/",
        "display": "outer » inner » fs",
        "parent": "outer/inner",
        "folderUrl": "job/outer/",
        "innerParent": True,
        "typed": True,
        "wrongType": True,
        "notTopLevel": True,
        "noSuch": True,
        "throughJob": True,
        "caseInsensitive": True,
        "topLevel": ["outer", "top"],
        "inOuter": ["inner", "pipe"],
        "allItems": ["outer", "outer/inner", "outer/inner/fs", "outer/pipe", "top"],
        "allJobs": ["outer/inner/fs", "outer/pipe", "top"],
        "allFolders": ["outer", "outer/inner"],
        "allJobsOfFolder": ["outer/inner/fs", "outer/pipe"],
        "rootDir": str(home / "jobs" / "outer" / "jobs" / "inner" / "jobs" / "fs"),
        "buildUrl": "job/outer/job/inner/job/fs/1/",
        "externalId": "outer/inner/fs#1",
        "fromId": True,
    }


def test_move_and_rename_fire_location_changes_for_the_item_and_everything_inside(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.run_script(LOCATION_EVENTS)
    double.create_folder("a/b")
    double.create_folder("dest")
    double.create_job("job", command="echo built", folder="a/b")
    double.create_pipeline("pipe", "echo 'x'", folder="a/b")
    double.run_script("Jenkins.get().getItemByFullName('a/b/job').scheduleBuild2(0).get()")
    data = groovy_json(
        double,
        f"""
        def j = Jenkins.get()
        def events = System.getProperties().get('double.test.items')
        def marks = [:]
        events.clear()
        def moved = Items.move(j.getItemByFullName('a/b'), j.getItem('dest'))
        marks.move = new ArrayList(events); events.clear()
        j.getItemByFullName('dest/b').renameTo('c')
        marks.rename = new ArrayList(events); events.clear()
        Items.move(j.getItemByFullName('dest/c/job'), j)
        marks.toTop = new ArrayList(events); events.clear()
        j.getItem('job').renameTo('job2')
        marks.topRename = new ArrayList(events); events.clear()
        def job = j.getItem('job2')
        marks.sameObject = moved.is(j.getItemByFullName('dest/c'))
        marks.build = job.getBuildByNumber(1).log.contains('built')
        marks.buildUrl = job.getBuildByNumber(1).url
        marks.all = j.getAllItems(Item)*.fullName
        marks.dirs = new File(j.rootDir, 'jobs').list().sort()
        marks.destDirs = new File(j.rootDir, 'jobs/dest/jobs/c/jobs').list().sort()
        marks.notTwice = (try {{ Items.move(job, j); 'moved' }} catch (IllegalArgumentException e) {{ 'refused' }})
        println '{MARK}' + groovy.json.JsonOutput.toJson(marks)
        """.replace("(try {", "({ -> try {").replace("'refused' })", "'refused' } })()"),
    )
    # A move is no rename: onLocationChanged only, for the folder and then for each item inside it.
    assert data["move"] == [
        "moved:a/b:dest/b:dest/b",
        "moved:a/b/job:dest/b/job:dest/b/job",
        "moved:a/b/pipe:dest/b/pipe:dest/b/pipe",
    ]
    assert data["rename"] == [
        "renamed:b:c",
        "moved:dest/b:dest/c:dest/c",
        "moved:dest/b/job:dest/c/job:dest/c/job",
        "moved:dest/b/pipe:dest/c/pipe:dest/c/pipe",
    ]
    assert data["toTop"] == ["moved:dest/c/job:job:job"]
    assert data["topRename"] == ["renamed:job:job2", "moved:job:job2:job2"]
    assert data["sameObject"] is True and data["build"] is True and data["buildUrl"] == "job/job2/1/"
    assert data["all"] == ["a", "dest", "dest/c", "dest/c/pipe", "job2"]
    assert data["dirs"] == ["a", "dest", "job2"] and data["destDirs"] == ["pipe"]
    assert data["notTwice"] == "refused"


def test_deleting_a_folder_deletes_its_items_first(jenkins_double):
    double = jenkins_double
    double.run_script(LOCATION_EVENTS)
    double.create_folder("gone/sub")
    double.create_job("j1", command="true", folder="gone/sub")
    double.create_pipeline("p1", "echo 'x'", folder="gone")
    double.run_script(
        "def e = System.getProperties().get('double.test.items'); e.clear(); Jenkins.get().getItem('gone').delete()"
    )
    events = groovy_json(double, EVENTS)
    assert events[-1] == "deleted:gone"
    assert sorted(events[:-1]) == ["deleted:gone/p1", "deleted:gone/sub", "deleted:gone/sub/j1"]
    assert events.index("deleted:gone/sub/j1") < events.index("deleted:gone/sub")
    assert not (double.home / "jobs" / "gone").exists()
    assert double.run_script("println Jenkins.get().getAllItems().size()") == "0"


def test_a_plain_folder_cannot_be_disabled_so_its_jobs_stay_buildable(shared_double):
    shared_double.create_folder("undisableable")
    shared_double.create_pipeline("inside", "echo 'ran'", folder="undisableable")
    data = groovy_json(
        shared_double,
        f"""
        def f = Jenkins.get().getItem('undisableable')
        f.makeDisabled(true)
        def job = Jenkins.get().getItemByFullName('undisableable/inside')
        def run = job.scheduleBuild2(0)?.get()
        println '{MARK}' + groovy.json.JsonOutput.toJson([disabled: f.disabled, supports: f.supportsMakeDisabled(),
            buildable: job.buildable, result: String.valueOf(run?.result)])
        """,
    )
    assert data == {"disabled": False, "supports": False, "buildable": True, "result": "SUCCESS"}


def test_folders_pipelines_and_their_builds_survive_a_restart(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.create_folder("keep/deeper")
    double.create_pipeline(
        "pipe",
        "env.SEEN = 'yes'\nnode { sh 'echo P=$P' }",
        folder="keep/deeper",
        parameters=[{"name": "P", "type": "string", "default": "d"}],
        concurrent=False,
    )
    double.create_job("fs", command="echo fs", folder="keep")
    double.run_script("""
        def j = Jenkins.get()
        j.getItem('keep').setDescription('kept folder')
        def run = j.getItemByFullName('keep/deeper/pipe').scheduleBuild2(0, new CauseAction(new Cause.RemoteCause('h', 'n')),
            new ParametersAction([new StringParameterValue('P', 'v')])).get()
        run.setDescription('the run')
        j.getItemByFullName('keep/fs').scheduleBuild2(0).get()
    """)
    snapshot = f"""
        import org.jenkinsci.plugins.workflow.job.properties.DisableConcurrentBuildsJobProperty
        def j = Jenkins.get(); def p = j.getItemByFullName('keep/deeper/pipe'); def r = p.getBuildByNumber(1)
        println '{MARK}' + groovy.json.JsonOutput.toJson([all: j.getAllItems(Item).collect {{ it.fullName + ':' + it.getClass().simpleName }},
            folderDescription: j.getItem('keep').description, script: p.definition.script, sandbox: p.definition.sandbox,
            serial: p.getProperty(DisableConcurrentBuildsJobProperty) != null, params: p.getProperty(ParametersDefinitionProperty).parameterDefinitionNames,
            next: p.nextBuildNumber, result: r.result.toString(), building: r.building, description: r.description,
            causes: r.causes*.shortDescription, runParams: r.getAction(ParametersAction).parameters.collect {{ [it.name, it.value] }},
            log: r.log.contains('P=v'), env: r.getAction(org.jenkinsci.plugins.workflow.cps.EnvActionImpl).getOverriddenEnvironment(),
            queueId: r.queueId > 0, fsBuilds: j.getItemByFullName('keep/fs').builds*.number])
    """
    before = groovy_json(double, snapshot)
    double.restart()
    after = groovy_json(double, snapshot)
    assert after == before
    assert after["all"] == [
        "keep:Folder",
        "keep/deeper:Folder",
        "keep/deeper/pipe:WorkflowJob",
        "keep/fs:FreeStyleProject",
    ]
    assert after["result"] == "SUCCESS" and after["building"] is False and after["log"] is True
    assert after["env"] == {"SEEN": "yes"} and after["runParams"] == [["P", "v"]]
    # The restored job runs again, with the next number.
    double.set_quiet_period(0)
    assert (
        double.run_script("println Jenkins.get().getItemByFullName('keep/deeper/pipe').scheduleBuild2(0).get().number")
        == "2"
    )


def test_remote_api_serves_jobs_in_folders(jenkins_double):
    double = jenkins_double
    double.set_quiet_period(0)
    double.create_folder("team/svc")
    double.create_job(
        "deploy",
        command="echo deploying $TARGET; sleep 300",
        folder="team/svc",
        parameters=[{"name": "TARGET", "type": "string", "default": "x"}],
    )
    double.create_pipeline("pipe", "echo 'piped'", folder="team")
    client = double.client()
    assert client.get_job_info("team/svc/deploy")["url"] == double.url + "job/team/job/svc/job/deploy/"
    queue_id = client.build_job("team/svc/deploy", {"TARGET": "prod"})
    item = wait_until(
        lambda: (lambda i: i if i.get("executable") else None)(client.get_queue_item(queue_id)), message="start"
    )
    assert item["executable"]["url"] == double.url + "job/team/job/svc/job/deploy/1/"
    # python-jenkins reports an empty console as a missing build.
    wait_until(
        lambda: "deploying prod" in client.get_build_console_output("team/svc/deploy", 1),
        message="output",
        ignore=(jenkins.JenkinsException,),
    )
    # POST .../stop answers with a redirect to the build page (not served by the double, so not followed).
    auth = (double.admin_user, double.admin_token)
    stop = requests.post(
        double.url + "job/team/job/svc/job/deploy/1/stop", auth=auth, allow_redirects=False, timeout=30
    )
    assert stop.status_code == 302 and stop.headers["Location"] == double.url + "job/team/job/svc/job/deploy/1/"
    info = wait_until(
        lambda: (lambda b: b if not b["building"] else None)(client.get_build_info("team/svc/deploy", 1)),
        message="stop",
    )
    assert info["result"] == "ABORTED"
    folder = requests.get(double.url + "job/team/api/json", auth=auth, timeout=30).json()
    assert folder["_class"] == "com.cloudbees.hudson.plugins.folder.Folder" and folder["fullName"] == "team"
    assert sorted(j["name"] for j in folder["jobs"]) == ["pipe", "svc"]
    top = requests.get(double.url + "api/json", auth=auth, timeout=30).json()
    assert [j["_class"] for j in top["jobs"]] == ["com.cloudbees.hudson.plugins.folder.Folder"]
    # A Pipeline in a folder builds and stops through the same endpoints.
    client.build_job("team/pipe")
    wait_until(lambda: client.get_job_info("team/pipe")["lastCompletedBuild"], message="the Pipeline run")
    build = client.get_build_info("team/pipe", 1)
    assert build["result"] == "SUCCESS" and build["_class"] == "org.jenkinsci.plugins.workflow.job.WorkflowRun"
    assert "piped" in client.get_build_console_output("team/pipe", 1)
    missing = requests.get(double.url + "job/team/job/nope/api/json", auth=auth, timeout=30)
    assert missing.status_code == 404
