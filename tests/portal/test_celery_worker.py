"""A real Celery worker, fed through Redis, e-mails a barrier report stored in PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from wagtail.models import Site

from barleben_portal.celery import app
from barleben_portal.models import BarrierReport, MunicipalitySettings
from barleben_portal.tasks import barrier_report_notify_task
from tests.factories import BarrierReportFactory

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 30
# One process, no cluster chatter: starts in a second or two.
WORKER_COMMAND = [
    *[sys.executable, "-m", "celery", "-A", "barleben_portal", "worker"],
    *["--pool=solo", "--concurrency=1", "--loglevel=info"],
    *["--without-gossip", "--without-mingle", "--without-heartbeat"],
]


def database_url() -> str:
    """The URL of the test database this process uses, for the worker to use too."""
    database = connection.settings_dict
    # never let a worker write into a database that is not pytest-django's
    assert database["NAME"].startswith("test_"), database["NAME"]
    credentials = database["USER"] or ""
    if database["PASSWORD"]:
        credentials += f":{database['PASSWORD']}"
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{database['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A worker process on a queue of its own; yields the queue name and the mail directory."""
    queue = f"test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": "filemail://",
        "VAR_DIR": str(tmp_path),
        "CONN_MAX_AGE": "0",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*WORKER_COMMAND, "-Q", queue, "-n", f"{queue}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, queue, tmp_path / "mail", log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # nothing of the queue stays in Redis: the list and kombu's binding sets
        with redis.Redis.from_url(settings.CELERY_BROKER_URL) as broker:
            broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.mark.service("postgres", "redis")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_emails_a_barrier_report(worker):
    process, queue, mail_dir, log_path = worker
    # the test process queues through Redis instead of running the task itself
    assert app.conf.task_always_eager is False
    assert app.conf.broker_url.startswith("redis://")

    # given a committed report and a recipient
    municipality = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))
    municipality.barrier_report_email = "barrierefreiheit@example.org"
    municipality.save()
    token = uuid.uuid4().hex
    report = BarrierReportFactory(message=f"Barrier {token}: the map has no text alternative.")

    # when the task is queued for the worker
    barrier_report_notify_task.apply_async(args=[report.pk], queue=queue)

    # then the worker sends the e-mail and marks the report
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not BarrierReport.objects.filter(pk=report.pk, notified_at__isnull=False).exists():
        assert process.poll() is None, f"worker stopped:\n{log_path.read_text()}"
        assert time.monotonic() < deadline, f"no e-mail after {TIMEOUT_SECONDS} s:\n" + (
            log_path.read_text()
        )
        time.sleep(0.2)
    mails = [path.read_text(encoding="utf-8") for path in mail_dir.iterdir()]
    assert len(mails) == 1
    assert token in mails[0]
    assert "To: barrierefreiheit@example.org" in mails[0]
