"""Throwaway PostgreSQL and Redis servers for a test run where none is configured.

CI names its servers in DATABASE_URL and REDIS_URL. A newcomer who runs `make test` on a
machine with Debian's `postgresql` and `redis-server` packages installed, but nothing
configured, gets servers of the run's own instead: started before Django reads its
settings, on free loopback ports, with their data in a temporary directory, and gone when
the run ends. Without the binaries the run uses SQLite and local memory, and the tests
that need the real services are skipped with the reason (tests/conftest.py).

PostgreSQL refuses to run as root (as CI and containers do), so as root the server runs
as the `postgres` system user (which Debian's package creates) or else as `nobody`, in a
directory that user owns.

With pytest-xdist every worker gets its own Redis database: REDIS_URL's database plus the
worker's number (gw0 keeps it, gw1 takes the next), so real Celery workers started by
different pytest workers never take each other's tasks. PostgreSQL needs nothing here:
pytest-django gives every worker a test database of its own (`test_…_gw0`).
"""

import atexit
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT_SECONDS = 30
# The tests lean on the database hard; nothing of it needs to survive a crash.
POSTGRES_OPTIONS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
REDIS_DATABASES = 16  # redis-server's default `databases`


@dataclass
class Servers:
    """What this run uses, for the report header and the summary."""

    postgres: str = ""
    redis: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                # SIGINT: PostgreSQL's fast shutdown; redis-server ends on it as on SIGTERM
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.processes.clear()
        for directory in self.directories:
            shutil.rmtree(directory, ignore_errors=True)
        self.directories.clear()


servers = Servers()


def configure() -> Servers:
    """Point DATABASE_URL and REDIS_URL at the servers this run uses; before Django starts.

    In an xdist worker the controller has done it already (the worker inherits its
    environment); the worker only takes its own Redis database.
    """
    is_worker = "PYTEST_XDIST_WORKER" in os.environ
    # `make test-quick`: none, even where the binaries are installed
    wanted = os.environ.get("BARLEBEN_TEST_SERVERS", "throwaway") != "none"
    if wanted and not is_worker:
        if "DATABASE_URL" not in os.environ:
            _start_postgres()
        if "REDIS_URL" not in os.environ:
            _start_redis()
    servers.postgres = os.environ.get("BARLEBEN_TEST_POSTGRES", "")
    servers.redis = os.environ.get("BARLEBEN_TEST_REDIS", "")
    if is_worker and os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url_for_worker(
            os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"]
        )
    return servers


def redis_url_for_worker(url: str, worker: str) -> str:
    """`redis://host:6379/10` for gw0, `…/11` for gw1, and so on."""
    number = int(worker.removeprefix("gw"))
    match = re.fullmatch(r"(?P<base>rediss?://[^/?#]*)(?:/(?P<db>\d*))?(?P<rest>[?#].*)?", url)
    if match is None:
        raise RuntimeError(f"REDIS_URL {url!r} is not a redis:// URL with a database number")
    database = int(match["db"] or 0) + number
    if database >= REDIS_DATABASES:
        raise RuntimeError(
            f"pytest-xdist worker {worker} would use Redis database {database} of {url}, but "
            f"Redis has {REDIS_DATABASES}: use fewer workers (-n) or a lower database number"
        )
    return f"{match['base']}/{database}{match['rest'] or ''}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path | None:
    """Debian's newest /usr/lib/postgresql/<version>/bin, else `initdb` on PATH."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The user PostgreSQL runs as when this process is root; None when it is not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and there is neither a `postgres` nor a `nobody` user")


def _run_as(user: pwd.struct_passwd | None) -> dict:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _start_postgres() -> None:
    bin_directory = _postgres_bin()
    if bin_directory is None:
        return
    user = _unprivileged_user()
    directory = Path(tempfile.mkdtemp(prefix="barleben-test-postgres-"))
    servers.directories.append(directory)
    if user is not None:
        os.chown(directory, user.pw_uid, user.pw_gid)
    data = directory / "data"
    log_path = directory / "postgres.log"
    subprocess.run(
        [
            bin_directory / "initdb",
            *["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8"],
            *["--no-sync", "--no-instructions"],
        ],
        check=True,
        capture_output=True,
        cwd=directory,
        **_run_as(user),
    )
    port = _free_port()
    options = [
        item for name, value in POSTGRES_OPTIONS.items() for item in ("-c", f"{name}={value}")
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [bin_directory / "postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port)]
            + ["-k", str(directory), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=directory,
            start_new_session=True,
            **_run_as(user),
        )
    servers.processes.append(process)
    _wait_until_up(
        process,
        lambda: _answers([bin_directory / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]),
        f"PostgreSQL ({log_path})",
    )
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{port}/barleben"
    os.environ["BARLEBEN_TEST_POSTGRES"] = (
        f"a throwaway PostgreSQL ({bin_directory}) on port {port}"
        + (f", run as {user.pw_name}" if user else "")
    )


def _start_redis() -> None:
    executable = shutil.which("redis-server")
    if executable is None:
        return
    directory = Path(tempfile.mkdtemp(prefix="barleben-test-redis-"))
    servers.directories.append(directory)
    port = _free_port()
    with (directory / "redis.log").open("ab") as log:
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(directory)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    servers.processes.append(process)
    redis_cli = shutil.which("redis-cli")
    _wait_until_up(
        process,
        (lambda: _answers([redis_cli, "-p", str(port), "ping"]))
        if redis_cli
        else (lambda: _accepts(port)),
        f"redis-server ({directory / 'redis.log'})",
    )
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    os.environ["BARLEBEN_TEST_REDIS"] = f"a throwaway redis-server on port {port}"


def _answers(command: list) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _wait_until_up(process: subprocess.Popen, is_up, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not is_up():
        if process.poll() is not None:
            raise RuntimeError(f"{what} ended at its start")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {START_TIMEOUT_SECONDS} s")
        time.sleep(0.1)


atexit.register(servers.stop)
