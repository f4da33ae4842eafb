"""`gearman-jenkins status`: show Gearman functions, executors and running builds (not built yet)."""

from __future__ import annotations

import argparse
import sys

HELP = "show Gearman functions, executors and running builds"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    print("gearman-jenkins status: not built yet", file=sys.stderr)
    return 2
