"""Which controller owns which master, when several run (README: "Several controllers").

``assignment`` is the pure rule; ``membership`` learns from the Gearman
servers which controllers are alive and which masters each reaches;
``coordinator`` applies the rule to this controller's masters' leases.
"""
