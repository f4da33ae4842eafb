"""The Gearman contract of docs/contract.md as pure functions.

Nothing in this package does I/O: it takes plain data about a master (nodes,
jobs, builds) and returns decisions (function names, packet payloads). The
gear sockets and the script-console calls are adapters around it.
"""
