"""Gearman servers: several at once, TLS, the embedded server, and a clean shutdown."""

import signal

from tests.controller.jenkins_changes import change
from tests.controller_harness import function_workers, wait_until


def small_farm(farm_factory, server, **options):
    farm = farm_factory(server, masters=1, **options)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    double.add_node("n1", labels="linux", executors=2)
    double.create_job("quick", command="true", label="linux")
    double.create_job("slow", command="sleep 4", label="linux")
    return farm


def test_builds_over_tls(farm_factory, tls_gear_server, gearman_tls):
    farm = small_farm(farm_factory, tls_gear_server)
    farm.tls = gearman_tls.client
    farm.start_controller()
    farm.wait_for_function("build:quick", workers=2)
    client = farm.connect_client()
    build = client.submit("build:quick")
    client.wait([build], 30)
    assert build.result == "SUCCESS"


def test_every_configured_server_is_used_at_once(farm_factory, gearmand, gear_server):
    farm = small_farm(farm_factory, gearmand)
    farm.servers = [gear_server]
    farm.start_controller()
    for server in (gearmand, gear_server):
        farm.wait_for_function("build:quick", workers=2, server=server)
    via_gearmand = farm.connect_client(gearmand).submit("build:quick")
    via_gear = farm.connect_client(gear_server).submit("build:quick")
    farm.client.wait([via_gearmand], 30)
    farm.extra_clients[0].wait([via_gear], 30)
    assert via_gearmand.result == via_gear.result == "SUCCESS"


def test_embedded_gearman_server(farm_factory, gearmand):
    farm = small_farm(farm_factory, gearmand)
    port = gearmand.port
    gearmand.stop()  # free its port for the controller's own server
    farm.server = None
    farm.start_controller("--embedded-gearman", str(port))
    embedded = type("Embedded", (), {"host": "127.0.0.1", "port": port, "address": f"127.0.0.1:{port}"})()
    embedded.server = gearmand.server
    farm.server = embedded
    farm.wait_for_function("build:quick", workers=2)
    build = farm.connect_client().submit("build:quick")
    farm.client.wait([build], 30)
    assert build.result == "SUCCESS"


def test_sigterm_unregisters_at_once_and_lets_running_builds_report(farm_factory, gearmand):
    farm = small_farm(farm_factory, gearmand)
    farm.start_controller()
    farm.wait_for_function("build:slow", workers=2)
    client = farm.connect_client()
    build = client.submit("build:slow")
    wait_until(lambda: build.data, 30, "build started")
    farm.controller.process.send_signal(signal.SIGTERM)
    # Every worker unregisters, except that the busy one keeps its job's
    # function until the job's final packet (gearmand would re-queue it).
    wait_until(lambda: not function_workers(gearmand).get("build:quick"), 5, "idle functions unregistered")
    assert function_workers(gearmand).get("build:slow", 0) <= 1
    client.wait([build], 30)
    assert build.result == "SUCCESS"
    assert farm.controller.process.wait(10) == 0
