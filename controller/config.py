"""The controller's YAML configuration: loading and validation.

Produces frozen dataclasses; nothing else in the package reads the file.
Every validation error is one line naming the file, the line, the key and
what is expected. Secrets (API tokens) are wrapped in ``Secret`` so that a
log line or a repr of the config never shows them.

Example::

    gearman:
      servers: ["127.0.0.1:4730"]
      tls: {key: worker.key, cert: worker.crt, ca: ca.crt}   # optional
    masters:
      - name: jenkins01                 # optional: default is the URL's host
        url: https://jenkins01.example.org/
        user: gearman
        token_file: /etc/gearman-jenkins/jenkins01.token   # or token / token_env
        ssh: {host: jenkins01.example.org, user: jenkins,
              jenkins_home: /var/lib/jenkins}               # optional
    options:
      event_poll_timeout: 30
      inventory_interval: 60
      orphan_grace: 60
      record_wait: 120                 # how long unknown unique ids wait for masters not heard from
      controller_name: ops1            # default: the host name; how other controllers know this one
      lease_seconds: 9                 # a master's lease lasts this long without renewal
      undeclared_parameters:           # which parameters a job does not declare may reach it
        allow: ["*"]
        deny: [PATH, "LD_*", ...]      # default: controller.contract.parameters.DEFAULT_DENY
      log_level: INFO
      metrics_port: 9465               # Prometheus metrics, off unless given
      metrics_host: 127.0.0.1          # address the metrics listen on
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from controller.contract.parameters import ParameterPolicy
from controller.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("/etc/gearman-jenkins/config.yaml")
CONFIG_ENV = "GEARMAN_JENKINS_CONFIG"
DEFAULT_GEARMAN_PORT = 4730
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Secret:
    """A string that never shows itself in reprs, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class GearmanServer:
    host: str
    port: int = DEFAULT_GEARMAN_PORT

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class TLSConfig:
    key: Path
    cert: Path
    ca: Path


@dataclass(frozen=True)
class SSHConfig:
    host: str
    user: str
    jenkins_home: str
    port: int = 22
    key: Path | None = None
    known_hosts: Path | None = None


@dataclass(frozen=True)
class MasterConfig:
    name: str
    url: str
    user: str
    token: Secret = field(repr=False)
    ssh: SSHConfig | None = None
    controllers: tuple[str, ...] = ()  # controllers that should own it, in order of preference


@dataclass(frozen=True)
class Options:
    event_poll_timeout: float = 30.0
    inventory_interval: float = 60.0
    orphan_grace: float = 60.0
    record_wait: float = 120.0
    controller_name: str = field(default_factory=socket.gethostname)  # this controller, among several
    lease_seconds: float = 9.0  # how long a master's lease lasts without renewal
    undeclared_parameters: ParameterPolicy = field(default_factory=ParameterPolicy)
    log_level: str = "INFO"
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"


@dataclass(frozen=True)
class ExposedSecret:
    """A file holding a secret that its owner's group or others may read or write."""

    key: str  # where the config names it, e.g. masters[0].token_file
    path: Path
    mode: int  # its permission bits

    @property
    def fix(self) -> str:
        return f"chmod 600 {self.path}"

    def __str__(self) -> str:
        who = " and ".join(
            name for name, bits in (("group", stat.S_IRWXG), ("others", stat.S_IRWXO)) if self.mode & bits
        )
        return f"{self.key}: {self.path} is accessible by {who} (mode {self.mode:04o}); {self.fix}"


@dataclass(frozen=True)
class Config:
    path: Path
    gearman_servers: tuple[GearmanServer, ...]
    masters: tuple[MasterConfig, ...]
    tls: TLSConfig | None = None
    options: Options = Options()
    warnings: tuple[ExposedSecret, ...] = field(default=(), compare=False)

    def master(self, name: str) -> MasterConfig:
        for master in self.masters:
            if master.name == name:
                return master
        known = ", ".join(m.name for m in self.masters) or "none"
        raise ConfigError(f"{self.path}: no master named {name!r} (configured: {known})")


def default_config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)


def parse_server(text: str) -> GearmanServer:
    """``host[:port]`` (IPv6 as ``[::1]:4730``) -> GearmanServer; ValueError if malformed."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
        if rest and not rest.startswith(":"):
            raise ValueError(text)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif ":" in text:
        host, port_text = str(ipaddress.IPv6Address(text)), ""  # a bare IPv6 address, no port
    else:
        host, port_text = text, ""
    if not host:
        raise ValueError(text)
    port = int(port_text) if port_text else DEFAULT_GEARMAN_PORT
    if not 0 < port < 65536:
        raise ValueError(text)
    return GearmanServer(host, port)


def load_config(path: Path | str) -> Config:
    """Read and validate the file; raise ConfigError naming what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file (give one with -c PATH)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = _line_of_byte(exc.object, exc.start)
        raise ConfigError(f"{path} line {line}: not UTF-8 text (byte {exc.object[exc.start]:#04x})") from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}") from None
    return _Validator(path, root).config(data)


def _line_of_byte(data: bytes, offset: int) -> int:
    """The 1-based line number of byte ``offset`` in ``data``."""
    return data.count(b"\n", 0, offset) + 1


class _Validator:
    """Turns parsed YAML into a Config, reporting errors with file, line and key."""

    def __init__(self, path: Path, root: yaml.Node | None):
        self.path = path
        self.root = root
        self.warnings: list[ExposedSecret] = []

    def fail(self, key: str, expected: str) -> ConfigError:
        line = self._line_of(key) if key else 1
        where = f"{self.path} line {line}" if line else str(self.path)
        return ConfigError(f"{where}: {key or 'the top level'}: {expected}")

    def _line_of(self, key: str) -> int | None:
        """Line of a dotted key path such as ``masters[1].url`` in the YAML source."""
        node = self.root
        line = None
        for part in key.replace("[", ".[").split("."):
            if node is None:
                break
            if part.startswith("[") and isinstance(node, yaml.SequenceNode):
                index = int(part[1:-1])
                node = node.value[index] if index < len(node.value) else None
            elif isinstance(node, yaml.MappingNode):
                match = [(k, v) for k, v in node.value if k.value == part]
                node = match[0][1] if match else None
                if match:
                    line = match[0][0].start_mark.line + 1
                    continue
            else:
                node = None
            if node is not None:
                line = node.start_mark.line + 1
        return line

    def mapping(self, value: Any, key: str, allowed: set[str]) -> dict:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        unknown = sorted(set(map(str, value)) - allowed)
        if unknown:
            prefix = f"{key}." if key else ""
            raise self.fail(
                f"{prefix}{unknown[0]}",
                f"unknown key (expected one of: {', '.join(sorted(allowed))})",
            )
        return value

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "expected a non-empty string")
        return value.strip()

    def number(self, value: Any, key: str, minimum: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            raise self.fail(key, f"expected a number >= {minimum}, got {value!r}")
        return float(value)

    def port(self, value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
            raise self.fail(key, f"expected a TCP port number (1-65535), got {value!r}")
        return value

    def file(self, value: Any, key: str) -> Path:
        candidate = Path(self.string(value, key)).expanduser()
        if not candidate.is_absolute():
            candidate = self.path.parent / candidate
        if not candidate.is_file():
            raise self.fail(key, f"expected an existing file, {candidate} is not one")
        return candidate

    def secret_file(self, value: Any, key: str) -> Path:
        """A file that holds a secret; noted in ``warnings`` if group or others may read or write it."""
        candidate = self.file(value, key)
        mode = stat.S_IMODE(candidate.stat().st_mode)
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            self.warnings.append(ExposedSecret(key, candidate, mode))
        return candidate

    def config(self, data: Any) -> Config:
        top = self.mapping(data, "", {"gearman", "masters", "options"})
        gearman = self.mapping(top.get("gearman"), "gearman", {"servers", "tls"})
        servers = self.gearman_servers(gearman.get("servers"))
        tls = self.tls(gearman["tls"]) if gearman.get("tls") is not None else None
        masters = self.masters(top.get("masters"))
        options = self.options(top.get("options"))
        return Config(self.path, servers, masters, tls, options, tuple(self.warnings))

    def gearman_servers(self, value: Any) -> tuple[GearmanServer, ...]:
        # May be empty: `run --embedded-gearman` and `submit -s` supply a server.
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail("gearman.servers", 'expected a list of "host:port", e.g. ["127.0.0.1:4730"]')
        servers = []
        for index, item in enumerate(value):
            key = f"gearman.servers[{index}]"
            try:
                servers.append(parse_server(self.string(item, key)))
            except ValueError:
                raise self.fail(key, f'expected "host:port", got {item!r}') from None
        if len(set(servers)) != len(servers):
            raise self.fail("gearman.servers", "lists the same server twice")
        return tuple(servers)

    def tls(self, value: Any) -> TLSConfig:
        tls = self.mapping(value, "gearman.tls", {"key", "cert", "ca"})
        files = {}
        for name in ("key", "cert", "ca"):
            if name not in tls:
                raise self.fail(f"gearman.tls.{name}", "missing (TLS needs key, cert and ca)")
            read = self.secret_file if name == "key" else self.file
            files[name] = read(tls[name], f"gearman.tls.{name}")
        return TLSConfig(**files)

    def masters(self, value: Any) -> tuple[MasterConfig, ...]:
        # May be empty for client commands; commands that act on masters say so.
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail("masters", "expected a list of masters, each with url, user and a token")
        masters: list[MasterConfig] = []
        for index, item in enumerate(value):
            master = self.master(item, f"masters[{index}]")
            for other in masters:
                if other.name == master.name:
                    raise self.fail(
                        f"masters[{index}].name",
                        f"{master.name!r} is already the name of another master; "
                        "names must be unique (set name: explicitly)",
                    )
            masters.append(master)
        return tuple(masters)

    def master(self, value: Any, key: str) -> MasterConfig:
        allowed = {"name", "url", "user", "token", "token_file", "token_env", "ssh", "controllers"}
        item = self.mapping(value, key, allowed)
        url = self.string(item.get("url"), f"{key}.url")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(f"{key}.url", f"expected an http(s) URL, got {url!r}")
        if not url.endswith("/"):
            url += "/"
        name = self.string(item["name"], f"{key}.name") if "name" in item else parts.hostname
        user = self.string(item.get("user"), f"{key}.user")
        token = self.token(item, key)
        ssh = self.ssh(item["ssh"], f"{key}.ssh") if item.get("ssh") is not None else None
        controllers = self.names(item.get("controllers", []), f"{key}.controllers")
        return MasterConfig(name, url, user, token, ssh, controllers)

    def names(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, "expected a list of controller names, e.g. [ops1, ops2]")
        return tuple(self.string(name, f"{key}[{index}]") for index, name in enumerate(value))

    def token(self, item: dict, key: str) -> Secret:
        given = [name for name in ("token", "token_file", "token_env") if name in item]
        if len(given) != 1:
            raise self.fail(key, "expected exactly one of token, token_file or token_env")
        source = given[0]
        if source == "token":
            return Secret(self.string(item["token"], f"{key}.token"))
        if source == "token_file":
            token_path = self.secret_file(item["token_file"], f"{key}.token_file")
            try:
                text = token_path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise self.fail(f"{key}.token_file", f"cannot read {token_path}: {exc.strerror}") from None
            if not text:
                raise self.fail(f"{key}.token_file", f"{token_path} is empty")
            return Secret(text)
        variable = self.string(item["token_env"], f"{key}.token_env")
        if not os.environ.get(variable):
            raise self.fail(f"{key}.token_env", f"environment variable {variable} is not set")
        return Secret(os.environ[variable].strip())

    def ssh(self, value: Any, key: str) -> SSHConfig:
        allowed = {"host", "port", "user", "key", "known_hosts", "jenkins_home"}
        item = self.mapping(value, key, allowed)
        return SSHConfig(
            host=self.string(item.get("host"), f"{key}.host"),
            user=self.string(item.get("user"), f"{key}.user"),
            jenkins_home=self.string(item.get("jenkins_home"), f"{key}.jenkins_home"),
            port=self.port(item.get("port", 22), f"{key}.port"),
            key=self.secret_file(item["key"], f"{key}.key") if "key" in item else None,
            known_hosts=self.file(item["known_hosts"], f"{key}.known_hosts") if "known_hosts" in item else None,
        )

    def parameter_policy(self, value: Any) -> ParameterPolicy:
        key = "options.undeclared_parameters"
        item = self.mapping(value, key, {"allow", "deny"})
        defaults = ParameterPolicy()
        return ParameterPolicy(
            allow=self.patterns(item.get("allow", list(defaults.allow)), f"{key}.allow"),
            deny=self.patterns(item.get("deny", list(defaults.deny)), f"{key}.deny"),
        )

    def patterns(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, 'expected a list of name patterns, e.g. ["ZUUL_*"]')
        return tuple(self.string(pattern, f"{key}[{index}]") for index, pattern in enumerate(value))

    def options(self, value: Any) -> Options:
        item = self.mapping(value, "options", {field.name for field in dataclasses.fields(Options)})
        defaults = Options()
        level = item.get("log_level", defaults.log_level)
        if not isinstance(level, str) or level.upper() not in LOG_LEVELS:
            raise self.fail("options.log_level", f"expected one of {', '.join(LOG_LEVELS)}, got {level!r}")
        metrics_port = item.get("metrics_port")
        return Options(
            event_poll_timeout=self.number(
                item.get("event_poll_timeout", defaults.event_poll_timeout), "options.event_poll_timeout", 1
            ),
            inventory_interval=self.number(
                item.get("inventory_interval", defaults.inventory_interval), "options.inventory_interval", 1
            ),
            orphan_grace=self.number(item.get("orphan_grace", defaults.orphan_grace), "options.orphan_grace", 0),
            record_wait=self.number(item.get("record_wait", defaults.record_wait), "options.record_wait", 0),
            controller_name=self.string(
                item.get("controller_name", defaults.controller_name), "options.controller_name"
            ),
            lease_seconds=self.number(item.get("lease_seconds", defaults.lease_seconds), "options.lease_seconds", 3),
            undeclared_parameters=self.parameter_policy(item.get("undeclared_parameters")),
            log_level=level.upper(),
            metrics_port=self.port(metrics_port, "options.metrics_port") if metrics_port is not None else None,
            metrics_host=self.string(item.get("metrics_host", defaults.metrics_host), "options.metrics_host"),
        )
