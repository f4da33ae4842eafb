"""Shared pieces of the agent tests: doubles with the agent, clients, Groovy probes, an event watcher.

The tests drive ``MasterClient`` over real HTTP against the Jenkins double.
What a test needs to look at inside the master it reads with small Groovy
snippets whose data travels as base64 of JSON (never as Groovy source), the
same way the agent's own scripts do. Nothing here sleeps for a fixed time:
waits poll a condition with a deadline.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid as uuid_module
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest

from controller.config import MasterConfig, Secret
from controller.masters.client import MasterClient, RequestCounter
from controller.templates import REPLY_MARKER, encode_payload, environment
from tests.jenkins_double import JenkinsDouble, groovy_data, start_double
from tests.waiting import wait_until

MARK = "@@AGENT-TEST@@"
# The agent of gearman-jenkins 0.1 (one class), as its release installed it.
PREVIOUS_AGENT = Path(__file__).parent / "previous_agent"
PREVIOUS_VERSION = "0.1.0+previous0000"
# Measurements the terminal summary reports: {what: value}.
MEASURED: dict[str, float] = {}
EVENT_LATENCY_LIMIT = 1.0
_DECODE = (
    "def data = new groovy.json.JsonSlurper().parseText("
    "new String(java.util.Base64.decoder.decode('{data}'), 'UTF-8'))\n"
    "def j = jenkins.model.Jenkins.get()\n"
    "def emit = { value -> println('" + MARK + "' + groovy.json.JsonOutput.toJson(value)) }\n"
)

# The extension points the agent registers with; every list is checked for strays.
EXTENSION_TYPES = (
    "hudson.model.queue.QueueTaskDispatcher",
    "hudson.model.listeners.RunListener",
    "hudson.model.listeners.ItemListener",
    "hudson.slaves.ComputerListener",
    "jenkins.model.NodeListener",
    "hudson.model.queue.QueueListener",
    "hudson.model.listeners.SaveableListener",
)

# {type name: [class names starting with GearmanJenkins]} for the agent's extension
# points and, in the double, for every other extension list that exists.
AGENT_EXTENSIONS = """
def lists = [:]
data.types.each { name -> lists[name] = hudson.ExtensionList.lookup(Class.forName(name, true, j.getClass().getClassLoader())) }
try {
    hudson.ExtensionList.@LISTS.each { type, list -> lists[type.getName()] = list }
} catch (MissingFieldException e) {
    // a real Jenkins keeps its lists elsewhere; the agent's own types are checked above
}
emit(lists.collectEntries { name, list ->
    [(name): list.findAll { it.getClass().getName().startsWith('GearmanJenkins') }.collect { it.getClass().getName() }]
})
"""


def client_for(
    double: JenkinsDouble,
    *,
    version: str | None = None,
    timeout: float = 30.0,
    user: str | None = None,
    token: str | None = None,
    url: str | None = None,
    counter: RequestCounter | None = None,
    name: str = "double",
) -> MasterClient:
    """A MasterClient for the double (admin and its API token unless told otherwise), holding its lease."""
    master = MasterConfig(
        name,
        url or double.url,
        user or double.admin_user,
        Secret(token if token is not None else double.admin_token),
    )
    return LeaseHoldingClient(master, timeout=timeout, counter=counter, version=version)


# Every client of these tests is one controller (one name, one instance): they share the lease.
TEST_CONTROLLER = {"name": "agent-tests", "instance": "agent-tests-instance"}
TEST_LEASE_MS = 3600 * 1000


class LeaseHoldingClient(MasterClient):
    """Batches go out under the master's lease, acquired once (again after the agent was replaced)."""

    _lease: dict[str, Any] | None = None

    def batch(self, ops: list[dict[str, Any]], lease: dict[str, Any] | None = None):
        if lease is not None:
            return super().batch(ops, lease)
        if self._lease is None:
            self._acquire()
        epoch, results = super().batch(ops, self._lease)
        if results and all(result.get("status") == "fenced" for result in results):
            self._acquire()
            epoch, results = super().batch(ops, self._lease)
        return epoch, results

    def _acquire(self) -> None:
        _epoch, state = self.acquire_lease(TEST_CONTROLLER["name"], TEST_CONTROLLER["instance"], TEST_LEASE_MS)
        assert state["granted"], f"the lease of {self.master.url} is held by {state['owner']}"
        self._lease = {**TEST_CONTROLLER, "epoch": state["epoch"]}


def groovy(double: JenkinsDouble, body: str, **data: Any) -> Any:
    """Runs a Groovy snippet with ``data``/``j``/``emit`` bound; returns what it emitted."""
    output = double.run_script(_DECODE.replace("{data}", groovy_data(data)) + body)
    for line in reversed(output.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise AssertionError(f"snippet emitted nothing on {double.url}:\n{output}")


def agent_extensions(double: JenkinsDouble) -> dict[str, list[str]]:
    return groovy(double, AGENT_EXTENSIONS, types=list(EXTENSION_TYPES))


def new_uuid() -> str:
    return uuid_module.uuid4().hex


def reserve(client: MasterClient, node: str, count: int = 1, ttl_ms: int = 30000) -> list[str]:
    _epoch, [result] = client.batch([{"op": "reserve", "node": node, "count": count, "ttl_ms": ttl_ms}])
    return result["granted"]


def schedule(
    client: MasterClient,
    job: str,
    node: str,
    params: dict[str, Any] | None = None,
    uuid: str | None = None,
    reservation: str | None = None,
) -> dict[str, Any]:
    """One schedule op (optionally on a reservation); returns its result with the uuid added."""
    uuid = uuid or new_uuid()
    op = {"op": "schedule", "job": job, "node": node, "uuid": uuid, "params": params or {}, "reservation": reservation}
    _epoch, [result] = client.batch([op])
    return {**result, "uuid": uuid}


def find(client: MasterClient, uuid: str, job: str | None = None) -> dict[str, Any] | None:
    _epoch, [result] = client.batch([{"op": "find", "uuid": uuid, "job": job}])
    return result.get("build")


def install_previous_agent(double: JenkinsDouble) -> MasterClient:
    """Installs the 0.1 agent into ``double``; returns a client of its version (batches work, inventory not)."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(PREVIOUS_AGENT), environment().loader])
    payload = {"version": PREVIOUS_VERSION, "event_limit": 100000, "nonce": "previous"}
    script = (
        environment()
        .overlay(loader=loader)
        .get_template("agent.groovy")
        .render(payload_chunks=encode_payload(payload), reply_marker=REPLY_MARKER)
    )
    output = double.run_script(script)
    assert f"{REPLY_MARKER} previous " in output, output
    return PreviousAgentClient(client_for(double, version=PREVIOUS_VERSION).master, version=PREVIOUS_VERSION)


class PreviousAgentClient(MasterClient):
    """Speaks to the 0.1 agent: batches through its own agent_batch.groovy (no lease then)."""

    def batch(self, ops: list[dict[str, Any]], lease: dict[str, Any] | None = None):
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(PREVIOUS_AGENT), environment().loader])
        payload = {"ops": ops, "version": self.version, "nonce": secrets.token_hex(8)}
        script = (
            environment()
            .overlay(loader=loader)
            .get_template("agent_batch.groovy")
            .render(payload_chunks=encode_payload(payload), reply_marker=REPLY_MARKER)
        )
        prefix = f"{REPLY_MARKER} {payload['nonce']} "
        for line in self._post(script).splitlines():
            if line.startswith(prefix):
                reply = json.loads(line[len(prefix) :])
                return reply["epoch"], reply["result"]
        raise AssertionError(f"no reply from the 0.1 agent of {self.master.url}")


def wait_state(client: MasterClient, uuid: str, states: tuple[str, ...], timeout: float = 15.0) -> dict[str, Any]:
    def reached():
        build = find(client, uuid)
        return build if build is not None and build["state"] in states else None

    return wait_until(reached, timeout, f"build {uuid} to reach {states}")


def wait_idle(double: JenkinsDouble, client: MasterClient, nodes: list[str]) -> None:
    """Until every executor of ``nodes`` is idle and nothing is held (a loaded machine finishes builds late)."""
    script = "emit(data.nodes.every { j.getNode(it).toComputer().isIdle() })"
    wait_until(lambda: groovy(double, script, nodes=nodes) and client.inventory()[1]["held"] == {}, 15, "idle nodes")


def builds_of(double: JenkinsDouble, job: str) -> list[dict[str, Any]]:
    return groovy(
        double,
        "emit(j.getItemByFullName(data.job).getBuilds().collect { b -> [number: b.getNumber(),"
        " result: b.getResult()?.toString(), node: b.getBuiltOnStr(), building: b.isBuilding(),"
        " uuid: b.getAction(hudson.model.ParametersAction)?.getParameter('GEARMAN_UUID')?.getValue()] })",
        job=job,
    )


class EventWatcher:
    """Long-polls the agent's events on its own thread, stamping each with its arrival time.

    ``events`` holds every event in arrival order; ``epochs`` every epoch seen. A
    new epoch (agent reinstalled, master restarted) restarts from sequence 0.
    """

    def __init__(self, client: MasterClient, after: int = 0, poll: float = 0.5):
        self.client = client
        self.after = after
        self.poll = poll
        self.events: list[dict[str, Any]] = []
        self.arrivals: list[float] = []
        self.replies: list[dict[str, Any]] = []
        self.epochs: list[str] = []
        self.errors: list[BaseException] = []
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="agent event watcher", daemon=True)

    def start(self) -> EventWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self.poll + 35)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                epoch, reply = self.client.events(self.after, self.poll)
            except Exception as exc:  # the master may be restarting; keep trying
                self.errors.append(exc)
                self._stop.wait(0.05)
                continue
            now = time.monotonic()
            with self._changed:
                if not self.epochs or self.epochs[-1] != epoch:
                    if self.epochs:
                        self.after = 0
                        self.epochs.append(epoch)
                        self._changed.notify_all()
                        continue
                    self.epochs.append(epoch)
                self.replies.append(reply)
                for event in reply["events"]:
                    self.events.append({**event, "epoch": epoch})
                    self.arrivals.append(now)
                self.after = reply["last_seq"]
                self._changed.notify_all()

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0, start: int = 0
    ) -> tuple[dict[str, Any], float]:
        """The first event from index ``start`` on that matches, and its arrival time."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for index in range(start, len(self.events)):
                    if predicate(self.events[index]):
                        return self.events[index], self.arrivals[index]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(e["seq"], e["type"]) for e in self.events[start:]]
                    raise AssertionError(f"no matching event within {timeout} s; saw {seen}")
                self._changed.wait(remaining)

    def wait_quiet(self, period: float = 0.3, timeout: float = 10.0) -> None:
        """Until no event has arrived for ``period`` seconds (delayed refreshes have landed)."""

        def quiet():
            with self._changed:
                last = self.arrivals[-1] if self.arrivals else 0.0
            return time.monotonic() - last >= period

        wait_until(quiet, timeout, "the event stream to go quiet", interval=0.05)

    def mark(self) -> int:
        """The index the next event will have: pass as ``start`` to see only later events."""
        with self._changed:
            return len(self.events)


def observe(
    watcher: EventWatcher, what: str, action: Callable[[], Any], predicate: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Runs ``action`` and returns the first later event matching ``predicate``.

    Asserts that the agent emitted it within EVENT_LATENCY_LIMIT of the start of
    the action (the action's own request included) and records the latency under
    ``what``. Both ends are wall-clock stamps on this machine: the event's own
    ``time`` (the agent's clock) against the moment the action began, so that
    the test's thread scheduling on a loaded machine is not counted.
    """
    start = watcher.mark()
    began = time.time()
    action()
    event, _arrival = watcher.wait_for(predicate, timeout=EVENT_LATENCY_LIMIT + 4, start=start)
    latency = event["time"] / 1000 - began
    MEASURED[f"event latency: {what} (s)"] = round(latency, 3)
    assert latency < EVENT_LATENCY_LIMIT, f"{what}: event after {latency:.3f} s"
    return event


def assert_gapless(watcher: EventWatcher) -> None:
    """Every sequence number from the first seen to the last, once, in order."""
    seqs = [event["seq"] for event in watcher.events]
    first = seqs[0] if seqs else 1
    assert seqs == list(range(first, first + len(seqs))), seqs


def start_agent_double(home, **options: Any) -> tuple[JenkinsDouble, MasterClient]:
    double = start_double(home, **options)
    double.set_quiet_period(0)
    client = client_for(double)
    client.install()
    return double, client


@pytest.fixture(scope="module")
def agent_double(tmp_path_factory) -> JenkinsDouble:
    """One double per test module with the current agent installed and no quiet period."""
    double, _client = start_agent_double(tmp_path_factory.mktemp("jenkins"))
    yield double
    double.stop()


@pytest.fixture
def client(agent_double) -> MasterClient:
    return client_for(agent_double)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report carries the log of every double it used."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        doubles = {id(v): v for v in getattr(item, "funcargs", {}).values() if isinstance(v, JenkinsDouble)}
        for double in doubles.values():
            report.sections.append((f"Jenkins double log ({double.home})", double.log_text()[-20000:]))


def pytest_terminal_summary(terminalreporter):
    if MEASURED:
        terminalreporter.section("agent measurements")
        for what, value in sorted(MEASURED.items()):
            terminalreporter.write_line(f"{what}: {value}")
