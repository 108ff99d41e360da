"""Tasks queued when a transaction commits, robustly: a broker that cannot be reached is
logged, never an error page, and the transaction's other hooks still run."""

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def task_queue_on_commit(task: Task, *args, if_unreachable: str, **options) -> None:
    """Queue a task once the transaction commits; a broker that cannot be reached is logged.

    The request or command that asked for the task still succeeds, and the transaction's
    other hooks still run; the log says what makes up for the task (`if_unreachable`: a
    sweep, the first request). Not Celery's `delay_on_commit`, whose hook is not robust, nor
    a `functools.partial`, which Django's robust hooks cannot name in the log (they crash).
    """

    def queue() -> None:
        try:
            task.apply_async(args, **options)
        except OperationalError as error:
            logger.error(
                "Task %s%r not queued, the broker cannot be reached (%s): %s",
                task.name,
                args,
                error,
                if_unreachable,
            )

    transaction.on_commit(queue, robust=True)
