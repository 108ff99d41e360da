"""The record of when official notices actually hung on the board.

The board itself filters by the display period, so it is right to the second; this
record is the proof of what was displayed when ("ausgehängt vom … bis …"), written as
the beat task sees notices come and go.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import NoticeDisplayRecord, NoticePage

logger = logging.getLogger(__name__)


def notice_display_sync(*, now: datetime | None = None) -> tuple[int, int]:
    """Open a record for each official notice now on the board, close those no longer on it.

    Returns how many records were opened and closed. Safe to run at any time, as often as
    wanted: a notice never has two open records.
    """
    now = now or timezone.now()
    displayed = set(
        NoticePage.objects.on_board(now)
        .filter(kind__has_display_period=True)
        .values_list("pk", flat=True)
    )
    open_records = NoticeDisplayRecord.objects.filter(taken_down_at__isnull=True)
    closed = open_records.exclude(notice_id__in=displayed).update(taken_down_at=now)

    already_open = set(open_records.values_list("notice_id", flat=True))
    opened = 0
    for notice in NoticePage.objects.filter(pk__in=displayed - already_open).only("pk", "title"):
        try:
            with transaction.atomic():
                NoticeDisplayRecord.objects.create(
                    notice=notice, notice_title=notice.title, put_up_at=now
                )
        except IntegrityError:
            continue  # a concurrent run opened it first
        opened += 1
        logger.info("Put up notice %s", notice.pk)
    if closed:
        logger.info("Took down %s notices", closed)
    return opened, closed
