"""The agent client: one method per agent hook, over the script console.

Every call renders a template from ``groovy_templates/``, posts it to
``/scriptText`` with python-jenkins, and reads the one framed reply line.
The script console answers HTTP 200 even when the script threw, so a reply
without our marker is a Groovy failure, reported with the master's name and
the Groovy exception. Each failure a user can meet has its own exception
type (``controller.errors``). A client is not shared between threads.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import jenkins
import requests

from controller import errors
from controller.config import MasterConfig
from controller.templates import REPLY_MARKER, agent_version, render

INIT_SCRIPT = "init.groovy.d/gearman-jenkins-agent.groovy"
DEFAULT_EVENT_LIMIT = 100000
# The agent's record of Gearman builds (README: "At most one build per unique id"):
# finished ones are kept this long, and at most this many.
RECORD_LIMIT = 20000
RECORD_AGE_MS = 24 * 3600 * 1000
_STATUS = re.compile(r"\[(\d{3})\]")
_EXCEPTION_LINE = re.compile(r"^\s*(?:Caused by: )?([\w$.]+(?:Exception|Error|Throwable)\b.*)$", re.MULTILINE)


@dataclass(frozen=True)
class AgentProbe:
    installed: bool
    version: str | None
    epoch: str | None
    jenkins_version: str
    agents: int
    lease: dict[str, Any] | None = None  # who owns the master, as the agent says


class RequestCounter:
    """Counts script-console requests (shared by the clients of one master)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self) -> None:
        with self._lock:
            self.count += 1


class MasterClient:
    def __init__(
        self,
        master: MasterConfig,
        timeout: float = 30.0,
        counter: RequestCounter | None = None,
        version: str | None = None,
    ):
        self.master = master
        self.version = version or agent_version()
        self.counter = counter or RequestCounter()
        self.timeout = timeout
        self._jenkins = jenkins.Jenkins(master.url, master.user, master.token.reveal(), timeout=timeout)

    @property
    def name(self) -> str:
        return self.master.name

    # ---- transport -------------------------------------------------------

    def run_template(self, template: str, payload: dict[str, Any]) -> Any:
        """Render, post, and return the decoded reply of one script."""
        nonce = secrets.token_hex(8)
        script = render(template, {**payload, "nonce": nonce})
        output = self._post(script)
        prefix = f"{REPLY_MARKER} {nonce} "
        for line in output.splitlines():
            if line.startswith(prefix):
                return json.loads(line[len(prefix) :])
        raise self._script_failure(output)

    def _post(self, script: str) -> str:
        for attempt in (1, 2):
            self.counter.add()
            try:
                return self._jenkins.run_script(script)
            except jenkins.TimeoutException as exc:
                # python-jenkins turns a read timeout into a JenkinsException without a status.
                raise errors.MasterUnreachable(
                    self.name,
                    f"no answer from {self.master.url} within {self.timeout:g} s ({_reason(exc)}); "
                    "is Jenkins overloaded or stuck?",
                ) from None
            except jenkins.JenkinsException as exc:
                failure = self._classify(str(exc))
                # A restarted Jenkins rejects the crumb it issued before: fetch a new one once.
                if isinstance(failure, errors.MasterCrumbRejected) and attempt == 1:
                    self._jenkins.crumb = None
                    continue
                raise failure from None
            except requests.exceptions.RequestException as exc:
                raise errors.MasterUnreachable(
                    self.name, f"cannot reach {self.master.url}: {_reason(exc)}; is Jenkins up and the URL right?"
                ) from None
        raise AssertionError("unreachable")

    def _classify(self, text: str) -> errors.MasterError:
        status = _STATUS.search(text.split("\n", 1)[0])
        code = int(status.group(1)) if status and text.startswith("Error in request") else None
        if code == 401:
            return errors.MasterUnauthorized(
                self.name, f"HTTP 401 from {self.master.url}: user {self.master.user!r} or its API token is wrong"
            )
        if code == 403 and "crumb" in text.lower() and self._jenkins.crumb is False:
            # python-jenkins found no crumb issuer there (404), yet Jenkins wants a crumb.
            return errors.MasterCrumbRejected(
                self.name,
                f"HTTP 403 from {self.master.url}: Jenkins wants a CSRF crumb but "
                f"{self.master.url}crumbIssuer/api/json issues none; is the URL the Jenkins root?",
            )
        if code == 403 and "crumb" in text.lower():
            return errors.MasterCrumbRejected(
                self.name,
                f"HTTP 403 from {self.master.url}: no valid CSRF crumb reached Jenkins "
                "(a proxy may drop the Jenkins-Crumb header or the session cookie; use an API token, not a password)",
            )
        if code == 403:
            return errors.MasterForbidden(
                self.name,
                f"HTTP 403 from {self.master.url}: user {self.master.user!r} lacks Overall/Administer, "
                "which the script console needs",
            )
        if code is not None:
            return errors.MasterError(self.name, f"HTTP {code} from {self.master.url}scriptText")
        if text.startswith("Requested item could not be found") or "404" in text.split("\n", 1)[0]:
            return errors.MasterError(
                self.name, f"no script console at {self.master.url}scriptText; is the URL the Jenkins root?"
            )
        return self._script_failure(text)

    def _script_failure(self, output: str) -> errors.MasterError:
        match = _EXCEPTION_LINE.search(output)
        if match:
            return errors.GroovyError(self.name, match.group(1).strip(), output)
        first = output.strip().splitlines()[0] if output.strip() else "no output"
        return errors.MasterError(self.name, f"unexpected script console reply: {first[:200]}")

    # ---- agent life cycle --------------------------------------------------

    def probe(self) -> AgentProbe:
        reply = self.run_template("agent_probe.groovy", {})
        return AgentProbe(
            reply["installed"],
            reply["version"],
            reply["epoch"],
            reply["jenkins_version"],
            reply["agents"],
            reply.get("lease"),
        )

    def _agent_payload(self, event_limit: int, record_limit: int, record_age_ms: int) -> dict[str, Any]:
        return {
            "version": self.version,
            "event_limit": event_limit,
            "record_limit": record_limit,
            "record_age_ms": record_age_ms,
        }

    def agent_script(self, event_limit: int = DEFAULT_EVENT_LIMIT, record_limit: int = RECORD_LIMIT) -> str:
        """The agent as installed; also the text written to init.groovy.d."""
        payload = self._agent_payload(event_limit, record_limit, RECORD_AGE_MS)
        return render("agent.groovy", {**payload, "nonce": "boot"})

    def install(
        self,
        event_limit: int = DEFAULT_EVENT_LIMIT,
        record_limit: int = RECORD_LIMIT,
        record_age_ms: int = RECORD_AGE_MS,
    ) -> dict[str, Any]:
        return self.run_template("agent.groovy", self._agent_payload(event_limit, record_limit, record_age_ms))

    def persist(self, event_limit: int = DEFAULT_EVENT_LIMIT) -> dict[str, Any]:
        """Write the agent into $JENKINS_HOME/init.groovy.d through the script console."""
        return self.run_template(
            "agent_persist.groovy", {"init_script": INIT_SCRIPT, "text": self.agent_script(event_limit)}
        )

    def uninstall(self) -> dict[str, Any]:
        return self.run_template("agent_uninstall.groovy", {"init_script": INIT_SCRIPT})

    # ---- calls into the resident agent ---------------------------------------

    def _call(self, template: str, payload: dict[str, Any]) -> tuple[str, Any]:
        reply = self.run_template(template, {**payload, "version": self.version})
        error = reply.get("error")
        if error == "agent_missing":
            raise errors.AgentMissing(self.name, "no agent installed; run `gearman-jenkins deploy`")
        if error == "version_mismatch":
            raise errors.AgentVersionMismatch(self.name, reply.get("installed") or "?", self.version)
        return reply["epoch"], reply["result"]

    def inventory(self, with_records: bool = False) -> tuple[str, dict[str, Any]]:
        """The master's picture; ``with_records`` adds the uuids of finished Gearman builds."""
        return self._call("agent_inventory.groovy", {"with_records": with_records})

    def events(
        self,
        after: int,
        timeout: float,
        linger: float = 0.0,
        limit: int = 5000,
        lease: dict[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Events after ``after``; ``lease`` ({name, instance, epoch, ttl_ms}) renews the holder's lease first."""
        payload = {
            "after": after,
            "timeout_ms": int(timeout * 1000),
            "linger_ms": int(linger * 1000),
            "max": limit,
            "lease": lease,
        }
        return self._call("agent_events.groovy", payload)

    def batch(self, ops: list[dict[str, Any]], lease: dict[str, Any] | None = None) -> tuple[str, list[dict[str, Any]]]:
        """Operations, run only if ``lease`` ({name, instance, epoch}) is the master's current one."""
        return self._call("agent_batch.groovy", {"ops": ops, "lease": lease})

    def acquire_lease(self, name: str, instance: str, ttl_ms: int) -> tuple[str, dict[str, Any]]:
        payload = {"action": "acquire", "name": name, "instance": instance, "epoch": 0, "ttl_ms": ttl_ms}
        return self._call("agent_lease.groovy", payload)

    def release_lease(self, name: str, instance: str, epoch: int) -> tuple[str, dict[str, Any]]:
        payload = {"action": "release", "name": name, "instance": instance, "epoch": epoch, "ttl_ms": 0}
        return self._call("agent_lease.groovy", payload)


def _reason(exc: BaseException) -> str:
    """The innermost, most telling part of a requests/urllib3 error."""
    text = str(exc)
    for pattern in (r"\[Errno -?\d+\] ([^'\")]+)", r"(Read timed out)", r"(Connection refused)"):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
