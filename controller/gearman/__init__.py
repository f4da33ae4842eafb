"""Gearman protocol adapters: the worker side the controller runs
(``protocol``, ``connection``, ``worker``), the client side of ``submit``,
``stop`` and ``describe`` (``client``), the text admin protocol (``admin``)
and gear's own server tuned for one-machine setups (``embedded_server``).

Names follow the Gearman protocol document (http://gearman.org/protocol/):
packet types such as WORK_DATA or WORK_COMPLETE and admin commands such as
``status`` or ``workers`` keep their spec names here.
"""
