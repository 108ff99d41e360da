from django.db.models.signals import pre_delete
from django.utils import timezone
from wagtail.signals import page_published, page_unpublished

from website.task_queue import task_queue_on_commit

from .announcing import notice_announce
from .ical import ical_feeds_forget
from .models import NoticeDisplayRecord, NoticePage
from .tasks import notice_display_sync_task


def record_display(sender, instance, **kwargs):
    # Publishing or unpublishing an official notice in its period puts it up or takes it
    # down now, not only at the next beat; so does publishing a notice that hangs as an
    # official one under another kind.
    if instance.is_official or _open_display_records(instance).exists():
        task_queue_on_commit(
            notice_display_sync_task, if_unreachable="the beat's display sync records it"
        )


def close_display_record(sender, instance, **kwargs):
    # A deleted notice no longer hangs: its record is closed now, while it still names it.
    _open_display_records(instance).update(taken_down_at=timezone.now())


def _open_display_records(notice):
    return NoticeDisplayRecord.objects.filter(notice_id=notice.pk, taken_down_at__isnull=True)


def announce(sender, instance, **kwargs):
    # Runs inside NoticePage.publish's transaction: the outbox row commits with the page.
    notice_announce(notice=instance)


def forget_feeds(sender, instance, **kwargs):
    ical_feeds_forget()


def register_signal_handlers():
    page_published.connect(record_display, sender=NoticePage)
    page_unpublished.connect(record_display, sender=NoticePage)
    pre_delete.connect(close_display_record, sender=NoticePage)
    page_published.connect(forget_feeds, sender=NoticePage)
    page_published.connect(announce, sender=NoticePage)
    page_unpublished.connect(forget_feeds, sender=NoticePage)
