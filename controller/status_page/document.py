"""The status page's document: the controller's state as JSON-ready data.

``status_document`` is pure: the dispatcher's ``DispatchSnapshot`` and the
Gearman servers' last queues in, one dict out. ``/status.json`` serves it
as it is and the page renders it (``render``), so both show exactly this;
the README's "Status page" section lists its fields.

Executors. Each executor worker (one per Jenkins executor) is a row with a
state and who holds it:

- busy: a build runs there, a Gearman build (``by.kind`` "gearman") or one
  Jenkins started by itself ("native");
- reserved: held for a Gearman build about to start: its worker is reserving
  the executor and grabbing a job ("grab", with the Gearman server), answers
  for a build not started yet ("gearman": held, being scheduled, or in the
  Jenkins queue pinned to the node), or the controller holds a spare
  reservation there ("spare": a finished build's executor, kept for the
  next Gearman build for up to 3 s);
- offline: the node is offline or temporarily offline, or its master is
  not reachable, and nothing is known to run there;
- idle: free for the next Gearman build.

A worker shows the build it answers for; the running builds no worker
claims (native builds, Gearman builds whose job is gone) and the spare
reservations fill the node's other rows in order, as Jenkins does not say
which executor of a node runs which build.

Never in it: build parameter values (the snapshot holds none), tokens, user
names (an error that names the configured user is shown as what it means),
and ``user:password@`` of a configured URL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from controller import __version__, errors
from controller.contract.model import Node
from controller.dispatch.builds import Phase
from controller.dispatch.failures import Failure
from controller.dispatch.grabbing import WorkerPhase
from controller.dispatch.roster import node_display_name
from controller.dispatch.snapshot import BuildSnapshot, DispatchSnapshot, MasterSnapshot, WorkerSnapshot
from controller.farm_status import FUNCTION_PREFIXES
from controller.masters.agent_protocol import BuildInfo
from controller.status_page.gearman_queues import ServerQueues

SCHEMA = 1
EXECUTOR_STATES = ("idle", "reserved", "busy", "offline")
PHASE_ORDER = (Phase.RUNNING, Phase.QUEUED, Phase.SCHEDULING, Phase.HELD)
# Errors whose text names the configured user: shown as what they mean instead.
ERROR_TEXTS = {
    errors.MasterUnauthorized: "HTTP 401: the configured user or its API token is wrong",
    errors.MasterForbidden: "HTTP 403: the configured user lacks Overall/Administer",
}


def status_document(snapshot: DispatchSnapshot, queues: Sequence[ServerQueues]) -> dict[str, Any]:
    now = snapshot.taken_at
    builds = {build.uuid: build for build in snapshot.builds}
    workers: dict[tuple[str, str], list[WorkerSnapshot]] = defaultdict(list)
    for worker in snapshot.workers:
        workers[(worker.key.master, worker.key.node)].append(worker)
    urls = {master.name: public_url(master.url) for master in snapshot.masters}
    ordered = sorted(
        (build for build in snapshot.builds if build.phase in PHASE_ORDER),
        key=lambda b: (PHASE_ORDER.index(b.phase), b.master, b.job, b.number or 0, b.uuid),
    )
    return {
        "schema": SCHEMA,
        "generated_at": round(now, 3),
        "controller": {"version": __version__, "accepting": snapshot.accepting},
        "masters": [_master(master, workers, builds, urls) for master in snapshot.masters],
        "builds": [_build(build, urls, now) for build in ordered],
        "gearman": [_server(server, now) for server in queues],
        "failures": [_failure(failure) for failure in snapshot.failures],
    }


def public_url(url: str) -> str:
    """``url`` without ``user:password@``."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _build_url(urls: dict[str, str], master: str, path: str | None) -> str | None:
    return urls[master] + path if path and master in urls else None


# ---- masters, nodes, executors ------------------------------------------------------


def _master(
    master: MasterSnapshot,
    workers: dict[tuple[str, str], list[WorkerSnapshot]],
    builds: dict[str, BuildSnapshot],
    urls: dict[str, str],
) -> dict[str, Any]:
    running: dict[str, list[BuildInfo]] = defaultdict(list)
    for run in master.running:
        running[run.node or ""].append(run)
    nodes = [
        _node(master, node, workers.get((master.name, node.name), []), running.get(node.name, []), builds, urls)
        for node in sorted(master.nodes, key=lambda n: node_display_name(master.name, n.name))
    ]
    counts = Counter(row["state"] for node in nodes for row in node["executors"])
    return {
        "name": master.name,
        "url": urls[master.name],
        "state": _master_state(master),
        "error": _error_text(master, urls[master.name]),
        "quieting_down": master.quieting_down,
        "record": master.record.value,
        "owner": {
            "controller": master.owner,
            "this": master.owned,
            "epoch": master.lease_epoch,
            "held_s": round(master.lease_held_s, 1),
        },
        "executors": {"total": sum(counts.values()), **{s: counts[s] for s in EXECUTOR_STATES}},
        "nodes": nodes,
    }


def _master_state(master: MasterSnapshot) -> str:
    if master.live:
        return "up"
    return "down" if master.error is not None else "connecting"  # connecting: not reached yet, no error either


def _error_text(master: MasterSnapshot, public: str) -> str | None:
    if master.error is None:
        return None
    text = ERROR_TEXTS.get(type(master.error)) or str(master.error)
    return text.replace(master.url, public)


def _node(
    master: MasterSnapshot,
    node: Node,
    workers: list[WorkerSnapshot],
    running: list[BuildInfo],
    builds: dict[str, BuildSnapshot],
    urls: dict[str, str],
) -> dict[str, Any]:
    if not node.online:
        state = "offline"
    elif node.temporarily_offline:
        state = "temporarily offline"
    else:
        state = "online"
    workers = sorted(workers, key=lambda w: w.key.index)
    rows = [_claimed_row(worker, builds, urls) for worker in workers]
    claimed = {worker.build for worker in workers if worker.build is not None}
    unclaimed = [run for run in running if run.uuid not in claimed]
    fillers = [_running_row(run, urls[master.name]) for run in unclaimed]
    fillers += [{"state": "reserved", "by": {"kind": "spare"}}] * master.spares.get(node.name, 0)
    free = {"state": "idle" if master.live and node.accepting else "offline", "by": None}
    executors = []
    for worker, row in zip(workers, rows, strict=True):
        if row is None:
            row = fillers.pop(0) if fillers else free
        executors.append({"worker": worker.client_id, **row})
    return {
        "name": node_display_name(master.name, node.name),
        "state": state,
        "mode": node.mode,
        "labels": sorted(node.labels - {node.name}),
        "executors": executors,
    }


def _claimed_row(
    worker: WorkerSnapshot, builds: dict[str, BuildSnapshot], urls: dict[str, str]
) -> dict[str, Any] | None:
    """The row of a worker that is grabbing or answers for a build; None for one free to show what else is there."""
    build = builds.get(worker.build) if worker.build else None
    if build is not None:
        by = {
            "kind": "gearman",
            "uuid": build.uuid,
            "job": build.job,
            "number": build.number,
            "url": _build_url(urls, build.master, build.url),
        }
        return {"state": "busy" if build.phase is Phase.RUNNING else "reserved", "by": by}
    if worker.phase in (WorkerPhase.RESERVING, WorkerPhase.GRABBING):
        return {"state": "reserved", "by": {"kind": "grab", "server": worker.grabbing_on}}
    return None


def _running_row(run: BuildInfo, master_url: str) -> dict[str, Any]:
    url = master_url + run.url if run.url else None
    if run.uuid:
        by = {"kind": "gearman", "uuid": run.uuid, "job": run.job, "number": run.number, "url": url}
    else:
        by = {"kind": "native", "job": run.job, "number": run.number, "url": url}
    return {"state": "busy", "by": by}


# ---- Gearman builds, servers, failures ------------------------------------------------


def _build(build: BuildSnapshot, urls: dict[str, str], now: float) -> dict[str, Any]:
    running = build.phase is Phase.RUNNING and build.started_ms is not None
    return {
        "uuid": build.uuid,
        "master": build.master,
        "job": build.job,
        "number": build.number,
        "phase": build.phase.value,
        "node": None if build.node is None else node_display_name(build.master, build.node),
        "worker": build.worker or None,
        "attached": build.attached,
        "url": _build_url(urls, build.master, build.url),
        "started_at": build.started_ms / 1000 if running else None,
        "elapsed_s": round(max(now * 1000 - build.started_ms, 0) / 1000, 1) if running else None,
        "estimated_s": round(build.estimated_ms / 1000, 1) if build.estimated_ms >= 0 else None,
    }


def _server(queues: ServerQueues, now: float) -> dict[str, Any]:
    functions = [
        {
            "name": status.name,
            # status counts running jobs among the queued (TOTAL): waiting ones are the difference.
            "queued": max(status.queued - status.running, 0),
            "running": status.running,
            "workers": status.workers,
        }
        for status in sorted(queues.functions, key=lambda s: s.name)
        if status.name.startswith(FUNCTION_PREFIXES)
    ]
    return {
        "server": queues.server,
        "state": _server_state(queues),
        "error": queues.error,
        "polled_at": queues.polled_at,
        "age_s": round(max(now - queues.polled_at, 0), 1) if queues.polled_at is not None else None,
        "functions": functions,
    }


def _server_state(queues: ServerQueues) -> str:
    if queues.polled_at is None:
        return "not polled yet"
    return "down" if queues.error else "ok"


def _failure(failure: Failure) -> dict[str, Any]:
    return {
        "at": round(failure.at, 3),
        "kind": failure.kind.value,
        "packet": failure.kind.packet,
        "master": failure.master,
        "job": failure.job,
        "number": failure.number,
        "uuid": failure.uuid,
        "reason": failure.reason,
    }
