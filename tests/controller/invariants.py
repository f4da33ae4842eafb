"""What must hold after any fault: checked against the masters' own records."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.controller.jenkins_changes import change


def jenkins_builds(doubles: dict[str, Any], jobs: list[str]) -> list[dict]:
    """Every build of ``jobs`` on every master, with ``master`` and ``job`` added."""
    found = []
    for master, double in doubles.items():
        for job in jobs:
            for build in json.loads(change(double, "builds_of", job=job)):
                found.append({**build, "master": master, "job": job})
    return found


def assert_no_unique_id_built_twice(builds: list[dict]) -> None:
    counts = Counter(b["uuid"] for b in builds if b["uuid"])
    twice = {uuid: n for uuid, n in counts.items() if n > 1}
    assert not twice, f"unique ids with more than one Jenkins build: {twice}"


def peak_concurrency(builds: list[dict]) -> dict[tuple[str, str], int]:
    """Most builds that overlapped in time on each (master, node)."""
    edges: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for b in builds:
        if b["duration"] is None or b["start"] is None:
            continue
        node = (b["master"], b["node"])
        edges.setdefault(node, []).extend([(b["start"], 1), (b["start"] + b["duration"], -1)])
    peaks = {}
    for node, points in edges.items():
        level = peak = 0
        for _, step in sorted(points):
            level += step
            peak = max(peak, level)
        peaks[node] = peak
    return peaks


def assert_no_executor_ran_two_builds(builds: list[dict], executors: dict[tuple[str, str], int]) -> None:
    for node, peak in peak_concurrency(builds).items():
        assert peak <= executors[node], f"{node} ran {peak} builds at once with {executors[node]} executors"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def assert_memory_back_to_idle(pid: int, idle_mb: float, slack_mb: float = 30.0) -> None:
    """The controller keeps no more than bounded bookkeeping once a storm has passed."""
    now = rss_mb(pid)
    assert now < idle_mb + slack_mb, f"controller RSS grew from {idle_mb:.0f} MB idle to {now:.0f} MB"
