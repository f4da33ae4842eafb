"""Runs the real Jenkins Job Builder (``jenkins-jobs``, pinned in setup.cfg) against a master, as a CI admin would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

JENKINS_JOBS = Path(sys.executable).with_name("jenkins-jobs")


def jenkins_jobs(double: Any, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """``jenkins-jobs --conf INI ARGS`` with the double's admin credentials; fails the test if it fails."""
    ini = workdir / "jenkins_jobs.ini"
    ini.write_text(
        textwrap.dedent(f"""
            [job_builder]
            ignore_cache=True
            [jenkins]
            url={double.url}
            user={double.admin_user}
            password={double.admin_token}
            query_plugins_info=True
        """)
    )
    env = dict(os.environ, HOME=str(workdir), XDG_CACHE_HOME=str(workdir / "cache"))
    result = subprocess.run(
        [str(JENKINS_JOBS), "--conf", str(ini), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result
