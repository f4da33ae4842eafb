"""The files in contrib/systemd: the unit passes systemd's own checks, the examples are valid.

``systemd-analyze verify`` loads a unit as systemd would, without a booted
systemd: it reports unknown sections and keys, bad values, and an
ExecStart= whose program does not exist.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from controller.config import load_config

REPO = Path(__file__).resolve().parents[2]
CONTRIB = REPO / "contrib" / "systemd"
UNIT = CONTRIB / "gearman-jenkins.service"
INSTALLED_COMMAND = "/opt/gearman-jenkins/bin/gearman-jenkins"  # where README.md installs it
COMMAND = str(Path(sys.executable).with_name("gearman-jenkins"))


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is not installed (Debian package systemd; `make sysdeps`)")
    return found


def unit_here(tmp_path: Path) -> Path:
    """The unit with ExecStart= pointing at this checkout's console script."""
    text = UNIT.read_text()
    assert INSTALLED_COMMAND in text
    unit = tmp_path / UNIT.name
    unit.write_text(text.replace(INSTALLED_COMMAND, COMMAND))
    return unit


def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    result = subprocess.run(
        [systemd_analyze(), "verify", str(unit_here(tmp_path))], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""  # unknown keys are only warnings: none either


def test_verify_would_notice_a_mistake(tmp_path):
    """The check above can fail: an unknown key and a missing program are reported."""
    unit = unit_here(tmp_path)
    unit.write_text(unit.read_text().replace("NoNewPrivileges=yes", "NoNewPrivilege=yes").replace(COMMAND, "/no/such"))
    result = subprocess.run([systemd_analyze(), "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Unknown key" in result.stderr and "NoNewPrivilege" in result.stderr
    assert "/no/such" in result.stderr


def test_the_unit_runs_the_daemon_as_a_notify_service_that_reloads_on_sighup():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read_string(UNIT.read_text())
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["ExecStart"].split()[:2] == [INSTALLED_COMMAND, "run"]
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["EnvironmentFile"] == "-/etc/default/gearman-jenkins"
    assert service["User"] == "gearman-jenkins" and service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    result = subprocess.run([COMMAND, "run", "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_the_example_config_loads_once_its_token_files_exist(tmp_path):
    config = tmp_path / "config.yaml"
    shutil.copy(CONTRIB / "config.example.yaml", config)
    for name in ("jenkins01.token", "jenkins02.token"):
        (tmp_path / name).write_text("11aa22bb\n")
        (tmp_path / name).chmod(0o600)
    loaded = load_config(config)
    assert [m.name for m in loaded.masters] == ["jenkins01", "jenkins02"]
    assert loaded.warnings == ()


def test_the_example_environment_file_names_the_config_and_the_options():
    assignments = dict(
        line.split("=", 1)
        for line in (CONTRIB / "gearman-jenkins.default").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert assignments == {"GEARMAN_JENKINS_CONFIG": "/etc/gearman-jenkins/config.yaml", "GEARMAN_JENKINS_OPTIONS": ""}
