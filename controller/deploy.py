"""Installing and removing the agent on masters (``deploy`` / ``undeploy``).

Two ways to make the agent survive a master restart, both writing the same
rendered agent to ``$JENKINS_HOME/init.groovy.d/gearman-jenkins-agent.groovy``
(Jenkins runs that directory's scripts at boot):

- ``script-console``: the script console writes the file (the master must
  be reachable over HTTP);
- ``ssh``: SFTP writes it (``controller.ssh_transport``), for hosts the
  operator reaches by SSH; the agent is then activated through the script
  console when the master answers.

Either way the running master gets the agent at once, installed in place
of any older one; running the same deploy twice changes nothing the second
time. Over SSH the boot copy is written first, so that a master that is
down or refuses the script console still loads the agent at its next boot;
the result then says that the agent is written but not active. Through the
script console the running master gets the agent first, then the copy.

Each function returns a result for one master and raises only for a
failure before anything was changed; a failure after a partial change is
kept in the result (``failure``, and in ``error`` what had been done).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from controller import errors, ssh_transport
from controller.config import MasterConfig, SSHConfig
from controller.masters.client import INIT_SCRIPT, MasterClient


@dataclass
class DeployResult:
    master: str
    via: str
    version: str
    active: bool = False  # the running master has this agent now
    installed: bool = False  # False when that version was already running
    replaced: list[str] = field(default_factory=list)  # versions of the agents it replaced
    epoch: str | None = None
    persisted: str | None = None  # where the boot copy is (host:path over SSH)
    persist_changed: bool = False
    warnings: list[str] = field(default_factory=list)
    # A failure: ``failure`` is the error, ``error`` what was done before it
    # (set here) and then what happened (the command completes it), ``fix``
    # what to do. ``failure`` is not part of as_dict().
    error: str | None = None
    fix: str | None = None
    failure: errors.GearmanJenkinsError | None = field(default=None, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return self.installed or self.persist_changed

    def as_dict(self) -> dict:
        return _as_dict(self)


def require_ssh(master: MasterConfig) -> SSHConfig:
    if master.ssh is None:
        raise errors.ConfigError(
            f"master {master.name}: --via ssh needs an ssh: section (host, user, jenkins_home) "
            "in its config; or use --via script-console"
        )
    return master.ssh


def deploy(master: MasterConfig, via: str, client: MasterClient | None = None) -> DeployResult:
    """Install the agent in the running master and its boot copy; ``via`` is ``script-console`` or ``ssh``."""
    client = client or MasterClient(master)
    result = DeployResult(master.name, via, client.version)
    if via == "ssh":
        ssh = require_ssh(master)
        written = ssh_transport.install_file(ssh, INIT_SCRIPT, client.agent_script().encode("utf-8"))
        result.persisted = f"{ssh.host}:{written.path}"
        result.persist_changed = written.outcome is not ssh_transport.Outcome.UNCHANGED
        result.warnings.extend(written.warnings)
        try:
            _activate(client, result)
        except errors.MasterError as exc:
            # The boot copy is in place: the next start of the master loads it.
            result.error = "boot copy written over SSH, but the running master does not have the agent"
            result.failure = exc
        return result
    _activate(client, result)
    try:
        persisted = client.persist()
    except errors.MasterError as exc:
        result.error = "agent active in the running master, but its boot copy could not be written"
        result.failure = exc
        return result
    result.persisted = persisted["path"]
    result.persist_changed = persisted["changed"]
    return result


def _activate(client: MasterClient, result: DeployResult) -> None:
    reply = client.install()
    result.active = True
    result.installed = reply["installed"]
    result.replaced = list(reply["replaced"])
    result.epoch = reply["epoch"]


@dataclass
class UndeployResult:
    master: str
    via: str
    removed: list[str] = field(default_factory=list)  # extension classes taken out of the running master
    boot_copy_removed: bool = False
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # as in DeployResult
    fix: str | None = None
    failure: errors.GearmanJenkinsError | None = field(default=None, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.removed) or self.boot_copy_removed

    def as_dict(self) -> dict:
        return _as_dict(self)


def undeploy(master: MasterConfig, via: str, client: MasterClient | None = None) -> UndeployResult:
    client = client or MasterClient(master)
    result = UndeployResult(master.name, via)
    if via == "ssh":
        result.boot_copy_removed = ssh_transport.remove_file(require_ssh(master), INIT_SCRIPT)
        try:
            result.removed = _unique(client.uninstall()["removed"])
        except errors.MasterError as exc:
            what = "boot copy removed over SSH" if result.boot_copy_removed else "no boot copy was there"
            result.error = f"{what}, but the running master may still have the agent"
            result.failure = exc
        return result
    reply = client.uninstall()
    result.removed = _unique(reply["removed"])
    result.boot_copy_removed = reply["init_script_deleted"]
    return result


def _unique(names: list[str]) -> list[str]:
    return sorted(set(names))


def _as_dict(result: DeployResult | UndeployResult) -> dict:
    # Not dataclasses.asdict: it would deep-copy ``failure``, an exception.
    return {f.name: getattr(result, f.name) for f in fields(result) if f.name != "failure"}
