"""The notification service: announce news to the subscribers it concerns, by e-mail.

`dispatch_create` is what other parts call (a notice's publication, a survey's opening):
it writes the outbox row in the caller's transaction and starts the fan-out after commit.
The fan-out walks the matching subscriptions in chunks and creates one delivery per
immediate subscriber (a digest entry per daily or weekly one); senders deliver batches
over one SMTP connection each; a periodic sweep restarts whatever a lost message or a
killed worker left behind. Every step is idempotent, so a rerun creates and sends nothing
twice.
"""

import logging
import smtplib
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from barleben_portal.models import Ortschaft

from .emails import MailTemplates, Recipient
from .models import (
    Category,
    Delivery,
    DigestEntry,
    Dispatch,
    Frequency,
    NoticeKind,
    NoticePage,
    Subscription,
)
from .subscriptions import subscriptions_active, subscriptions_matching

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=4)


def dispatch_create(
    *,
    source: models.Model,
    site: Site,
    label: str,
    title: str,
    summary: str,
    url: str,
    ortschaften: Iterable[Ortschaft] = (),
    kind: NoticeKind | None = None,
    categories: Iterable[Category] = (),
    is_update: bool = False,
    source_version: str = "",
    audience: str = Dispatch.Audience.BOARD,
) -> Dispatch | None:
    """Announce news to its subscribers; call it in the transaction that makes the news public.

    Returns None when this source's first publication, or this version of a change
    (`source_version`), was announced already. The audience `SAVED_SEARCH` announces an
    archive document (the source) to the saved searches it matches.
    """
    from .tasks import dispatch_fan_out_task

    source_type = ContentType.objects.get_for_model(source, for_concrete_model=False)
    announced = Dispatch.objects.filter(
        source_type=source_type, source_id=source.pk, is_update=is_update
    )
    if is_update:
        announced = announced.filter(source_version=source_version)
    if announced.exists():
        return None
    dispatch = Dispatch(
        site=site,
        source_type=source_type,
        source_id=source.pk,
        audience=audience,
        is_update=is_update,
        source_version=source_version,
        label=label,
        title=title,
        summary=summary,
        url=url,
        kind=kind,
    )
    dispatch.full_clean()
    with transaction.atomic():
        dispatch.save()
        dispatch.ortschaften.set(ortschaften)
        dispatch.categories.set(categories)
        transaction.on_commit(lambda: dispatch_fan_out_task.delay(dispatch.pk), robust=True)
    logger.info("Created dispatch %s for %s %s", dispatch.pk, source_type, source.pk)
    return dispatch


def notice_announce(*, notice: NoticePage) -> Dispatch | None:
    """Announce a notice's first publication, or a change its editor chose to send."""
    is_first_publication = notice.first_published_at == notice.last_published_at
    if not notice.live or not (is_first_publication or notice.send_change):
        return None
    if notice.send_change:
        NoticePage.objects.filter(pk=notice.pk).update(send_change=False)
    if notice.get_view_restrictions().exists():
        return None
    label = notice.kind.name
    if not is_first_publication:
        label = _("Changed: %(kind)s") % {"kind": label}
    return dispatch_create(
        source=notice,
        site=notice.get_site(),
        label=label,
        title=notice.title,
        summary=notice.teaser,
        url=notice.get_full_url(),
        ortschaften=notice.ortschaften.all(),
        kind=notice.kind,
        categories=notice.categories.all(),
        is_update=not is_first_publication,
        # A revision published again (after unpublishing, say) announces its change once.
        source_version=str(notice.live_revision_id or ""),
    )


def deliveries_queue(delivery_ids: list[int], *, now: datetime | None = None) -> None:
    """Hand deliveries to the senders, in batches of one SMTP connection each."""
    if not delivery_ids:
        return
    Delivery.objects.filter(pk__in=delivery_ids).update(queued_at=now or timezone.now())
    _queue_batches(delivery_ids)


def _queue_batches(delivery_ids: list[int]) -> None:
    from .tasks import delivery_send_batch_task

    size = settings.NOTIFICATIONS_BATCH_SIZE
    for start in range(0, len(delivery_ids), size):
        delivery_send_batch_task.delay(delivery_ids[start : start + size])


def dispatch_fan_out(*, dispatch_id: int) -> int:
    """Create the deliveries and digest entries of a dispatch and queue them; idempotent.

    Returns the number of matching subscriptions, or 0 if another fan-out holds the lease
    or this one finished before.
    """
    now = timezone.now()
    is_claimed = (
        Dispatch.objects.filter(pk=dispatch_id, fanned_out_at__isnull=True)
        .filter(Q(fanout_lease_until__isnull=True) | Q(fanout_lease_until__lt=now))
        .update(fanout_lease_until=now + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS))
    )
    if not is_claimed:
        return 0
    dispatch = Dispatch.objects.get(pk=dispatch_id)
    if dispatch.audience == Dispatch.Audience.SAVED_SEARCH:
        from archive.alerts import saved_searches_matching

        recipient_field = "saved_search_id"
        # Alerts have no digests: every saved search is told at once.
        matching = (
            saved_searches_matching(document_id=dispatch.source_id)
            .annotate(frequency=models.Value(Frequency.IMMEDIATELY))
            .order_by("pk")
            .values_list("pk", "frequency")
        )
    else:
        recipient_field = "subscription_id"
        matching = (
            subscriptions_matching(
                site_id=dispatch.site_id,
                ortschaft_ids=list(dispatch.ortschaften.values_list("pk", flat=True)),
                kind_id=dispatch.kind_id,
                category_ids=list(dispatch.categories.values_list("pk", flat=True)),
            )
            .order_by("pk")
            .values_list("pk", "frequency")
        )
    chunk_size = settings.NOTIFICATIONS_CHUNK_SIZE
    last_pk, total = 0, 0
    # Keyset pagination: memory and time per chunk stay the same for any number of recipients.
    while chunk := list(matching.filter(pk__gt=last_pk)[:chunk_size]):
        last_pk = chunk[-1][0]
        total += len(chunk)
        immediate = [pk for pk, frequency in chunk if frequency == Frequency.IMMEDIATELY]
        Delivery.objects.bulk_create(
            [
                Delivery(
                    kind=Delivery.Kind.NOTIFICATION, dispatch=dispatch, **{recipient_field: pk}
                )
                for pk in immediate
            ],
            ignore_conflicts=True,
        )
        DigestEntry.objects.bulk_create(
            [
                DigestEntry(dispatch=dispatch, subscription_id=pk)
                for pk, frequency in chunk
                if frequency != Frequency.IMMEDIATELY
            ],
            ignore_conflicts=True,
        )
        unqueued = Delivery.objects.filter(
            dispatch=dispatch,
            **{f"{recipient_field}__in": immediate},
            status=Delivery.Status.PENDING,
            queued_at__isnull=True,
        )
        deliveries_queue(list(unqueued.values_list("pk", flat=True)))
        Dispatch.objects.filter(pk=dispatch_id).update(
            fanout_lease_until=timezone.now()
            + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
        )
    Dispatch.objects.filter(pk=dispatch_id).update(
        fanned_out_at=timezone.now(), fanout_lease_until=None
    )
    logger.info("Dispatch %s fanned out to %s recipients", dispatch_id, total)
    return total


class ConnectionFailure(Exception):
    """The mail server cannot be reached or broke off: every delivery of the batch waits."""


def _wait_for_rate_limit() -> None:
    """At most NOTIFICATIONS_MAX_PER_SECOND e-mails per second across all workers."""
    limit = settings.NOTIFICATIONS_MAX_PER_SECOND
    if not limit:
        return
    while True:
        second = int(time.time())
        key = f"notifications:rate:{second}"
        cache.add(key, 0, timeout=10)
        if cache.incr(key) <= limit:
            return
        time.sleep(max(0.0, second + 1 - time.time()))


def _smtp_code(error: smtplib.SMTPException) -> tuple[int, str]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (550, b"refused"))
        return code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    text = error.smtp_error
    return error.smtp_code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def _record_sent(cursor, delivery: Delivery, recipient: Recipient) -> None:
    sent_at = Delivery._meta.get_field("sent_at").get_db_prep_value(timezone.now(), connection)
    # Table names from the models, values as parameters.
    cursor.execute(
        f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, lease_until = NULL, "  # noqa: S608
        "error = '' WHERE id = %s",
        [Delivery.Status.SENT, sent_at, delivery.pk],
    )
    if recipient.failure_count:
        recipient.model.objects.filter(pk=recipient.pk).update(failure_count=0)


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


def _record_permanent_failure(delivery: Delivery, recipient: Recipient, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, attempts=delivery.attempts + 1, error=reason
    )
    failures = recipient.failure_count + 1
    paused_at = None
    if failures >= settings.NOTIFICATIONS_PAUSE_AFTER_FAILURES:
        paused_at = timezone.now()
        logger.warning(
            "Paused %s %s after %s refusals", recipient.model.__name__, recipient.pk, failures
        )
    recipient.model.objects.filter(pk=recipient.pk).update(
        failure_count=failures, paused_at=paused_at
    )
    logger.warning("Delivery %s refused permanently: %s", delivery.pk, reason)


def _lock_sql(model: type[models.Model]) -> tuple[str, str]:
    lock = ""
    if connection.features.has_select_for_update:
        lock = connection.ops.for_update_sql(no_key=True)
    recipients, deliveries = model._meta.db_table, Delivery._meta.db_table
    # A subscription and a saved search have these columns alike.
    columns = "email, token, confirmed_at IS NOT NULL, paused_at IS NOT NULL, failure_count"
    # Table names from the models, values as parameters.
    subscription = f"SELECT {columns} FROM {recipients} WHERE id = %s {lock}"  # noqa: S608
    delivery = f"SELECT 1 FROM {deliveries} WHERE id = %s AND status = %s AND lease_token = %s"  # noqa: S608
    return subscription, f"{delivery} {lock}"


def _deliver(
    backend, delivery: Delivery, templates: MailTemplates, lease_token: uuid.UUID
) -> Delivery.Status | None:
    """Send one e-mail while holding the locks of its subscription and of itself; record the
    outcome. None if another sender has taken the delivery over.

    The three statements every e-mail costs are plain SQL: this runs once per recipient, and
    building them with the ORM cost as much CPU as all the rest (bench/fanout.py).
    """
    if delivery.saved_search_id is not None:
        from archive.models import SavedSearch

        model, recipient_id = SavedSearch, delivery.saved_search_id
    else:
        model, recipient_id = Subscription, delivery.subscription_id
    lock_subscription, lock_delivery = _lock_sql(model)
    token = Delivery._meta.get_field("lease_token").get_db_prep_value(lease_token, connection)
    with transaction.atomic(), connection.cursor() as cursor:
        # An unsubscribe that committed before is seen here; one that comes now waits until
        # this e-mail is sent and recorded. (Subscription first, then delivery: the order in
        # which an unsubscribe locks them, so the two cannot deadlock.)
        cursor.execute(lock_subscription, [recipient_id])
        subscription = cursor.fetchone() if recipient_id else None
        # A sender slower than its lease (a tarpitting mail server) may have been overtaken:
        # the lease token says whether the delivery is still this sender's to send.
        cursor.execute(lock_delivery, [delivery.pk, Delivery.Status.PENDING, token])
        if cursor.fetchone() is None:
            logger.warning("Delivery %s was taken over by another sender", delivery.pk)
            return None
        is_transactional = delivery.kind in {Delivery.Kind.CONFIRMATION, Delivery.Kind.REMINDER}
        if subscription is None or (
            not is_transactional and (not subscription[2] or subscription[3])
        ):
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.CANCELLED,
                lease_until=None,
                error="unsubscribed" if subscription is None else "paused",
            )
            return Delivery.Status.CANCELLED
        email, subscription_token, _confirmed, _paused, failure_count = subscription
        recipient = Recipient(recipient_id, email, subscription_token, failure_count, model)
        try:
            templates.send(backend, delivery, recipient)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            code, text = _smtp_code(error)
        except (smtplib.SMTPException, OSError) as error:
            # Refused sender, lost connection, timeout: the server, not this address.
            raise ConnectionFailure(f"{type(error).__name__}: {error}") from error
        else:
            _record_sent(cursor, delivery, recipient)
            return Delivery.Status.SENT
        reason = f"{code} {text}".strip()
        if 400 <= code < 500:
            return _record_temporary_failure(delivery, reason, lease_token)
        _record_permanent_failure(delivery, recipient, reason)
        return Delivery.Status.FAILED


def deliveries_send(*, delivery_ids: list[int]) -> dict[str, int]:
    """Send the due deliveries among these over one SMTP connection; returns counts."""
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
    counts = {status: 0 for status in Delivery.Status.values}
    if not claimed:
        return counts
    deliveries = list(
        Delivery.objects.filter(pk__in=claimed).select_related("dispatch__site").order_by("pk")
    )
    templates = MailTemplates()
    retry_ids = []
    remaining = list(deliveries)
    try:
        with get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) as connection:
            while remaining:
                delivery = remaining[0]
                _wait_for_rate_limit()
                status = _deliver(connection, delivery, templates, lease_token)
                remaining.pop(0)
                if status is None:
                    continue
                counts[status] += 1
                if status == Delivery.Status.PENDING:
                    retry_ids.append(delivery.pk)
    except (ConnectionFailure, smtplib.SMTPException, OSError) as error:
        reason = str(error) or type(error).__name__
        logger.warning("Mail server failed during a batch of %s: %s", len(claimed), reason)
        for delivery in remaining:
            status = _record_temporary_failure(delivery, reason, lease_token)
            if status is None:
                continue
            counts[status] += 1
            if status == Delivery.Status.PENDING:
                retry_ids.append(delivery.pk)
    if retry_ids:
        _queue_retry(retry_ids)
    logger.info("Sent batch of %s deliveries: %s", len(claimed), counts)
    return counts


def _queue_retry(delivery_ids: list[int]) -> None:
    from .tasks import delivery_send_batch_task

    due = Delivery.objects.filter(pk__in=delivery_ids).aggregate(due=models.Max("next_attempt_at"))
    countdown = max(0.0, (due["due"] - timezone.now()).total_seconds()) if due["due"] else 0
    transaction.on_commit(
        lambda: delivery_send_batch_task.apply_async((delivery_ids,), countdown=countdown),
        robust=True,
    )


def notifications_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Restart fan-outs and re-queue deliveries that a lost message or killed worker left."""
    from .tasks import dispatch_fan_out_task

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER)
    dispatch_ids = list(
        Dispatch.objects.filter(fanned_out_at__isnull=True, created_at__lt=stale)
        .filter(Q(fanout_lease_until__isnull=True) | Q(fanout_lease_until__lt=now))
        .values_list("pk", flat=True)
    )
    for dispatch_id in dispatch_ids:
        dispatch_fan_out_task.delay(dispatch_id)
    left_behind = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    delivery_ids: list[int] = []
    last_pk = 0
    while True:
        with transaction.atomic():
            # Rows a sender holds (its SMTP conversation may last) are its own; skip them.
            chunk = list(
                left_behind.select_for_update(skip_locked=True).filter(pk__gt=last_pk)[
                    : settings.NOTIFICATIONS_CHUNK_SIZE
                ]
            )
            Delivery.objects.filter(pk__in=chunk).update(queued_at=now)
        if not chunk:
            break
        _queue_batches(chunk)
        last_pk = chunk[-1]
        delivery_ids += chunk
    # News held for a summary of someone who has since chosen immediate e-mails goes out now.
    digests_compose(frequency=Frequency.IMMEDIATELY, now=now)
    if dispatch_ids or delivery_ids:
        logger.warning(
            "Sweep restarted %s fan-outs and re-queued %s deliveries",
            len(dispatch_ids),
            len(delivery_ids),
        )
    return {"dispatches": len(dispatch_ids), "deliveries": len(delivery_ids)}


def digest_period(frequency: str, now: datetime) -> str:
    local = timezone.localtime(now)
    if frequency == Frequency.WEEKLY:
        year, week, _weekday = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def digests_compose(*, frequency: str, now: datetime | None = None) -> int:
    """Put everything new for each daily or weekly subscriber into one digest and queue it.

    Each entry goes into exactly one digest; a second run in the same period finds the
    period's digest and leaves new entries for the next one.
    """
    now = now or timezone.now()
    period = digest_period(frequency, now)
    waiting = DigestEntry.objects.filter(subscription=OuterRef("pk"), digest__isnull=True)
    subscription_ids = (
        subscriptions_active()
        .filter(frequency=frequency)
        .filter(Exists(waiting))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created_ids: list[int] = []
    total = 0
    for subscription_id in subscription_ids.iterator(chunk_size=2000):
        with transaction.atomic():
            digest, is_created = Delivery.objects.get_or_create(
                subscription_id=subscription_id,
                kind=Delivery.Kind.DIGEST,
                digest_period=period,
            )
            if not is_created:
                continue
            DigestEntry.objects.filter(subscription_id=subscription_id, digest__isnull=True).update(
                digest=digest
            )
        created_ids.append(digest.pk)
        total += 1
        if len(created_ids) >= settings.NOTIFICATIONS_CHUNK_SIZE:
            deliveries_queue(created_ids)
            created_ids = []
    deliveries_queue(created_ids)
    logger.info("Composed %s %s digests for %s", total, frequency, period)
    return total


def dispatch_statistics(dispatch: Dispatch) -> dict[str, int]:
    """What happened to a dispatch: deliveries by status and digest entries waiting or sent."""
    by_status = dict(
        dispatch.deliveries.values_list("status").annotate(count=models.Count("pk")).order_by()
    )
    entries = dispatch.digest_entries.aggregate(
        waiting=models.Count("pk", filter=Q(digest__isnull=True)),
        in_digest=models.Count("pk", filter=Q(digest__isnull=False)),
    )
    return {
        "recipients": sum(by_status.values()) + entries["waiting"] + entries["in_digest"],
        "sent": by_status.get(Delivery.Status.SENT, 0),
        "pending": by_status.get(Delivery.Status.PENDING, 0),
        "failed": by_status.get(Delivery.Status.FAILED, 0),
        "cancelled": by_status.get(Delivery.Status.CANCELLED, 0),
        "digest_waiting": entries["waiting"],
        "in_digest": entries["in_digest"],
    }
