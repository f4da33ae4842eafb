"""Allows ``python -m controller``, the same as the ``gearman-jenkins`` script."""

import sys

from controller.cli import main

sys.exit(main())
