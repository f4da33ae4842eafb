"""The status page's document and its HTML, from plain snapshots (no controller running)."""

from __future__ import annotations

import json

from controller import errors
from controller.contract.model import Node
from controller.dispatch.builds import GearmanBuild, Phase
from controller.dispatch.failures import FailureKind, RecentFailures
from controller.dispatch.grabbing import WorkerPhase
from controller.dispatch.records import RecordState
from controller.dispatch.roster import ExecutorKey
from controller.dispatch.snapshot import BuildSnapshot, DispatchSnapshot, MasterSnapshot, WorkerSnapshot
from controller.gearman.admin import FunctionStatus
from controller.masters.agent_protocol import BuildInfo
from controller.status_page.document import public_url, status_document
from controller.status_page.gearman_queues import ServerQueues
from controller.status_page.render import render_page, render_status

NOW = 1_800_000_000.0
URL = "https://ci.example.org/"


def master(name="jenkins01", nodes=(), running=(), spares=None, live=True, error=None, url=URL) -> MasterSnapshot:
    return MasterSnapshot(
        name=name,
        url=url,
        live=live,
        error=error,
        quieting_down=False,
        record=RecordState.LOADED,
        owner="ops1",
        owned=True,
        lease_epoch=3,
        lease_held_s=12.5,
        nodes=tuple(nodes),
        running=tuple(running),
        spares=spares or {},
    )


def worker(node, index, phase=WorkerPhase.IDLE, build=None, server=None, master_name="jenkins01") -> WorkerSnapshot:
    key = ExecutorKey(master_name, node, index)
    return WorkerSnapshot(key, f"{node or master_name}_exec-{index}", phase, build, server)


def build(uuid, job="pep8", number=12, phase=Phase.RUNNING, node="linux-1", started_s=NOW - 75, estimated_ms=120000):
    return BuildSnapshot(
        uuid=uuid,
        master="jenkins01",
        job=job,
        number=number,
        phase=phase,
        node=node,
        worker=f"{node}_exec-0",
        attached=True,
        url=f"job/{job}/{number}/" if number is not None else None,
        started_ms=int(started_s * 1000) if started_s is not None else None,
        estimated_ms=estimated_ms,
    )


def snapshot(masters=(), workers=(), builds=(), failures=()) -> DispatchSnapshot:
    return DispatchSnapshot(NOW, True, tuple(masters), tuple(workers), tuple(builds), tuple(failures))


def rows(document, master_index=0, node_index=0):
    return document["masters"][master_index]["nodes"][node_index]["executors"]


def test_executors_show_the_build_grab_or_native_build_that_holds_them():
    linux = Node("linux-1", frozenset({"linux", "linux-1"}), executors=4)
    running = [
        BuildInfo("pep8", 12, "u-1", "running", node="linux-1", url="job/pep8/12/"),
        BuildInfo("nightly", 7, None, "running", node="linux-1", url="job/nightly/7/"),
    ]
    workers = [
        worker("linux-1", 0, WorkerPhase.BUILDING, build="u-1"),
        worker("linux-1", 1, WorkerPhase.GRABBING, server="gearman1:4730"),
        worker("linux-1", 2),
        worker("linux-1", 3),
    ]
    document = status_document(snapshot([master(nodes=[linux], running=running)], workers, [build("u-1")]), [])
    assert rows(document) == [
        {
            "worker": "linux-1_exec-0",
            "state": "busy",
            "by": {
                "kind": "gearman",
                "uuid": "u-1",
                "job": "pep8",
                "number": 12,
                "url": "https://ci.example.org/job/pep8/12/",
            },
        },
        {"worker": "linux-1_exec-1", "state": "reserved", "by": {"kind": "grab", "server": "gearman1:4730"}},
        {
            "worker": "linux-1_exec-2",
            "state": "busy",
            "by": {"kind": "native", "job": "nightly", "number": 7, "url": "https://ci.example.org/job/nightly/7/"},
        },
        {"worker": "linux-1_exec-3", "state": "idle", "by": None},
    ]
    assert document["masters"][0]["executors"] == {"total": 4, "idle": 1, "reserved": 1, "busy": 2, "offline": 0}
    assert document["masters"][0]["nodes"][0]["labels"] == ["linux"]


def test_a_build_waiting_in_jenkins_and_a_spare_reservation_reserve_executors():
    linux = Node("linux-1", frozenset({"linux-1"}), executors=3)
    queued = build("u-2", number=None, phase=Phase.QUEUED, started_s=None)
    workers = [worker("linux-1", 0, WorkerPhase.BUILDING, build="u-2"), worker("linux-1", 1), worker("linux-1", 2)]
    document = status_document(snapshot([master(nodes=[linux], spares={"linux-1": 1})], workers, [queued]), [])
    assert [(row["state"], row["by"] and row["by"]["kind"]) for row in rows(document)] == [
        ("reserved", "gearman"),
        ("reserved", "spare"),
        ("idle", None),
    ]


def test_executors_of_an_offline_node_or_an_unreachable_master_are_offline_unless_busy():
    offline = Node("linux-1", frozenset({"linux-1"}), executors=2, temporarily_offline=True)
    running = [BuildInfo("nightly", 7, None, "running", node="linux-1")]
    document = status_document(
        snapshot([master(nodes=[offline], running=running)], [worker("linux-1", 0), worker("linux-1", 1)]), []
    )
    assert [row["state"] for row in rows(document)] == ["busy", "offline"]
    assert document["masters"][0]["nodes"][0]["state"] == "temporarily offline"
    down = master(
        nodes=[Node("linux-1", frozenset(), executors=1)], live=False, error=errors.MasterUnreachable("j", "x")
    )
    document = status_document(snapshot([down], [worker("linux-1", 0)]), [])
    assert document["masters"][0]["state"] == "down"
    assert [row["state"] for row in rows(document)] == ["offline"]


def test_the_built_in_node_is_named_after_its_master():
    built_in = Node("", frozenset({"built-in"}), executors=1)
    document = status_document(snapshot([master(nodes=[built_in])], [worker("", 0)]), [])
    assert document["masters"][0]["nodes"][0]["name"] == "jenkins01"
    assert rows(document)[0]["worker"] == "jenkins01_exec-0"


def test_builds_list_running_before_waiting_with_elapsed_estimate_and_link():
    running = build("u-1", started_s=NOW - 75.4, estimated_ms=120000)
    held = build("u-3", number=None, phase=Phase.HELD, node=None, started_s=None, estimated_ms=-1)
    queued = build("u-2", number=None, phase=Phase.QUEUED, started_s=None)
    document = status_document(snapshot([master()], builds=[held, queued, running]), [])
    assert [b["uuid"] for b in document["builds"]] == ["u-1", "u-2", "u-3"]
    first = document["builds"][0]
    assert first["url"] == "https://ci.example.org/job/pep8/12/"
    assert (first["elapsed_s"], first["estimated_s"], first["phase"], first["node"]) == (
        75.4,
        120.0,
        "running",
        "linux-1",
    )
    assert (document["builds"][2]["elapsed_s"], document["builds"][2]["estimated_s"]) == (None, None)


def test_no_user_password_or_user_name_from_the_configuration_shows():
    url = "https://gearman-bot:hunter2-pw@ci.example.org:8443/jenkins/"
    error = errors.MasterUnauthorized("jenkins01", f"HTTP 401 from {url}: user 'gearman-bot' or its API token is wrong")
    document = status_document(snapshot([master(url=url, live=False, error=error)], builds=[build("u-1")]), [])
    text = json.dumps(document) + render_page(document)
    assert "hunter2-pw" not in text and "gearman-bot" not in text
    assert document["masters"][0]["url"] == "https://ci.example.org:8443/jenkins/"
    assert document["builds"][0]["url"] == "https://ci.example.org:8443/jenkins/job/pep8/12/"
    assert document["masters"][0]["error"] == "HTTP 401: the configured user or its API token is wrong"
    assert public_url("http://[::1]:8080/") == "http://[::1]:8080/"
    assert public_url("http://u:p@[::1]:8080/x/") == "http://[::1]:8080/x/"


def test_gearman_servers_show_only_our_functions_with_waiting_jobs_and_the_answers_age():
    functions = (
        FunctionStatus("build:pep8", 5, 2, 4),
        FunctionStatus("merger:merge", 9, 0, 1),
        FunctionStatus("stop:jenkins01", 0, 0, 1),
    )
    queues = [
        ServerQueues("gearman1:4730", NOW - 2.5, functions),
        ServerQueues("gearman2:4730", NOW - 1, error="refused"),
    ]
    document = status_document(snapshot(), queues)
    ok, down = document["gearman"]
    assert ok["state"] == "ok" and ok["age_s"] == 2.5
    assert ok["functions"] == [
        {"name": "build:pep8", "queued": 3, "running": 2, "workers": 4},
        {"name": "stop:jenkins01", "queued": 0, "running": 0, "workers": 1},
    ]
    assert (down["state"], down["error"], down["functions"]) == ("down", "refused", [])
    html = render_status(document)
    assert 'data-function="build:pep8"' in html and 'data-function="stop:jenkins01"' not in html
    assert "1 other functions of gearman-jenkins with no job queued or running" in html


def test_recent_failures_keep_the_newest_and_mask_parameter_values():
    times = iter(range(10))
    failures = RecentFailures(kept=3, clock=lambda: NOW + next(times))
    for index in range(5):
        secret = GearmanBuild(f"u-{index}", "jenkins01", "deploy", "linux-1", parameters={"TOKEN": "s3cr3t-value"})
        failures.record(FailureKind.REJECTED, secret, "Illegal choice for parameter TOKEN: s3cr3t-value")
    newest = failures.newest_first()
    assert [f.uuid for f in newest] == ["u-4", "u-3", "u-2"]
    assert newest[0].reason == "Illegal choice for parameter TOKEN: ***"
    document = status_document(snapshot(failures=newest), [])
    assert document["failures"][0] == {
        "at": NOW + 4,
        "kind": "rejected",
        "packet": "WORK_EXCEPTION",
        "master": "jenkins01",
        "job": "deploy",
        "number": None,
        "uuid": "u-4",
        "reason": "Illegal choice for parameter TOKEN: ***",
    }


def test_names_from_jenkins_and_clients_are_escaped_in_the_html():
    hostile = '<script>alert("job")</script>'
    node = Node('n"><img src=x>', frozenset({"<b>label</b>"}), executors=1)
    running = build("u-1", job=hostile, node=node.name)
    failures = RecentFailures()
    failures.record(FailureKind.LOST, GearmanBuild("u-1", "jenkins01", hostile, node.name), "<i>why</i>")
    document = status_document(
        snapshot(
            [master(nodes=[node])],
            [worker(node.name, 0, WorkerPhase.BUILDING, build="u-1")],
            [running],
            failures.newest_first(),
        ),
        [],
    )
    for html in (render_page(document), render_status(document)):
        assert "<script>alert" not in html and "<img src=x>" not in html and "<b>label" not in html
        assert "<i>why" not in html
        assert "&lt;script&gt;alert(&#34;job&#34;)&lt;/script&gt;" in html
    assert render_status(document) in render_page(document)
