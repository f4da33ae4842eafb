"""`gearman-jenkins check`: reach every Gearman server and master and report problems.

Like the gearman-plugin's "Test Connection" button, for the whole setup:
one line per check on stdout (OK / WARN / FAIL, what was checked, what was
seen), a count at the end, and one line per problem on stderr saying what to
do. ``--master NAME`` checks that master only (the Gearman servers are
always checked). The checks themselves are in ``controller.checks``.

Exit codes: 0 when nothing failed (warnings allowed), 1 when a check
failed, 2 for a bad config or an unknown ``--master``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import TYPE_CHECKING

from controller.commands.options import (
    add_config,
    add_json,
    add_master,
    add_timeout,
    config_from,
    print_json,
    selected_masters,
    timeout_from,
)
from controller.commands.tables import table

if TYPE_CHECKING:
    from controller.checks import Check

HELP = "reach every Gearman server and master: versions, permissions, agent (like the plugin's Test Connection)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    add_master(parser)
    add_timeout(parser, "server or request")
    add_json(parser)
    parser.epilog = "Exit codes: 0 nothing failed (warnings allowed), 1 a check failed, 2 usage or configuration error."


def run(args: argparse.Namespace) -> int:
    timeout = timeout_from(args)
    config = config_from(args, warn=False)
    # Imported here: --help and --version need not load python-jenkins.
    from controller.checks import FAIL, OK, WARN, run_checks

    checks = run_checks(config, selected_masters(config, args), timeout)
    counts = Counter(check.status for check in checks)
    failed = counts[FAIL] > 0
    if args.json:
        print_json(
            {
                "ok": not failed,
                "config": str(config.path),
                "summary": {status: counts[status] for status in (OK, WARN, FAIL)},
                "checks": [check.as_dict() for check in checks],
            }
        )
    else:
        for line in table([(check.status.ljust(4), check.target, check.check, check.detail) for check in checks]):
            print(line)
        print(f"{len(checks)} checks: {counts[OK]} OK, {counts[WARN]} WARN, {counts[FAIL]} FAIL")
    sys.stdout.flush()
    for check in checks:
        if check.status != OK:
            print(f"gearman-jenkins check: {_problem(check)}", file=sys.stderr)
    return 1 if failed else 0


def _problem(check: Check) -> str:
    what = f"{check.status} {check.target} {check.check}: {check.detail}"
    return f"{what}; {check.fix}" if check.fix else what
