"""Subscriptions to the board: sign-up (the service then asks for confirmation), changes,
whom a notice concerns, and the figures and export for staff. Confirming and unsubscribing
are the notification service's (notifications.recipients), as for every audience.
"""

import csv
import logging
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from wagtail.models import Site

from notifications.audiences import audience_for
from notifications.models import Delivery, Frequency
from notifications.recipients import delivery_queue_single, normalise_email
from website.models import Ortschaft

from .models import Category, NoticeKind, Subscription

logger = logging.getLogger(__name__)

# The version of the consent text (notices.forms.consent_field). Change both together: each
# subscription records the version its citizen agreed to.
CONSENT_VERSION = "2026-11-26"
AUDIENCE = "board"


def _set_choices(
    subscription: Subscription,
    *,
    ortschaften: Iterable[Ortschaft],
    kinds: Iterable[NoticeKind],
    categories: Iterable[Category],
    frequency: str,
) -> None:
    subscription.frequency = frequency
    subscription.full_clean(exclude=["token"])
    subscription.save()
    subscription.ortschaften.set(ortschaften)
    subscription.kinds.set(kinds)
    subscription.categories.set(categories)


def subscription_sign_up(
    *,
    site: Site,
    email: str,
    ortschaften: Iterable[Ortschaft],
    kinds: Iterable[NoticeKind],
    categories: Iterable[Category],
    frequency: str,
) -> Subscription:
    """Record a sign-up and queue the e-mail that completes it.

    The answer is the same whether or not the address is known: a new or unconfirmed
    address gets a confirmation request with these choices, a confirmed one a link to
    change its subscription (whoever typed the address cannot change it).
    """
    email = normalise_email(email)
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(site=site, email__iexact=email).first()
        )
        if subscription is not None and subscription.is_confirmed:
            kind = Delivery.Kind.REMINDER
        else:
            subscription = subscription or Subscription(site=site, email=email)
            subscription.signed_up_at = timezone.now()
            subscription.consent_version = CONSENT_VERSION
            _set_choices(
                subscription,
                ortschaften=ortschaften,
                kinds=kinds,
                categories=categories,
                frequency=frequency,
            )
            kind = Delivery.Kind.CONFIRMATION
        delivery_queue_single(audience=audience_for(AUDIENCE), recipient=subscription, kind=kind)
    logger.info("Sign-up for subscription %s (%s)", subscription.pk, kind)
    return subscription


def subscription_subscribe_verified(
    *,
    site: Site,
    email: str,
    ortschaften: Iterable[Ortschaft],
    kinds: Iterable[NoticeKind],
    categories: Iterable[Category],
    frequency: str,
) -> Subscription:
    """Subscribe an address its account has verified: active at once, no confirmation e-mail.

    The account's verification is the proof that the address is the citizen's; the consent
    given on the account page is recorded like that of a sign-up.
    """
    email = normalise_email(email)
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(site=site, email__iexact=email).first()
        ) or Subscription(site=site, email=email)
        if not subscription.is_confirmed:
            now = timezone.now()
            subscription.signed_up_at = now
            subscription.confirmed_at = now
            subscription.consent_version = CONSENT_VERSION
        return subscription_update(
            subscription=subscription,
            ortschaften=ortschaften,
            kinds=kinds,
            categories=categories,
            frequency=frequency,
        )


def subscription_update(
    *,
    subscription: Subscription,
    ortschaften: Iterable[Ortschaft],
    kinds: Iterable[NoticeKind],
    categories: Iterable[Category],
    frequency: str,
) -> Subscription:
    """Change what a confirmed subscription receives; resumes a paused one."""
    with transaction.atomic():
        subscription.paused_at = None
        subscription.failure_count = 0
        _set_choices(
            subscription,
            ortschaften=ortschaften,
            kinds=kinds,
            categories=categories,
            frequency=frequency,
        )
    logger.info("Changed subscription %s", subscription.pk)
    return subscription


def subscriptions_active() -> QuerySet[Subscription]:
    return Subscription.objects.filter(confirmed_at__isnull=False, paused_at__isnull=True)


def subscriptions_matching(
    *, site_id: int, ortschaft_ids: list[int], kind_id: int | None, category_ids: list[int]
) -> QuerySet[Subscription]:
    """Active subscriptions that want news with these Ortschaften, kind and categories.

    A subscription's empty choice means all. News for the whole municipality (no
    Ortschaft) concerns everyone; news without a category reaches only those who did not
    narrow by category.
    """
    through_ortschaft = Subscription.ortschaften.through.objects.filter(subscription=OuterRef("pk"))
    through_kind = Subscription.kinds.through.objects.filter(subscription=OuterRef("pk"))
    through_category = Subscription.categories.through.objects.filter(subscription=OuterRef("pk"))
    subscriptions = subscriptions_active().filter(site_id=site_id)
    if ortschaft_ids:
        subscriptions = subscriptions.filter(
            ~Exists(through_ortschaft)
            | Exists(through_ortschaft.filter(ortschaft_id__in=ortschaft_ids))
        )
    if kind_id is not None:
        subscriptions = subscriptions.filter(
            ~Exists(through_kind) | Exists(through_kind.filter(noticekind_id=kind_id))
        )
    if category_ids:
        subscriptions = subscriptions.filter(
            ~Exists(through_category)
            | Exists(through_category.filter(category_id__in=category_ids))
        )
    else:
        subscriptions = subscriptions.filter(~Exists(through_category))
    return subscriptions


def subscriber_counts(*, site: Site) -> dict:
    """Confirmed subscribers per Ortschaft (those who chose all count for every one)."""
    active = subscriptions_active().filter(site=site)
    for_all = active.filter(ortschaften__isnull=True).count()
    per_ortschaft = Ortschaft.objects.annotate(
        subscribers=Count(
            "subscription",
            filter=Q(
                subscription__site=site,
                subscription__confirmed_at__isnull=False,
                subscription__paused_at__isnull=True,
            ),
        )
    ).order_by("name")
    return {
        "total": active.count(),
        "for_all": for_all,
        "per_ortschaft": [(o, o.subscribers + for_all) for o in per_ortschaft],
        "per_frequency": {
            Frequency(row["frequency"]).label: row["count"]
            for row in active.values("frequency").annotate(count=Count("pk")).order_by()
        },
        "unconfirmed": Subscription.objects.filter(site=site, confirmed_at__isnull=True).count(),
        "paused": Subscription.objects.filter(site=site, paused_at__isnull=False).count(),
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def subscribers_csv_rows(*, site: Site) -> Iterator[str]:
    """The subscribers as CSV lines, with the consent proof, streamed in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            "email",
            "status",
            "frequency",
            "ortschaften",
            "kinds",
            "categories",
            "signed_up_at",
            "confirmed_at",
            "consent_version",
            "paused_at",
        ]
    )
    subscriptions = (
        Subscription.objects.filter(site=site)
        .prefetch_related("ortschaften", "kinds", "categories")
        .order_by("pk")
    )
    for subscription in subscriptions.iterator(chunk_size=2000):
        if subscription.paused_at:
            status = "paused"
        elif subscription.confirmed_at:
            status = "active"
        else:
            status = "unconfirmed"
        yield writer.writerow(
            [
                subscription.email,
                status,
                subscription.frequency,
                "; ".join(o.name for o in subscription.ortschaften.all()) or "*",
                "; ".join(k.name for k in subscription.kinds.all()) or "*",
                "; ".join(c.name for c in subscription.categories.all()) or "*",
                subscription.signed_up_at.isoformat(),
                subscription.confirmed_at.isoformat() if subscription.confirmed_at else "",
                subscription.consent_version,
                subscription.paused_at.isoformat() if subscription.paused_at else "",
            ]
        )
