"""SIGHUP: the controller loads its config again without disturbing what did not change.

The controller talks to gearmand through a tap that records every packet of
every worker connection: a master the reload does not concern must send no
registration packet (RESET_ABILITIES, CAN_DO, CANT_DO) and open no new
connection, while builds on it run across the reload and report.
"""

from __future__ import annotations

import time

import pytest
import yaml

from controller.dispatch.departures import CHECK_INTERVAL
from tests.controller.jenkins_changes import change
from tests.controller_harness import function_workers, wait_until, worker_functions
from tests.gearman_tap import GearmanTap

SLOW = 8  # seconds a slow build runs: long enough to reload while it does
REGISTRATION = {"SET_CLIENT_ID", "RESET_ABILITIES", "CAN_DO", "CANT_DO", "CAN_DO_TIMEOUT"}
TAGS = {"jenkins1": "one", "jenkins2": "two"}


@pytest.fixture
def tap(gearmand):
    tap = GearmanTap(gearmand.server)
    yield tap
    tap.close()


def tagged_farm(farm_factory, tap, masters=2, executors=2, **options):
    """Masters with one node each, ``{master}-n`` labelled ``linux {tag}``; ``slow`` runs on either tag."""
    farm = farm_factory(tap, masters=masters, **options)
    for name, double in farm.doubles.items():
        change(double, "set_builtin_executors", executors=0)
        double.add_node(f"{name}-n", labels=f"linux {TAGS[name]}", executors=executors)
        double.create_job("quick", command="true", label="linux", concurrent=True)
        double.create_job("slow", command=f"sleep {SLOW}", label="one || two", concurrent=True)
    return farm


def registration_traffic(tap, mark, master):
    """Registration packets the master's worker connections sent after ``mark``, new connections included."""
    return [
        (connection.client_id, packet)
        for connection, packets in tap.since(mark)
        if connection.client_id.startswith(master)
        for packet in packets
        if packet in REGISTRATION
    ]


def test_sighup_adds_masters_new_or_still_leaving_and_the_others_send_no_registration_packet(tap, farm_factory):
    farm = tagged_farm(farm_factory, tap)
    controller = farm.start_controller(masters=["jenkins1"])
    farm.wait_for_function("build:slow:one", workers=2)
    client = farm.connect_client()
    running = client.submit("build:slow:one")
    wait_until(lambda: running.data, 30, "a build on jenkins1 to start")
    mark = tap.snapshot()

    farm.write_config()
    outcome = controller.reload()

    assert outcome.endswith("added jenkins2"), outcome
    farm.wait_for_function("build:slow:two", workers=2, timeout=10)
    farm.wait_for_function("stop:jenkins2", timeout=5)
    added = client.submit("build:slow:two")
    wait_until(lambda: added.data, 30, "a build on jenkins2 to start")

    # Removed while its build runs, then added back before that build has reported: it stays.
    farm.write_config(masters=["jenkins1"])
    assert controller.reload().endswith("removed jenkins2")
    wait_until(lambda: function_workers(tap).get("build:quick") == 2, 5, "jenkins2's idle worker to close")
    farm.write_config()
    assert controller.reload().endswith("added jenkins2")
    wait_until(lambda: function_workers(tap).get("build:quick") == 4, 10, "jenkins2's workers to register again")

    client.wait([running, added], SLOW * 2 + 30)
    assert running.result == "SUCCESS" and running.completion["manager"] == "jenkins1"
    assert added.result == "SUCCESS" and added.completion["manager"] == "jenkins2"
    time.sleep(2 * CHECK_INTERVAL)  # a departure would end now that its build has reported
    assert function_workers(tap)["build:quick"] == 4 and function_workers(tap)["stop:jenkins2"] == 1
    log = controller.log()
    assert "master jenkins2 is in the config again: it stays" in log
    assert "its last Gearman build has reported" not in log
    assert registration_traffic(tap, mark, "jenkins1") == []
    assert registration_traffic(tap, mark, "jenkins2")  # the tap does see registrations


def test_sighup_removes_a_master_once_its_builds_have_reported(tap, farm_factory):
    farm = tagged_farm(farm_factory, tap, executors=3)
    controller = farm.start_controller()
    farm.wait_for_function("build:slow:one", workers=3)
    farm.wait_for_function("build:slow:two", workers=3)
    client = farm.connect_client()
    staying = client.submit("build:slow:one")
    leaving = client.submit("build:slow:two")
    stopped = client.submit("build:slow:two")
    for record in (staying, leaving, stopped):
        wait_until(lambda record=record: record.data, 30, "the builds to start")
    mark = tap.snapshot()

    farm.write_config(masters=["jenkins1"])
    outcome = controller.reload()

    assert outcome.endswith("removed jenkins2"), outcome
    # At once: the idle worker is gone, the two busy ones keep only their job's function.
    wait_until(
        lambda: (
            {cid: f for cid, f in worker_functions(tap).items() if cid.startswith("jenkins2-n")}
            == {stopped.data["worker"]: {"build:slow:two"}, leaving.data["worker"]: {"build:slow:two"}}
        ),
        5,
        "jenkins2's idle worker to close and its busy ones to unregister the rest",
    )
    assert function_workers(tap)["build:quick"] == 3  # jenkins1's
    # Its management worker still answers for the builds it has.
    stop = client.stop("jenkins2", "slow", stopped.data["number"])
    client.wait([stop, stopped], 30)
    assert stop.completion.startswith("aborted build slow"), stop.events
    assert stopped.result == "ABORTED"

    client.wait([staying, leaving], SLOW * 2 + 30)
    assert staying.result == "SUCCESS" and staying.completion["manager"] == "jenkins1"
    assert leaving.result == "SUCCESS" and leaving.completion["manager"] == "jenkins2"
    assert leaving.completion["url"].startswith(farm.doubles["jenkins2"].url)
    wait_until(
        lambda: not [cid for cid in worker_functions(tap) if cid.startswith("jenkins2")],
        5,
        "every jenkins2 worker to close once its builds reported",
    )
    assert "stop:jenkins2" not in function_workers(tap)
    assert "master jenkins2: its last Gearman build has reported" in controller.log()
    assert registration_traffic(tap, mark, "jenkins1") == []
    after = client.submit("build:quick")
    client.wait([after], 30)
    assert after.result == "SUCCESS" and after.completion["manager"] == "jenkins1"


def test_an_invalid_config_on_sighup_changes_nothing(tap, farm_factory):
    farm = tagged_farm(farm_factory, tap, masters=1, log_level="INFO")
    controller = farm.start_controller()
    farm.wait_for_function("build:quick", workers=2)
    mark = tap.snapshot()
    good = farm.config_path.read_text()

    farm.config_path.write_text(good.replace(farm.doubles["jenkins1"].url, "ftp://jenkins1.example.org/"))
    outcome = controller.reload()

    assert outcome.endswith(
        f"config reload failed; still running with the config loaded before: {farm.config_path} "
        "line 7: masters[0].url: expected an http(s) URL, got 'ftp://jenkins1.example.org/'"
    ), outcome
    assert [line for line in controller.log().splitlines() if "reload" in line] == [outcome]
    build = farm.connect_client().submit("build:quick")
    farm.client.wait([build], 30)
    assert build.result == "SUCCESS"
    assert registration_traffic(tap, mark, "jenkins1") == []

    # A valid config after the invalid one is applied: the log level now, the metrics port at a restart.
    data = yaml.safe_load(good)
    data["options"].update(log_level="DEBUG", metrics_port=9)
    farm.config_path.write_text(yaml.safe_dump(data))
    outcome = controller.reload()
    assert outcome.endswith("masters unchanged"), outcome
    assert (
        "config reload: options.metrics_port changed; the running controller keeps the old values "
        "until it is restarted" in controller.log()
    )
    farm.doubles["jenkins1"].add_node("late", labels="linux", executors=1)
    wait_until(lambda: "worker late_exec-0: connected" in controller.log(), 10, "a DEBUG line")


def test_sighup_reconnects_a_master_whose_url_or_token_changed(tap, farm_factory):
    farm = tagged_farm(farm_factory, tap, masters=1)
    double = farm.doubles["jenkins1"]
    controller = farm.start_controller()
    farm.wait_for_function("build:slow:one", workers=2)
    client = farm.connect_client()
    running = client.submit("build:slow:one")
    wait_until(lambda: running.data, 30, "the build to start")
    mark = tap.snapshot()
    data = yaml.safe_load(farm.config_path.read_text())

    # The same Jenkins under another name: the workers stay as they are, the build reports.
    other_url = double.url.replace("127.0.0.1", "localhost")
    data["masters"][0]["url"] = other_url
    farm.config_path.write_text(yaml.safe_dump(data))
    assert controller.reload().endswith("reconnected jenkins1")
    client.wait([running], SLOW + 30)
    assert running.result == "SUCCESS"
    assert running.completion["url"].startswith(other_url)
    assert registration_traffic(tap, mark, "jenkins1") == []

    # A token Jenkins refuses: the master is unreachable, its workers unregister.
    data["masters"][0]["token"] = "wrong"
    farm.config_path.write_text(yaml.safe_dump(data))
    controller.reload()
    wait_until(lambda: not function_workers(tap).get("build:quick"), 15, "jenkins1's workers to unregister")
    assert "HTTP 401" in controller.log()

    data["masters"][0]["token"] = double.admin_token
    farm.config_path.write_text(yaml.safe_dump(data))
    controller.reload()
    farm.wait_for_function("build:quick", workers=2, timeout=15)
    build = client.submit("build:quick")
    client.wait([build], 30)
    assert build.result == "SUCCESS"
