"""Sending: deliveries claimed under a lease, sent over one connection per batch and channel,
each marked sent only after the server accepted it; temporary failures retry with backoff,
permanent ones count towards pausing the recipient.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from website.task_queue import task_queue_on_commit

from .audiences import Audience, audience_for
from .channels import Addressee, Channel, ConnectionFailure, Refused
from .email import EmailChannel
from .models import Delivery, Recipient

logger = logging.getLogger(__name__)

CHANNELS: dict[str, Channel] = {channel.name: channel for channel in [EmailChannel()]}
MAX_RETRY_DELAY = timedelta(hours=4)
TRANSACTIONAL_KINDS = {Delivery.Kind.CONFIRMATION, Delivery.Kind.REMINDER}


@dataclass
class _SecondCount:
    """Messages counted in one second."""

    second: int = 0
    count: int = 0

    def incr(self, second: int) -> int:
        if second != self.second:
            self.second, self.count = second, 0
        self.count += 1
        return self.count


# This process's own count, for while the shared one cannot be had.
_local_count = _SecondCount()


def _wait_for_rate_limit() -> None:
    """At most NOTIFICATIONS_MAX_PER_SECOND messages per second across all workers.

    The workers count in the cache (Redis). While Redis cannot be reached, the portal's
    cache answers as if the count were missing (website/cache.py); each process then keeps
    the limit by a count of its own rather than fail its batch, whose deliveries would wait
    for their lease to run out. Together the processes may then send their number times the
    limit, but only the batches they had taken (with Redis as the broker they take no new
    ones), and what a mail server refuses for it is tried again later.
    """
    limit = settings.NOTIFICATIONS_MAX_PER_SECOND
    if not limit:
        return
    while True:
        second = int(time.time())
        key = f"notifications:rate:{second}"
        cache.add(key, 0, timeout=10)
        try:
            count = cache.incr(key)
        except ValueError:
            count = _local_count.incr(second)
        if count <= limit:
            return
        time.sleep(max(0.0, second + 1 - time.time()))


def _record_sent(cursor, delivery: Delivery, addressee: Addressee, model) -> None:
    sent_at = Delivery._meta.get_field("sent_at").get_db_prep_value(timezone.now(), connection)
    # Table names from the models, values as parameters.
    cursor.execute(
        f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, lease_until = NULL, "  # noqa: S608
        "error = '' WHERE id = %s",
        [Delivery.Status.SENT, sent_at, delivery.pk],
    )
    if addressee.failure_count:
        model.objects.filter(pk=addressee.pk).update(failure_count=0)


def _record_temporary_failure(
    delivery: Delivery, reason: str, lease_token: uuid.UUID
) -> Delivery.Status | None:
    attempts = delivery.attempts + 1
    delay = timedelta(seconds=settings.NOTIFICATIONS_RETRY_DELAY * 2 ** (attempts - 1))
    next_attempt_at = timezone.now() + min(delay, MAX_RETRY_DELAY)
    status = Delivery.Status.PENDING
    if attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        status = Delivery.Status.FAILED
        reason = _("Given up after %(attempts)d attempts: %(reason)s") % {
            "attempts": attempts,
            "reason": reason,
        }
    is_ours = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.PENDING, lease_token=lease_token
    ).update(
        status=status,
        attempts=attempts,
        error=reason,
        next_attempt_at=next_attempt_at,
        # The retry task is queued for then; the sweep counts from then too.
        queued_at=next_attempt_at,
        lease_until=None,
    )
    if not is_ours:
        return None
    logger.warning("Delivery %s failed temporarily (%s): %s", delivery.pk, attempts, reason)
    return status


def _record_permanent_failure(
    delivery: Delivery, addressee: Addressee, model: type[Recipient], reason: str
) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, attempts=delivery.attempts + 1, error=reason
    )
    failures = addressee.failure_count + 1
    paused_at = None
    if failures >= settings.NOTIFICATIONS_PAUSE_AFTER_FAILURES:
        paused_at = timezone.now()
        logger.warning("Paused %s %s after %s refusals", model.__name__, addressee.pk, failures)
    model.objects.filter(pk=addressee.pk).update(failure_count=failures, paused_at=paused_at)
    logger.warning("Delivery %s refused permanently: %s", delivery.pk, reason)


def _lock_sql(model: type[Recipient]) -> tuple[str, str]:
    lock = ""
    if connection.features.has_select_for_update:
        lock = connection.ops.for_update_sql(no_key=True)
    recipients, deliveries = model._meta.db_table, Delivery._meta.db_table
    # Every recipient model has these columns (notifications.models.Recipient).
    columns = "email, token, confirmed_at IS NOT NULL, paused_at IS NOT NULL, failure_count"
    # Table names from the models, values as parameters.
    recipient = f"SELECT {columns} FROM {recipients} WHERE id = %s {lock}"  # noqa: S608
    delivery = f"SELECT 1 FROM {deliveries} WHERE id = %s AND status = %s AND lease_token = %s"  # noqa: S608
    return recipient, f"{delivery} {lock}"


def _deliver(batch, delivery: Delivery, lease_token: uuid.UUID) -> Delivery.Status | None:
    """Send one message while holding the locks of its recipient and of itself; record the
    outcome. None if another sender has taken the delivery over.

    The statements every message costs are plain SQL: this runs once per recipient, and
    building them with the ORM cost as much CPU as all the rest (bench/fanout.py).
    """
    audience: Audience = audience_for(delivery.audience)
    model = audience.recipient_model
    lock_recipient, lock_delivery = _lock_sql(model)
    token = Delivery._meta.get_field("lease_token").get_db_prep_value(lease_token, connection)
    with transaction.atomic(), connection.cursor() as cursor:
        # An unsubscribe that committed before is seen here; one that comes now waits until
        # this message is sent and recorded. (Recipient first, then delivery: the order in
        # which an unsubscribe locks them, so the two cannot deadlock.)
        row = None
        if delivery.recipient_id is not None:
            cursor.execute(lock_recipient, [delivery.recipient_id])
            row = cursor.fetchone()
        # A sender slower than its lease (a tarpitting mail server) may have been overtaken:
        # the lease token says whether the delivery is still this sender's to send.
        cursor.execute(lock_delivery, [delivery.pk, Delivery.Status.PENDING, token])
        if cursor.fetchone() is None:
            logger.warning("Delivery %s was taken over by another sender", delivery.pk)
            return None
        is_transactional = delivery.kind in TRANSACTIONAL_KINDS
        if row is None or (not is_transactional and (not row[2] or row[3])):
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.CANCELLED,
                lease_until=None,
                error="unsubscribed" if row is None else "paused",
            )
            return Delivery.Status.CANCELLED
        email, recipient_token, _confirmed, _paused, failure_count = row
        addressee = Addressee(delivery.recipient_id, email, recipient_token, failure_count)
        try:
            batch.send(delivery=delivery, addressee=addressee, audience=audience)
        except Refused as refusal:
            if refusal.is_temporary:
                return _record_temporary_failure(delivery, refusal.reason, lease_token)
            _record_permanent_failure(delivery, addressee, model, refusal.reason)
            return Delivery.Status.FAILED
        _record_sent(cursor, delivery, addressee, model)
        return Delivery.Status.SENT


def _claim(delivery_ids: list[int]) -> tuple[list[int], uuid.UUID]:
    now = timezone.now()
    with transaction.atomic():
        claimable = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=delivery_ids, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        )
        claimed = list(claimable.order_by("pk").values_list("pk", flat=True))
        lease = timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
        if settings.NOTIFICATIONS_MAX_PER_SECOND:
            lease += timedelta(seconds=2 * len(claimed) / settings.NOTIFICATIONS_MAX_PER_SECOND)
        lease_token = uuid.uuid4()
        Delivery.objects.filter(pk__in=claimed).update(
            lease_until=now + lease, lease_token=lease_token
        )
    return claimed, lease_token


def _send_over(
    channel: Channel, deliveries: list[Delivery], lease_token: uuid.UUID, counts: dict
) -> list[int]:
    """Send these deliveries over one connection of the channel; the ids to retry."""
    retry_ids = []
    remaining = list(deliveries)
    try:
        with channel.open() as batch:
            while remaining:
                delivery = remaining[0]
                _wait_for_rate_limit()
                status = _deliver(batch, delivery, lease_token)
                remaining.pop(0)
                if status is None:
                    continue
                counts[status] += 1
                if status == Delivery.Status.PENDING:
                    retry_ids.append(delivery.pk)
    except ConnectionFailure as error:
        reason = str(error) or type(error).__name__
        logger.warning(
            "Server of %s failed during a batch of %s: %s", channel.name, len(deliveries), reason
        )
        for delivery in remaining:
            status = _record_temporary_failure(delivery, reason, lease_token)
            if status is None:
                continue
            counts[status] += 1
            if status == Delivery.Status.PENDING:
                retry_ids.append(delivery.pk)
    return retry_ids


def deliveries_send(*, delivery_ids: list[int]) -> dict[str, int]:
    """Send the due deliveries among these, one connection per channel; returns counts."""
    claimed, lease_token = _claim(delivery_ids)
    counts = {status: 0 for status in Delivery.Status.values}
    if not claimed:
        return counts
    deliveries = list(
        Delivery.objects.filter(pk__in=claimed).select_related("dispatch__site").order_by("pk")
    )
    retry_ids = []
    for name in sorted({delivery.channel for delivery in deliveries}):
        of_channel = [delivery for delivery in deliveries if delivery.channel == name]
        retry_ids += _send_over(CHANNELS[name], of_channel, lease_token, counts)
    if retry_ids:
        _queue_retry(retry_ids)
    logger.info("Sent batch of %s deliveries: %s", len(claimed), counts)
    return counts


def _queue_retry(delivery_ids: list[int]) -> None:
    from .tasks import delivery_send_batch_task

    due = Delivery.objects.filter(pk__in=delivery_ids).aggregate(due=models.Max("next_attempt_at"))
    countdown = max(0.0, (due["due"] - timezone.now()).total_seconds()) if due["due"] else 0
    task_queue_on_commit(
        delivery_send_batch_task,
        delivery_ids,
        countdown=countdown,
        if_unreachable="the notification sweep queues them again",
    )
