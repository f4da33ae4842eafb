"""Which build parameters a Gearman client may set (README: "Undeclared parameters").

Jenkins passes a job only the parameters it declares (SECURITY-170); the
contract asks for every parameter a client sends to reach the build. So every
name a client sends would reach the build's environment, including the
variables that change how programs load or run (PATH, LD_PRELOAD, BASH_ENV,
JAVA_TOOL_OPTIONS, ...). The policy decides: a name the job declares is
always accepted; an undeclared one only if it matches an ``allow`` pattern
and no ``deny`` pattern. Patterns are shell-style (``ZUUL_*``), matched
case-sensitively, as environment variable names are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from controller.contract.payloads import OFFLINE_NODE_WHEN_COMPLETE

# Environment variables that change how the shell, the dynamic loader or an
# interpreter starts, or which program a command name finds.
DEFAULT_DENY: tuple[str, ...] = (
    "PATH",
    "LD_*",
    "DYLD_*",
    "BASH_ENV",
    "ENV",
    "BASH_FUNC_*",
    "SHELLOPTS",
    "BASHOPTS",
    "IFS",
    "PS4",
    "PROMPT_COMMAND",
    "CDPATH",
    "GCONV_PATH",
    "HOSTALIASES",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PERL5LIB",
    "PERL5OPT",
    "PERLLIB",
    "RUBYLIB",
    "RUBYOPT",
    "NODE_OPTIONS",
    "NODE_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_EXEC_PATH",
    "GIT_CONFIG*",
    "GIT_PROXY_COMMAND",
)


@dataclass(frozen=True)
class ParameterPolicy:
    allow: tuple[str, ...] = ("*",)
    deny: tuple[str, ...] = DEFAULT_DENY

    def accepts(self, name: str) -> bool:
        """Whether an undeclared name may reach the build."""
        if name == OFFLINE_NODE_WHEN_COMPLETE:
            return True  # the contract's own parameter
        return any(fnmatchcase(name, p) for p in self.allow) and not any(fnmatchcase(name, p) for p in self.deny)


def refused_parameter(parameters: Mapping[str, str], declared: Iterable[str], policy: ParameterPolicy) -> str | None:
    """The first parameter name the policy refuses (in the client's order), or None."""
    declared = set(declared)
    for name in parameters:
        if name not in declared and not policy.accepts(name):
            return name
    return None
