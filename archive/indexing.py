"""Reading documents' text into the archive: extraction, storage page by page, search index.

`document_index` is what the Celery task runs. It takes the document it was queued for and,
where more documents wait on the same queue, some of those too (`documents_claim`), reads
their files one after the other without holding a lock, and stores what it read in one
transaction: the page rows, the documents' rows and the search index in a few statements
for all of them instead of a few per document (an import of thousands of files, or many
uploads at once, is read several times faster). It is idempotent: a document that is no
longer waiting, or that another reader has taken, is left alone. Errors of the file itself
end in the state "failed" with the reason; errors of the system (database, storage)
propagate, so the task retries them.
"""

import logging
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.search.backends import get_search_backends

from website.page_cache import pages_changed
from website.task_queue import task_queue_on_commit

from .extraction import Extraction, ExtractionError, text_extract
from .forms import file_checksum
from .models import Document, DocumentText
from .oparl import tombstones_follow

logger = logging.getLogger(__name__)

# Sent after the texts of documents were stored (inside the transaction; receivers that
# queue work do so on commit). Arguments: document_ids.
documents_indexed = Signal()

# A reader stops taking further documents of its batch once it has read this long; those
# left are read by their own tasks.
BATCH_SECONDS = 20

# Fields the storing of a reading sets (in bulk: no save, no signals; their reactions are
# called in `_store`).
STORED_FIELDS = [
    "text",
    "page_count",
    "checksum",
    "indexed_checksum",
    "indexing_state",
    "indexing_error",
    "indexed_at",
    "indexing_attempts",
    "indexing_claimed_until",
    "modified_at",
]


@dataclass
class _Reading:
    """What reading one document's file gave: its text, or why it has none."""

    document_id: int
    file_name: str
    checksum: str = ""
    extraction: Extraction | None = None
    failure: str = ""


@contextmanager
def _local_copy(document: Document):
    """A path to the document's file: the file itself, or a temporary copy from remote storage."""
    try:
        yield Path(document.file.path)
        return
    except NotImplementedError:
        pass
    with (
        document.file.storage.open(document.file.name, "rb") as remote,
        tempfile.NamedTemporaryFile(suffix=Path(document.file.name).suffix) as local,
    ):
        shutil.copyfileobj(remote, local, length=1024 * 1024)
        local.flush()
        yield Path(local.name)


def _is_large(document: Document) -> bool:
    return (document.file_size or 0) > settings.ARCHIVE_LARGE_FILE_SIZE


def _claim_seconds(*, is_large: bool) -> int:
    # The hard time limit of the document's task: a reader still at it then is gone, and
    # the document is free for the next.
    task = "document_index_large_task" if is_large else "document_index_task"
    return settings.CELERY_TASK_ANNOTATIONS[f"archive.tasks.{task}"]["time_limit"]


def documents_claim(*, document_id: int, limit: int = 1) -> list[int]:
    """Take this document for reading, if it waits and no other reader has it, and up to
    `limit - 1` more that wait on the same queue, oldest first; each taken one counts an
    attempt. Returns the ids taken, this document's first; none if it is not to be read.

    A document whose reading began before and never finished (its reader was killed, by a
    file that crashes it, say) is read alone and never taken along: such a file can end no
    other's reading, and those read with it once get their next attempt alone."""
    now = timezone.now()
    free = Q(indexing_state=Document.IndexingState.WAITING) & (
        Q(indexing_claimed_until__isnull=True) | Q(indexing_claimed_until__lt=now)
    )
    with transaction.atomic():
        document = (
            Document.objects.select_for_update()
            .filter(free, pk=document_id)
            .only("pk", "file_size", "indexing_attempts")
            .first()
        )
        if document is None:
            return []
        ids = [document.pk]
        is_large = _is_large(document)
        if limit > 1 and not is_large and not document.indexing_attempts:
            # Rows another reader is claiming right now are skipped, not waited for.
            others = (
                Document.objects.select_for_update(skip_locked=True)
                .filter(free, indexing_attempts=0, file_size__lte=settings.ARCHIVE_LARGE_FILE_SIZE)
                .exclude(pk=document.pk)
                .order_by("indexing_requested_at", "pk")
                .values_list("pk", flat=True)
            )
            ids += list(others[: limit - 1])
        Document.objects.filter(pk__in=ids).update(
            indexing_attempts=F("indexing_attempts") + 1,
            indexing_claimed_until=now + timedelta(seconds=_claim_seconds(is_large=is_large)),
        )
    return ids


def _release(document_ids: list[int]) -> None:
    """Give documents taken but not read back to their own tasks (queued again, as theirs
    may have found them taken and ended)."""
    if not document_ids:
        return
    with transaction.atomic():
        Document.objects.filter(pk__in=document_ids).update(
            indexing_attempts=F("indexing_attempts") - 1, indexing_claimed_until=None
        )
        for document in Document.objects.filter(pk__in=document_ids).only("pk", "file_size"):
            document_index_queue(document=document)


def _read(document: Document) -> _Reading:
    """Read one document's file; a file that cannot be read gives the reason, not an error."""
    reading = _Reading(document_id=document.pk, file_name=document.file.name)
    if document.indexing_attempts > settings.ARCHIVE_INDEXING_MAX_ATTEMPTS:
        reading.failure = _("Reading the file was started %(count)s times and never finished.") % {
            "count": document.indexing_attempts - 1
        }
        return reading
    try:
        with _local_copy(document) as path, path.open("rb") as file:
            reading.checksum = file_checksum(file)
            reading.extraction = text_extract(
                path=path,
                file_name=reading.file_name,
                max_size=settings.WAGTAILDOCS_MAX_UPLOAD_SIZE,
                ocr_language=settings.ARCHIVE_OCR_LANGUAGE,
                ocr_timeout=settings.ARCHIVE_OCR_TIMEOUT,
            )
    except FileNotFoundError:
        reading.failure = _("The file is missing from the storage.")
    except ExtractionError as error:
        reading.failure = str(error.message)
    return reading


def document_index(*, document_id: int, batch_size: int = 1) -> None:
    """Read the file of this document (and, with `batch_size` > 1, of other waiting ones),
    and store the texts page by page, with the search index."""
    claimed = documents_claim(document_id=document_id, limit=batch_size)
    if not claimed:
        logger.info("Document %s is not waiting or is being read; nothing to do", document_id)
        return
    documents = Document.objects.filter(pk__in=claimed).only(
        "pk", "file", "file_size", "indexing_attempts"
    )
    by_id = {document.pk: document for document in documents}
    readings: list[_Reading] = []
    started = time.monotonic()
    for position, pk in enumerate(claimed):
        if position and time.monotonic() - started > BATCH_SECONDS:
            _release(claimed[position:])
            break
        if pk not in by_id:  # deleted since it was taken
            continue
        try:
            readings.append(_read(by_id[pk]))
        except SoftTimeLimitExceeded:
            readings.append(
                _Reading(
                    document_id=pk,
                    file_name=by_id[pk].file.name,
                    failure=_("Reading the file took too long."),
                )
            )
            # What the time limit leaves is for storing what was read; the rest go back.
            _release(claimed[position + 1 :])
            break
    try:
        _store(readings)
    except DatabaseError:
        # The task retries its own document (alone); the others go back to theirs now,
        # instead of waiting for the sweep once this reader's claim has run out.
        _release(
            [reading.document_id for reading in readings if reading.document_id != document_id]
        )
        raise


@transaction.atomic
def _store(readings: list[_Reading]) -> None:
    if not readings:
        return
    locked = {
        document.pk: document
        for document in Document.objects.select_for_update()
        .filter(pk__in=[reading.document_id for reading in readings])
        .order_by("pk")
    }
    current = []
    for reading in readings:
        document = locked.get(reading.document_id)
        if document is None or document.file.name != reading.file_name:
            # Deleted, or a new file came while this one was read: its own task reads that one.
            logger.info(
                "Document %s changed while it was read; result dropped", reading.document_id
            )
            continue
        current.append(reading)
    if not current:
        return
    ids = [reading.document_id for reading in current]
    now = timezone.now()
    DocumentText.objects.filter(document_id__in=ids).delete()
    DocumentText.objects.bulk_create(
        DocumentText(
            document_id=reading.document_id,
            page_number=page.number,
            text=page.text,
            is_ocr=page.is_ocr,
        )
        for reading in current
        if reading.extraction
        for page in reading.extraction.pages
    )
    # The rows in one statement that updates the stored fields of the (locked) rows there
    # are: bulk_update's CASE expressions cost 3 ms of Python per document.
    Document.objects.bulk_create(
        [_stored(reading, locked[reading.document_id], now) for reading in current],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=STORED_FIELDS,
    )
    # What a save of each would have set off (bulk_update sends no signals): the search
    # index, OParl's tombstones, the cached pages, and the saved searches' alerts.
    stored = list(Document.get_indexed_objects().filter(pk__in=ids).order_by("pk"))
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(Document, stored)
    # A waiting document is served as nothing (OParl serves read documents only); its row
    # got its modified_at above.
    tombstones_follow(
        before={pk: set() for pk in ids},
        created={document.pk: document.created_at for document in locked.values()},
    )
    pages_changed()
    indexed = [reading.document_id for reading in current if reading.extraction]
    if indexed:
        documents_indexed.send(sender=Document, document_ids=indexed)
    for reading in current:
        if reading.extraction:
            logger.info(
                "Indexed document %s: %s pages, %s with text",
                reading.document_id,
                reading.extraction.page_count,
                len(reading.extraction.pages),
            )
        else:
            logger.warning(
                "Document %s could not be indexed: %s", reading.document_id, reading.failure
            )


def _stored(reading: _Reading, document: Document, now) -> Document:
    """The document's row as the reading leaves it."""
    document.indexing_attempts = 0
    document.indexing_claimed_until = None
    document.modified_at = now
    extraction = reading.extraction
    if extraction is None:
        document.text = ""
        document.page_count = None
        document.checksum = reading.checksum or document.checksum
        document.indexed_checksum = ""
        document.indexing_state = Document.IndexingState.FAILED
        document.indexing_error = reading.failure
        document.indexed_at = None
        return document
    document.text = extraction.text
    document.page_count = extraction.page_count
    document.checksum = reading.checksum
    document.indexed_checksum = reading.checksum
    document.indexing_state = Document.IndexingState.INDEXED
    document.indexing_error = ""
    document.indexed_at = now
    return document


def document_index_queue(*, document: Document) -> None:
    """Queue the reading of a document once the transaction commits.

    Large files (scans, long plans) have a queue of their own, so that a small document
    need not wait for them; each queue has its own time limit (CELERY_TASK_ANNOTATIONS).
    """
    from .tasks import document_index_large_task, document_index_task

    task = document_index_large_task if _is_large(document) else document_index_task
    task_queue_on_commit(
        task,
        document.pk,
        if_unreachable="the document waits, and the indexing sweep queues it again",
    )


def document_index_retry(*, document_id: int) -> bool:
    """Read a document again (staff's "retry"); False if it is gone."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None:
            return False
        document.indexing_restart()
        # The save queues the reading (signal handler), after commit.
        document.save()
    return True


def documents_index_sweep(*, waiting_longer_than: timedelta | None = None) -> int:
    """Queue again what has waited too long: its queue message was lost or its reader died."""
    waiting_longer_than = waiting_longer_than or timedelta(
        seconds=settings.ARCHIVE_INDEXING_SWEEP_AFTER
    )
    stale = Document.objects.filter(
        indexing_state=Document.IndexingState.WAITING,
        indexing_requested_at__lt=timezone.now() - waiting_longer_than,
    ).only("pk", "file_size")
    count = 0
    for document in stale.iterator():
        Document.objects.filter(pk=document.pk).update(indexing_requested_at=timezone.now())
        document_index_queue(document=document)
        count += 1
    if count:
        logger.info("Queued %s waiting documents again", count)
    return count
