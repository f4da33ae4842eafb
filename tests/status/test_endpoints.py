"""The status page's endpoints on the real controller's metrics listener."""

from __future__ import annotations

import http.client
import json
import socket

from tests.controller_harness import wait_until
from tests.status.status_farm import ADMIN_USER, NODE, StatusFarm

SECRET = "s3cr3t-Zq8-do-not-show"

MASTER_KEYS = {"name", "url", "state", "error", "quieting_down", "record", "owner", "executors", "nodes"}
NODE_KEYS = {"name", "state", "mode", "labels", "executors"}
BUILD_KEYS = {
    "uuid",
    "master",
    "job",
    "number",
    "phase",
    "node",
    "worker",
    "attached",
    "url",
    "started_at",
    "elapsed_s",
    "estimated_s",
}
SERVER_KEYS = {"server", "state", "error", "polled_at", "age_s", "functions"}
FAILURE_KEYS = {"at", "kind", "packet", "master", "job", "number", "uuid", "reason"}


def raw_get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    return connection.getresponse()


def running(status_farm: StatusFarm, uuid: str) -> dict | None:
    builds = [b for b in status_farm.document()["builds"] if b["uuid"] == uuid and b["phase"] == "running"]
    return builds[0] if builds else None


def test_status_json_shows_a_running_build_on_its_executor_then_the_executor_idle(status_farm):
    record, gate = status_farm.gated("one")
    wait_until(lambda: record.data, 30, "build started")
    build = wait_until(lambda: running(status_farm, record.unique), 10, "the build in /status.json")
    assert build.keys() == BUILD_KEYS
    assert (build["master"], build["job"], build["number"], build["node"]) == (
        "jenkins1",
        "gated",
        record.data["number"],
        NODE,
    )
    assert build["url"] == record.data["url"] and build["attached"] is True
    assert build["worker"] == record.data["worker"] and build["elapsed_s"] >= 0

    document = status_farm.document()
    assert document.keys() == {"schema", "generated_at", "controller", "masters", "builds", "gearman", "failures"}
    assert document["schema"] == 1 and document["controller"]["accepting"] is True
    (master,) = document["masters"]
    assert master.keys() == MASTER_KEYS
    assert (master["name"], master["state"], master["record"]) == ("jenkins1", "up", "loaded")
    assert master["owner"]["this"] is True and master["owner"]["epoch"] >= 1
    node = next(n for n in master["nodes"] if n["name"] == NODE)
    assert node.keys() == NODE_KEYS and node["labels"] == ["linux"] and node["state"] == "online"
    holders = [row["by"] for row in node["executors"] if row["state"] == "busy"]
    assert holders == [
        {"kind": "gearman", "uuid": record.unique, "job": "gated", "number": build["number"], "url": build["url"]}
    ]

    def polled_with_our_workers() -> dict | None:
        (server,) = status_farm.document()["gearman"]
        return server if any(f["name"] == "build:gated" for f in server["functions"]) else None

    server = wait_until(polled_with_our_workers, 10, "a poll of the Gearman server after our workers registered")
    assert server.keys() == SERVER_KEYS and server["server"] == status_farm.farm.server.address
    assert server["state"] == "ok" and server["error"] is None and 0 <= server["age_s"] < 10
    function = next(f for f in server["functions"] if f["name"] == "build:gated")
    assert function == {"name": "build:gated", "queued": 0, "running": 1, "workers": 2}

    gate.touch()
    wait_until(lambda: record.result, 30, "build finished")
    assert record.result == "SUCCESS"

    def executors_idle() -> bool:
        document = status_farm.document()
        node = next(n for n in document["masters"][0]["nodes"] if n["name"] == NODE)
        return not document["builds"] and {row["state"] for row in node["executors"]} == {"idle"}

    wait_until(executors_idle, 10, "the build gone and its executor idle")


def test_no_parameter_value_token_or_user_name_reaches_the_page_or_json(status_farm):
    record, gate = status_farm.gated("secret", DEPLOY_PASSWORD=SECRET)
    refused = status_farm.farm.client.submit("build:gated", {"LD_PRELOAD": SECRET})
    wait_until(lambda: record.data and refused.answered, 30, "one build running, one refused")
    wait_until(lambda: running(status_farm, record.unique) and status_farm.document()["failures"], 10, "both shown")
    double = status_farm.double
    for path in ("/", "/status.html", "/status.json"):
        text = status_farm.get(path)
        assert record.unique in text, path  # the page does show the build
        for secret in (SECRET, double.admin_token, ADMIN_USER):
            assert secret not in text, (path, secret)
    gate.touch()


def test_rejected_and_orphaned_builds_appear_under_recent_failures(status_farm):
    refused = status_farm.farm.client.submit("build:gated", {"LD_PRELOAD": "/tmp/x.so"})
    wait_until(lambda: refused.answered, 30, "the job refused")
    assert refused.kinds() == ["WORK_EXCEPTION"]
    (failure,) = wait_until(lambda: status_farm.document()["failures"], 10, "the refusal listed")
    assert failure.keys() == FAILURE_KEYS
    assert (failure["kind"], failure["packet"], failure["master"], failure["job"], failure["uuid"]) == (
        "rejected",
        "WORK_EXCEPTION",
        "jenkins1",
        "gated",
        refused.unique,
    )
    assert "parameter LD_PRELOAD is not declared" in failure["reason"]

    orphan, _gate = status_farm.gated("orphan")
    wait_until(lambda: orphan.data, 30, "build started")
    status_farm.farm.server.restart()  # gearmand keeps its queue in memory: the job is gone

    def orphan_listed():
        return [f for f in status_farm.document()["failures"] if f["kind"] == "orphan aborted"]

    (aborted,) = wait_until(orphan_listed, 30, "the orphan aborted and listed")
    assert (aborted["uuid"], aborted["number"], aborted["packet"]) == (orphan.unique, orphan.data["number"], None)
    assert [f["kind"] for f in status_farm.document()["failures"]] == ["orphan aborted", "rejected"]


def test_metrics_keep_their_format_and_unknown_paths_are_not_found(status_farm):
    with socket.create_connection(("127.0.0.1", status_farm.port), timeout=10) as connection:
        connection.sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = b"".join(iter(lambda: connection.recv(65536), b""))
    head, _, body = answer.partition(b"\r\n\r\n")
    # Exactly the head the metrics had before the status page shared their listener.
    assert (
        head
        == f"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {len(body)}\r\nConnection: close".encode()
    )
    assert b"# TYPE gearman_jenkins_master_up gauge" in body
    page = raw_get(status_farm.port, "/")
    assert page.status == 200 and page.getheader("Content-Type") == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.getheader("Content-Security-Policy")
    assert json.loads(raw_get(status_farm.port, "/status.json?x=1").read())["schema"] == 1
    assert raw_get(status_farm.port, "/nothing-here").status == 404
