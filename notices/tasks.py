from celery import shared_task
from django.core.management import call_command

from .display import notice_display_sync


@shared_task
def publish_scheduled_task() -> None:
    """Publish and expire pages whose scheduled time has come (Wagtail's own command)."""
    call_command("publish_scheduled")
    notice_display_sync()


@shared_task
def notice_display_sync_task() -> None:
    notice_display_sync()
