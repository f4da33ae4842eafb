"""The bench's processes and what it reads from them.

Starts gearmand with room for thousands of connections, Jenkins doubles
filled with nodes by one script each, and the controller as a subprocess
(``gearman-jenkins run``, as tests/controller_harness.py does); reads
gearmand's ``status``, the controller's ``/proc`` entries and its metrics
endpoint. Every process started through a ``Farm`` is stopped by
``Farm.close()``, most recent first, whatever happened before.

Data for the Groovy snippets travels as base64 of JSON, never as Groovy
source (as tests/controller/jenkins_changes.py does).
"""

from __future__ import annotations

import os
import resource
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from controller.gearman.admin import AdminClient
from tests.bench.packet_count import CountingProxy
from tests.controller.jenkins_changes import change
from tests.controller_harness import ControllerProcess, write_config
from tests.gearman_servers import GearmandProcess
from tests.jenkins_double import JenkinsDouble, groovy_data, start_double

_DECODE = (
    "def data = new groovy.json.JsonSlurper().parseText("
    "new String(java.util.Base64.decoder.decode('{data}'), 'UTF-8'))\n"
    "def j = jenkins.model.Jenkins.get()\n"
)

# Adds data.count agents named data.prefix + i in one request (Jenkins APIs:
# DumbSlave and its setters, Jenkins.addNode); prints the node count.
ADD_NODES = """
(0..<(data.count as int)).each { i ->
    def name = data.prefix + i
    def n = new hudson.slaves.DumbSlave(name, data.remote_fs + '/' + name, new hudson.slaves.JNLPLauncher())
    n.setNumExecutors(data.executors as int)
    n.setLabelString(data.labels)
    n.setRetentionStrategy(new hudson.slaves.RetentionStrategy.Always())
    j.addNode(n)
}
println j.getNodes().size()
"""

# Creates freestyle jobs without builders, data.jobs = [[name, label or null], ...], in one
# request (Jenkins APIs: Jenkins.createProject, AbstractProject.setAssignedLabel and
# setConcurrentBuild); prints the job count.
CREATE_JOBS = """
for (spec in data.jobs) {
    def job = j.createProject(hudson.model.FreeStyleProject, spec[0])
    job.setAssignedLabel(spec[1] == null ? null : j.getLabel(spec[1]))
    job.setConcurrentBuild(true)
}
println j.getItems().size()
"""

# Gives one agent the labels data.labels (Node.setLabelString + Jenkins.updateNode).
RELABEL_ONE = """
def n = j.getNode(data.node)
n.setLabelString(data.labels)
j.updateNode(n)
println n.getLabelString()
"""

# Gives every agent the labels data.labels, the way an operator's script
# would (Node.setLabelString + Jenkins.updateNode); prints how many changed.
RELABEL_ALL = """
def changed = 0
for (n in j.getNodes()) {
    n.setLabelString(data.labels)
    j.updateNode(n)
    changed++
}
println changed
"""

# The controller defaults, stated so that the harness's test settings
# (DEBUG log, 10 s polls) do not leak into the measurement.
CONTROLLER_OPTIONS = {"event_poll_timeout": 30, "inventory_interval": 60, "log_level": "INFO"}


def progress(text: str, _started: list[float] = []) -> None:  # noqa: B006 (the bench's start time)
    if not _started:
        _started.append(time.monotonic())
    print(f"[{time.monotonic() - _started[0]:6.1f}s] {text}", flush=True)


def raise_own_file_limit() -> int:
    """Soft file limit up to the hard one, for this process and every child (gearmand, controller)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def run_snippet(double: JenkinsDouble, snippet: str, **data: Any) -> str:
    output = double.run_script(_DECODE.replace("{data}", groovy_data(data)) + snippet)
    if "\tat " in output and "Exception" in output:
        raise RuntimeError(f"script failed on {double.url}:\n{output[:4000]}")
    return output.strip()


class HasAddress(Protocol):
    """gearmand, or a proxy in front of it: what a controller's config names."""

    @property
    def address(self) -> str: ...


class BenchGearmand(GearmandProcess):
    """gearmand as the tests run it, allowed as many descriptors as the hard limit."""

    def _command(self) -> list[str]:
        return [*super()._command(), "--file-descriptors", str(raise_own_file_limit())]


class Farm:
    def __init__(self, directory: Path):
        self.directory = directory
        self._stops: list[tuple[str, Callable[[], Any]]] = []

    def _started(self, what: str, stop: Callable[[], Any]) -> None:
        self._stops.append((what, stop))

    def gearmand(self, name: str) -> BenchGearmand:
        server = BenchGearmand(self.directory / name)
        server.start()
        self._started(f"gearmand {server.address}", server.stop)
        return server

    def double(self, name: str) -> JenkinsDouble:
        """A double with quiet period 0 (the controller schedules with 0 too) and no executors on the built-in node."""
        double = start_double(self.directory / name)
        self._started(f"double {name}", double.stop)
        double.set_quiet_period(0)
        change(double, "set_builtin_executors", executors=0)
        return double

    def add_nodes(self, double: JenkinsDouble, prefix: str, count: int, executors: int, labels: str) -> None:
        run_snippet(
            double,
            ADD_NODES,
            prefix=prefix,
            count=count,
            executors=executors,
            labels=labels,
            remote_fs=str(double.home / "agents"),
        )

    def controller(
        self, name: str, server: HasAddress, doubles: dict[str, JenkinsDouble], **options: Any
    ) -> ControllerProcess:
        config = write_config(
            self.directory / f"{name}.yaml",
            [server.address],
            list(doubles.items()),
            **{**CONTROLLER_OPTIONS, **options},
        )
        controller = ControllerProcess(config, self.directory / f"{name}.log").start()
        self._started(f"controller {name}", controller.stop)
        return controller

    def counting_proxy(self, server: BenchGearmand) -> CountingProxy:
        proxy = CountingProxy(server.host, server.port)
        self._started(f"packet counter {proxy.address}", proxy.stop)
        return proxy

    def stop(self, thing: Any) -> None:
        """Stop one thing started here (and forget it)."""
        for index, (_what, stop) in enumerate(self._stops):
            if getattr(stop, "__self__", None) is thing:
                del self._stops[index]
                stop()
                return

    def close(self) -> None:
        while self._stops:
            what, stop = self._stops.pop()
            try:
                stop()
            except Exception as exc:  # keep stopping the others
                print(f"bench: could not stop {what}: {exc}", file=sys.stderr)


# ---- reading ----------------------------------------------------------------------------


def function_workers(server: BenchGearmand) -> dict[str, int]:
    with AdminClient(server.server, timeout=30) as admin:
        return {f.name: f.workers for f in admin.status()}


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll until predicate() is true; returns the seconds it took."""
    started = time.monotonic()
    last: Any = None
    while time.monotonic() - started < timeout:
        try:
            last = predicate()
        except Exception as exc:  # a server still starting, etc.
            last = exc
        if last and not isinstance(last, Exception):
            return time.monotonic() - started
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:g} s waiting for {what} (last: {last!r})")


def process_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (its peak) in MiB, and Threads, from /proc/PID/status."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key == "VmRSS":
            values["rss_mb"] = int(rest.split()[0]) / 1024
        elif key == "VmHWM":
            values["rss_peak_mb"] = int(rest.split()[0]) / 1024
        elif key == "Threads":
            values["threads"] = int(rest)
    return values


def cpu_seconds(pid: int) -> float:
    """utime + stime of /proc/PID/stat, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_pct(pid: int, window: float) -> float:
    """The process's CPU over the next ``window`` seconds, in % of one core."""
    before, began = cpu_seconds(pid), time.monotonic()
    time.sleep(window)
    return 100 * (cpu_seconds(pid) - before) / (time.monotonic() - began)


def metrics(metrics_port: int) -> dict[str, float]:
    """The controller's metrics: ``name{labels}`` -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def script_requests(metrics_port: int) -> float:
    """Sum over masters of gearman_jenkins_script_requests_total."""
    values = [v for k, v in metrics(metrics_port).items() if k.startswith("gearman_jenkins_script_requests_total{")]
    if not values:
        raise RuntimeError("the controller's metrics have no gearman_jenkins_script_requests_total")
    return sum(values)
