"""The Jenkins double: start, stop and drive a fake Jenkins master for tests.

A JVM process (Groovy 2.4, the Groovy Jenkins runs) that serves Jenkins' script
console and remote API with classes of the same names and behaviour as Jenkins
core; see README.md beside this file. This module compiles its Groovy sources
once (cached by a hash of the sources), starts doubles, and offers helpers that
create jobs and nodes through the script console exactly as one would on a real
Jenkins. It must never talk to anything but loopback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import jenkins as python_jenkins

from tests.ports import free_port
from tests.processes import freeze

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
SCRIPTS = HERE / "scripts"
CACHE = HERE / ".build"
READY_MARKER = "Jenkins double ready at "
START_TIMEOUT_S = 60


def java_home() -> Path:
    """JAVA_HOME derived from the java on PATH (never hard-coded)."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("no java on PATH; install the groovy package (it brings a JRE)")
    return Path(os.path.realpath(java)).parent.parent


def groovy_lib() -> Path:
    groovyc = shutil.which("groovyc")
    if groovyc is None:
        raise RuntimeError("no groovyc on PATH; install Debian's groovy package")
    return Path(os.path.realpath(groovyc)).parent.parent / "lib"


def _runtime_classpath() -> list[str]:
    lib = groovy_lib()
    core = sorted(lib.glob("groovy-2*.jar"))
    json_jar = sorted(lib.glob("groovy-json*.jar"))
    if not core or not json_jar:
        raise RuntimeError(f"groovy and groovy-json jars not found in {lib}")
    return [str(core[-1]), str(json_jar[-1])]


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SOURCES.rglob("*.groovy")):
        digest.update(str(path.relative_to(SOURCES)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def compiled_classes() -> Path:
    """The compiled double, built with groovyc on first use.

    Keyed by a hash of the sources; compiled into a temporary directory and
    renamed into place, so concurrent starts never see a half-written cache.
    """
    target = CACHE / _sources_digest()
    if target.is_dir():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="compiling-", dir=CACHE))
    env = dict(os.environ, JAVA_HOME=str(java_home()))
    sources = [str(p) for p in sorted(SOURCES.rglob("*.groovy"))]
    result = subprocess.run(["groovyc", "-d", str(work), *sources], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        raise RuntimeError(f"groovyc failed:\n{result.stdout}\n{result.stderr}")
    try:
        os.rename(work, target)
    except OSError:
        # Another process finished first; its copy is identical.
        shutil.rmtree(work, ignore_errors=True)
    return target


def java_command(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run the double's Main with args."""
    classpath = os.pathsep.join([str(compiled_classes()), *_runtime_classpath()])
    java = str(java_home() / "bin" / "java")
    env = dict(os.environ, JAVA_HOME=str(java_home()))
    # Jenkins' Jetty sets TCP_NODELAY on accepted connections; the JDK's
    # HttpServer does so only when asked. Without it every keep-alive request
    # waits ~40 ms for a delayed ACK.
    nodelay = "-Dsun.net.httpserver.nodelay=true"
    # A double lives for seconds to minutes: the C1 compiler alone and the
    # serial collector cost far less CPU than the server defaults over that
    # span, which matters with several doubles on two cores.
    quick_jvm = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    return [java, "-Xss4m", *quick_jvm, nodelay, "-cp", classpath, "jenkinsdouble.Main", *args], env


def groovy_data(data: object) -> str:
    """base64 of the JSON of data: what a helper script decodes from its '@@DATA@@' literal."""
    return base64.b64encode(json.dumps(data).encode("utf-8")).decode("ascii")


# The JVM caps one string constant at 65535 characters, so long data is split into
# several single-quoted literals joined with + (still nothing but base64 in them).
LITERAL_CHUNK = 60000


def groovy_data_literal_body(data: object) -> str:
    """What goes between the quotes of '@@DATA@@': base64, split as 'a' + 'b' when long."""
    encoded = groovy_data(data)
    chunks = [encoded[i : i + LITERAL_CHUNK] for i in range(0, len(encoded), LITERAL_CHUNK)] or [""]
    return "' + '".join(chunks)


def render_script(name: str, data: object) -> str:
    """A script from scripts/ with its data spliced in as base64 only (never as Groovy source)."""
    template = (SCRIPTS / f"{name}.groovy").read_text(encoding="utf-8")
    return template.replace("@@DATA@@", groovy_data_literal_body(data))


class ScriptError(RuntimeError):
    """A helper script printed a stack trace instead of its result."""


class JenkinsDouble:
    """One running double. Create it with start_double()."""

    def __init__(
        self,
        home: Path,
        port: int,
        users: list[str],
        passwords: list[str],
        admin_user: str,
        admin_token: str,
        extra_args: list[str],
    ):
        self.home = Path(home)
        self.port = port
        self.admin_user = admin_user
        self.admin_token = admin_token
        self._users = users
        self._passwords = passwords
        self._extra_args = extra_args
        self._process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{port}/"

    @property
    def pid(self) -> int:
        return self._process.pid

    def _args(self) -> list[str]:
        args = ["--home", str(self.home), "--port", str(self.port)]
        for user in self._users:
            args += ["--user", user]
        for password in self._passwords:
            args += ["--password", password]
        return args + self._extra_args

    def start(self) -> JenkinsDouble:
        self.home.mkdir(parents=True, exist_ok=True)
        command, env = java_command(self._args())
        stderr = open(self.home / "double.stderr", "ab")
        self._process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL
        )
        stderr.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        stdout_copy = open(self.home / "double.stdout", "ab")
        for raw in self._process.stdout:
            stdout_copy.write(raw)
            stdout_copy.flush()
            line = raw.decode("utf-8", "replace")
            if line.startswith(READY_MARKER):
                self.url = line[len(READY_MARKER) :].strip()
                self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])
                break
            if time.monotonic() > deadline:
                break
        else:
            stdout_copy.close()
            self._process.wait(10)
            raise RuntimeError(f"the Jenkins double exited before it was ready:\n{self.log_text()}")
        threading.Thread(target=self._drain, args=(stdout_copy,), daemon=True).start()
        return self

    def _drain(self, copy) -> None:
        # Init scripts may println to stdout; keep the pipe from filling up.
        with copy:
            for raw in self._process.stdout:
                copy.write(raw)
                copy.flush()

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (the double saves its queue and aborts running builds), then wait."""
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGCONT)
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)

    def kill(self) -> None:
        """SIGKILL: a crash; nothing is saved."""
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait(10)

    def restart(self) -> JenkinsDouble:
        """Clean stop and start again with the same home and port."""
        self.stop()
        return self.start()

    def pause(self) -> None:
        """SIGSTOP, returning once the JVM is really stopped (a black hole: connections stay open)."""
        freeze(self._process.pid)

    def resume(self) -> None:
        self._process.send_signal(signal.SIGCONT)

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def client(self) -> python_jenkins.Jenkins:
        """A python-jenkins client logged in as the admin user with its API token."""
        return python_jenkins.Jenkins(self.url, username=self.admin_user, password=self.admin_token, timeout=60)

    def log_text(self) -> str:
        path = self.home / "double.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def run_script(self, script: str) -> str:
        return self.client().run_script(script)

    def run_helper(self, name: str, data: object) -> str:
        """Runs scripts/NAME.groovy with data; raises ScriptError if it threw."""
        output = self.run_script(render_script(name, data))
        if "\tat " in output and "Exception" in output:
            raise ScriptError(output)
        return output.strip()

    def create_job(
        self,
        name: str,
        command: str | None = None,
        label: str | None = None,
        concurrent: bool = True,
        parameters: list[dict] | None = None,
        disabled: bool = False,
        folder: str | None = None,
    ) -> str:
        """Creates a freestyle job (in an existing folder, given its full name); returns its URL.

        parameters: [{"name", "type": string|text|boolean, "default"}].
        """
        return self.run_helper(
            "create_job",
            {
                "name": name,
                "folder": folder,
                "command": command,
                "label": label,
                "concurrent": concurrent,
                "parameters": parameters or [],
                "disabled": disabled,
            },
        )

    def create_pipeline(
        self,
        name: str,
        script: str,
        folder: str | None = None,
        parameters: list[dict] | None = None,
        concurrent: bool = True,
        sandbox: bool = True,
        disabled: bool = False,
    ) -> str:
        """Creates a Pipeline job (WorkflowJob with a CpsFlowDefinition); returns its URL.

        folder: full name of an existing folder (None: top level). concurrent=False adds a
        DisableConcurrentBuildsJobProperty. parameters as for create_job.
        """
        return self.run_helper(
            "create_pipeline",
            {
                "name": name,
                "folder": folder,
                "script": script,
                "sandbox": sandbox,
                "concurrent": concurrent,
                "parameters": parameters or [],
                "disabled": disabled,
            },
        )

    def create_folder(self, path: str) -> str:
        """Creates the folder "a/b/c" and any missing folder above it; returns its URL."""
        return self.run_helper("create_folder", {"path": path})

    def add_node(
        self, name: str, labels: str = "", executors: int = 1, mode: str = "NORMAL", remote_fs: str | None = None
    ) -> str:
        """Adds a permanent agent (online at once in the double)."""
        return self.run_helper(
            "add_node",
            {
                "name": name,
                "labels": labels,
                "executors": executors,
                "mode": mode,
                "remote_fs": remote_fs or str(self.home / "agents" / name),
            },
        )

    def set_quiet_period(self, seconds: int) -> None:
        self.run_helper("set_quiet_period", {"seconds": seconds})


def start_double(
    home: Path,
    port: int = 0,
    users: list[str] | None = None,
    passwords: list[str] | None = None,
    admin_user: str = "admin",
    admin_token: str | None = None,
    require_crumb_for_tokens: bool = False,
    anonymous_read: bool = False,
    root_url: str | None = None,
    jenkins_version: str | None = None,
) -> JenkinsDouble:
    """Starts a double on home and waits until it serves.

    users / passwords take the command line's NAME:SECRET[:readonly] forms in
    addition to the admin user. port=0 picks a free port once, so that
    restart() comes back on the same one. jenkins_version (--jenkins-version,
    default 2.479.3) is the Jenkins release the double impersonates: X-Jenkins,
    Jenkins.VERSION and the version-dependent members and behaviours (README).
    """
    admin_token = admin_token or secrets.token_hex(16)
    extra: list[str] = []
    if require_crumb_for_tokens:
        extra.append("--require-crumb-for-tokens")
    if anonymous_read:
        extra.append("--anonymous-read")
    if root_url:
        extra += ["--root-url", root_url]
    if jenkins_version:
        extra += ["--jenkins-version", jenkins_version]
    double = JenkinsDouble(
        Path(home),
        port or free_port(),
        [f"{admin_user}:{admin_token}", *(users or [])],
        list(passwords or []),
        admin_user,
        admin_token,
        extra,
    )
    return double.start()
