"""The fan-out: announce news to the recipients it concerns.

`dispatch_create` is what other parts call (a notice's publication, a survey's opening, a
document's first indexing): it writes the outbox row in the caller's transaction and starts
the fan-out after commit. The fan-out asks the dispatch's audience which recipients it
concerns, walks them in chunks and creates one delivery per immediate recipient (a digest
entry per daily or weekly one); senders deliver batches over one connection each
(notifications.sending); a periodic sweep restarts whatever a lost message or a killed
worker left behind. Every step is idempotent, so a rerun creates and sends nothing twice.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from wagtail.models import Site

from website.models import Ortschaft
from website.task_queue import task_queue_on_commit

from .audiences import audience_for, audiences
from .models import Delivery, DigestEntry, Dispatch, Frequency

logger = logging.getLogger(__name__)


def dispatch_create(
    *,
    audience: str,
    source: models.Model,
    site: Site,
    label: str,
    title: str,
    summary: str,
    url: str,
    ortschaften: Iterable[Ortschaft] = (),
    criteria: dict | None = None,
    is_update: bool = False,
    source_version: str = "",
) -> Dispatch | None:
    """Announce news to an audience; call it in the transaction that makes the news public.

    Returns None when this source's first publication, or this version of a change
    (`source_version`), was announced already. `criteria` is what else the audience
    matches its recipients by (the board: {"kind": id, "categories": [ids]}).
    """
    from .tasks import dispatch_fan_out_task

    audience_for(audience)  # LookupError for a name no app registered
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
        criteria=criteria or {},
    )
    dispatch.full_clean()
    with transaction.atomic():
        dispatch.save()
        dispatch.ortschaften.set(ortschaften)
        task_queue_on_commit(
            dispatch_fan_out_task,
            dispatch.pk,
            if_unreachable="the notification sweep starts the fan-out",
        )
    logger.info("Created dispatch %s for %s %s", dispatch.pk, source_type, source.pk)
    return dispatch


def deliveries_queue(delivery_ids: list[int], *, now: datetime | None = None) -> None:
    """Hand deliveries to the senders, in batches of one connection each."""
    if not delivery_ids:
        return
    Delivery.objects.filter(pk__in=delivery_ids).update(queued_at=now or timezone.now())
    _queue_batches(delivery_ids)


def _queue_batches(delivery_ids: list[int]) -> None:
    from .tasks import delivery_send_batch_task

    size = settings.NOTIFICATIONS_BATCH_SIZE
    for start in range(0, len(delivery_ids), size):
        delivery_send_batch_task.delay(delivery_ids[start : start + size])


def dispatch_recipients(dispatch: Dispatch) -> models.QuerySet:
    """The active recipients a dispatch concerns, as its audience says."""
    return audience_for(dispatch.audience).recipients_matching(
        site_id=dispatch.site_id,
        source_id=dispatch.source_id,
        ortschaft_ids=list(dispatch.ortschaften.values_list("pk", flat=True)),
        criteria=dispatch.criteria,
    )


def dispatch_fan_out(*, dispatch_id: int) -> int:
    """Create the deliveries and digest entries of a dispatch and queue them; idempotent.

    Returns the number of matching recipients, or 0 if another fan-out holds the lease
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
    audience = dispatch.audience
    matching = dispatch_recipients(dispatch).order_by("pk").values_list("pk", "frequency")
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
                    kind=Delivery.Kind.NOTIFICATION,
                    dispatch=dispatch,
                    audience=audience,
                    recipient_id=pk,
                )
                for pk in immediate
            ],
            ignore_conflicts=True,
        )
        DigestEntry.objects.bulk_create(
            [
                DigestEntry(dispatch=dispatch, audience=audience, recipient_id=pk)
                for pk, frequency in chunk
                if frequency != Frequency.IMMEDIATELY
            ],
            ignore_conflicts=True,
        )
        unqueued = Delivery.objects.filter(
            dispatch=dispatch,
            audience=audience,
            recipient_id__in=immediate,
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


def _bulk_messages_waiting() -> int:
    """How many batches wait in the senders' queue, not yet taken by a worker."""
    from .tasks import delivery_send_batch_task

    app = delivery_send_batch_task.app
    if app.conf.task_always_eager:
        return 0  # tasks run where they are queued
    queue = app.amqp.router.route({}, delivery_send_batch_task.name)["queue"].name
    with app.connection_for_read() as connection, connection.channel() as channel:
        try:
            return channel.queue_declare(queue=queue, passive=True).message_count
        except connection.channel_errors:
            return 0  # no such queue: Redis keeps none that is empty


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
    # Lost, or waiting its turn? A delivery without a message (never queued), or one a
    # sender took and left (its lease ran out: the worker was killed), is lost. One queued
    # and not taken since may just wait: a fan-out to thousands, at a rate limit, takes
    # longer than SWEEP_AFTER, and queuing what waits once more would add a message per
    # delivery at every sweep. So it counts as lost only once no batch waits in the queue:
    # a queue is first in, first out, so every message queued before has been taken, and a
    # delivery still not taken after SWEEP_AFTER lost its message (Redis restarted without
    # its queues, a worker died before its claim). While batches wait, it waits with them.
    lost = Q(queued_at__isnull=True) | Q(lease_until__lt=now)
    if not _bulk_messages_waiting():
        lost |= Q(queued_at__lt=stale)
    left_behind = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(lost)
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
            # Queued afresh: a lease that ran out no longer says that it was taken and left.
            Delivery.objects.filter(pk__in=chunk).update(queued_at=now, lease_until=None)
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
    """Put everything new for each daily or weekly recipient into one digest and queue it.

    Each entry goes into exactly one digest; a second run in the same period finds the
    period's digest and leaves new entries for the next one.
    """
    now = now or timezone.now()
    period = digest_period(frequency, now)
    created_ids: list[int] = []
    total = 0
    for audience in audiences():
        waiting = DigestEntry.objects.filter(
            audience=audience.name, recipient_id=OuterRef("pk"), digest__isnull=True
        )
        recipient_ids = (
            audience.recipient_model.objects.filter(
                confirmed_at__isnull=False, paused_at__isnull=True, frequency=frequency
            )
            .filter(Exists(waiting))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for recipient_id in recipient_ids.iterator(chunk_size=2000):
            with transaction.atomic():
                digest, is_created = Delivery.objects.get_or_create(
                    audience=audience.name,
                    recipient_id=recipient_id,
                    kind=Delivery.Kind.DIGEST,
                    digest_period=period,
                )
                if not is_created:
                    continue
                DigestEntry.objects.filter(
                    audience=audience.name, recipient_id=recipient_id, digest__isnull=True
                ).update(digest=digest)
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
