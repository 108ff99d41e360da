"""What the benchmarks share: a production-like environment, their PostgreSQL databases,
manage.py, Django in this process, and gunicorn on a free loopback port."""

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def bench_environment(
    bench_dir: Path, *, settings_module: str = "barleben_portal.settings"
) -> dict[str, str]:
    """Production settings (DEBUG off), with a database of the benchmark's own under
    `bench_dir` unless DATABASE_URL names another."""
    environment = dict(os.environ)
    environment.setdefault("DATABASE_URL", f"sqlite:///{bench_dir / 'db.sqlite3'}")
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # The benchmarks stand where the TLS proxy would: they say https in X-Forwarded-Proto.
        BASE_URL="https://127.0.0.1",
        TRUSTED_PROXY="true",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(bench_dir / "static"),
        MEDIA_ROOT=str(bench_dir / "media"),
        DJANGO_SETTINGS_MODULE=settings_module,
        LOG_LEVEL="WARNING",
    )
    return environment


def describe_backends(environment: dict[str, str]) -> str:
    return (
        f"database: {environment['DATABASE_URL'].split(':', 1)[0]}, cache: "
        f"{'redis' if environment.get('REDIS_URL') else 'local memory'}"
    )


def manage(environment: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def setup_django(environment: dict[str, str]) -> None:
    """Configure Django in this process with the benchmark's environment."""
    import django

    os.environ.update(environment)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    django.setup()


def portal_prepare(environment: dict[str, str]) -> None:
    """Migrate, seed the demo, collect the static files, and set Django up in this process,
    with the settings of `environment`; prints which backends it uses."""
    manage(environment, "migrate", "--noinput")
    manage(environment, "seed_demo", "--force")
    manage(environment, "collectstatic", "--noinput")
    setup_django(environment)
    print(describe_backends(environment))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _free_port() -> int:
    # Another server on a fixed port would answer in place of ours and be measured instead.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _seconds_to_answer(port: int, path: str) -> float:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    connection.getresponse().read()
    connection.close()
    return time.monotonic() - started


def wait_until_idle(port: int, *, workers: int, timeout: float = 300) -> None:
    """Return once every worker answers the health check at once and quickly.

    A load generator that stops leaves the requests it sent last queued at the server,
    which works through them after the load generator has gone; for a slow page that is
    many seconds, which the next measurement must not inherit.
    """
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(workers) as pool:
        while time.monotonic() < deadline:
            durations = pool.map(_seconds_to_answer, [port] * workers, ["/healthz/"] * workers)
            if max(durations) < 0.5:
                return
    raise SystemExit(f"gunicorn was still busy after {timeout:.0f} s")


def warm_up(port: int, paths: list[str], *, workers: int) -> None:
    """Request each page a few times from every worker: the first request of a worker loads
    templates, translations and code, which belongs to no page's figures."""
    with ThreadPoolExecutor(workers) as pool:
        for path in paths:
            list(pool.map(_seconds_to_answer, [port] * workers * 3, [path] * workers * 3))


def _wait_for_server(server: subprocess.Popen, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz/", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


@contextmanager
def gunicorn(
    environment: dict[str, str], *, workers: int, threads: int = 1, directory: Path = BASE_DIR
) -> Iterator[int]:
    """Serve the portal in `directory` (this tree unless another is given) with gunicorn on
    loopback only; yields the port."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "barleben_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=directory,
        env=environment,
    )
    try:
        _wait_for_server(server, port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def celery_workers(
    environment: dict[str, str], *, count: int, queues: str, prefix: str, log_dir: Path
) -> Iterator[dict[str, subprocess.Popen]]:
    """`count` solo workers (one process, one task at a time each) on `queues`, by name;
    they are up when this yields, and shut down warm (the current task finishes) after."""
    from barleben_portal.celery import app

    names = [f"{prefix}-{number}@{socket.gethostname()}" for number in range(1, count + 1)]
    workers: dict[str, subprocess.Popen] = {}
    try:
        for number, name in enumerate(names, start=1):
            with open(log_dir / f"worker-{number}.log", "w") as log:
                workers[name] = subprocess.Popen(
                    [
                        *[sys.executable, "-m", "celery", "-A", "barleben_portal", "worker"],
                        *["--pool=solo", "--concurrency=1", f"--queues={queues}"],
                        *[f"--hostname={name}", "--loglevel=WARNING"],
                    ],
                    cwd=BASE_DIR,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(worker.poll() is not None for worker in workers.values()):
                raise SystemExit(f"a Celery worker exited; see {log_dir}/worker-*.log")
            replies = app.control.ping(timeout=1.0)
            if {name for reply in replies for name in reply} >= set(names):
                break
        else:
            raise SystemExit(f"the Celery workers did not come up; see {log_dir}/worker-*.log")
        yield workers
    finally:
        for worker in workers.values():
            worker.terminate()
        for worker in workers.values():
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


@contextmanager
def _server_connection(url: str):
    """An autocommit connection to the server of the database at `url` (CREATE DATABASE
    refuses to run in a transaction, and inside the database it copies)."""
    import environ
    import psycopg2

    config = environ.Env.db_url_config(url)
    try:
        connection = psycopg2.connect(
            dbname="postgres",
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as error:
        raise SystemExit(f"PostgreSQL cannot be reached: {error}") from None
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor, config["NAME"]
    finally:
        connection.close()


def database_create_if_missing(url: str) -> None:
    from psycopg2 import sql

    with _server_connection(url) as (cursor, name):
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _migration_leaves(tree: Path) -> dict[str, str | None]:
    """The newest migration of each of the portal's apps in `tree` (None: no such app
    there), by the apps of this tree."""
    leaves = {}
    for migrations in sorted(BASE_DIR.glob("*/migrations")):
        app = migrations.parent.name
        names = sorted(path.stem for path in (tree / app / "migrations").glob("0*.py"))
        leaves[app] = names[-1] if names else None
    return leaves


def database_for_tree(environment: dict[str, str], tree: Path) -> dict[str, str]:
    """`environment` for serving the code in `tree` on the same data: as it is where that
    tree's migrations are this tree's; otherwise with a copy of the database, migrated back
    to that tree's newest migrations by this tree's (which know how to reverse what came
    since)."""
    from psycopg2 import sql

    url = environment["DATABASE_URL"]
    leaves = _migration_leaves(tree)
    if leaves == _migration_leaves(BASE_DIR):
        return environment
    with _server_connection(url) as (cursor, name):
        copy = f"{name}_{tree.name}"[:63]
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy)))
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy), sql.Identifier(name)
            )
        )
    copied = {**environment, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + copy}
    subprocess.run(
        [sys.executable, "-c", MIGRATE_BACK, json.dumps(list(leaves.items()))],
        cwd=BASE_DIR,
        env=copied,
        check=True,
    )
    return copied


MIGRATE_BACK = """
import json, sys
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
MigrationExecutor(connection).migrate([tuple(target) for target in json.loads(sys.argv[1])])
"""
