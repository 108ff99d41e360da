from celery import shared_task
from django.core.management import call_command

from .display import notice_display_sync
from .fanout import deliveries_send, digests_compose, dispatch_fan_out, notifications_sweep
from .subscriptions import subscriptions_unconfirmed_delete


@shared_task
def publish_scheduled_task() -> None:
    """Publish and expire pages whose scheduled time has come (Wagtail's own command)."""
    call_command("publish_scheduled")
    notice_display_sync()


@shared_task
def notice_display_sync_task() -> None:
    notice_display_sync()


@shared_task
def dispatch_fan_out_task(dispatch_id: int) -> None:
    dispatch_fan_out(dispatch_id=dispatch_id)


# Bulk e-mail has a queue of its own (CELERY_TASK_ROUTES), so that a confirmation request
# (delivery_send_task) need not wait behind a fan-out to thousands.
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
def subscriptions_unconfirmed_delete_task() -> None:
    subscriptions_unconfirmed_delete()
