"""The notification service's records: who may be told (`Recipient`, a base each audience's
model extends), what there is to tell (`Dispatch`, the outbox), each message to one recipient
(`Delivery`) and news held for a recipient's next summary (`DigestEntry`).

A delivery and a digest entry name their recipient generically, by the audience it belongs
to and its id, so that the service knows no feature app: the audience (notifications.audiences)
knows which model holds its recipients.
"""

import secrets

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from website.models import Ortschaft


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("immediately, one e-mail per notice")
    DAILY = "daily", _("once a day, as a summary")
    WEEKLY = "weekly", _("once a week, as a summary")


class Recipient(models.Model):
    """An address that wants to be told, active once confirmed (double opt-in).

    The row holds the consent as proof (when signed up, when confirmed, which consent
    text); ending it deletes the row, and with it the address.
    """

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))
    # Secret of the links in every e-mail (manage, unsubscribe); never shown elsewhere.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    frequency = models.CharField(
        _("how often"), max_length=20, choices=Frequency, default=Frequency.IMMEDIATELY
    )
    signed_up_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    consent_version = models.CharField(_("version of the consent text"), max_length=20)
    paused_at = models.DateTimeField(
        _("paused"),
        null=True,
        blank=True,
        help_text=_("Set after repeated permanent delivery failures; no e-mails while paused."),
    )
    failure_count = models.PositiveSmallIntegerField(_("permanent failures in a row"), default=0)

    class Meta:
        abstract = True

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Dispatch(models.Model):
    """The outbox row of one announcement, written in the transaction that publishes it.

    It keeps what the messages say, so they read the same whenever they go out, and whom
    they concern: the audience, the Ortschaften, and what else the audience matches by
    (`criteria`, e.g. the board's kind and categories), matched when the fan-out runs.
    """

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField(db_index=True)
    # The name an audience registered under (notifications.audiences).
    audience = models.CharField(_("audience"), max_length=40)
    is_update = models.BooleanField(_("change of a published notice"), default=False)
    # Which version of the source a change announces (a notice's revision): once only.
    source_version = models.CharField(max_length=40, blank=True, editable=False)
    label = models.CharField(_("label"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("address"), max_length=500)
    ortschaften = models.ManyToManyField(Ortschaft, verbose_name=_("Ortschaften"), blank=True)
    criteria = models.JSONField(_("criteria of the audience"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # The fan-out holds a lease while it walks the recipients; the sweep restarts a
    # fan-out whose lease ran out before it finished (a killed worker, a lost message).
    fanout_lease_until = models.DateTimeField(null=True, blank=True)
    fanned_out_at = models.DateTimeField(_("recipients determined"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        constraints = [
            # A first publication is announced once, however often the signal fires.
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=Q(is_update=False),
                name="one_announcement_per_source",
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id", "source_version"],
                condition=Q(is_update=True),
                name="one_announcement_per_change",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One message to one recipient: a notification, a digest or a confirmation request."""

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", _("notification")
        DIGEST = "digest", _("digest")
        CONFIRMATION = "confirmation", _("confirmation request")
        REMINDER = "reminder", _("link to change an existing subscription")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled (unsubscribed or paused)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    audience = models.CharField(_("audience"), max_length=40)
    # Null once the recipient ended: the row stays for the dispatch's figures, the address
    # does not (notifications.recipients.recipients_forget).
    recipient_id = models.PositiveBigIntegerField(null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, default="email")
    dispatch = models.ForeignKey(
        Dispatch, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    digest_period = models.CharField(_("digest period"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    # A sender holds the lease while the message is on its way; the sweep leaves it alone. The
    # token tells a sender slower than its lease that another has taken the delivery over.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            # A rerun of the fan-out creates nothing twice; one digest per period.
            models.UniqueConstraint(
                fields=["dispatch", "audience", "recipient_id"],
                condition=Q(dispatch__isnull=False),
                name="one_delivery_per_dispatch_and_recipient",
            ),
            models.UniqueConstraint(
                fields=["audience", "recipient_id", "digest_period"],
                condition=Q(kind="digest"),
                name="one_digest_per_period",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="pending_deliveries",
            ),
            models.Index(fields=["audience", "recipient_id"], name="deliveries_of_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class DigestEntry(models.Model):
    """A dispatch waiting for a daily or weekly recipient's next digest; in exactly one."""

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="digest_entries")
    audience = models.CharField(_("audience"), max_length=40)
    recipient_id = models.PositiveBigIntegerField()
    digest = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )

    class Meta:
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        constraints = [
            models.UniqueConstraint(
                fields=["dispatch", "audience", "recipient_id"],
                name="one_digest_entry_per_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["audience", "recipient_id"], name="digest_entries_of_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.dispatch_id} → {self.audience} {self.recipient_id}"
