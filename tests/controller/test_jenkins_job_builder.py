"""Jobs managed with Jenkins Job Builder (the real ``jenkins-jobs``) on a master the controller serves.

JJB creates, reconfigures and deletes jobs through Jenkins' REST API
(``createItem``, ``config.xml``, ``doDelete``), not through anything of
ours: the controller must see each push within the contract's 2 s, and a
Gearman build must run the job as JJB defined it.
"""

from __future__ import annotations

import time
import uuid

from tests.controller.invariants import jenkins_builds, peak_concurrency
from tests.controller.jenkins_changes import change
from tests.controller_harness import wait_until, worker_functions
from tests.jenkins_job_builder import jenkins_jobs

# The contract: function sets are true within 2 s of a change; the admin polling adds its own delay.
WITHIN = 2.5

DEFINITIONS = """
- job-template:
    name: '{name}-unit'
    description: 'unit tests of {name}, pushed by JJB'
    node: '{label}'
    concurrent: true
    parameters:
      - string:
          name: ZUUL_UUID
          default: 'no-uuid'
      - bool:
          name: VERBOSE
          default: false
      - text:
          name: NOTES
          default: ''
    builders:
      - shell: |
          sleep 2
          echo "uuid=$ZUUL_UUID verbose=$VERBOSE notes=$NOTES on $NODE_NAME"

- project:
    name: demo
    label: '{unit_label}'
    jobs:
      - '{name}-unit'

- job:
    name: demo-anywhere
    concurrent: false
    builders:
      - shell: 'echo "anywhere on $NODE_NAME"'

- job:
    name: demo-disabled
    disabled: true
    node: pool
    builders:
      - shell: 'exit 0'
"""


def push(double, workdir, unit_label: str) -> float:
    """``jenkins-jobs update``; returns when it returned."""
    jobs = workdir / "jobs"
    jobs.mkdir(exist_ok=True)
    (jobs / "demo.yaml").write_text(DEFINITIONS.replace("{unit_label}", unit_label))
    started = time.monotonic()
    jenkins_jobs(double, workdir, "update", str(jobs))
    print(f"jenkins-jobs update took {time.monotonic() - started:.2f} s")
    return time.monotonic()


def settled(farm, expected: dict[str, set[str]], since: float) -> float:
    """Seconds from ``since`` until every listed worker registers exactly its expected functions."""
    wait_until(
        lambda: all(worker_functions(farm.server).get(cid) == functions for cid, functions in expected.items()),
        WITHIN + 5,
        f"function sets {expected}",
    )
    return time.monotonic() - since


def test_jobs_pushed_by_jjb_register_within_2_s_and_run_as_defined(farm_factory, gearmand, tmp_path):
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    double.set_quiet_period(0)
    change(double, "set_builtin_executors", executors=1)
    double.add_node("pool1", labels="pool", executors=2)
    double.add_node("pool2", labels="pool2", executors=1, mode="EXCLUSIVE")
    controller = farm.start_controller()
    farm.wait_for_function("stop:jenkins1")
    none = {"pool1_exec-0": set(), "pool1_exec-1": set(), "pool2_exec-0": set(), "jenkins1_exec-0": set()}
    settled(farm, none, time.monotonic())

    pushed = push(double, tmp_path, "pool || pool2")
    took = settled(
        farm,
        {
            "pool1_exec-0": {"build:demo-unit", "build:demo-unit:pool", "build:demo-anywhere"},
            "pool1_exec-1": {"build:demo-unit", "build:demo-unit:pool", "build:demo-anywhere"},
            "pool2_exec-0": {"build:demo-unit", "build:demo-unit:pool2"},  # exclusive: labelled jobs only
            "jenkins1_exec-0": {"build:demo-anywhere"},  # the disabled job nowhere
        },
        pushed,
    )
    print(f"functions true {took:.2f} s after the push")
    assert took <= WITHIN, f"functions true {took:.2f} s after the push"

    client = farm.connect_client()
    unique = uuid.uuid4().hex
    on_pool2 = client.submit(
        "build:demo-unit:pool2", {"ZUUL_UUID": unique, "VERBOSE": "true", "NOTES": "from gearman"}, unique=unique
    )
    together = [client.submit("build:demo-unit:pool") for _ in range(2)]  # concurrent: true
    anywhere = client.submit("build:demo-anywhere")
    client.wait([on_pool2, *together, anywhere], 60)
    assert [r.result for r in (on_pool2, *together, anywhere)] == ["SUCCESS"] * 4, [r.events for r in together]
    assert on_pool2.completion["node_name"] == "pool2"
    console = double.client().get_build_console_output("demo-unit", on_pool2.completion["number"])
    assert f"uuid={unique} verbose=true notes=from gearman on pool2" in console
    assert peak_concurrency(jenkins_builds(farm.doubles, ["demo-unit"]))[("jenkins1", "pool1")] == 2

    pushed = push(double, tmp_path, "pool2")  # JJB reconfigures demo-unit in place
    took = settled(
        farm,
        {
            "pool1_exec-0": {"build:demo-anywhere"},
            "pool2_exec-0": {"build:demo-unit", "build:demo-unit:pool2"},
        },
        pushed,
    )
    print(f"functions true {took:.2f} s after the second push")
    assert took <= WITHIN, f"functions true {took:.2f} s after the second push"

    jenkins_jobs(double, tmp_path, "delete", "demo-unit", "demo-anywhere", "demo-disabled")
    took = settled(farm, none, time.monotonic())  # from when jenkins-jobs delete returned
    print(f"functions gone {took:.2f} s after the delete")
    assert took <= WITHIN, f"functions gone {took:.2f} s after the delete"
    assert "Traceback" not in controller.log()
