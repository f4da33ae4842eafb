"""Jenkins Job Builder (the real jenkins-jobs command) manages jobs on the double."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

from tests.double.conftest import MARK, groovy_json
from tests.jenkins_job_builder import jenkins_jobs
from tests.waiting import wait_until

DEFINITIONS = """
- job-template:
    name: '{name}-unit'
    description: 'unit tests of {name}'
    node: '{label}'
    concurrent: true
    parameters:
      - string:
          name: ZUUL_UUID
          default: 'no-uuid'
          description: the Gearman build's uuid
      - bool:
          name: VERBOSE
          default: false
      - text:
          name: NOTES
          default: ''
    builders:
      - shell: |
          echo "uuid=$ZUUL_UUID verbose=$VERBOSE on $NODE_NAME"
          printf %s "$ZUUL_UUID" > "$WORKSPACE/uuid.txt"

- project:
    name: demo
    label: '{label_expr}'
    jobs:
      - '{name}-unit'

- job:
    name: demo-disabled
    disabled: true
    node: '{label_expr}'
    builders:
      - shell: 'exit 0'
"""


def write_definitions(workdir: Path, label_expr: str) -> Path:
    jobs = workdir / "jobs"
    jobs.mkdir(exist_ok=True)
    (jobs / "demo.yaml").write_text(DEFINITIONS.replace("{label_expr}", label_expr))
    return jobs


STATE = f"""
def j = Jenkins.get()
println '{MARK}' + groovy.json.JsonOutput.toJson(j.items.collectEntries {{ job ->
    def pp = job.getProperty(ParametersDefinitionProperty)
    [(job.name): [id: System.identityHashCode(job), label: job.assignedLabelString, concurrent: job.concurrentBuild,
                  disabled: job.disabled, builds: job.builds*.number, description: job.description,
                  params: pp == null ? [] : pp.parameterDefinitions.collect {{ [it.class.simpleName, it.name] }}]]
}})
"""


@pytest.fixture
def double(jenkins_double):
    jenkins_double.set_quiet_period(0)
    jenkins_double.add_node("pool1", labels="pool", executors=2)
    jenkins_double.add_node("pool2", labels="pool2", executors=1)
    return jenkins_double


def test_jjb_update_creates_reconfigures_in_place_and_deletes(double, tmp_path):
    jobs = write_definitions(tmp_path, "pool")
    rendered = jenkins_jobs(double, tmp_path, "test", str(jobs))
    assert rendered.stdout.count("<project>") == 2 and "Job name:  demo-unit" in rendered.stderr

    jenkins_jobs(double, tmp_path, "update", str(jobs))
    state = groovy_json(double, STATE)
    assert set(state) == {"demo-unit", "demo-disabled"}
    unit = state["demo-unit"]
    assert unit["label"] == "pool" and unit["concurrent"] is True and unit["disabled"] is False
    assert unit["description"].startswith("unit tests of demo")
    assert unit["params"] == [
        ["StringParameterDefinition", "ZUUL_UUID"],
        ["BooleanParameterDefinition", "VERBOSE"],
        ["TextParameterDefinition", "NOTES"],
    ]
    assert state["demo-disabled"]["disabled"] is True and state["demo-disabled"]["label"] == "pool"

    client = double.client()
    queue_id = client.build_job("demo-unit", {"ZUUL_UUID": "u-123"})
    number = wait_until(lambda: client.get_queue_item(queue_id).get("executable"), message="the build to start")[
        "number"
    ]
    info = wait_until(lambda: (lambda b: b if not b["building"] else None)(client.get_build_info("demo-unit", number)))
    assert info["result"] == "SUCCESS" and info["builtOn"] == "pool1"
    assert "uuid=u-123 verbose=false on pool1" in client.get_build_console_output("demo-unit", number)
    assert (double.home / "agents" / "pool1" / "workspace" / "demo-unit" / "uuid.txt").read_text() == "u-123"
    with pytest.raises(requests.HTTPError, match="409"):
        client.build_job("demo-disabled")

    # Same definitions with another label: JJB reconfigures the existing jobs.
    write_definitions(tmp_path, "pool2")
    jenkins_jobs(double, tmp_path, "update", str(jobs))
    after = groovy_json(double, STATE)
    assert after["demo-unit"]["id"] == unit["id"], "reconfigured in place, not recreated"
    assert after["demo-unit"]["builds"] == [number] and after["demo-unit"]["label"] == "pool2"
    assert after["demo-disabled"]["label"] == "pool2" and after["demo-disabled"]["disabled"] is True
    assert ET.fromstring(client.get_job_config("demo-unit").encode()).findtext("assignedNode") == "pool2"
    queue_id = client.build_job("demo-unit", {"ZUUL_UUID": "u-456"})
    wait_until(lambda: client.get_queue_item(queue_id).get("executable"), message="the second build")
    wait_until(lambda: client.get_job_info("demo-unit")["lastCompletedBuild"]["number"] == number + 1)
    assert client.get_build_info("demo-unit", number + 1)["builtOn"] == "pool2"

    jenkins_jobs(double, tmp_path, "delete", "demo-unit", "demo-disabled")
    assert groovy_json(double, STATE) == {}
    assert not client.job_exists("demo-unit")
