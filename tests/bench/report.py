"""Targets, percentiles, the environment record and the printed table.

The targets come from the issue and are only compared against, never fed
back into a measurement.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.gearman_servers import gearmand_path
from tests.jenkins_double import java_home

REPO = Path(__file__).resolve().parents[2]


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no samples")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def add_distribution(results: dict[str, Any], prefix: str, values: list[float]) -> None:
    """p50, p99, min, max and count under ``prefix_*``; the samples themselves under ``samples``."""
    results.update(
        {
            f"{prefix}_p50": percentile(values, 50),
            f"{prefix}_p99": percentile(values, 99),
            f"{prefix}_min": min(values),
            f"{prefix}_max": max(values),
            f"{prefix}_samples": len(values),
        }
    )
    results.setdefault("samples", {})[prefix] = [round(v, 2) for v in values]


Check = Callable[[dict[str, Any]], bool]
TARGETS: dict[str, tuple[str, Check]] = {
    "dispatch_start_ms_p50": (
        "<= direct_start_ms_p50",
        lambda r: r["dispatch_start_ms_p50"] <= r["direct_start_ms_p50"],
    ),
    "requests_per_build": ("<= 2", lambda r: r["requests_per_build"] <= 2),
    "rss_mb_5000": ("< 400", lambda r: r["rss_mb_5000"] < 400),
    "idle_cpu_pct_5000": ("< 5", lambda r: r["idle_cpu_pct_5000"] < 5),
    "reregister_s_5000": ("< 2", lambda r: r["reregister_s_5000"] < 2),
    "throughput_builds_per_s": (">= 50", lambda r: r["throughput_builds_per_s"] >= 50),
    "throughput_failures": ("== 0", lambda r: r["throughput_failures"] == 0),
    "takeover_lease_s_max": ("<= 15", lambda r: r["takeover_lease_s_max"] <= 15),
    "dispatch_vs_one_request_p50": ("<= 1.5", lambda r: r["dispatch_vs_one_request_p50"] <= 1.5),
    "farm_register_ratio": ("<= 1.5 (x the floor)", lambda r: r["farm_register_ratio"] <= 1.5),
    "farm_job_added_extra_packets": ("== 0", lambda r: r["farm_job_added_extra_packets"] == 0),
    "farm_relabel_extra_packets": ("== 0", lambda r: r["farm_relabel_extra_packets"] == 0),
}

ROWS = [
    ("floor_rtt_ms_p50", "ms"),
    ("floor_rtt_ms_p99", "ms"),
    ("direct_start_ms_p50", "ms"),
    ("direct_start_ms_p99", "ms"),
    ("dispatch_start_ms_p50", "ms"),
    ("dispatch_start_ms_p99", "ms"),
    ("one_request_start_ms_p50", "ms"),
    ("one_request_start_ms_p99", "ms"),
    ("dispatch_vs_one_request_p50", "x"),
    ("dispatch_complete_ms_p50", "ms"),
    ("throughput_builds_per_s", "/s"),
    ("throughput_builds", ""),
    ("throughput_failures", ""),
    ("requests_per_build", ""),
    ("token_request_cpu_us_no_agent", "us"),
    ("token_request_cpu_us_agent_0_1", "us"),
    ("token_request_cpu_us_agent", "us"),
    ("agent_node_scans_per_request", ""),
    ("node_scan_ms_agent_0_1", "ms"),
    ("node_scan_ms_agent", "ms"),
    ("can_take_ns_agent_0_1", "ns"),
    ("can_take_ns_agent", "ns"),
    ("takeover_lease_s_p50", "s"),
    ("takeover_lease_s_max", "s"),
    ("takeover_workers_s_p50", "s"),
    ("takeover_workers_s_max", "s"),
    ("farm_floor_register_s", "s"),
    ("farm_install_register_s", "s"),
    ("farm_register_s", "s"),
    ("farm_register_ratio", "x"),
    ("farm_register_cpu_s", "s"),
    ("farm_rss_mb", "MiB"),
    ("farm_threads", ""),
    ("farm_idle_cpu_pct", "%"),
    ("farm_register_can_do", ""),
    ("farm_register_can_do_needed", ""),
    ("farm_job_added_can_do", ""),
    ("farm_job_added_can_do_needed", ""),
    ("farm_job_added_cant_do", ""),
    ("farm_job_added_extra_packets", ""),
    ("farm_job_added_s", "s"),
    ("farm_relabel_can_do", ""),
    ("farm_relabel_can_do_needed", ""),
    ("farm_relabel_cant_do", ""),
    ("farm_relabel_cant_do_needed", ""),
    ("farm_relabel_extra_packets", ""),
    ("farm_relabel_s", "s"),
    ("farm_master_cpu_ms_per_build_no_agent", "ms"),
    ("farm_master_cpu_ms_per_build_agent", "ms"),
    ("farm_master_idle_cpu_pct_no_agent", "%"),
    ("farm_master_idle_cpu_pct_agent", "%"),
]
for _n in (100, 1000, 5000):
    ROWS += [
        (f"register_s_{_n}", "s"),
        (f"rss_mb_{_n}", "MiB"),
        (f"rss_peak_mb_{_n}", "MiB"),
        (f"threads_{_n}", ""),
        (f"idle_cpu_pct_{_n}", "%"),
        (f"relabel_script_s_{_n}", "s"),
        (f"reregister_after_script_s_{_n}", "s"),
        (f"reregister_s_{_n}", "s"),
    ]


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    """Per target: met, missed, or None when a value it needs was not measured."""
    out: dict[str, bool | None] = {}
    for key, (_text, check) in TARGETS.items():
        try:
            out[key] = bool(check(results))
        except (KeyError, TypeError):
            out[key] = None
    return out


def _format(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def table(results: dict[str, Any]) -> str:
    met = verdicts(results)
    lines = [f"{'metric':<32} {'value':>10} {'unit':<4} {'target':<24} met", "-" * 76]
    for key, unit in ROWS:
        if key not in results and key not in TARGETS:
            continue
        target = TARGETS.get(key, ("", None))[0]
        verdict = {True: "yes", False: "NO", None: "-"}[met.get(key)] if key in TARGETS else ""
        lines.append(f"{key:<32} {_format(results.get(key)):>10} {unit:<4} {target:<24} {verdict}")
    return "\n".join(lines)


def _first_line(command: list[str], env: dict[str, str] | None = None) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else None


def environment() -> dict[str, Any]:
    java_env = dict(os.environ, JAVA_HOME=str(java_home()))
    head = _first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = _first_line(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "groovy": _first_line(["groovy", "--version"], java_env),
        "java": _first_line([str(java_home() / "bin" / "java"), "-version"]),
        "gearmand": _first_line([gearmand_path() or "gearmand", "--version"]),
        "git_head": head,
        "git_tree_modified": bool(dirty),
        "loadavg_start": list(os.getloadavg()),
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None
