"""A real Celery worker imports the service catalogue from an address, as the nightly beat
schedule has it do (`catalogue_import_task`).

The export is served by a throwaway HTTP server in a thread of this test on 127.0.0.1; the
worker is another process and sees only what the test committed (transaction=True). The
broker is the REDIS_URL's database, whose default queue is emptied before and after.
"""

import functools
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from django.conf import settings
from wagtail.models import Site

from barleben_portal.celery import app
from services.models import CatalogueImport, Office, OnlineService, Service, ServiceResponsibility
from services.tasks import catalogue_import_task
from tests.workers import Worker, worker_start
from website.models import MunicipalitySettings

from .xzufi_files import AGS, example_export

pytestmark = [
    pytest.mark.service("postgres", "redis"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMEOUT_SECONDS = 60
QUEUE = "catalogue"  # CELERY_TASK_ROUTES


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a folder: (its address, the folder)."""
    folder = tmp_path / "www"
    folder.mkdir()
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _queue_empty() -> None:
    with redis.Redis.from_url(settings.CELERY_BROKER_URL) as broker:
        broker.delete(QUEUE, "unacked", "unacked_index")


@pytest.fixture
def worker(tmp_path) -> Iterator[Worker]:
    # the test process queues through Redis instead of running the task itself
    assert app.conf.task_always_eager is False
    _queue_empty()
    worker = worker_start(
        log_path=tmp_path / "worker.log",
        env={
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "VAR_DIR": str(tmp_path),
        },
        queues=[QUEUE],
        name="services-import@%h",
    )
    try:
        yield worker
    finally:
        worker.stop()
        _queue_empty()


@pytest.fixture
def municipality(db) -> None:
    """The default site's municipality with its AGS, committed for the worker to see."""
    settings = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))
    settings.ags = AGS
    settings.save()


def finished_run(worker: Worker, source: str, count: int) -> CatalogueImport:
    """The `count`th run of the import from `source`, once it has ended."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        runs = list(CatalogueImport.objects.filter(source=source).order_by("pk"))
        if len(runs) >= count and runs[count - 1].state != "running":
            return runs[count - 1]
        assert worker.is_running, f"the worker ended:\n{worker.log()}"
        assert time.monotonic() < deadline, (
            f"no import {count} from {source} after {TIMEOUT_SECONDS} s:\n{worker.log()}"
        )
        time.sleep(0.2)


def test_worker_imports_the_catalogue_from_an_address_and_a_second_run_changes_nothing(
    worker, served, municipality
):
    # given an export served over HTTP
    base_url, folder = served
    example_export().write(folder / "katalog.xml")
    url = f"{base_url}/katalog.xml"

    # when the task is queued for the worker
    catalogue_import_task.delay(url)

    # then the worker imports the catalogue
    run = finished_run(worker, url, 1)
    assert run.state == "done", f"{run.errors}\n{worker.log()}"
    assert sorted(xzufi_id for xzufi_id, _name in run.created) == ["L100", "L200", "L300"]
    assert set(Service.objects.current().values_list("xzufi_id", flat=True)) == {
        "L100",
        "L200",
        "L300",
    }
    assert set(Office.objects.values_list("xzufi_id", flat=True)) == {"O1", "O2"}
    assert OnlineService.objects.get(xzufi_id="OD1").trust_level == "substantial"
    assert ServiceResponsibility.objects.filter(
        service__xzufi_id="L100", office__xzufi_id="O1", ortschaft=None
    ).exists()
    before = list(Service.objects.order_by("pk").values())

    # when it runs again on the same export
    catalogue_import_task.delay(url)

    # then nothing changes
    second = finished_run(worker, url, 2)
    assert (second.state, second.created, second.changed, second.removed) == ("done", [], [], [])
    assert list(Service.objects.order_by("pk").values()) == before


def test_an_address_that_does_not_answer_gives_a_failed_run_with_the_reason(
    worker, served, closed_port, municipality
):
    # given an address nothing listens on, and one that has no export
    unreachable = f"http://127.0.0.1:{closed_port}/katalog.xml"
    base_url, _folder = served
    missing = f"{base_url}/fehlt.xml"

    # when
    catalogue_import_task.delay(unreachable)
    catalogue_import_task.delay(missing)

    # then each run failed and says why, in German
    run = finished_run(worker, unreachable, 1)
    assert run.state == "failed"
    assert run.finished_at is not None
    assert len(run.errors) == 1
    assert run.errors[0].startswith(f"{unreachable} war nicht abrufbar:")
    assert "Connection refused" in run.errors[0]
    run = finished_run(worker, missing, 1)
    assert run.state == "failed"
    assert run.errors[0].startswith(f"{missing} war nicht abrufbar:")
    assert "404" in run.errors[0]
    assert not Service.objects.exists()
