"""The checks behind ``gearman-jenkins check``, like the gearman-plugin's "Test Connection" button.

Every Gearman server and master is probed (several at once, each one's
checks in order) and every finding is one ``Check``: what was checked, OK / WARN / FAIL, what was seen and, for a
WARN or FAIL, what the operator should do. A master is checked in the order
its problems depend on each other (reachable -> authenticated -> may use the
script console -> agent), and the checks that cannot run after a failure
are left out rather than reported as failures of their own.

Per Gearman server: one admin connection, ``version`` (its round trip is
reported). Per master: two GETs (``me/api/json`` with the configured
credentials, for reachability, ``X-Jenkins`` and authentication;
``crumbIssuer/api/json``) and two tiny script calls (``agent_probe``; the
second is timed as "one script call"). Per token or private key file the
config names: WARN if group or others may read it (found when the config
was loaded).

This module never changes anything on a master or a server, never prints,
and never lets an exception of a check escape: a failure is a ``FAIL``.
``explain`` and ``remedy`` also serve ``deploy``, ``undeploy`` and
``status``: they say what to do about the typed errors of
``controller.errors``, naming the config file and key concerned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

from controller import errors
from controller.config import Config, GearmanServer, MasterConfig, TLSConfig
from controller.gearman.admin import AdminClient
from controller.masters.client import MasterClient

OK = "OK"
WARN = "WARN"
FAIL = "FAIL"
DEFAULT_TIMEOUT = 10.0
# One script call above this makes every build slow (each needs up to 2, docs/design.md, the agent).
SLOW_SCRIPT_CALL_MS = 1000.0
MAX_PARALLEL = 8


@dataclass(frozen=True)
class Check:
    """One finding: ``target`` is ``gearman HOST:PORT``, ``master NAME`` or ``file PATH``."""

    target: str
    check: str
    status: str
    detail: str
    fix: str | None = None
    ms: float | None = None  # the round trip this check measured, if any
    data: dict[str, Any] = field(default_factory=dict)  # what was learned, for --json

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hints:
    """What the fixes refer to: the config file and how each master is named in it."""

    config_path: Path
    master_keys: dict[str, str]  # master name -> "masters[i]"

    @classmethod
    def of(cls, config: Config) -> Hints:
        return cls(config.path, {master.name: f"masters[{index}]" for index, master in enumerate(config.masters)})

    def deploy(self, master: str) -> str:
        return f"gearman-jenkins deploy -c {self.config_path} --master {master}"

    def key(self, master: str) -> str:
        return f"{self.master_keys.get(master, 'masters')} of {self.config_path}"


def explain(error: errors.GearmanJenkinsError, hints: Hints) -> tuple[str, str | None]:
    """An error met while talking to a master (or over SSH) as (what happened, what to do).

    What happened is the error's message without the master's name in front
    and without the generic advice the error carries, which the second part
    replaces with a precise one.
    """
    master = getattr(error, "master", None)
    detail = str(error).removeprefix(f"master {master}: ") if master else str(error)
    if isinstance(error, errors.AgentMissing):
        detail = "no agent installed"
    elif isinstance(error, errors.AgentVersionMismatch):
        detail = f"agent {error.installed} installed, but this controller ships {error.expected}"
    elif isinstance(error, errors.MasterUnreachable):
        detail = detail.removesuffix("; is Jenkins up and the URL right?")
    return detail, remedy(error, hints)


def remedy(error: errors.GearmanJenkinsError, hints: Hints) -> str | None:
    """What to do about an error met while talking to a master (or over SSH); None when its message says it."""
    master = getattr(error, "master", None) or "?"
    if isinstance(error, errors.MasterUnauthorized):
        return (
            f"put a valid API token for that user in {hints.key(master)} (token, token_file or token_env); "
            "Jenkins makes one under the user's Security > API Token"
        )
    if isinstance(error, errors.MasterForbidden):
        return "grant that user Overall/Administer, or configure an administrator's user and API token"
    if isinstance(error, errors.MasterCrumbRejected):
        return (
            "use an API token rather than a password (Jenkins needs no crumb then), "
            "and let a reverse proxy pass the Jenkins-Crumb header and the session cookie"
        )
    if isinstance(error, errors.MasterUnreachable):
        return f"start Jenkins or correct the url in {hints.key(master)}"
    if isinstance(error, errors.AgentMissing | errors.AgentVersionMismatch):
        return f"run `{hints.deploy(master)}`"
    if isinstance(error, errors.GroovyError):
        return "the agent needs Jenkins 2.479 or later; on such a Jenkins, report this exception with its version"
    if isinstance(error, errors.SSHError):
        return None  # its messages say what to do already (ssh-keyscan, key, path)
    return f"check {hints.key(master)}"


# ---- Gearman servers -----------------------------------------------------------


def check_gearman_server(
    server: GearmanServer, tls: TLSConfig | None, hints: Hints, timeout: float = DEFAULT_TIMEOUT
) -> list[Check]:
    target = f"gearman {server}"
    try:
        with AdminClient(server, tls, timeout) as admin:
            started = time.monotonic()
            try:
                version = admin.version()
            except errors.GearmanServerError as exc:
                if not exc.message.startswith("`version` refused"):
                    raise
                version = None
                started = time.monotonic()  # a server without `version`: time `status` instead
                admin.status()
            elapsed = _ms(started)
    except errors.GearmanServerError as exc:
        fix = f"start the Gearman server on {server}, or correct gearman.servers in {hints.config_path}"
        return [Check(target, "server", FAIL, exc.message, fix)]
    what = f"version {version}" if version else "version unknown (no `version` admin command)"
    detail = f"{what}; admin round trip {_format_ms(elapsed)}"
    return [Check(target, "server", OK, detail, ms=elapsed, data={"version": version, "tls": tls is not None})]


# ---- masters -------------------------------------------------------------------


def check_master(master: MasterConfig, hints: Hints, timeout: float = DEFAULT_TIMEOUT) -> list[Check]:
    return _MasterChecks(master, hints, timeout).run()


class _MasterChecks:
    def __init__(self, master: MasterConfig, hints: Hints, timeout: float):
        self.master = master
        self.hints = hints
        self.timeout = timeout
        self.target = f"master {master.name}"
        self.checks: list[Check] = []
        self.session = requests.Session()
        self.session.auth = (master.user, master.token.reveal())

    def add(self, check: str, status: str, detail: str, fix: str | None = None, **extra: Any) -> None:
        self.checks.append(Check(self.target, check, status, detail, fix, **extra))

    def fail_with(self, check: str, error: errors.GearmanJenkinsError) -> None:
        self.add(check, FAIL, *explain(error, self.hints))

    def run(self) -> list[Check]:
        try:
            if self.http_and_authentication():
                crumb_issuer = self.crumb_issuer()
                self.script_console(crumb_issuer)
        finally:
            self.session.close()
        return self.checks

    def get(self, path: str) -> tuple[requests.Response, float]:
        started = time.monotonic()
        response = self.session.get(self.master.url + path, timeout=self.timeout)
        return response, _ms(started)

    def http_and_authentication(self) -> bool:
        url, user = self.master.url, self.master.user
        try:
            response, elapsed = self.get("me/api/json")
        except requests.RequestException as exc:
            fix = f"start Jenkins or correct the url in {self.hints.key(self.master.name)}"
            self.add("http", FAIL, f"cannot reach {url}: {_reason(exc)}", fix)
            return False
        version = response.headers.get("X-Jenkins")
        if version is None:
            self.add(
                "http",
                FAIL,
                f"{url} answers HTTP {response.status_code} but is not Jenkins (no X-Jenkins header)",
                f"set the url in {self.hints.key(self.master.name)} to the Jenkins root URL "
                "(a reverse proxy must pass the X-Jenkins header)",
            )
            return False
        self.add(
            "http",
            OK,
            f"{url} is Jenkins {version}; HTTP round trip {_format_ms(elapsed)}",
            ms=elapsed,
            data={"jenkins_version": version},
        )
        status = response.status_code
        if status == 401:
            self.fail_with(
                "authentication",
                errors.MasterUnauthorized(self.master.name, f"HTTP 401: user {user!r} or its API token is wrong"),
            )
            return False
        if status == 403:
            self.add(
                "authentication",
                FAIL,
                f"HTTP 403: user {user!r} logged in but may not even read (no Overall/Read)",
                "grant that user Overall/Administer, or configure an administrator's user and API token",
            )
            return False
        if status != 200:
            self.add(
                "authentication",
                WARN,
                f"cannot tell: HTTP {status} from {url}me/api/json",
                "the script console check below decides",
            )
            return True
        who = _json(response).get("id")
        if who is not None and who != user:
            self.add(
                "authentication",
                FAIL,
                f"Jenkins took the request as user {who!r}, not {user!r}",
                f"check user and token in {self.hints.key(self.master.name)}",
            )
            return False
        self.add("authentication", OK, f"user {user!r} logged in with its token")
        return True

    def crumb_issuer(self) -> str | None:
        """The crumb issuer's class, ``""`` when there is none, None when unknown."""
        try:
            response, _ = self.get("crumbIssuer/api/json")
        except requests.RequestException:
            return None
        if response.status_code == 404:
            return ""
        if response.status_code != 200:
            return None
        return str(_json(response).get("_class") or "a crumb issuer").rsplit(".", 1)[-1]

    def script_console(self, crumb_issuer: str | None) -> None:
        client = MasterClient(self.master, timeout=self.timeout)
        try:
            probe = client.probe()
        except errors.MasterCrumbRejected as exc:
            self.fail_with("crumb", exc)
            return
        except errors.MasterForbidden as exc:
            self.fail_with("administer", exc)
            return
        except errors.MasterUnreachable as exc:
            self.fail_with("script console", exc)
            return
        except errors.GearmanJenkinsError as exc:
            self.fail_with("script console", exc)
            return
        if crumb_issuer:
            self.add("crumb", OK, f"crumb issuer {crumb_issuer} present; a POST with its crumb was accepted")
        elif crumb_issuer == "":
            self.add("crumb", OK, "no crumb issuer (CSRF protection off); none needed")
        else:
            self.add("crumb", OK, "crumb issuer not readable, but a POST to the script console was accepted")
        self.add("administer", OK, f"user {self.master.user!r} may use the script console (Overall/Administer)")
        self.round_trip(client)
        self.agent(probe, client.version)

    def round_trip(self, client: MasterClient) -> None:
        started = time.monotonic()
        try:
            client.probe()
        except errors.GearmanJenkinsError as exc:
            self.fail_with("script call", exc)
            return
        elapsed = _ms(started)
        if elapsed > SLOW_SCRIPT_CALL_MS:
            self.add(
                "script call",
                WARN,
                f"one script call took {_format_ms(elapsed)}",
                "every build needs up to 2 script calls: look at the master's load and the network to it",
                ms=elapsed,
            )
        else:
            self.add("script call", OK, f"one script call takes {_format_ms(elapsed)} round trip", ms=elapsed)

    def agent(self, probe: Any, shipped: str) -> None:
        data = {"installed": probe.installed, "version": probe.version, "epoch": probe.epoch, "shipped": shipped}
        deploy = f"run `{self.hints.deploy(self.master.name)}`"
        if not probe.installed:
            fix = f"{deploy} (`run` installs it too, but only deploy keeps it across a master restart)"
            self.add("agent", WARN, f"not installed (this controller ships {shipped})", fix, data=data)
        elif probe.version != shipped:
            self.add(
                "agent",
                FAIL,
                f"agent {probe.version} installed, but this controller ships {shipped} (`run` refuses it)",
                f"{deploy} to replace it",
                data=data,
            )
        elif probe.agents > 1:
            self.add("agent", WARN, f"{probe.agents} agents running at once", f"{deploy} to keep one", data=data)
        else:
            epoch = (probe.epoch or "?")[:8]
            lease = probe.lease or {}
            data["lease"] = lease
            held = lease.get("held_ms", 0) / 1000
            owner = (
                f"owned by controller {lease['owner']} (lease epoch {lease['epoch']}, held {held:g} s)"
                if lease.get("owner")
                else "no controller owns it now"
            )
            detail = f"agent {probe.version} running (epoch {epoch}), the one this controller ships; {owner}"
            self.add("agent", OK, detail, data=data)


# ---- everything ----------------------------------------------------------------


def check_secret_files(config: Config) -> list[Check]:
    """A token or private key file that group or others may read: ssh warns of such keys too."""
    return [
        Check(f"file {warning.path}", "permissions", WARN, str(warning).removesuffix(f"; {warning.fix}"), warning.fix)
        for warning in config.warnings
    ]


def run_checks(config: Config, masters: Iterable[MasterConfig], timeout: float = DEFAULT_TIMEOUT) -> list[Check]:
    """Every check: the config's secret files, then Gearman servers, then masters, in config order.

    Servers and masters are checked in parallel.
    """
    hints = Hints.of(config)
    jobs: list[Callable[[], list[Check]]] = []
    for server in config.gearman_servers:
        jobs.append(lambda server=server: check_gearman_server(server, config.tls, hints, timeout))
    if not config.gearman_servers:
        fix = f"list gearman.servers in {config.path} (or start `run` with --embedded-gearman)"
        jobs.append(lambda: [Check("gearman", "servers", WARN, "no Gearman server configured", fix)])
    masters = tuple(masters)
    for master in masters:
        jobs.append(lambda master=master: check_master(master, hints, timeout))
    if not masters:
        fix = f"list masters in {config.path}"
        jobs.append(lambda: [Check("masters", "masters", WARN, "no master configured", fix)])
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(jobs))) as pool:
        results = list(pool.map(_guarded, jobs))
    return check_secret_files(config) + [check for checks in results for check in checks]


def _guarded(job: Callable[[], list[Check]]) -> list[Check]:
    try:
        return job()
    except Exception as exc:  # a bug in one check must not hide the others' results
        return [Check("check", "internal", FAIL, f"the check itself failed: {type(exc).__name__}: {exc}")]


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _format_ms(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS certificate not trusted or TLS handshake failed"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "no answer while connecting (timeout)"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "connected, but no answer in time"
    text = str(exc)
    if "BadStatusLine" in text:
        return "something answers there, but not in HTTP (is it the Jenkins port?)"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the connection was closed without an answer"
    for marker in ("Connection refused", "Name or service not known", "No route to host", "Network is unreachable"):
        if marker in text:
            return marker
    return text.splitlines()[0][:200] if text else type(exc).__name__
