"""The packets a Gearman build owes its client at each phase (dispatch/builds.py)."""

import json

from gear import constants

from controller.config import GearmanServer
from controller.dispatch.builds import BuildBook, GearmanBuild, Phase, packets_for
from controller.gearman.worker import Assignment
from controller.masters.agent_protocol import BuildInfo

SERVER = GearmanServer("127.0.0.1", 4730)


def decode(packets):
    """(type name, NUL-separated arguments) of each request packet."""
    parsed = []
    for packet in packets:
        assert packet[:4] == b"\0REQ"
        assert int.from_bytes(packet[8:12], "big") == len(packet) - 12
        parsed.append((constants.types[int.from_bytes(packet[4:8], "big")], packet[12:].split(b"\0")))
    return parsed


def attached_build(**fields):
    build = GearmanBuild("u1", "jenkins01", "pep8", "n1", **fields)
    build.assignment = Assignment(SERVER, b"H:1", "build:pep8", "u1", b"{}")
    build.worker_id = "n1_exec-0"
    return build


DATA = {"name": "pep8", "number": 7, "manager": "jenkins01"}


def test_nothing_is_sent_while_scheduling_or_queued():
    for phase in (Phase.SCHEDULING, Phase.QUEUED):
        assert packets_for(attached_build(phase=phase), DATA) == []


def test_start_sends_work_data_then_work_status_once():
    build = attached_build(phase=Phase.RUNNING, number=7, estimated_ms=60000)
    first = decode(packets_for(build, DATA))
    assert [name for name, _ in first] == ["WORK_DATA", "WORK_STATUS"]
    assert json.loads(first[0][1][1]) == DATA
    assert first[1][1][2] == b"60000"
    assert packets_for(build, DATA) == []


def test_completion_sends_work_complete_with_the_result():
    build = attached_build(phase=Phase.RUNNING, number=7)
    packets_for(build, DATA)
    build.phase = Phase.DONE
    build.result = "FAILURE"
    ((name, body),) = decode(packets_for(build, DATA))
    assert name == "WORK_COMPLETE"
    assert json.loads(body[1]) == {**DATA, "result": "FAILURE"}


def test_a_client_that_missed_the_start_gets_data_before_complete():
    build = attached_build(phase=Phase.DONE, number=7, result="SUCCESS")
    assert [name for name, _ in decode(packets_for(build, DATA))] == ["WORK_DATA", "WORK_STATUS", "WORK_COMPLETE"]


def test_a_cancelled_queue_item_completes_aborted_without_work_data():
    build = attached_build(phase=Phase.DONE, result="ABORTED")
    ((name, body),) = decode(packets_for(build, {**DATA, "number": None}))
    assert name == "WORK_COMPLETE"
    assert json.loads(body[1])["result"] == "ABORTED"


def test_book_keeps_finished_builds_for_redelivered_jobs():
    book = BuildBook()
    build = GearmanBuild("u1", "m", "j", "n")
    book.add(build)
    book.finish(build)
    assert book.get("u1") is build
    assert not book.is_active("u1")
    assert list(book) == []


def test_tombstones_answer_once_buried():
    book = BuildBook()
    assert not book.buried("u2")
    book.bury("u2")
    assert book.buried("u2")
    book.unbury("u2")
    assert not book.buried("u2")


def test_a_lost_build_ends_in_work_fail_and_a_rejected_one_in_work_exception():
    lost = attached_build(phase=Phase.QUEUED)
    lost.lost()
    assert [name for name, _ in decode(packets_for(lost, DATA))] == ["WORK_FAIL"]
    rejected = attached_build()
    rejected.rejected("build:pep8: parameter PATH is refused")
    ((name, body),) = decode(packets_for(rejected, DATA))
    assert name == "WORK_EXCEPTION"
    assert body[1] == b"build:pep8: parameter PATH is refused"


def test_what_a_master_reports_moves_the_phase_forward_only():
    build = attached_build()
    build.apply(BuildInfo("pep8", None, "u1", "queued", queue_id=12))
    assert (build.phase, build.queue_id) == (Phase.QUEUED, 12)
    build.apply(BuildInfo("pep8", 7, "u1", "running", node="n2"))
    assert (build.phase, build.number, build.node) == (Phase.RUNNING, 7, "n2")
    build.apply(BuildInfo("pep8", 7, "u1", "queued"))
    assert build.phase is Phase.RUNNING
    build.apply(BuildInfo("pep8", 7, "u1", "finished", result="UNSTABLE"))
    assert (build.phase, build.result) == (Phase.DONE, "UNSTABLE")


def test_a_held_build_sends_nothing_and_leaves_the_hold_scheduling_afresh():
    build = attached_build(created=0.0)
    build.held()
    assert packets_for(build, DATA) == []
    build.released_from_hold()
    assert build.phase is Phase.SCHEDULING and build.created > 0
