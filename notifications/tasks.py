from celery import shared_task

from .fanout import digests_compose, dispatch_fan_out, notifications_sweep
from .recipients import recipients_unconfirmed_delete
from .sending import deliveries_send


@shared_task
def dispatch_fan_out_task(dispatch_id: int) -> None:
    dispatch_fan_out(dispatch_id=dispatch_id)


# Bulk messages have a queue of their own (CELERY_TASK_ROUTES), so that a confirmation
# request (delivery_send_task) need not wait behind a fan-out to thousands.
@shared_task
def delivery_send_batch_task(delivery_ids: list[int]) -> None:
    deliveries_send(delivery_ids=delivery_ids)


@shared_task
def delivery_send_task(delivery_id: int) -> None:
    deliveries_send(delivery_ids=[delivery_id])


@shared_task
def notifications_sweep_task() -> None:
    notifications_sweep()


@shared_task
def digests_compose_task(frequency: str) -> None:
    digests_compose(frequency=frequency)


@shared_task
def recipients_unconfirmed_delete_task() -> None:
    recipients_unconfirmed_delete()
