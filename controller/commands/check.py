"""`gearman-jenkins check`: reach every Gearman server and master and report problems (not built yet)."""

from __future__ import annotations

import argparse
import sys

HELP = "reach every Gearman server and master and report problems"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    print("gearman-jenkins check: not built yet", file=sys.stderr)
    return 2
