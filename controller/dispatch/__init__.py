"""Dispatch: mapping Gearman jobs onto Jenkins builds.

``builds`` holds the life cycle of every Gearman build (the transitions and
the packets each one sends), ``capacity`` decides which idle executors may
grab and in what order, ``roster`` keeps one worker per executor,
``management`` answers stop: and set_description:, and ``dispatcher`` wires
them to the Gearman workers and the master sessions.
"""
