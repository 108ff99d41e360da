"""No state change by GET: every public address of the portal, and every page with its
routes, is opened with GET, by an anonymous visitor and by a logged-in citizen, and the
database must not change.

PostgreSQL counts the rows each transaction inserts, updates and deletes per table
(pg_stat_xact_user_tables); the test runs in one transaction, so the counts before and after
each GET tell whether it wrote anything. Only the visitor's own session may change (it is
the browser's state: a log-in code waiting, a form's step), and Wagtail's image renditions.

Every address with parameters of the URL configuration must be given values below or be
named as skipped, so a new view cannot escape the walk unnoticed.
"""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

from archive.models import Document, SavedSearch
from notices.models import Subscription
from notifications.audiences import audience_for
from notifications.recipients import confirmation_signature
from services.models import Service
from tests.factories import SavedSearchFactory, SubscriptionFactory
from website.models import Ortschaft

pytestmark = [pytest.mark.django_db, pytest.mark.service("postgres")]

# Tables a GET may write: the visitor's own session, and the sizes of an image Wagtail
# makes when a page first shows it (the logo), which only cache what the image is.
ALLOWED_TABLES = {"django_session", "wagtailimages_rendition"}
# Addresses with parameters that are not walked, and why.
SKIPPED = {
    # Wagtail's page router: walked below, page by page and route by route.
    "wagtail_serve": "pages",
    # a citizen's own WebAuthn keys: the citizen has none in this test
    "mfa_remove_webauthn": "no key",
    "mfa_edit_webauthn": "no key",
    # OpenID Connect: off unless a provider is configured
    "openid_connect_login": "no provider",
    "openid_connect_callback": "no provider",
    # only with DEBUG: images from the media folder
    None: "static files",
}
ADMIN_NAMESPACES = {"admin"}


def written_rows() -> dict[str, tuple[int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
        )
        return {name: tuple(counts) for name, *counts in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> set[str]:
    return {name for name, counts in after.items() if before.get(name, (0, 0, 0)) != counts}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    """(full name, route text, pattern) of every URL pattern below the resolver."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if (
                route.startswith(("admin/", "django-admin/"))
                or pattern.namespace in ADMIN_NAMESPACES
            ):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, route, pattern


def _confirmation_signature(audience: str, recipient) -> str:
    """The signature in a recipient's confirmation link, as the e-mail has it."""
    return confirmation_signature(audience=audience_for(audience), recipient=recipient)


@pytest.fixture
def world(demo):
    """The objects whose addresses carry a token, a signature or a key, each unconfirmed."""
    user = get_user_model().objects.create_user(
        username="erika", email="erika@example.org", password="Lindenblüte-im-Juni-7"
    )
    address = EmailAddress.objects.create(user=user, email="erika@example.org", verified=False)
    subscription = SubscriptionFactory(confirmed_at=None)
    saved_search = SavedSearchFactory(confirmed_at=None)
    document = Document.objects.first()
    service = Service.objects.filter(life_situations__isnull=False).first()
    ortschaft = Ortschaft.objects.first()
    return {
        "user": user,
        "subscription": subscription,
        "saved_search": saved_search,
        "kwargs": {
            "archive_document": {"pk": document.pk},
            "services:service": {"pk": service.pk},
            "services:life_situation": {"slug": service.life_situations.first().slug},
            "wagtaildocs_serve": [document.pk, document.filename],
            "wagtaildocs_authenticate_with_password": {"restriction_id": 1},
            "wagtailcore_authenticate_with_password": {
                "page_view_restriction_id": 1,
                "page_id": Page.objects.live().last().pk,
            },
            "notices:subscription_confirm": {
                "signature": _confirmation_signature("board", subscription)
            },
            "notices:subscription_manage": {"token": subscription.token},
            "notices:subscription_unsubscribe": {"token": subscription.token},
            "archive_alerts:confirm": {
                "signature": _confirmation_signature("saved_search", saved_search)
            },
            "archive_alerts:manage": {"token": saved_search.token},
            "archive_alerts:unsubscribe": {"token": saved_search.token},
            "account_confirm_email": {"key": EmailConfirmationHMAC(address).key},
            # the open-data API and OParl: an id is enough; a missing one is a 404
            **{
                name: {"pk": document.pk}
                for name in (
                    "api-notice-detail",
                    "api-event-detail",
                    "api-document-detail",
                    "api-survey-results-detail",
                    "api-service-detail",
                    "oparl_organization",
                    "oparl_organization_meetings",
                    "oparl_meeting",
                    "oparl_paper",
                    "oparl_file",
                )
            },
            "account_reset_password_from_key": {
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        },
        "ortschaft": ortschaft,
    }


def portal_addresses(world) -> list[str]:
    """Every address of the URL configuration outside the admins, with values filled in."""
    addresses, unknown = [], []
    for name, route, pattern in walk(get_resolver()):
        # the parameters may be in the pattern or in one that includes it
        has_parameters = "<" in route or "(" in route
        if not has_parameters:
            addresses.append(reverse(name) if name else "/" + route.strip("^$"))
        elif name in world["kwargs"]:
            values = world["kwargs"][name]
            args, kwargs = (values, None) if isinstance(values, list) else (None, values)
            addresses.append(reverse(name, args=args, kwargs=kwargs))
        elif name not in SKIPPED:
            unknown.append(name or route)
    assert unknown == [], "give these addresses values in `world`, or skip them with a reason"
    return addresses


def page_addresses(world) -> list[str]:
    """Every live page, with every route of a routable page."""
    addresses = []
    for page in Page.objects.live().specific():
        if not page.url:
            continue
        addresses += [page.url, f"{page.url}?ortschaft={world['ortschaft'].slug}"]
        if isinstance(page, RoutablePageMixin):
            for pattern in page.get_resolver().url_patterns:
                kwargs = {name: world["ortschaft"].slug for name in pattern.pattern.converters}
                addresses.append(page.url + page.reverse_subpage(pattern.name, kwargs=kwargs))
    return addresses


def assert_gets_change_nothing(client, addresses: list[str]) -> None:
    writes = {}
    for address in addresses:
        before = written_rows()
        response = client.get(address)
        assert response.status_code < 500, address
        tables = changed_tables(before, written_rows()) - ALLOWED_TABLES
        if tables:
            writes[address] = sorted(tables)
    assert writes == {}


def test_anonymous_gets_change_nothing(client, world):
    addresses = portal_addresses(world) + page_addresses(world)
    assert len(addresses) > 60

    assert_gets_change_nothing(client, addresses)

    # what the links in e-mails lead to is still undone
    assert Subscription.objects.get(pk=world["subscription"].pk).confirmed_at is None
    assert SavedSearch.objects.get(pk=world["saved_search"].pk).confirmed_at is None
    assert not EmailAddress.objects.get(user=world["user"]).verified


def test_a_citizens_gets_change_nothing(client, world):
    citizen = world["user"]
    EmailAddress.objects.filter(user=citizen).update(verified=True, primary=True)
    client.force_login(citizen)
    addresses = portal_addresses(world) + page_addresses(world)
    # the log-out address last: a GET only asks whether to log out
    addresses.sort(key=lambda address: address == reverse("account_logout"))

    assert_gets_change_nothing(client, addresses)

    assert get_user_model().objects.filter(pk=citizen.pk).exists()
    assert client.get(reverse("account_overview")).status_code == 200


def test_the_counts_see_a_write(client, world):
    # the check above must be able to fail: a write in this transaction is counted
    before = written_rows()
    Subscription.objects.filter(pk=world["subscription"].pk).update(confirmed_at=timezone.now())

    assert "notices_subscription" in changed_tables(before, written_rows())
