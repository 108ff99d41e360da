"""Who may open what: every role against every admin area and every citizen-owned object,
in one table. Each cell is what the role gets:

- "ok": the page (200)
- "login": sent to the log-in (302 to the accounts' log-in)
- "denied": refused (403, or Wagtail's redirect to the dashboard with "no permission")
- "none": nothing of someone else's to see (404)

Staff accounts have their second factor, as the admin requires (tests/portal/test_second_factor.py).
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SubscriptionFactory, staff_account

pytestmark = [pytest.mark.service("postgres", "redis"), pytest.mark.django_db]

ROLES = [
    "anonymous",
    "citizen",
    "other_citizen",
    "Redaktion",
    "Freigabe",
    "Gemeinderat",
    "Administration",
]

# area: (what each role in ROLES gets, in that order)
MATRIX = {
    # --- the Wagtail admin ---------------------------------------------------------------
    "dashboard": ("login", "login", "login", "ok", "ok", "ok", "ok"),
    # The council reads the dashboard, the survey results, the lists of document types and
    # issuing bodies and the subscriber figures; Wagtail has no read-only access to pages.
    "page explorer": ("login", "login", "login", "ok", "ok", "denied", "ok"),
    "edit a notice": ("login", "login", "login", "ok", "ok", "denied", "ok"),
    "add a notice": ("login", "login", "login", "ok", "ok", "denied", "ok"),
    "documents": ("login", "login", "login", "ok", "ok", "denied", "ok"),
    "upload a document": ("login", "login", "login", "ok", "ok", "denied", "ok"),
    "images": ("login", "login", "login", "ok", "ok", "denied", "ok"),
    "users": ("login", "login", "login", "denied", "denied", "denied", "ok"),
    "groups": ("login", "login", "login", "denied", "denied", "denied", "ok"),
    "site settings": ("login", "login", "login", "denied", "denied", "denied", "ok"),
    "Ortschaften": ("login", "login", "login", "denied", "denied", "denied", "ok"),
    "document types": ("login", "login", "login", "ok", "ok", "ok", "ok"),
    "barrier reports": ("login", "login", "login", "denied", "denied", "denied", "ok"),
    "workflows": ("login", "login", "login", "denied", "denied", "denied", "ok"),
    "subscribers": ("login", "login", "login", "ok", "ok", "ok", "ok"),
    "subscribers export": ("login", "login", "login", "denied", "denied", "denied", "ok"),
    "indexing": ("login", "login", "login", "ok", "ok", "denied", "ok"),
    "survey results": ("login", "login", "login", "denied", "denied", "ok", "ok"),
    "survey results export": ("login", "login", "login", "denied", "denied", "ok", "ok"),
    "survey publication": ("login", "login", "login", "denied", "denied", "denied", "ok"),
    "paper forms": ("login", "login", "login", "ok", "denied", "denied", "ok"),
    # Django's own admin is for superusers (the demo's "admin"), not for a group.
    "Django admin": ("login", "denied", "denied", "denied", "denied", "denied", "denied"),
    # --- what a citizen owns -------------------------------------------------------------
    "account": ("login", "ok", "ok", "ok", "ok", "ok", "ok"),
    "account data": ("login", "ok", "ok", "ok", "ok", "ok", "ok"),
    "account subscriptions": ("login", "ok", "ok", "ok", "ok", "ok", "ok"),
    "account saved searches": ("login", "ok", "ok", "ok", "ok", "ok", "ok"),
    # the citizen's subscription, by the link in their e-mails, and by a wrong link
    "a subscription by its link": ("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
    "a subscription by a wrong link": ("none", "none", "none", "none", "none", "none", "none"),
}


@pytest.fixture
def world(demo):
    """The objects the areas are about, and a user per role."""
    from notices.models import NoticeIndexPage, NoticePage
    from participation.models import SurveyPage
    from tests.participation.factories import CitizenFactory

    citizen = CitizenFactory(email="erika@example.org")
    users = {
        "anonymous": None,
        "citizen": citizen,
        "other_citizen": CitizenFactory(email="max@example.org"),
        **{group: staff_account(group) for group in ROLES[3:]},
    }
    survey = SurveyPage.objects.live().get(slug="bibliothek")
    assert survey.closes_at < timezone.now()
    return {
        "users": users,
        "notice": NoticePage.objects.live().first(),
        "board": NoticeIndexPage.objects.get(),
        "survey": survey,
        "subscription": SubscriptionFactory(email=citizen.email),
    }


def area_url(area: str, world: dict) -> str:
    from wagtail.models import Site

    from website.models import MunicipalitySettings

    site = Site.objects.get(is_default_site=True)
    survey = world["survey"].pk
    urls = {
        "dashboard": lambda: reverse("wagtailadmin_home"),
        "page explorer": lambda: reverse("wagtailadmin_explore", args=[site.root_page_id]),
        "edit a notice": lambda: reverse("wagtailadmin_pages:edit", args=[world["notice"].pk]),
        "add a notice": lambda: reverse(
            "wagtailadmin_pages:add", args=["notices", "noticepage", world["board"].pk]
        ),
        "documents": lambda: reverse("wagtaildocs:index"),
        "upload a document": lambda: reverse("wagtaildocs:add"),
        "images": lambda: reverse("wagtailimages:index"),
        "users": lambda: reverse("wagtailusers_users:index"),
        "groups": lambda: reverse("wagtailusers_groups:index"),
        "site settings": lambda: reverse(
            "wagtailsettings:edit",
            args=[
                MunicipalitySettings._meta.app_label,
                MunicipalitySettings._meta.model_name,
                site.pk,
            ],
        ),
        "Ortschaften": lambda: reverse("wagtailsnippets_website_ortschaft:list"),
        "document types": lambda: reverse("wagtailsnippets_archive_documenttype:list"),
        "barrier reports": lambda: reverse("wagtailsnippets_website_barrierreport:list"),
        "workflows": lambda: reverse("wagtailadmin_workflows:index"),
        "subscribers": lambda: reverse("notices_subscriptions"),
        "subscribers export": lambda: reverse("notices_subscriptions_export"),
        "indexing": lambda: reverse("archive_indexing"),
        "survey results": lambda: reverse("participation_results", args=[survey]),
        "survey results export": lambda: reverse(
            "participation_results_export", args=[survey, "csv"]
        ),
        "survey publication": lambda: reverse("participation_results_publication", args=[survey]),
        "paper forms": lambda: reverse("participation_paper_answer", args=[survey]),
        "Django admin": lambda: reverse("admin:index"),
        "account": lambda: reverse("account_overview"),
        "account data": lambda: reverse("account_data_download"),
        "account subscriptions": lambda: reverse("account_subscription"),
        "account saved searches": lambda: reverse("archive_alerts:account"),
        "a subscription by its link": lambda: reverse(
            "notices:subscription_manage", args=[world["subscription"].token]
        ),
        "a subscription by a wrong link": lambda: reverse(
            "notices:subscription_manage", args=["x" * len(world["subscription"].token)]
        ),
    }
    return urls[area]()


def outcome(client, response) -> str:
    if response.status_code == 302 and response.url.startswith(reverse("admin:login")):
        # Django's admin sends to its log-in, which sends on to the accounts' or refuses.
        response = client.get(response.url)
    if response.status_code == 200:
        return "ok"
    if response.status_code == 404:
        return "none"
    if response.status_code == 403:
        return "denied"
    if response.status_code == 302:
        if response.url.startswith(reverse("account_login")):
            return "login"
        if response.url == reverse("wagtailadmin_home"):
            return "denied"
    return f"{response.status_code} {response.get('Location', '')}"


def test_every_role_gets_exactly_what_it_should_everywhere(client, world):
    found, expected = {}, {}
    for area, cells in MATRIX.items():
        url = area_url(area, world)
        for role, cell in zip(ROLES, cells, strict=True):
            client.logout()
            if world["users"][role] is not None:
                client.force_login(world["users"][role])
            found[(area, role)] = outcome(client, client.get(url))
            expected[(area, role)] = cell

    wrong = {key: (found[key], expected[key]) for key in found if found[key] != expected[key]}
    assert not wrong, "\n".join(
        f"{area} as {role}: got {got}, expected {want}"
        for (area, role), (got, want) in wrong.items()
    )


def test_administration_has_every_permission_but_changing_answers(demo):
    from django.contrib.auth.models import Group, Permission

    administration = Group.objects.get(name="Administration")
    missing = set(Permission.objects.all()) - set(administration.permissions.all())

    assert {(p.content_type.app_label, p.codename) for p in missing} == {
        ("participation", f"{action}_{model}")
        for action in ("add", "change", "delete")
        for model in ("response", "answer", "participation", "resultcount")
    }
