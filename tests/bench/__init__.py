"""`make bench` (``python -m tests.bench``): what the controller costs, measured side by side in one run.

Phases, each in its own module, all on loopback against gearmand and the
Jenkins double:

- ``floor``: a bare gear echo worker on the same gearmand (the least a
  Gearman round trip can cost here);
- ``latency``: time to a started build, python-jenkins polling the queue
  directly against the controller's Gearman path, same double, same job;
- ``throughput``: zero-length builds through the controller with the queue
  kept full, and the script-console requests each build cost;
- ``scale``: the idle controller's memory, threads and CPU with 100, 1000
  and 5000 executors, and the time to re-register 5000 workers after every
  node's labels change.

``farm`` starts and stops the processes, ``clients`` holds the timed gear
clients, ``report`` the targets, the table and the environment. Nothing here
is part of the test suite (no ``test_*`` module): a benchmark measures, it
does not assert, and a missed target is reported, never hidden.
"""
