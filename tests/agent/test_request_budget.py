"""At most 2 script-console requests per build, amortised, when builds go through the agent
the way the controller sends them: reservations for every free executor in one
request, the schedules they make room for in one request, and one shared events
long-poll that tells which executors became free.
"""

from __future__ import annotations

import queue
import threading

import pytest

from controller.masters.client import RequestCounter
from controller.masters.session import EVENT_LINGER
from tests.agent.conftest import MEASURED, builds_of, client_for, new_uuid, start_agent_double

BUILDS = 50
NODES = {"budget-1": 5, "budget-2": 5}


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    double, _client = start_agent_double(tmp_path_factory.mktemp("jenkins"))
    for name, executors in NODES.items():
        double.add_node(name, labels="budget", executors=executors)
    double.create_job("budget-job", command="true", label="budget")
    yield double
    double.stop()


class SharedEvents:
    """The controller's event thread: one long-poll at a time, its events handed over."""

    def __init__(self, client, after: int):
        self.client = client
        self.after = after
        self.events: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> SharedEvents:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            _epoch, reply = self.client.events(self.after, 1.0, EVENT_LINGER)
            self.after = reply["last_seq"]
            for event in reply["events"]:
                self.events.put(event)


def test_fifty_builds_take_at_most_two_requests_each(master):
    counter = RequestCounter()
    ops = client_for(master, counter=counter)
    _epoch, inventory = ops.inventory()
    events = SharedEvents(client_for(master, counter=counter), inventory["seq"]).start()
    occupied = dict.fromkeys(NODES, 0)
    node_of: dict[str, str] = {}
    results: dict[str, str] = {}
    to_start = BUILDS
    try:
        while len(results) < BUILDS:
            free = {node: NODES[node] - busy for node, busy in occupied.items() if NODES[node] > busy}
            if to_start and free:
                _epoch, grants = ops.batch(
                    [{"op": "reserve", "node": node, "count": count, "ttl_ms": 30000} for node, count in free.items()]
                )
                schedules = []
                for node, grant in zip(free, grants, strict=True):
                    for reservation in grant["granted"]:
                        if len(schedules) < to_start:
                            uuid = new_uuid()
                            node_of[uuid] = node
                            schedules.append(
                                {"op": "schedule", "job": "budget-job", "node": node, "uuid": uuid,
                                 "params": {"N": str(len(node_of))}, "reservation": reservation}
                            )  # fmt: skip
                if schedules:
                    _epoch, scheduled = ops.batch(schedules)
                    assert {result["status"] for result in scheduled} == {"queued"}
                    for op in schedules:
                        occupied[op["node"]] += 1
                    to_start -= len(schedules)
            event = events.events.get(timeout=30)
            while True:
                build = event.get("build") or {}
                if event["type"] == "build_completed" and build.get("uuid") in node_of:
                    assert build["node"] == node_of[build["uuid"]]
                    results[build["uuid"]] = build["result"]
                    occupied[build["node"]] -= 1
                try:
                    event = events.events.get_nowait()
                except queue.Empty:
                    break
    finally:
        events.stop()

    per_build = counter.count / BUILDS
    MEASURED["script-console requests per build"] = round(per_build, 2)
    assert set(results.values()) == {"SUCCESS"}
    assert sorted(b["uuid"] for b in builds_of(master, "budget-job")) == sorted(node_of)
    assert per_build <= 2, f"{counter.count} requests for {BUILDS} builds"
