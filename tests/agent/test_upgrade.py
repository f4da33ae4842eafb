"""Upgrading in place from the previous agent (0.1, one class) while builds start and finish.

The new agent registers first, then takes the old one's pins (of builds still
queued), reservations, handovers and record under the old one's lock; no
executor may stay withheld afterwards, and every uuid stays one build.
"""

from __future__ import annotations

import threading

from tests.agent.conftest import (
    builds_of,
    client_for,
    find,
    install_previous_agent,
    new_uuid,
    reserve,
    start_agent_double,
    wait_until,
)

EXECUTORS = 4
BUILDS = 20


def test_upgrade_from_the_previous_agent_while_twenty_builds_start_and_finish(tmp_path):
    double, _client = start_agent_double(tmp_path / "jenkins")
    try:
        double.add_node("up", labels="up", executors=EXECUTORS)
        double.create_job("up-job", command="sleep 0.3", label="up", concurrent=True)
        natives = [f"up-native-{i}" for i in range(EXECUTORS)]
        for name in natives:
            double.create_job(name, command="sleep 2", label="up")
        client_for(double).uninstall()
        old = install_previous_agent(double)
        uuids = [new_uuid() for _ in range(BUILDS)]
        scheduled: list[str] = []

        def feed() -> None:
            # As the controller does: a reservation when one is free, a handover for the next grab.
            for uuid in uuids:
                granted = reserve(old, "up")
                _epoch, [result] = old.batch(
                    [
                        {
                            "op": "schedule",
                            "job": "up-job",
                            "node": "up",
                            "uuid": uuid,
                            "params": {},
                            "reservation": granted[0] if granted else None,
                            "handover_ms": 3000,
                        }
                    ]
                )
                assert result["status"] == "queued", result
                scheduled.append(uuid)

        feeder = threading.Thread(target=feed)
        feeder.start()
        wait_until(lambda: len(scheduled) >= BUILDS // 2, message="half the builds queued")
        feeder.join()  # the rest queue while the first ones run and finish

        new = client_for(double)
        reply = new.install()

        assert reply["replaced"] == ["0.1.0+previous0000"]
        done = wait_until(
            lambda: all((b := find(new, uuid)) and b["state"] == "finished" for uuid in uuids) and True,
            60,
            "every build to finish under the new agent",
        )
        assert done
        builds = builds_of(double, "up-job")
        assert sorted(b["uuid"] for b in builds) == sorted(uuids)
        assert {b["node"] for b in builds} == {"up"}
        # Handed-over executors expire (3 s) and nothing else stays held.
        wait_until(lambda: new.inventory()[1]["held"] == {}, 10, "every hold to end")
        assert new.inventory()[1]["builds"] == []
        # Every executor takes a native build again.
        jenkins = double.client()
        for name in natives:
            jenkins.build_job(name)
        wait_until(
            lambda: sum(b["building"] for name in natives for b in builds_of(double, name)) == EXECUTORS,
            15,
            "a native build on every executor",
        )
    finally:
        double.stop()
