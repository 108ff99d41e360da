"""Benchmark of the home page: queries and render time in-process, then throughput and
latency through gunicorn under concurrent load on loopback.

    make bench                      # SQLite under var/bench/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/barleben_bench make bench

Options: --seconds (load duration), --clients (concurrent connections), --workers (gunicorn).
"""

import argparse
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
PORT = 8765


def bench_environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DIR / 'db.sqlite3'}")
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(BENCH_DIR / "static"),
        MEDIA_ROOT=str(BENCH_DIR / "media"),
        DJANGO_SETTINGS_MODULE="barleben_portal.settings",
        LOG_LEVEL="WARNING",
    )
    return environment


def manage(environment: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure_in_process(requests: int) -> None:
    import django

    django.setup()
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


def load(seconds: float, clients: int) -> None:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client_loop() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
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
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
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


def wait_for_server(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            connection.request("GET", "/healthz/", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300, help="in-process requests")
    options = parser.parse_args()

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    environment = bench_environment()
    manage(environment, "migrate", "--noinput")
    manage(environment, "seed_demo", "--force")
    manage(environment, "collectstatic", "--noinput")
    os.environ.update(environment)
    sys.path.insert(0, str(BASE_DIR))
    print(
        f"database: {environment['DATABASE_URL'].split(':', 1)[0]}, cache: "
        f"{'redis' if environment.get('REDIS_URL') else 'local memory'}"
    )
    measure_in_process(options.requests)

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "barleben_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(options.workers),
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=environment,
    )
    try:
        wait_for_server()
        load(options.seconds, options.clients)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
