"""`make demo`: the whole flow on one machine, in about a minute.

Starts gear's Gearman server, two Jenkins doubles (tests/jenkins_double)
with a few nodes, labelled jobs, a job in a folder and a Pipeline, deploys the agent with
`gearman-jenkins deploy`, runs the controller (`gearman-jenkins run`),
submits builds with `gearman-jenkins submit --wait`, shows which master and
node ran each, and shuts everything down. Every step runs the real command
line an operator would type; only the Jenkins masters are doubles.

While the builds run, headless Chromium takes a screenshot of the
controller's status page into the output directory, ``$DEMO_OUTPUT``
(default ``demo-output/`` in the current directory).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import yaml

from controller.config import GearmanServer
from controller.gearman.admin import AdminClient
from tests.browser import Browser
from tests.controller.jenkins_changes import change
from tests.gearman_servers import GearProcess
from tests.jenkins_double import start_double
from tests.ports import free_port

MASTERS = {
    # name: [(node, labels, executors)]
    "jenkins-east": [("east-precise-1", "precise", 2), ("east-trusty-1", "trusty", 2)],
    "jenkins-west": [("west-precise-1", "precise", 2), ("west-trusty-1", "trusty big", 2)],
}
JOBS = [
    # name, label expression, shell step
    ("pep8", "precise || trusty", "sleep 1; echo style ok"),
    ("unit-tests", "trusty", "sleep 2; echo tests passed"),
    ("docs", None, "sleep 1"),
]
FOLDER_JOBS = [
    # folder, name, label expression, shell step: registered as build:FOLDER/NAME
    ("release", "package", "trusty", "sleep 1; echo packaged"),
]
PIPELINES = [
    # name, script: its node block runs on the executor that grabbed the build
    ("integration", "node('precise || trusty') {\n  sh 'sleep 1; echo integrated on $NODE_NAME'\n}\n"),
]
SUBMISSIONS = [
    ("build:pep8", 6),
    ("build:unit-tests", 4),
    ("build:docs", 2),
    ("build:pep8:precise", 2),
    ("build:release/package", 2),
    ("build:integration", 3),
]
SCREENSHOT_RUNNING = 3  # builds running at once when the status page is photographed


def step(text: str) -> None:
    print(f"\n\033[1m==> {text}\033[0m", flush=True)


def command(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    shown = " ".join(args)
    print(f"$ gearman-jenkins {shown}", flush=True)
    result = subprocess.run([sys.executable, "-m", "controller", *args], text=True, **kwargs)
    if result.returncode not in (0,):
        raise SystemExit(f"demo: `gearman-jenkins {shown}` exited {result.returncode}")
    return result


def wait_for_workers(server: GearmanServer, function: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with AdminClient(server) as admin:
            workers = {f.name: f.workers for f in admin.status()}
        if workers.get(function, 0) >= count:
            return
        time.sleep(0.2)
    raise SystemExit(f"demo: {function} never had {count} workers")


def status_document(status_url: str) -> dict:
    with urllib.request.urlopen(status_url + "status.json", timeout=5) as answer:
        return json.load(answer)


def wait_for_polled_queues(status_url: str, function: str, timeout: float = 30) -> None:
    """The status page polls the Gearman servers every few seconds: wait until it has seen our workers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        servers = status_document(status_url)["gearman"]
        if all(any(f["name"] == function for f in server["functions"]) for server in servers):
            return
        time.sleep(0.2)
    raise SystemExit(f"demo: the status page never showed {function} on the Gearman servers")


def running_builds(status_url: str) -> int:
    return sum(build["phase"] == "running" for build in status_document(status_url)["builds"])


def screenshot_while_running(browser: Browser, status_url: str, submitting: threading.Thread, path: Path) -> bool:
    """A screenshot of the status page once builds run; False if the submissions ended first."""
    while submitting.is_alive():
        if running_builds(status_url) >= SCREENSHOT_RUNNING:
            browser.open(status_url)
            if browser.evaluate("document.querySelectorAll('#builds tr[data-phase=running]').length") > 0:
                browser.screenshot(path)
                return True
        time.sleep(0.1)
    return False


def block_node(double, job: str, number: int) -> str:
    """The node a Pipeline run's node block ran on, as its log says ("Running on NODE in ...")."""
    for line in change(double, "run_log", job=job, number=number).splitlines():
        if line.startswith("Running on "):
            return line.split()[2]
    return "-"


def main() -> int:
    started = time.monotonic()
    output = Path(os.environ.get("DEMO_OUTPUT", "demo-output")).resolve()
    output.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="gearman-jenkins-demo-"))
    doubles = {}
    controller = None
    gear = GearProcess(workdir / "gear")
    try:
        step("Starting gear's Gearman server")
        gear.start()
        print(f"listening on {gear.address}")

        step("Starting two Jenkins masters (the Jenkins double) with nodes and jobs")
        for name, nodes in MASTERS.items():
            double = start_double(workdir / name)
            double.set_quiet_period(0)
            # As Jenkins recommends for a controller: builds run on agents, not on the built-in node.
            change(double, "set_builtin_executors", executors=0)
            for node, labels, executors in nodes:
                double.add_node(node, labels=labels, executors=executors)
            for job, label, shell in JOBS:
                double.create_job(job, command=shell, label=label)
            for folder, job, label, shell in FOLDER_JOBS:
                double.create_folder(folder)
                double.create_job(job, command=shell, label=label, folder=folder)
            for job, script in PIPELINES:
                double.create_pipeline(job, script)
            doubles[name] = double
            print(f"{name}: {double.url}  nodes: {', '.join(n for n, _, _ in nodes)}")
        print("jobs: " + ", ".join(f"{job} ({label or 'any node'})" for job, label, _ in JOBS))
        print("in a folder: " + ", ".join(f"{folder}/{job} ({label})" for folder, job, label, _ in FOLDER_JOBS))
        print("Pipelines: " + ", ".join(f"{job} (any node: its node block names the label)" for job, _ in PIPELINES))

        config = workdir / "gearman-jenkins.yaml"
        metrics_port = free_port()
        status_url = f"http://127.0.0.1:{metrics_port}/"
        config.write_text(
            yaml.safe_dump(
                {
                    "gearman": {"servers": [gear.address]},
                    "masters": [
                        {"name": name, "url": d.url, "user": d.admin_user, "token": d.admin_token}
                        for name, d in doubles.items()
                    ],
                    "options": {"log_level": "INFO", "metrics_port": metrics_port},
                }
            )
        )
        print(f"config: {config}")

        step("Deploying the agent into both masters")
        command(["deploy", "-c", str(config)])

        step("Checking Gearman server and masters")
        command(["check", "-c", str(config)])

        step("Running the controller")
        log = open(workdir / "controller.log", "w")
        controller = subprocess.Popen(
            [sys.executable, "-m", "controller", "run", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        executors = sum(e for nodes in MASTERS.values() for _, labels, e in nodes)
        wait_for_workers(gear.server, "build:docs", executors)
        print(f"controller pid {controller.pid}, log {workdir / 'controller.log'}")
        print(f"status page: {status_url} (JSON: {status_url}status.json, metrics: {status_url}metrics)")
        command(["status", "-c", str(config)])
        wait_for_polled_queues(status_url, "build:docs")

        step("Submitting builds through Gearman, as Zuul would")
        results = []

        def submit_all() -> None:
            for function, count in SUBMISSIONS:
                print()
                # --wait shows each build's progress on stderr; --json gives us the results to tabulate.
                out = command(
                    [
                        "submit",
                        "-c",
                        str(config),
                        "--function",
                        function,
                        "--iterations",
                        str(count),
                        "--wait",
                        "--json",
                    ],
                    stdout=subprocess.PIPE,
                ).stdout
                for line in out.splitlines():
                    if line.strip().startswith("{"):
                        results.append(json.loads(line))
                outcomes = ", ".join(sorted({r["result"] or r["status"] for r in results[-count:]}))
                print(f"  {count} x {function}: {outcomes}")

        # The status page is photographed from here while the submissions run in a thread.
        with Browser(workdir / "chromium") as browser:
            submitting = threading.Thread(target=submit_all, name="submissions")
            submitting.start()
            screenshot = output / "status-page.png"
            photographed = screenshot_while_running(browser, status_url, submitting, screenshot)
            submitting.join()

        step("The status page while the builds ran")
        if not photographed:
            print("demo: the builds ended before the status page showed them running", file=sys.stderr)
            return 1
        print(f"screenshot: {screenshot}")

        step("Where each build ran")
        print(f"{'function':<22} {'master':<14} {'node':<16} {'build':<6} result")
        for r in results:
            data = r.get("data") or {}
            print(
                f"{r['function']:<22} {data.get('manager', '-'):<14} {data.get('node_name', '-'):<16} "
                f"#{data.get('number', '-'):<5} {r['result']}"
            )
        step("Where each Pipeline's node block ran (from its build log)")
        misplaced = []
        for r in results:
            data = r.get("data") or {}
            if r["function"] == "build:integration" and data.get("number"):
                block = block_node(doubles[data["manager"]], "integration", data["number"])
                grabbed = data["worker"].rsplit("_exec-", 1)[0]
                print(
                    f"integration #{data['number']} on {data['manager']}: grabbed by {data['worker']}, block ran on {block}"
                )
                if block != grabbed:
                    misplaced.append(r)
        per_master = Counter((r.get("data") or {}).get("manager") for r in results)
        per_node = Counter((r.get("data") or {}).get("node_name") for r in results)
        print("\nbuilds per master: " + ", ".join(f"{m}: {n}" for m, n in sorted(per_master.items())))
        print("builds per node:   " + ", ".join(f"{m}: {n}" for m, n in sorted(per_node.items())))
        failed = [r for r in results if r["result"] != "SUCCESS"]
        if len(per_master) < 2 or failed or misplaced:
            print(
                "demo: expected every build to succeed, spread over both masters, and every Pipeline's node block"
                " on the executor that grabbed it",
                file=sys.stderr,
            )
            return 1

        step("Shutting down")
        controller.send_signal(signal.SIGTERM)
        controller.wait(30)
        print(f"controller exited {controller.returncode}")
        controller = None
        print(f"demo finished in {time.monotonic() - started:.0f} s")
        return 0
    finally:
        if controller is not None and controller.poll() is None:
            controller.kill()
        for double in doubles.values():
            double.stop()
        gear.stop()
        if os.environ.get("KEEP_DEMO") is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
