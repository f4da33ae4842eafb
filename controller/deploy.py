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
of any older one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from controller import errors, ssh_transport
from controller.config import MasterConfig
from controller.masters.client import INIT_SCRIPT, MasterClient

VIA = ("script-console", "ssh")


@dataclass
class DeployResult:
    master: str
    via: str
    version: str
    active: bool = False  # the running master has this agent now
    installed: bool = False  # False when that version was already running
    replaced: list[str] | None = None
    epoch: str | None = None
    persisted: str | None = None  # where the boot copy is
    persist_changed: bool = False
    warnings: list[str] | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _require_ssh(master: MasterConfig):
    if master.ssh is None:
        raise errors.ConfigError(f"master {master.name}: --via ssh needs an ssh: section (host, user, jenkins_home)")
    return master.ssh


def deploy(master: MasterConfig, via: str) -> DeployResult:
    client = MasterClient(master)
    result = DeployResult(master.name, via, client.version, warnings=[])
    if via == "ssh":
        ssh = _require_ssh(master)
        written = ssh_transport.install_file(ssh, INIT_SCRIPT, client.agent_script().encode("utf-8"))
        result.persisted = f"{ssh.host}:{written.path}"
        result.persist_changed = written.outcome is not ssh_transport.Outcome.UNCHANGED
        result.warnings.extend(written.warnings)
        try:
            _activate(client, result)
        except errors.MasterUnreachable as exc:
            result.error = f"agent written over SSH but not active yet: {exc}"
        return result
    _activate(client, result)
    persisted = client.persist()
    result.persisted = persisted["path"]
    result.persist_changed = persisted["changed"]
    return result


def _activate(client: MasterClient, result: DeployResult) -> None:
    reply = client.install()
    result.active = True
    result.installed = reply["installed"]
    result.replaced = reply["replaced"]
    result.epoch = reply["epoch"]


@dataclass
class UndeployResult:
    master: str
    via: str
    removed: list[str] | None = None  # extension classes taken out of the running master
    boot_copy_removed: bool = False
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def undeploy(master: MasterConfig, via: str) -> UndeployResult:
    client = MasterClient(master)
    result = UndeployResult(master.name, via)
    if via == "ssh":
        result.boot_copy_removed = ssh_transport.remove_file(_require_ssh(master), INIT_SCRIPT)
        try:
            result.removed = client.uninstall()["removed"]
        except errors.MasterUnreachable as exc:
            result.error = f"boot copy removed over SSH; the running master still has the agent: {exc}"
        return result
    reply = client.uninstall()
    result.removed = reply["removed"]
    result.boot_copy_removed = reply["init_script_deleted"]
    return result
