"""What the agent costs a master: per API-token request, and per canTake.

Every request authenticated with an API token makes Jenkins save its
ApiTokenStats, which SaveableListeners hear. The 0.1 agent rescanned every
node 200 ms after any save; the current one looks only at job, node and
Jenkins saves. Measured on one double with NODES agents, three ways (no
agent, the 0.1 agent, the current agent): the master's CPU per request over
a burst of token-authenticated `GET /api/json` (the CPU the delayed scans
take after the burst included), the time of one full node scan (what the
0.1 agent did after any save, at most every 200 ms; the current one only
when the computer list changes), and the time of one QueueTaskDispatcher
canTake on a real buildable item, against an empty loop.
"""

from __future__ import annotations

import time
from typing import Any

from controller.masters.client import MasterClient
from tests.agent.conftest import client_for, install_previous_agent
from tests.bench.farm import Farm, cpu_seconds, progress, run_snippet, wait_for
from tests.jenkins_double import JenkinsDouble

NODES = 200
REQUESTS = 300
CAN_TAKE_CALLS = 100000

# One canTake of the installed agent (any version) on a buildable item, in ns, less an empty loop's.
CAN_TAKE_NS = """
def agent = hudson.ExtensionList.lookup(hudson.model.queue.QueueTaskDispatcher).find { it.getClass().getName() == 'GearmanJenkinsAgent' }
def item = jenkins.model.Jenkins.get().getQueue().getBuildableItems().find { it.task.getName() == 'waiter' }
def node = jenkins.model.Jenkins.get().getNode('hold')
int n = data.calls as int
for (int i = 0; i < 20000; i++) { agent.canTake(node, item) }
long began = System.nanoTime()
for (int i = 0; i < n; i++) { agent.canTake(node, item) }
long took = System.nanoTime() - began
began = System.nanoTime()
for (int i = 0; i < n; i++) { node.getNodeName() }
long empty = System.nanoTime() - began
println(((took - empty) / n) as long)
"""
# One full node scan of the installed agent, in ms: what the 0.1 agent did after any save (at most every 200 ms).
NODE_SCAN_MS = """
def agent = hudson.ExtensionList.lookup(hudson.model.queue.QueueTaskDispatcher).find { it.getClass().getName() == 'GearmanJenkinsAgent' }
def scan = agent.metaClass.respondsTo(agent, 'refreshAllNodes') ? { agent.refreshAllNodes() } : { agent.shapes.scanNodes() }
5.times { scan() }
long began = System.nanoTime()
20.times { scan() }
println((System.nanoTime() - began) / 20e6)
"""
BUILDABLE = "println(jenkins.model.Jenkins.get().getQueue().getBuildableItems().size())"
HOG_RUNNING = "println(jenkins.model.Jenkins.get().getNode('hold').toComputer().countBusy())"


def request_burst_cpu_us(double: JenkinsDouble) -> float:
    """The master's CPU per token-authenticated request, in microseconds."""
    jenkins = double.client()
    jenkins.get_info()  # the session and crumb exist before the burst
    time.sleep(1.0)  # delayed scans of earlier saves are over
    before = cpu_seconds(double.pid)
    for _ in range(REQUESTS):
        jenkins.get_info()
    time.sleep(1.0)  # the delayed scans that the burst caused
    return (cpu_seconds(double.pid) - before) / REQUESTS * 1e6


def can_take_ns(double: JenkinsDouble) -> float:
    return float(run_snippet(double, CAN_TAKE_NS, calls=CAN_TAKE_CALLS).strip())


def measure(farm: Farm) -> dict[str, Any]:
    double = farm.double("agent-cost")
    farm.add_nodes(double, "cost-", NODES, 1, "cost")
    double.add_node("hold", labels="hold", executors=1)
    double.create_job("hog", command="sleep 600", label="hold")
    double.create_job("waiter", command="true", label="hold")
    jenkins = double.client()
    jenkins.build_job("hog")
    wait_for(lambda: run_snippet(double, HOG_RUNNING).strip() == "1", 30, "the hog build to run")
    jenkins.build_job("waiter")
    wait_for(lambda: run_snippet(double, BUILDABLE).strip() == "1", 30, "a buildable item")
    results: dict[str, Any] = {}
    progress(f"agent cost: {NODES} nodes, {REQUESTS} token-authenticated requests per burst")
    request_burst_cpu_us(double)  # the JVM compiles the request path first
    results["token_request_cpu_us_no_agent"] = request_burst_cpu_us(double)
    install_previous_agent(double)
    results["token_request_cpu_us_agent_0_1"] = request_burst_cpu_us(double)
    results["node_scan_ms_agent_0_1"] = float(run_snippet(double, NODE_SCAN_MS).strip())
    results["can_take_ns_agent_0_1"] = can_take_ns(double)
    current: MasterClient = client_for(double)
    current.uninstall()
    current.install()
    scans = current.inventory()[1]["stats"]["node_scans"]
    results["token_request_cpu_us_agent"] = request_burst_cpu_us(double)
    results["agent_node_scans_per_request"] = (current.inventory()[1]["stats"]["node_scans"] - scans) / REQUESTS
    results["node_scan_ms_agent"] = float(run_snippet(double, NODE_SCAN_MS).strip())
    results["can_take_ns_agent"] = can_take_ns(double)
    return results
