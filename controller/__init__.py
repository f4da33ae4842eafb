"""gearman-jenkins: one Gearman job queue in front of many Jenkins masters.

The package reads as the data flows: ``config`` -> ``masters`` (the agent
client for each Jenkins master) -> ``gearman`` (the workers on the Gearman
servers) -> ``dispatch`` (the rules that map Gearman jobs onto builds).
"""

__version__ = "0.2.0"
