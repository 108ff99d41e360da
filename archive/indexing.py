"""Reading a document's text into the archive: extraction, storage page by page, search index.

`document_index` is what the Celery task runs; it is idempotent (a file whose text is stored
is not read again) and holds no lock while it reads, so staff can edit a document that is
being read. Errors of the file itself end in the state "failed" with the reason; errors of
the system (database, storage) propagate, so the task retries them.
"""

import logging
import shutil
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .extraction import Extraction, ExtractionError, text_extract
from .forms import file_checksum
from .models import Document, DocumentText

logger = logging.getLogger(__name__)

# Sent after the text of a document was stored (inside the transaction; receivers that
# queue work do so on commit). Arguments: document_id.
document_indexed = Signal()


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


def document_index(*, document_id: int) -> None:
    """Extract the text of a document's file, store it page by page and update the search index."""
    # Counted in a transaction of its own before reading: a file that kills its reader
    # (time limit, crash) is given up after a few attempts instead of forever.
    Document.objects.filter(pk=document_id).update(indexing_attempts=F("indexing_attempts") + 1)
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        logger.info("Document %s is gone; nothing to index", document_id)
        return
    file_name = document.file.name
    if document.indexing_attempts > settings.ARCHIVE_INDEXING_MAX_ATTEMPTS:
        _fail(
            document_id,
            file_name,
            _("Reading the file was started %(count)s times and never finished.")
            % {"count": document.indexing_attempts - 1},
        )
        return
    checksum = ""
    try:
        with _local_copy(document) as path, path.open("rb") as file:
            checksum = file_checksum(file)
            if document.indexed_checksum == checksum and document.is_indexed:
                logger.info("Document %s is indexed already", document_id)
                return
            extraction = text_extract(
                path=path,
                file_name=file_name,
                max_size=settings.WAGTAILDOCS_MAX_UPLOAD_SIZE,
                ocr_language=settings.ARCHIVE_OCR_LANGUAGE,
                ocr_timeout=settings.ARCHIVE_OCR_TIMEOUT,
            )
    except SoftTimeLimitExceeded:
        _fail(document_id, file_name, _("Reading the file took too long."), checksum=checksum)
        return
    except FileNotFoundError:
        _fail(document_id, file_name, _("The file is missing from the storage."))
        return
    except ExtractionError as error:
        _fail(document_id, file_name, str(error.message), checksum=checksum)
        return
    _store(document_id, file_name, checksum, extraction)


def _locked_if_unchanged(document_id: int, file_name: str) -> Document | None:
    """The document, locked, if it still has the file that was read; else None."""
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None or document.file.name != file_name:
        # Deleted, or a new file came while this one was read: its own task reads that one.
        logger.info("Document %s changed while it was read; result dropped", document_id)
        return None
    return document


@transaction.atomic
def _store(document_id: int, file_name: str, checksum: str, extraction: Extraction) -> None:
    document = _locked_if_unchanged(document_id, file_name)
    if document is None:
        return
    DocumentText.objects.filter(document=document).delete()
    DocumentText.objects.bulk_create(
        DocumentText(document=document, page_number=page.number, text=page.text, is_ocr=page.is_ocr)
        for page in extraction.pages
    )
    document.text = extraction.text
    document.page_count = extraction.page_count
    document.checksum = checksum
    document.indexed_checksum = checksum
    document.indexing_state = Document.IndexingState.INDEXED
    document.indexing_error = ""
    document.indexed_at = timezone.now()
    document.indexing_attempts = 0
    # Saving updates the search index (Wagtail's signal handler), in this transaction.
    document.save()
    document_indexed.send(sender=Document, document_id=document_id)
    logger.info(
        "Indexed document %s: %s pages, %s with text",
        document_id,
        extraction.page_count,
        len(extraction.pages),
    )


@transaction.atomic
def _fail(document_id: int, file_name: str, reason: str, *, checksum: str = "") -> None:
    document = _locked_if_unchanged(document_id, file_name)
    if document is None:
        return
    logger.warning("Document %s could not be indexed: %s", document_id, reason)
    DocumentText.objects.filter(document=document).delete()
    document.text = ""
    document.page_count = None
    if checksum:
        document.checksum = checksum
    document.indexed_checksum = ""
    document.indexing_state = Document.IndexingState.FAILED
    document.indexing_error = reason
    document.indexed_at = None
    document.indexing_attempts = 0
    document.save()


def document_index_queue(*, document: Document) -> None:
    """Queue the reading of a document once the transaction commits.

    Large files (scans, long plans) have a queue of their own, so that a small document
    need not wait for them; each queue has its own time limit (CELERY_TASK_ANNOTATIONS).
    """
    from .tasks import document_index_large_task, document_index_task

    task = (
        document_index_large_task
        if (document.file_size or 0) > settings.ARCHIVE_LARGE_FILE_SIZE
        else document_index_task
    )
    transaction.on_commit(partial(task.delay, document.pk), robust=True)


def document_index_retry(*, document_id: int) -> bool:
    """Read a document again (staff's "retry"); False if it is gone."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None:
            return False
        document.indexing_state = Document.IndexingState.WAITING
        document.indexing_error = ""
        document.indexed_checksum = ""
        document.indexing_attempts = 0
        document.indexing_requested_at = timezone.now()
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
