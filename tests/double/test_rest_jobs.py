"""Jobs over the REST API: createItem, config.xml (read and update in place), doDelete, as Jenkins serves them."""

import xml.etree.ElementTree as ET

import jenkins
import pytest
import requests

from tests.double.conftest import MARK, groovy_json
from tests.jenkins_double import start_double
from tests.waiting import wait_until

# A freestyle job as Jenkins Job Builder 6 writes it, with elements the double keeps
# without modelling (logRotator, a plugin build wrapper, a core publisher) and one
# FreeStyleProject has no field for.
JJB_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<project>
  <actions/>
  <description>from xml</description>
  <keepDependencies>false</keepDependencies>
  <blockBuildWhenDownstreamBuilding>false</blockBuildWhenDownstreamBuilding>
  <blockBuildWhenUpstreamBuilding>true</blockBuildWhenUpstreamBuilding>
  <concurrentBuild>true</concurrentBuild>
  <assignedNode>linux &amp;&amp; x86</assignedNode>
  <canRoam>false</canRoam>
  <logRotator>
    <daysToKeep>3</daysToKeep>
    <numToKeep>-1</numToKeep>
  </logRotator>
  <noSuchField>dropped</noSuchField>
  <properties>
    <hudson.model.ParametersDefinitionProperty>
      <parameterDefinitions>
        <hudson.model.StringParameterDefinition>
          <name>S</name>
          <description>a string</description>
          <defaultValue>  padded  </defaultValue>
          <trim>true</trim>
        </hudson.model.StringParameterDefinition>
        <hudson.model.TextParameterDefinition>
          <name>T</name>
          <defaultValue>line1
line2</defaultValue>
        </hudson.model.TextParameterDefinition>
        <hudson.model.BooleanParameterDefinition>
          <name>B</name>
          <defaultValue>true</defaultValue>
        </hudson.model.BooleanParameterDefinition>
      </parameterDefinitions>
    </hudson.model.ParametersDefinitionProperty>
    <jenkins.model.BuildDiscarderProperty>
      <strategy class="hudson.tasks.LogRotator">
        <numToKeep>5</numToKeep>
      </strategy>
    </jenkins.model.BuildDiscarderProperty>
  </properties>
  <scm class="hudson.scm.NullSCM"/>
  <builders>
    <hudson.tasks.Shell>
      <command>echo "S=[$S] B=$B" &amp;&amp; test "$S" = padded</command>
    </hudson.tasks.Shell>
  </builders>
  <publishers>
    <hudson.tasks.ArtifactArchiver>
      <artifacts>*.txt</artifacts>
    </hudson.tasks.ArtifactArchiver>
  </publishers>
  <buildWrappers>
    <hudson.plugins.timestamper.TimestamperBuildWrapper plugin="timestamper@1.26"/>
  </buildWrappers>
</project>
"""

JOB_STATE = """
def job = Jenkins.get().getItem('%s')
def pp = job.getProperty(ParametersDefinitionProperty)
println '%s' + groovy.json.JsonOutput.toJson([
    id: System.identityHashCode(job), label: job.assignedLabelString, concurrent: job.concurrentBuild, disabled: job.disabled,
    description: job.description, builds: job.builds.collect { it.number },
    commands: job.builders.collect { it.command },
    params: pp == null ? null : pp.parameterDefinitions.collect { [it.class.simpleName, it.name, it.defaultParameterValue.value] }])
"""


def job_state(double, name):
    return groovy_json(double, JOB_STATE % (name, MARK))


def parse(xml_text):
    return ET.fromstring(xml_text.encode("utf-8"))


def run_build(double, name):
    result = groovy_json(
        double,
        f"""
        def b = Jenkins.get().getItem('{name}').scheduleBuild2(0).get()
        println '{MARK}' + groovy.json.JsonOutput.toJson([result: b.result.toString(), log: b.log, builtOn: b.builtOnStr])
        """,
    )
    return result


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    d = start_double(tmp_path_factory.mktemp("jenkins"), users=["reader:rtoken:readonly"])
    d.set_quiet_period(0)
    d.add_node("linux1", labels="linux x86", executors=2)
    yield d
    d.stop()


def test_job_created_by_script_is_served_as_the_xml_jenkins_writes(double):
    double.create_job(
        "scripted",
        command="echo hi",
        label="linux",
        concurrent=True,
        parameters=[
            {"name": "P", "type": "string", "default": "x"},
            {"name": "F", "type": "boolean", "default": False},
        ],
    )
    response = requests.get(
        double.url + "job/scripted/config.xml", auth=(double.admin_user, double.admin_token), timeout=30
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    assert response.text.startswith("<?xml version='1.1' encoding='UTF-8'?>\n<project>\n  <actions/>\n")
    root = parse(response.text)
    assert root.tag == "project"
    # XStream's field order of FreeStyleProject; a null description is left out.
    assert [e.tag for e in root] == [
        "actions",
        "keepDependencies",
        "properties",
        "scm",
        "assignedNode",
        "canRoam",
        "disabled",
        "blockBuildWhenDownstreamBuilding",
        "blockBuildWhenUpstreamBuilding",
        "triggers",
        "concurrentBuild",
        "builders",
        "publishers",
        "buildWrappers",
    ]
    assert root.find("scm").get("class") == "hudson.scm.NullSCM"
    assert root.findtext("assignedNode") == "linux" and root.findtext("canRoam") == "false"
    assert root.findtext("concurrentBuild") == "true" and root.findtext("disabled") == "false"
    assert root.findtext("keepDependencies") == "false"
    defs = root.find("properties/hudson.model.ParametersDefinitionProperty/parameterDefinitions")
    assert [(d.tag, [c.tag for c in d]) for d in defs] == [
        ("hudson.model.StringParameterDefinition", ["name", "defaultValue", "trim"]),
        ("hudson.model.BooleanParameterDefinition", ["name", "defaultValue"]),
    ]
    assert defs[0].findtext("defaultValue") == "x" and defs[1].findtext("defaultValue") == "false"
    shell = root.find("builders/hudson.tasks.Shell")
    assert [c.tag for c in shell] == ["command", "configuredLocalRules"] and shell.findtext("command") == "echo hi"
    assert double.client().get_job_config("scripted") == response.text


def test_create_from_xml_models_what_it_runs_and_keeps_the_rest(double):
    client = double.client()
    client.create_job("fromxml", JJB_STYLE)
    state = job_state(double, "fromxml")
    assert state["label"] == "linux && x86"
    assert state["concurrent"] is True and state["disabled"] is False
    assert state["description"] == "from xml"
    assert state["params"] == [
        ["StringParameterDefinition", "S", "padded"],
        ["TextParameterDefinition", "T", "line1\nline2"],
        ["BooleanParameterDefinition", "B", True],
    ]
    root = parse(client.get_job_config("fromxml"))
    order = [e.tag for e in root]
    assert "noSuchField" not in order
    # Kept elements come back in Jenkins' field order, not the order they were posted in.
    assert order == [
        "actions",
        "description",
        "logRotator",
        "keepDependencies",
        "properties",
        "scm",
        "assignedNode",
        "canRoam",
        "disabled",
        "blockBuildWhenDownstreamBuilding",
        "blockBuildWhenUpstreamBuilding",
        "triggers",
        "concurrentBuild",
        "builders",
        "publishers",
        "buildWrappers",
    ]
    assert root.findtext("blockBuildWhenUpstreamBuilding") == "true"
    assert root.findtext("logRotator/daysToKeep") == "3"
    assert [p.tag for p in root.find("properties")] == [
        "hudson.model.ParametersDefinitionProperty",
        "jenkins.model.BuildDiscarderProperty",
    ]
    assert (
        root.find("properties/jenkins.model.BuildDiscarderProperty/strategy").get("class") == "hudson.tasks.LogRotator"
    )
    assert root.findtext("publishers/hudson.tasks.ArtifactArchiver/artifacts") == "*.txt"
    assert (
        root.find("buildWrappers/hudson.plugins.timestamper.TimestamperBuildWrapper").get("plugin")
        == "timestamper@1.26"
    )
    text = root.find("properties/hudson.model.ParametersDefinitionProperty/parameterDefinitions")
    assert text[1].findtext("defaultValue") == "line1\nline2" and text[1].findtext("trim") == "false"
    assert "No field 'noSuchField' found in class 'hudson.model.FreeStyleProject'" in double.log_text()
    build = run_build(double, "fromxml")
    assert build["result"] == "SUCCESS", build["log"]
    assert "S=[padded] B=true" in build["log"] and build["builtOn"] == "linux1"


def test_kept_elements_survive_a_restart(tmp_path):
    d = start_double(tmp_path / "jenkins")
    try:
        d.client().create_job("kept", JJB_STYLE)
        before = d.client().get_job_config("kept")
        d.restart()
        assert d.client().get_job_config("kept") == before
    finally:
        d.stop()


def test_reconfig_changes_label_concurrency_and_command_in_place(double):
    client = double.client()
    client.create_job("reconf", JJB_STYLE)
    first = run_build(double, "reconf")
    assert first["result"] == "SUCCESS"
    before = job_state(double, "reconf")
    root = parse(client.get_job_config("reconf"))
    root.find("assignedNode").text = "built-in"
    root.find("concurrentBuild").text = "false"
    root.find("builders/hudson.tasks.Shell/command").text = "echo changed on $NODE_NAME"
    root.remove(root.find("publishers"))
    client.reconfig_job("reconf", ET.tostring(root, encoding="unicode"))
    after = job_state(double, "reconf")
    assert after["id"] == before["id"], "the same job object takes the new configuration"
    assert after["builds"] == before["builds"] == [1]
    assert after["label"] == "built-in" and after["concurrent"] is False
    assert after["commands"] == ["echo changed on $NODE_NAME"]
    second = run_build(double, "reconf")
    assert "changed on built-in" in second["log"] and second["builtOn"] == ""
    # A left-out field takes its default, as XStream2's updateByXml nulls it out.
    assert parse(client.get_job_config("reconf")).find("publishers") is not None
    assert len(parse(client.get_job_config("reconf")).find("publishers")) == 0


def test_reconfig_without_parameters_or_builders_removes_them(double):
    client = double.client()
    client.create_job("strip", JJB_STYLE)
    client.reconfig_job("strip", "<project><canRoam>true</canRoam></project>")
    state = job_state(double, "strip")
    assert state["params"] is None and state["commands"] == [] and state["label"] is None
    assert state["description"] is None and state["concurrent"] is False


def test_malformed_xml_is_a_500_and_leaves_no_job(double):
    auth = (double.admin_user, double.admin_token)
    headers = {"Content-Type": "application/xml"}
    response = requests.post(
        double.url + "createItem?name=broken", data=b"<project><builders>", headers=headers, auth=auth, timeout=30
    )
    assert response.status_code == 500
    assert "Failed to persist config.xml" in response.text
    assert not double.client().job_exists("broken")
    assert not (double.home / "jobs" / "broken").exists()
    double.client().create_job("intact", JJB_STYLE)
    response = requests.post(
        double.url + "job/intact/config.xml", data=b"<project><oops></project>", headers=headers, auth=auth, timeout=30
    )
    assert response.status_code == 500 and "Failed to process config.xml" in response.text
    assert job_state(double, "intact")["label"] == "linux && x86"


@pytest.mark.parametrize(
    "xml,message",
    [
        (
            "<project><builders><hudson.tasks.BatchFile><command>dir</command></hudson.tasks.BatchFile></builders></project>",
            "runs hudson.tasks.Shell build steps only, not hudson.tasks.BatchFile",
        ),
        (
            "<project><properties><hudson.model.ParametersDefinitionProperty><parameterDefinitions>"
            "<hudson.model.ChoiceParameterDefinition><name>C</name></hudson.model.ChoiceParameterDefinition>"
            "</parameterDefinitions></hudson.model.ParametersDefinitionProperty></properties></project>",
            "not hudson.model.ChoiceParameterDefinition",
        ),
        ("<flow-definition/>", "has no item type <flow-definition>"),
    ],
)
def test_what_the_double_cannot_run_is_refused_with_a_500(double, xml, message):
    with pytest.raises(jenkins.JenkinsException, match="500") as err:
        double.client().create_job("refused", xml)
    assert message in str(err.value)
    assert not double.client().job_exists("refused")


def test_create_errors_answer_400_with_jenkins_messages(double):
    auth = (double.admin_user, double.admin_token)
    xml = {"Content-Type": "text/xml; charset=utf-8"}
    double.create_job("taken", command="true")
    cases = [
        ("createItem?name=taken", xml, "A job already exists with the name ‘taken’"),  # noqa: RUF001 (Jenkins' message)
        ("createItem?name=a%2Fb", xml, "‘/’ is an unsafe character"),  # noqa: RUF001 (Jenkins' message)
        ("createItem", xml, "Query parameter &apos;name&apos; is required"),
        ("createItem?name=nomode", {"Content-Type": "application/x-www-form-urlencoded"}, "No mode given"),
    ]
    for path, headers, message in cases:
        response = requests.post(double.url + path, data=b"<project/>", headers=headers, auth=auth, timeout=30)
        assert response.status_code == 400, path
        assert message in response.text, (path, response.text)
    response = requests.post(double.url + "createItem?name=notype", data=b"<project/>", auth=auth, timeout=30)
    assert response.status_code == 400 and "No Content-Type header set" in response.text
    assert requests.get(double.url + "createItem?name=x", auth=auth, timeout=30).status_code == 405


def test_missing_job_is_404_and_read_only_user_is_403(double):
    client = double.client()
    assert client.get_job_name("nowhere") is None and not client.job_exists("nowhere")
    with pytest.raises(jenkins.NotFoundException):
        client.get_job_config("nowhere")
    with pytest.raises(jenkins.NotFoundException):
        client.reconfig_job("nowhere", JJB_STYLE)
    double.create_job("guarded", command="true")
    reader = ("reader", "rtoken")
    assert requests.get(double.url + "job/guarded/config.xml", auth=reader, timeout=30).status_code == 403
    response = requests.post(
        double.url + "createItem?name=r",
        data=JJB_STYLE,
        headers={"Content-Type": "application/xml"},
        auth=reader,
        timeout=30,
    )
    assert response.status_code == 403 and "reader is missing the Job/Create permission" in response.text
    assert requests.post(double.url + "job/guarded/doDelete", auth=reader, timeout=30).status_code == 403
    assert client.job_exists("guarded")


def test_delete_redirects_to_the_root_and_removes_job_and_files(double):
    double.create_job("doomed", command="true")
    run_build(double, "doomed")
    auth = (double.admin_user, double.admin_token)
    response = requests.post(double.url + "job/doomed/doDelete", auth=auth, allow_redirects=False, timeout=30)
    assert response.status_code == 302 and response.headers["Location"] == double.url
    assert not double.client().job_exists("doomed")
    assert not (double.home / "jobs" / "doomed").exists()
    assert requests.get(double.url + "job/doomed/doDelete", auth=auth, timeout=30).status_code == 404


def test_get_jobs_and_job_info_list_rest_created_jobs(double):
    client = double.client()
    client.create_job("listed", JJB_STYLE)
    jobs = {j["name"]: j for j in client.get_all_jobs()}
    assert jobs["listed"]["fullname"] == "listed" and jobs["listed"]["url"] == double.url + "job/listed/"
    assert {j["name"] for j in client.get_jobs()} == set(jobs)
    info = client.get_job_info("listed")
    assert info["labelExpression"] == "linux && x86" and info["concurrentBuild"] is True
    client.disable_job("listed")
    assert client.get_job_info("listed")["disabled"] is True and client.get_job_info("listed")["color"] == "disabled"
    assert parse(client.get_job_config("listed")).findtext("disabled") == "true"
    client.enable_job("listed")
    assert client.get_job_info("listed")["disabled"] is False


LISTENERS = """
import hudson.model.*
import hudson.model.listeners.*
def events = Collections.synchronizedList([])
System.getProperties().put('double.rest.events', events)
class I extends ItemListener {
    List e
    I(List e) { this.e = e }
    void onCreated(Item i) { e << "created:${i.name}:${i.assignedLabelString}" }
    void onUpdated(Item i) { e << "updated:${i.name}:${i.assignedLabelString}" }
    void onDeleted(Item i) { e << "deleted:${i.name}" }
}
class S extends SaveableListener {
    List e
    S(List e) { this.e = e }
    void onChange(Saveable o, hudson.XmlFile f) { if (o instanceof Job) { e << "saved:${o.name}" } }
}
ItemListener.all().add(new I(events)); SaveableListener.all().add(new S(events))
"""


def test_rest_calls_fire_item_listeners_as_core_does(jenkins_double):
    double = jenkins_double
    double.run_script(LISTENERS)
    client = double.client()
    client.create_job("heard", JJB_STYLE)
    client.reconfig_job("heard", JJB_STYLE.replace("linux &amp;&amp; x86", "other"))
    client.delete_job("heard")
    events = groovy_json(
        double, f"println '{MARK}' + groovy.json.JsonOutput.toJson(System.getProperties().get('double.rest.events'))"
    )
    # createProjectFromXML writes the file itself (no SaveableListener), then onCreated;
    # updateByXml saves (onChange) and then fires onUpdated with the new configuration.
    assert events == ["created:heard:linux && x86", "saved:heard", "updated:heard:other", "deleted:heard"]


def test_reconfigured_label_lets_a_waiting_build_start(double):
    client = double.client()
    client.create_job("waits", JJB_STYLE.replace("linux &amp;&amp; x86", "nobody-has-this"))
    client.build_job("waits", {"S": "padded"})
    wait_until(lambda: client.get_job_info("waits")["inQueue"], message="the build to wait in the queue")
    client.reconfig_job("waits", JJB_STYLE)
    wait_until(
        lambda: (client.get_job_info("waits")["lastCompletedBuild"] or {}).get("number") == 1,
        message="the build to run after the label changed",
    )
