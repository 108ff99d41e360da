"""E-mail subscriptions and the notification outbox: dispatches, deliveries and digests.

A `Dispatch` is one piece of news to announce (a notice's first publication, a change its
editor chose to send, a survey's opening); a `Delivery` is one e-mail to one subscription;
a `DigestEntry` holds a dispatch for a daily or weekly subscriber until their digest goes out.
"""

import secrets

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from barleben_portal.models import Ortschaft

from .board import Category, NoticeKind


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("immediately, one e-mail per notice")
    DAILY = "daily", _("once a day, as a summary")
    WEEKLY = "weekly", _("once a week, as a summary")


class Subscription(models.Model):
    """A citizen's wish to be told about new notices; active once the address is confirmed.

    Empty Ortschaften, kinds or categories mean "all of them". The row holds the consent
    as proof (when signed up, when confirmed, which consent text); unsubscribing deletes it.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))
    ortschaften = models.ManyToManyField(Ortschaft, verbose_name=_("Ortschaften"), blank=True)
    kinds = models.ManyToManyField(NoticeKind, verbose_name=_("kinds of notice"), blank=True)
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True)
    frequency = models.CharField(
        _("how often"), max_length=20, choices=Frequency, default=Frequency.IMMEDIATELY
    )
    # Secret of the links in every e-mail (change, unsubscribe); never shown elsewhere.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
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
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(Lower("email"), "site", name="one_subscription_per_address"),
        ]
        indexes = [models.Index(fields=["confirmed_at", "signed_up_at"])]
        permissions = [("export_subscription", _("Can export subscribers"))]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Dispatch(models.Model):
    """The outbox row of one announcement, written in the transaction that publishes it.

    It keeps what the e-mails say, so they read the same whenever they go out, and whom
    they concern: for the board's audience the Ortschaften, kind and categories, matched
    against the subscriptions; for saved searches the source document, matched against
    the saved searches when the fan-out runs.
    """

    class Audience(models.TextChoices):
        BOARD = "board", _("subscribers of the notice board")
        SAVED_SEARCH = "saved_search", _("saved searches the document matches")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField(db_index=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience, default=Audience.BOARD
    )
    is_update = models.BooleanField(_("change of a published notice"), default=False)
    # Which version of the source a change announces (a notice's revision): once only.
    source_version = models.CharField(max_length=40, blank=True, editable=False)
    label = models.CharField(_("label"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("address"), max_length=500)
    ortschaften = models.ManyToManyField(Ortschaft, verbose_name=_("Ortschaften"), blank=True)
    kind = models.ForeignKey(
        NoticeKind, verbose_name=_("kind"), null=True, blank=True, on_delete=models.SET_NULL
    )
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # The fan-out holds a lease while it walks the subscriptions; the sweep restarts a
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
    """One e-mail to one subscription or saved search: a notification, a digest or a
    confirmation request."""

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
    # Null once the subscription ended: the row stays for the dispatch's figures, the
    # address does not.
    subscription = models.ForeignKey(
        Subscription, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # The recipient of a dispatch to saved searches (subscription is then null); null once
    # the saved search was deleted, like a subscription.
    saved_search = models.ForeignKey(
        "archive.SavedSearch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
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
    # A sender holds the lease while the e-mail is on its way; the sweep leaves it alone. The
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
                fields=["dispatch", "subscription"],
                condition=Q(dispatch__isnull=False),
                name="one_delivery_per_dispatch_and_subscription",
            ),
            models.UniqueConstraint(
                fields=["dispatch", "saved_search"],
                condition=Q(dispatch__isnull=False),
                name="one_delivery_per_dispatch_and_saved_search",
            ),
            models.UniqueConstraint(
                fields=["subscription", "digest_period"],
                condition=Q(kind="digest"),
                name="one_digest_per_period",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="pending_deliveries",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class DigestEntry(models.Model):
    """A dispatch waiting for a daily or weekly subscriber's next digest; in exactly one."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="digest_entries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="digest_entries"
    )
    digest = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )

    class Meta:
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        constraints = [
            models.UniqueConstraint(
                fields=["dispatch", "subscription"], name="one_digest_entry_per_subscription"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispatch_id} → {self.subscription_id}"
