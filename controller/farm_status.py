"""What ``gearman-jenkins status`` reports, collected from the masters and the Gearman servers.

Per master, one agent ``inventory`` call: nodes with executors idle / busy /
offline, mode and labels; every running build (job, number, node, age, and
the uuid of a Gearman build); the Gearman builds still waiting in the
Jenkins queue. Per Gearman server, admin ``status`` and ``workers``: the
``build:``, ``stop:`` and ``set_description:`` functions with their queued
(waiting, not running), running and worker counts. Masters and servers are
asked in parallel.

The result is plain JSON-ready data (``commands/status.py`` renders it).
This module only reads: it never changes anything on a master or server,
and a master or server that cannot be asked is a ``state`` with an error and
what to do, never an exception.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from controller import errors
from controller.checks import Hints, explain
from controller.config import Config, GearmanServer, MasterConfig
from controller.gearman.admin import AdminClient
from controller.masters.client import MasterClient

FUNCTION_PREFIXES = ("build:", "stop:", "set_description:")
MAX_PARALLEL = 8


def collect(config: Config, masters: tuple[MasterConfig, ...], timeout: float) -> dict[str, Any]:
    """``{"masters": [...], "gearman": [...], "ok": bool}`` for ``masters`` and every configured server."""
    hints = Hints.of(config)
    servers = config.gearman_servers
    with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(masters) + len(servers)))) as pool:
        master_futures = [pool.submit(master_status, master, hints, timeout) for master in masters]
        server_futures = [pool.submit(gearman_status, server, config, timeout) for server in servers]
        report: dict[str, Any] = {
            "masters": [future.result() for future in master_futures],
            "gearman": [future.result() for future in server_futures],
        }
    report["ok"] = all(part["state"] == "ok" for part in report["masters"] + report["gearman"])
    return report


def master_status(master: MasterConfig, hints: Hints, timeout: float) -> dict[str, Any]:
    """One master's report: ``state`` is ok, down, unauthorized, forbidden, no_agent, agent_mismatch or error."""
    report: dict[str, Any] = {"name": master.name, "url": master.url, "state": "ok", "error": None, "fix": None}
    client = MasterClient(master, timeout=timeout)
    try:
        epoch, inventory = client.inventory()
    except errors.GearmanJenkinsError as exc:
        state = {
            errors.MasterUnreachable: "down",
            errors.MasterUnauthorized: "unauthorized",
            errors.MasterForbidden: "forbidden",
            errors.AgentMissing: "no_agent",
            errors.AgentVersionMismatch: "agent_mismatch",
        }.get(type(exc), "error")
        message, fix = explain(exc, hints)
        return {**report, "state": state, "error": message, "fix": fix}
    now_ms = time.time() * 1000
    records = {record.get("uuid"): record for record in inventory.get("builds", []) if record.get("uuid")}
    builds = [_running_build(record, records, master.url, now_ms) for record in inventory.get("running", [])]
    running_uuids = {build["uuid"] for build in builds if build["uuid"]}
    for record in records.values():
        if record.get("state") == "queued" and record.get("uuid") not in running_uuids:
            builds.append(_queued_build(record))
    builds.sort(key=lambda b: (b["state"] != "running", b["job"], b["number"] or 0, b["uuid"] or ""))
    busy = Counter(build["node"] for build in builds if build["state"] == "running")
    nodes = [_node(shape, busy[shape["name"]]) for shape in inventory.get("nodes", [])]
    return {
        **report,
        "agent_version": inventory.get("version") or client.version,
        "epoch": epoch,
        "quieting_down": bool(inventory.get("quieting_down")),
        "lease": _lease(inventory.get("lease") or {}),
        "executors": {key: sum(node[key] for node in nodes) for key in ("total", "idle", "busy", "offline")},
        "nodes": nodes,
        "builds": builds,
    }


def _lease(lease: dict[str, Any]) -> dict[str, Any]:
    """Which controller owns the master, as its agent says: the holder, the epoch, for how long."""
    return {
        "owner": lease.get("owner"),
        "epoch": int(lease.get("epoch", 0)),
        "held_s": round(int(lease.get("held_ms", 0)) / 1000, 1),
        "remaining_s": round(int(lease.get("remaining_ms", 0)) / 1000, 1),
    }


def _node(shape: dict[str, Any], busy: int) -> dict[str, Any]:
    total = int(shape.get("executors") or 0)
    available = bool(shape.get("online")) and not shape.get("temporarily_offline")
    free = max(total - busy, 0)
    if not shape.get("online"):
        state = "offline"
    elif shape.get("temporarily_offline"):
        state = "temporarily offline"
    else:
        state = "online"
    return {
        "name": shape["name"],
        "state": state,
        "mode": shape.get("mode"),
        "labels": list(shape.get("labels") or []),
        "total": total,
        "idle": free if available else 0,
        "busy": busy,
        "offline": 0 if available else free,
    }


def _running_build(
    record: dict[str, Any], records: dict[str, dict[str, Any]], master_url: str, now_ms: float
) -> dict[str, Any]:
    started = record.get("started")
    # The agent's record of a Gearman build also knows the queue item it came from.
    known = records.get(record.get("uuid") or "", {})
    return {
        "job": record.get("job"),
        "number": record.get("number"),
        "state": "running",
        "node": record.get("node"),
        "executor": record.get("executor"),
        "uuid": record.get("uuid"),
        # Run.getUrl() is relative; composed with the configured URL as the controller does (docs/design.md, the agent).
        "url": master_url + record["url"] if record.get("url") else None,
        "started": started,
        "age_s": round(max(now_ms - started, 0) / 1000, 1) if started else None,
        "estimated_duration_s": _seconds(record.get("estimated_duration")),
        "queue_id": record.get("queue_id", known.get("queue_id")),
    }


def _queued_build(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "job": record.get("job"),
        "number": None,
        "state": "queued",
        "node": record.get("node"),
        "executor": None,
        "uuid": record.get("uuid"),
        "url": None,
        "started": None,
        "age_s": None,
        "estimated_duration_s": None,
        "queue_id": record.get("queue_id"),
    }


def gearman_status(server: GearmanServer, config: Config, timeout: float) -> dict[str, Any]:
    """One server's report: ``state`` is ok or down."""
    report: dict[str, Any] = {"server": str(server), "state": "ok", "error": None, "fix": None}
    try:
        with AdminClient(server, config.tls, timeout) as admin:
            statuses = admin.status()
            workers = admin.workers()
    except errors.GearmanServerError as exc:
        fix = f"start the Gearman server on {server}, or correct gearman.servers in {config.path}"
        return {**report, "state": "down", "error": exc.message, "fix": fix}
    functions = [
        {
            "name": status.name,
            "queued": max(status.queued - status.running, 0),
            "total": status.queued,
            "running": status.running,
            "workers": status.workers,
        }
        for status in sorted(statuses, key=lambda s: s.name)
        if status.name.startswith(FUNCTION_PREFIXES)
    ]
    ours = [worker for worker in workers if any(f.startswith(FUNCTION_PREFIXES) for f in worker.functions)]
    return {**report, "worker_connections": len(ours), "functions": functions}


def _seconds(ms: Any) -> float | None:
    return round(ms / 1000, 1) if isinstance(ms, int | float) and ms >= 0 else None
