"""The exceptions a user can meet, each with a one-line message.

Every error here names the thing it is about (config file and key, master,
Gearman server, host) and, where there is one, what to do about it. The CLI
prints ``str(error)`` and exits; it never shows a traceback for these.
"""

from __future__ import annotations


class GearmanJenkinsError(Exception):
    """Base of every expected failure."""


class ConfigError(GearmanJenkinsError):
    """The configuration file is missing, unreadable or invalid."""


class UsageError(GearmanJenkinsError):
    """A command line that cannot work (the CLI exits 2, as for a bad config)."""


class MasterError(GearmanJenkinsError):
    """Something went wrong talking to one Jenkins master."""

    def __init__(self, master: str, message: str):
        self.master = master
        super().__init__(f"master {master}: {message}")


class NotOwner(MasterError):
    """Another controller owns the master (or nobody, for now): this one may not act on it."""


class MasterUnreachable(MasterError):
    """Connection refused, DNS failure, timeout or a proxy error."""


class MasterUnauthorized(MasterError):
    """HTTP 401: the user or API token is wrong."""


class MasterForbidden(MasterError):
    """HTTP 403 without a crumb problem: the user is not an administrator."""


class MasterCrumbRejected(MasterError):
    """HTTP 403 because no valid CSRF crumb reached Jenkins."""


class GroovyError(MasterError):
    """A script sent to the script console threw; carries the Groovy exception."""

    def __init__(self, master: str, exception: str, output: str):
        self.exception = exception
        self.output = output
        super().__init__(master, f"Groovy script failed: {exception}")


class AgentMissing(MasterError):
    """The master has no agent installed."""


class AgentVersionMismatch(MasterError):
    """The agent installed in the master is not the one this controller ships."""

    def __init__(self, master: str, installed: str, expected: str):
        self.installed = installed
        self.expected = expected
        super().__init__(
            master,
            f"agent version {installed} is installed but this controller needs {expected}; "
            "run `gearman-jenkins deploy` to replace it",
        )


class GearmanServerError(GearmanJenkinsError):
    """A Gearman server could not be reached or answered badly."""

    def __init__(self, server: str, message: str):
        self.server = server
        self.message = message
        super().__init__(f"gearman server {server}: {message}")


class SSHError(GearmanJenkinsError):
    """Deploying over SSH failed (connection, host key, authentication, SFTP)."""

    def __init__(self, host: str, message: str):
        self.host = host
        super().__init__(f"ssh {host}: {message}")
