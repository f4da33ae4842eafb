"""The floor: a bare gear echo worker on the same gearmand, SUBMIT_JOB to WORK_COMPLETE.

The worker runs in its own process (``python -m tests.bench.floor HOST
PORT``), as the controller does, so that client and worker do not share a
GIL. Nothing the controller does can be faster than this round trip.
"""

from __future__ import annotations

import subprocess
import sys

from tests.bench.clients import NoDelayWorker, TimedClient
from tests.bench.farm import BenchGearmand, function_workers, progress, wait_for

FUNCTION = "bench:echo"


def serve_echo(host: str, port: int) -> None:
    worker = NoDelayWorker("bench-echo")
    worker.addServer(host, port)
    worker.waitForServer()
    worker.registerFunction(FUNCTION)
    while True:
        job = worker.getJob()
        job.sendWorkComplete(job.arguments)


def measure(server: BenchGearmand, samples: int, warmup: int = 20) -> list[float]:
    """Round trips in ms, sequential."""
    echo = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.floor", server.host, str(server.port)], stdin=subprocess.DEVNULL
    )
    client = None
    try:
        wait_for(lambda: function_workers(server).get(FUNCTION, 0) >= 1, 30, "the echo worker")
        client = TimedClient(server)
        for _ in range(warmup):
            client.run(FUNCTION, raw=b"x", timeout=30)
        progress(f"floor: {samples} echo jobs")
        return [client.run(FUNCTION, raw=b"x", timeout=30).complete_ms for _ in range(samples)]
    finally:
        if client is not None:
            client.shutdown()
        echo.terminate()
        try:
            echo.wait(10)
        except subprocess.TimeoutExpired:
            echo.kill()
            echo.wait(10)


if __name__ == "__main__":
    serve_echo(sys.argv[1], int(sys.argv[2]))
