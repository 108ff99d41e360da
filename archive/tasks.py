from celery import shared_task
from django.db import DatabaseError

from .alerts import saved_searches_unconfirmed_delete
from .indexing import document_index, documents_index_sweep

# Only errors of the system are retried; a file that cannot be read ends as "failed".
RETRY = {
    "autoretry_for": (DatabaseError, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "max_retries": 8,
}


@shared_task(**RETRY)
def document_index_task(document_id: int) -> None:
    document_index(document_id=document_id)


# The same work for large files, on the queue "archive-large" with a longer time limit
# (CELERY_TASK_ROUTES, CELERY_TASK_ANNOTATIONS), so that they never hold up the others.
@shared_task(**RETRY)
def document_index_large_task(document_id: int) -> None:
    document_index(document_id=document_id)


@shared_task
def documents_index_sweep_task() -> None:
    documents_index_sweep()


@shared_task
def saved_searches_unconfirmed_delete_task() -> None:
    saved_searches_unconfirmed_delete()
