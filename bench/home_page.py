"""Benchmark of the home page: queries and render time in-process, then throughput and
latency through gunicorn under concurrent load on loopback.

    make bench                      # SQLite under var/bench/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/barleben_bench make bench

Options: --seconds (load duration), --clients (concurrent connections), --workers (gunicorn).
"""

import argparse
import http.client
import statistics
import sys
import threading
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the path; the project directory takes its
# place, so that `bench` is a package and bench/notices.py cannot shadow the notices app.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import (  # noqa: E402
    BASE_DIR,
    bench_environment,
    gunicorn,
    percentile,
    portal_prepare,
)

BENCH_DIR = BASE_DIR / "var" / "bench"


def measure_in_process(requests: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get("/")  # warm up templates and connections
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200, response.status_code
    # Read now: the next request resets the connection's query log.
    query_count = len(queries)
    durations = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get("/")
        durations.append((time.perf_counter() - started) * 1000)
    print(
        f"in-process: {query_count} queries per request, render "
        f"median {statistics.median(durations):.1f} ms, p99 {percentile(durations, 0.99):.1f} ms "
        f"over {requests} requests"
    )


def load(port: int, seconds: float, clients: int) -> None:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client_loop() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        own: list[float] = []
        own_errors = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", "/", headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    own_errors += 1
            except (OSError, http.client.HTTPException):
                own_errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            own.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(own)
            errors += own_errors

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        f"gunicorn: {len(latencies) / seconds:.0f} requests/s with {clients} clients for "
        f"{seconds:.0f} s; latency median {statistics.median(latencies):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms; {errors} errors"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300, help="in-process requests")
    options = parser.parse_args()

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    environment = bench_environment(BENCH_DIR)
    portal_prepare(environment)
    measure_in_process(options.requests)

    with gunicorn(environment, workers=options.workers) as port:
        load(port, options.seconds, options.clients)


if __name__ == "__main__":
    main()
