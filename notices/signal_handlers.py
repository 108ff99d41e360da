from django.db import transaction
from wagtail.signals import page_published, page_unpublished

from .announcing import notice_announce
from .ical import ical_feeds_forget
from .models import NoticePage
from .tasks import notice_display_sync_task


def record_display(sender, instance, **kwargs):
    # Publishing or unpublishing an official notice in its period puts it up or takes it
    # down now, not only at the next beat.
    if instance.is_official:
        transaction.on_commit(notice_display_sync_task.delay, robust=True)


def announce(sender, instance, **kwargs):
    # Runs inside NoticePage.publish's transaction: the outbox row commits with the page.
    notice_announce(notice=instance)


def forget_feeds(sender, instance, **kwargs):
    ical_feeds_forget()


def register_signal_handlers():
    page_published.connect(record_display, sender=NoticePage)
    page_unpublished.connect(record_display, sender=NoticePage)
    page_published.connect(forget_feeds, sender=NoticePage)
    page_published.connect(announce, sender=NoticePage)
    page_unpublished.connect(forget_feeds, sender=NoticePage)
