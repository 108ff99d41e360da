from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from .indexing import document_index, documents_index_sweep

# Only errors of the system are retried; a file that cannot be read ends as "failed".
RETRY = {
    "autoretry_for": (DatabaseError, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "max_retries": 8,
}


@shared_task(bind=True, **RETRY)
def document_index_task(self, document_id: int) -> None:
    # Other waiting documents are read along with this one; a retry reads this one alone,
    # so that a file that breaks the storing holds up no other.
    batch_size = 1 if self.request.retries else settings.ARCHIVE_INDEXING_BATCH_SIZE
    document_index(document_id=document_id, batch_size=batch_size)


# The same work for large files, on the queue "archive-large" with a longer time limit
# (CELERY_TASK_ROUTES, CELERY_TASK_ANNOTATIONS), so that they never hold up the others.
@shared_task(**RETRY)
def document_index_large_task(document_id: int) -> None:
    document_index(document_id=document_id)


@shared_task
def documents_index_sweep_task() -> None:
    documents_index_sweep()
