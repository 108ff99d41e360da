"""Recipients of every audience: double opt-in (confirmation links), the one transactional
e-mail a sign-up queues, unsubscribing, and deleting sign-ups nobody confirmed.

Each audience's app records its sign-ups itself (what a citizen chose is its own business);
everything after that is the same for all audiences and lives here.
"""

import logging
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from website.task_queue import task_queue_on_commit

from .audiences import Audience, audiences
from .email import site_root_url
from .models import Delivery, DigestEntry, Recipient

logger = logging.getLogger(__name__)

CONFIRMATION_MAX_AGE = timedelta(days=7)
UNCONFIRMED_RETENTION = timedelta(days=7)


class InvalidLink(Exception):
    """A confirmation link that is forged, expired or whose sign-up is gone."""


def normalise_email(email: str) -> str:
    # One subscription per mailbox: addresses differing in case reach the same mailbox.
    return email.strip().lower()


def confirmation_signature(*, audience: Audience, recipient: Recipient) -> str:
    """What the confirmation link carries: the recipient's token, signed for its audience."""
    return signing.dumps(recipient.token, salt=audience.confirmation_salt, compress=True)


def confirmation_url(*, audience: Audience, recipient: Recipient) -> str:
    """The absolute address of the page that confirms this recipient, valid for a week."""
    signature = confirmation_signature(audience=audience, recipient=recipient)
    return site_root_url(recipient.site) + reverse(
        audience.confirm_url_name, kwargs={"signature": signature}
    )


def delivery_queue_single(*, audience: Audience, recipient: Recipient, kind: str) -> Delivery:
    """Queue one transactional e-mail (confirmation, reminder) ahead of bulk notifications."""
    from .tasks import delivery_send_task

    delivery = Delivery.objects.create(kind=kind, audience=audience.name, recipient_id=recipient.pk)
    task_queue_on_commit(
        delivery_send_task, delivery.pk, if_unreachable="the notification sweep queues it again"
    )
    return delivery


def recipient_for_confirmation(*, audience: Audience, signature: str) -> Recipient:
    """The sign-up a confirmation link belongs to; InvalidLink if forged, expired or gone."""
    try:
        token = signing.loads(
            signature,
            salt=audience.confirmation_salt,
            max_age=CONFIRMATION_MAX_AGE.total_seconds(),
        )
    except signing.BadSignature as error:
        raise InvalidLink(str(error)) from None
    recipient = audience.recipient_model.objects.filter(token=token).first()
    if recipient is None:
        raise InvalidLink(f"{audience.name} recipient no longer exists")
    return recipient


def recipient_confirm(*, audience: Audience, signature: str) -> Recipient:
    """Activate a recipient from its confirmation link (idempotent)."""
    with transaction.atomic():
        recipient = recipient_for_confirmation(audience=audience, signature=signature)
        recipient = audience.recipient_model.objects.select_for_update().get(pk=recipient.pk)
        if recipient.confirmed_at is None:
            recipient.confirmed_at = timezone.now()
            recipient.save(update_fields=["confirmed_at"])
            logger.info("Confirmed %s recipient %s", audience.name, recipient.pk)
    return recipient


def recipient_unsubscribe(*, audience: Audience, token: str) -> bool:
    """End a recipient and remove its address; False if there was none for this token.

    A sender holds the recipient's row lock while a message to it is on its way, so the
    delete waits for that one message; every later one sees the recipient gone.
    """
    with transaction.atomic():
        recipient = audience.recipient_model.objects.select_for_update().filter(token=token)
        recipient = recipient.first()
        if recipient is None:
            return False
        pk = recipient.pk
        recipient.delete()
    logger.info("Unsubscribed and deleted %s recipient %s", audience.name, pk)
    return True


def recipients_forget(*, audience: Audience, recipient_ids: list[int], reason: str) -> None:
    """What deleting recipients leaves behind: pending messages cancelled, news held for
    their summaries dropped, and their deliveries no longer linked to them (the rows stay
    for the dispatches' figures, the addresses do not)."""
    deliveries = Delivery.objects.filter(audience=audience.name, recipient_id__in=recipient_ids)
    deliveries.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED, error=reason
    )
    deliveries.update(recipient_id=None)
    DigestEntry.objects.filter(audience=audience.name, recipient_id__in=recipient_ids).delete()


def forget_deleted_recipient(sender, instance: Recipient, **kwargs) -> None:
    """post_delete of every audience's recipient model, however the row was deleted."""
    for audience in audiences():
        if audience.recipient_model is sender:
            recipients_forget(audience=audience, recipient_ids=[instance.pk], reason="unsubscribed")


def recipients_unconfirmed_delete(*, now: datetime | None = None) -> int:
    """Delete the sign-ups of every audience that nobody confirmed within the retention period."""
    cutoff = (now or timezone.now()) - UNCONFIRMED_RETENTION
    deleted = 0
    for audience in audiences():
        stale = audience.recipient_model.objects.filter(
            confirmed_at__isnull=True, signed_up_at__lt=cutoff
        )
        with transaction.atomic():
            recipients_forget(
                audience=audience,
                recipient_ids=list(stale.values_list("pk", flat=True)),
                reason="never confirmed",
            )
            count, _counts = stale.delete()
        if count:
            logger.info("Deleted %s unconfirmed %s recipients", count, audience.name)
        deleted += count
    return deleted
