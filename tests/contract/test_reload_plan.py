"""What a config reloaded on SIGHUP changes: masters by name, options that apply now or at the next start."""

import dataclasses
from pathlib import Path

from controller.config import Config, MasterConfig, Options, Secret, SSHConfig, TLSConfig, parse_server
from controller.contract.parameters import ParameterPolicy
from controller.reload_plan import plan_reload


def master(name, url=None, user="gearman", token="t", ssh=None):
    return MasterConfig(name, url or f"https://{name}.example.org/", user, Secret(token), ssh)


def config(*masters, servers=("127.0.0.1:4730",), tls=None, **options):
    parsed = tuple(parse_server(server) for server in servers)
    return Config(Path("/etc/gearman-jenkins/config.yaml"), parsed, masters, tls, Options(**options))


def test_same_config_changes_nothing():
    running = config(master("a"), master("b"))
    plan = plan_reload(running, config(master("a"), master("b")))
    assert (plan.added, plan.removed, plan.reconnected, plan.needs_restart) == ((), (), (), ())
    assert plan.summary() == "masters unchanged"
    assert plan.config == running


def test_masters_added_removed_and_reconnected_by_name():
    running = config(master("a"), master("b"), master("c"), master("d"))
    new = config(
        master("a"),
        master("b", url="https://b2.example.org/"),
        master("c", token="rotated"),
        master("e"),
    )
    plan = plan_reload(running, new)
    assert [m.name for m in plan.added] == ["e"]
    assert plan.removed == ("d",)
    assert [m.name for m in plan.reconnected] == ["b", "c"]
    assert plan.reconnected[0].url == "https://b2.example.org/"
    assert plan.summary() == "added e; removed d; reconnected b, c"


def test_a_renamed_master_is_one_removed_and_one_added():
    plan = plan_reload(
        config(master("old", url="https://j.example.org/")), config(master("new", url="https://j.example.org/"))
    )
    assert plan.removed == ("old",) and [m.name for m in plan.added] == ["new"] and plan.reconnected == ()


def test_a_new_user_reconnects_but_new_ssh_settings_do_not():
    ssh = SSHConfig("a.example.org", "jenkins", "/var/lib/jenkins")
    running = config(master("a"))
    assert [m.name for m in plan_reload(running, config(master("a", user="other"))).reconnected] == ["a"]
    plan = plan_reload(running, config(master("a", ssh=ssh)))
    assert plan.reconnected == ()
    assert plan.config.masters[0].ssh == ssh  # deploy reads it; run has no use for it


def test_options_read_as_used_change_now():
    policy = ParameterPolicy(allow=("ZUUL_*",))
    plan = plan_reload(
        config(master("a")), config(master("a"), log_level="DEBUG", orphan_grace=5, undeclared_parameters=policy)
    )
    assert plan.needs_restart == ()
    assert plan.config.options.log_level == "DEBUG"
    assert plan.config.options.orphan_grace == 5
    assert plan.config.options.undeclared_parameters == policy


def test_settings_read_at_start_keep_their_running_values_and_are_named():
    tls = TLSConfig(Path("/k"), Path("/c"), Path("/ca"))
    running = config(master("a"), event_poll_timeout=30, metrics_port=9465)
    new = config(
        master("a"),
        servers=("127.0.0.1:4731",),
        tls=tls,
        event_poll_timeout=10,
        inventory_interval=5,
        record_wait=1,
        metrics_port=9999,
        metrics_host="0.0.0.0",
        orphan_grace=7,
    )
    plan = plan_reload(running, new)
    assert plan.needs_restart == (
        "gearman.servers",
        "gearman.tls",
        "options.event_poll_timeout",
        "options.inventory_interval",
        "options.record_wait",
        "options.metrics_port",
        "options.metrics_host",
    )
    assert plan.config.gearman_servers == running.gearman_servers and plan.config.tls is None
    assert plan.config.options == dataclasses.replace(running.options, orphan_grace=7)


def test_servers_listed_in_another_order_need_no_restart():
    running = config(master("a"), servers=("127.0.0.1:4730", "127.0.0.1:4731"))
    plan = plan_reload(running, config(master("a"), servers=("127.0.0.1:4731", "127.0.0.1:4730")))
    assert plan.needs_restart == ()
