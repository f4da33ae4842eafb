"""`gearman-jenkins status`: executors and builds per master, Gearman functions per server.

What is collected, and how, is ``controller.farm_status``; this module
renders it: per master a summary line, its nodes (executors idle / busy /
offline, mode, labels) and its builds (running ones, and Gearman builds
still queued in Jenkins), per Gearman server its ``build:``, ``stop:`` and
``set_description:`` functions (queued, running, workers), as aligned
tables. A master that is down, has no agent or another agent version is one
line saying so and what to do; the rest is still reported. ``--json``
prints everything collected as one object.

Exit codes: 0 all reported, 1 a master or server could not be, 2 for a bad
config or an unknown ``--master``.
"""

from __future__ import annotations

import argparse
from typing import Any

from controller.commands.options import (
    add_config,
    add_json,
    add_master,
    add_timeout,
    config_from,
    print_json,
    selected_masters,
    timeout_from,
)
from controller.commands.tables import table

HELP = "show executors and running builds per master, and the Gearman functions per server"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    add_master(parser)
    add_timeout(parser, "master or server")
    add_json(parser)
    parser.epilog = "Exit codes: 0 all reported, 1 a master or server could not be, 2 usage or configuration error."


def run(args: argparse.Namespace) -> int:
    timeout = timeout_from(args)
    config = config_from(args)
    # Imported here: --help and --version need not load python-jenkins.
    from controller.farm_status import collect

    report = collect(config, selected_masters(config, args), timeout)
    if args.json:
        print_json(report)
    else:
        for line in render(report):
            print(line)
    return 0 if report["ok"] else 1


# ---- rendering -----------------------------------------------------------------


def render(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for master in report["masters"]:
        lines += _render_master(master)
    for server in report["gearman"]:
        lines += _render_server(server)
    if not report["masters"] and not report["gearman"]:
        lines.append("nothing to report: the config lists no master and no Gearman server")
    return lines


_STATE_WORDS = {
    "down": "DOWN",
    "unauthorized": "UNAUTHORIZED",
    "forbidden": "FORBIDDEN",
    "no_agent": "NO AGENT",
    "agent_mismatch": "OTHER AGENT",
    "error": "ERROR",
}


def _render_master(master: dict[str, Any]) -> list[str]:
    name = master["name"]
    if master["state"] != "ok":
        return [f"master {name}  {_STATE_WORDS[master['state']]}  {master['error']}; {master['fix']}", ""]
    executors = master["executors"]
    quiet = "; QUIETING DOWN (starts no builds)" if master["quieting_down"] else ""
    running = sum(1 for build in master["builds"] if build["state"] == "running")
    queued = len(master["builds"]) - running
    lease = master["lease"]
    owner = (
        f"owned by {lease['owner']} (lease epoch {lease['epoch']}, held {lease['held_s']:g} s)"
        if lease["owner"]
        else f"owned by no controller (lease epoch {lease['epoch']})"
    )
    lines = [
        f"master {name}  {master['url']}  agent {master['agent_version']} (epoch {master['epoch'][:8]}){quiet}",
        f"  {owner}",
        f"  executors: {executors['total']} total, {executors['idle']} idle, {executors['busy']} busy, "
        f"{executors['offline']} offline; builds: {running} running, {queued} Gearman builds queued in Jenkins",
    ]
    node_rows = [
        (
            _node_name(node["name"]),
            node["state"],
            node["total"],
            node["idle"],
            node["busy"],
            node["offline"],
            node["mode"],
            " ".join(_own_labels(node)) or "-",
        )
        for node in master["nodes"]
    ]
    lines += table(node_rows, ("NODE", "STATE", "EXECUTORS", "IDLE", "BUSY", "OFFLINE", "MODE", "LABELS"), "  ")
    if master["builds"]:
        build_rows = [
            (
                build["job"] if build["number"] is None else f"{build['job']} #{build['number']}",
                build["state"],
                _node_name(build["node"]) if build["node"] is not None else "-",
                _age(build["age_s"]),
                build["uuid"] or "-",
            )
            for build in master["builds"]
        ]
        lines.append("")
        lines += table(build_rows, ("BUILD", "STATE", "NODE", "AGE", "UUID"), "  ")
    lines.append("")
    return lines


def _render_server(server: dict[str, Any]) -> list[str]:
    address = server["server"]
    if server["state"] != "ok":
        return [f"gearman {address}  DOWN  {server['error']}; {server['fix']}", ""]
    count = server["worker_connections"]
    lines = [f"gearman {address}  {count} worker connection{'s' if count != 1 else ''} with build/management functions"]
    if server["functions"]:
        rows = [(f["name"], f["queued"], f["running"], f["workers"]) for f in server["functions"]]
        lines += table(rows, ("FUNCTION", "QUEUED", "RUNNING", "WORKERS"), "  ")
    else:
        lines.append("  no build:, stop: or set_description: function known to this server")
    lines.append("")
    return lines


def _node_name(name: str) -> str:
    return name or "(built-in)"


def _own_labels(node: dict[str, Any]) -> list[str]:
    """The labels without the node's self label (its name, or built-in), which every node has."""
    self_label = node["name"] or "built-in"
    return [label for label in node["labels"] if label != self_label]


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
