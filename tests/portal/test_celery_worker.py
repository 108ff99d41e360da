"""A real Celery worker, fed through Redis, e-mails a barrier report stored in PostgreSQL."""

import time
import uuid

import pytest
import redis
from django.conf import settings
from wagtail.models import Site

from barleben_portal.celery import app
from tests.factories import BarrierReportFactory
from tests.workers import worker_start
from website.models import BarrierReport, MunicipalitySettings
from website.tasks import barrier_report_notify_task

TIMEOUT_SECONDS = 30


@pytest.fixture
def worker(tmp_path):
    """A worker process on a queue of its own; yields it, the queue name and the mail directory."""
    queue = f"test-{uuid.uuid4().hex}"
    worker = worker_start(
        log_path=tmp_path / "worker.log",
        env={
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "EMAIL_URL": "filemail://",
            "VAR_DIR": str(tmp_path),
        },
        queues=[queue],
        name=f"{queue}@%h",
    )
    try:
        yield worker, queue, tmp_path / "mail"
    finally:
        worker.stop()
        # nothing of the queue stays in Redis: the list and kombu's binding sets
        with redis.Redis.from_url(settings.CELERY_BROKER_URL) as broker:
            broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.mark.service("postgres", "redis")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_emails_a_barrier_report(worker):
    worker, queue, mail_dir = worker
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
        assert worker.is_running, f"worker stopped:\n{worker.log()}"
        assert time.monotonic() < deadline, f"no e-mail after {TIMEOUT_SECONDS} s:\n{worker.log()}"
        time.sleep(0.2)
    mails = [path.read_text(encoding="utf-8") for path in mail_dir.iterdir()]
    assert len(mails) == 1
    assert token in mails[0]
    assert "To: barrierefreiheit@example.org" in mails[0]
