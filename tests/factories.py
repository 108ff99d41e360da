"""Factories for the portal's models; pages come from `seed_demo` (the `demo` fixture)."""

import time
from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Site

from archive.alerts import CONSENT_VERSION as ALERT_CONSENT_VERSION
from archive.models import SavedSearch
from notices.models import Category, NoticeKind, NoticePage, Subscription
from notices.subscriptions import CONSENT_VERSION
from website.models import BarrierReport, Ortschaft


class OrtschaftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ortschaft
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda number: f"Ortsteil {number}")
    slug = factory.LazyAttribute(lambda ortschaft: slugify(ortschaft.name))
    short_description = factory.LazyAttribute(lambda ortschaft: f"Über {ortschaft.name}.")
    sort_order = factory.Sequence(lambda number: 100 + number)


class BarrierReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BarrierReport

    site = factory.LazyFunction(lambda: Site.objects.filter(is_default_site=True).first())
    message = factory.Sequence(lambda number: f"The download link number {number} has no label.")
    location = "/impressum/"
    name = "Erika Mustermann"
    email = factory.Sequence(lambda number: f"citizen{number}@example.org")


class NoticeKindFactory(factory.django.DjangoModelFactory):
    """The five kinds exist from the migration; `NoticeKindFactory(slug="neuigkeit")` gets one."""

    class Meta:
        model = NoticeKind
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda number: f"Art {number}")
    slug = factory.LazyAttribute(lambda kind: slugify(kind.name))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda number: f"Kategorie {number}")
    slug = factory.LazyAttribute(lambda category: slugify(category.name))


def _kind(slug: str):
    return factory.SubFactory(NoticeKindFactory, slug=slug)


class NoticePageFactory(wagtail_factories.PageFactory):
    """A live notice below `parent` (the board); `official=True` or `event=True` for those kinds,
    `kind__slug="baustelle-verkehr"` for another. Ortschaften and categories go in as lists:
    `NoticePageFactory(parent=board, ortschaften=[ebendorf])`.
    """

    class Meta:
        model = NoticePage

    title = factory.Sequence(lambda number: f"Mitteilung {number}")
    slug = factory.LazyAttributeSequence(lambda notice, number: f"{slugify(notice.title)}-{number}")
    kind = _kind("neuigkeit")
    teaser = factory.LazyAttribute(lambda notice: f"Worum es geht: {notice.title}.")
    first_published_at = factory.LazyFunction(timezone.now)
    last_published_at = factory.SelfAttribute("first_published_at")

    class Params:
        official = factory.Trait(
            kind=_kind("amtliche-bekanntmachung"),
            display_from=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
            display_until=factory.LazyFunction(lambda: timezone.now() + timedelta(days=14)),
        )
        event = factory.Trait(
            kind=_kind("veranstaltung"),
            event_start=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7)),
            event_end=factory.LazyAttribute(lambda notice: notice.event_start + timedelta(hours=2)),
            location_name="Bürgerhaus",
        )
        draft = factory.Trait(live=False, first_published_at=None)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A confirmed subscription to everything, immediately. Choices go in as lists:
    `SubscriptionFactory(ortschaften=[ebendorf], frequency="daily")`; `confirmed_at=None`
    for a sign-up nobody has confirmed yet.
    """

    class Meta:
        model = Subscription
        skip_postgeneration_save = True

    site = factory.LazyFunction(lambda: Site.objects.get(is_default_site=True))
    email = factory.Sequence(lambda number: f"subscriber{number}@example.org")
    consent_version = CONSENT_VERSION
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def ortschaften(self, create, extracted, **kwargs):
        if create and extracted:
            self.ortschaften.set(extracted)

    @factory.post_generation
    def kinds(self, create, extracted, **kwargs):
        if create and extracted:
            self.kinds.set(extracted)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class SavedSearchFactory(factory.django.DjangoModelFactory):
    """A confirmed saved search with its consent; `confirmed_at=None` for one waiting."""

    class Meta:
        model = SavedSearch

    site = factory.LazyFunction(lambda: Site.objects.get(is_default_site=True))
    email = factory.Sequence(lambda number: f"suchende{number}@example.org")
    query = "Bebauungsplan"
    consent_version = ALERT_CONSENT_VERSION
    confirmed_at = factory.LazyFunction(timezone.now)


# How long a test may take to send a second-factor code after reading it (a loaded machine).
TOTP_SECONDS_TO_SEND = 8


def staff_account(group_name: str, *, username: str = "", password: str | None = None):
    """A staff account in a group, as the admin needs it: a verified e-mail address and a
    second factor (an authenticator app, whose key is `user.totp_secret`)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    username = username or f"{group_name.lower()}-test"
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=password
    )
    user.groups.add(Group.objects.get(name=group_name))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.totp_secret = generate_totp_secret()
    TOTP.activate(user, user.totp_secret)
    return user


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`, with time left to send it.

    The portal takes only the current period's code (no tolerance), so near the end of a
    period this waits for the next one, as a person would: otherwise a browser that sends
    the code a moment later is refused now and then."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < TOTP_SECONDS_TO_SEND:
        time.sleep(left)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
