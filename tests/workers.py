"""Real Celery worker processes for tests: the one way to start, stop and kill them.

A worker runs `celery -A barleben_portal worker` in a process group of its own, against
the test database this pytest process uses (pytest-django's `test_…`), and writes its
log to a file that failing tests show. The caller adds the broker, mail and other
settings as environment variables.
"""

import os
import signal
import subprocess
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# No cluster chatter (gossip, mingle, heartbeats): a worker starts in a second or two.
WORKER_COMMAND = [
    *[sys.executable, "-m", "celery", "-A", "barleben_portal", "worker", "--loglevel=info"],
    *["--without-gossip", "--without-mingle", "--without-heartbeat"],
]
STOP_TIMEOUT_SECONDS = 15


def database_url() -> str:
    """The URL of the test database this process uses, for a worker to use too."""
    database = connection.settings_dict
    # never let a worker write into a database that is not pytest-django's
    assert database["NAME"].startswith("test_"), database["NAME"]
    credentials = database["USER"] or ""
    if database["PASSWORD"]:
        credentials += f":{database['PASSWORD']}"
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{database['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    @property
    def is_running(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group, as the OOM killer or a pulled plug would."""
        # the group, not only its leader: a prefork pool's children outlive a dead parent
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Warm shutdown (SIGTERM); killed if it does not end in time."""
        if self.is_running:
            self.process.terminate()
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        self.kill()


def worker_start(
    *,
    log_path: Path,
    env: dict[str, str],
    queues: list[str] | None = None,
    name: str | None = None,
    pool: str = "solo",
    concurrency: int = 1,
) -> Worker:
    """Start a worker on the test database; without `queues` it consumes the default ones.

    `env` holds the settings beyond the database, e.g. REDIS_URL and EMAIL_URL. The solo
    pool (one process, one task at a time) starts fastest and makes the order of work
    predictable; pass `pool="prefork"` to run tasks side by side.
    """
    command = [*WORKER_COMMAND, f"--pool={pool}", f"--concurrency={concurrency}"]
    if queues:
        command += ["-Q", ",".join(queues)]
    if name:
        command += ["-n", name]
    with log_path.open("a") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={
                **os.environ,
                "DEBUG": "true",
                "DATABASE_URL": database_url(),
                # a connection per task: nothing stays open into the test's database teardown
                "CONN_MAX_AGE": "0",
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            # a group of its own, so that kill() reaches a prefork pool's children too
            start_new_session=True,
        )
    return Worker(process=process, log_path=log_path)
