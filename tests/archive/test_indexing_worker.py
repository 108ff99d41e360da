"""Real Celery workers read archive documents from Redis: routing by size, time limits.

The worker is another process: it sees only what the test committed (transaction=True), and
reads the files from this test's media folder. The broker is the REDIS_URL's database, whose
archive queues are emptied before and after each test.
"""

import io
import time
from collections.abc import Callable

import pypdfium2
import pytest
import redis
from django.conf import settings

from archive.models import Document
from archive.tasks import document_index_task
from barleben_portal.celery import app
from tests.workers import Worker, worker_start

from . import files

pytestmark = [
    pytest.mark.service("postgres", "redis"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMEOUT_SECONDS = 60
QUEUES = ("archive", "archive-large")
# A small text PDF has about a kilobyte, a scanned page tens of kilobytes.
LARGE_FILE_SIZE = 10_000


def multi_page_scan(text: str, pages: int) -> bytes:
    """A scanned PDF whose every page needs text recognition."""
    scan = pypdfium2.PdfDocument(files.pdf_scanned(text))
    combined = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        combined.import_pages(scan)
    buffer = io.BytesIO()
    combined.save(buffer)
    return buffer.getvalue()


def _queues_empty() -> None:
    with redis.Redis.from_url(settings.CELERY_BROKER_URL) as broker:
        broker.delete(*QUEUES, "unacked", "unacked_index")


@pytest.fixture
def start_worker(tmp_path, settings) -> Callable[..., Worker]:
    """`start_worker(queues=["archive"], **env)`: a worker on this test's database and media."""
    # the test process queues through Redis instead of running the tasks itself
    assert app.conf.task_always_eager is False
    settings.ARCHIVE_LARGE_FILE_SIZE = LARGE_FILE_SIZE
    _queues_empty()
    started: list[Worker] = []

    def start(*, queues: list[str], pool: str = "solo", **env: str) -> Worker:
        worker = worker_start(
            log_path=tmp_path / f"worker-{len(started) + 1}.log",
            env={
                "REDIS_URL": settings.REDIS_URL,
                "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "VAR_DIR": str(tmp_path),
                "ARCHIVE_LARGE_FILE_SIZE": str(LARGE_FILE_SIZE),
                **env,
            },
            queues=queues,
            name=f"archive-{len(started) + 1}@%h",
            pool=pool,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    _queues_empty()


def wait_for_state(worker: Worker, document: Document, state: str) -> Document:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        document.refresh_from_db()
        if document.indexing_state == state:
            return document
        assert worker.is_running, f"the worker ended:\n{worker.log()}"
        assert time.monotonic() < deadline, (
            f"{document} not {state} after {TIMEOUT_SECONDS} s:\n{worker.log()}"
        )
        time.sleep(0.2)


def test_worker_indexes_a_saved_document(start_worker, document_factory):
    worker = start_worker(queues=["archive"])

    document = document_factory(files.pdf_with_text(["Amtsblatt Nr. 7"]), "Amtsblatt.pdf")

    document = wait_for_state(worker, document, Document.IndexingState.INDEXED)
    assert document.text == "Amtsblatt Nr. 7"
    assert list(document.pages.values_list("page_number", flat=True)) == [1]


def test_large_file_waits_for_a_worker_of_its_own_queue(start_worker, document_factory):
    # given a worker only for small files
    small_worker = start_worker(queues=["archive"])

    # when a large and then a small file are saved
    large = document_factory(files.pdf_scanned("Bebauungsplan Mühlenberg"), "Plan.pdf")
    small = document_factory(files.pdf_with_text(["Bekanntmachung"]), "Bekanntmachung.pdf")
    assert large.file_size > LARGE_FILE_SIZE > small.file_size

    # then the small one is read, the large one waits in its queue
    wait_for_state(small_worker, small, Document.IndexingState.INDEXED)
    large.refresh_from_db()
    assert large.indexing_state == Document.IndexingState.WAITING
    with redis.Redis.from_url(settings.CELERY_BROKER_URL) as broker:
        assert broker.llen("archive-large") == 1
    assert "Plan.pdf" not in small_worker.log()

    # and a worker of the large queue reads it
    large_worker = start_worker(queues=["archive-large"])
    large = wait_for_state(large_worker, large, Document.IndexingState.INDEXED)
    assert "Bebauungsplan" in large.text


def test_reading_that_takes_too_long_fails_and_the_worker_goes_on(
    start_worker, document_factory, settings, monkeypatch
):
    # The sender writes its task's time limits into the message, and a worker applies those
    # before its own: the limit must be set on both sides, as the one environment of a
    # deployment sets it. The soft limit needs the prefork pool; the solo pool ignores it.
    worker = start_worker(queues=["archive"], pool="prefork", ARCHIVE_INDEXING_TIME_LIMIT="1")
    monkeypatch.setattr(document_index_task, "soft_time_limit", 1)
    monkeypatch.setattr(document_index_task, "time_limit", 31)
    monkeypatch.setattr(document_index_task, "_exec_options", None)
    settings.ARCHIVE_LARGE_FILE_SIZE = 50 * 1024 * 1024
    started = time.monotonic()

    slow = document_factory(multi_page_scan("Haushaltsplan 2025", 4), "Haushalt.pdf")
    quick = document_factory(files.pdf_with_text(["Einladung"]), "Einladung.pdf")

    slow = wait_for_state(worker, slow, Document.IndexingState.FAILED)
    assert slow.indexing_error == "Das Lesen der Datei hat zu lange gedauert."
    assert not slow.pages.exists()
    quick = wait_for_state(worker, quick, Document.IndexingState.INDEXED)
    assert quick.text == "Einladung"
    # stopped by the soft limit (1 s), not the hard one (31 s) or the OCR timeout
    assert time.monotonic() - started < 30


def test_two_workers_read_every_document_once(start_worker, document_factory):
    # given twenty documents waiting in the queue before any worker runs
    documents = [
        document_factory(files.pdf_with_text([f"Amtsblatt {number}/2025"]), f"{number}.pdf")
        for number in range(1, 21)
    ]

    # when two workers take the queue, each reading up to five documents at a time
    workers = [start_worker(queues=["archive"], ARCHIVE_INDEXING_BATCH_SIZE="5") for _ in range(2)]

    # then every document is read with its own text, by one worker, once
    for number, document in enumerate(documents, start=1):
        document = wait_for_state(workers[number % 2], document, Document.IndexingState.INDEXED)
        assert document.text == f"Amtsblatt {number}/2025"
    logs = [worker.log() for worker in workers]
    for document in documents:
        assert sum(log.count(f"Indexed document {document.pk}:") for log in logs) == 1
