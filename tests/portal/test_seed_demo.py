"""`manage.py seed_demo`: the demo site in one command, safe to run again, never live."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.images.models import Image
from wagtail.models import Page, Site

from participation.models import Response, SurveyPage
from website.models import (
    AccessibilityStatementPage,
    HomePage,
    MunicipalitySettings,
    Ortschaft,
    StandardPage,
)

STANDARD_PAGES = {
    "kontakt": StandardPage,
    "impressum": StandardPage,
    "datenschutz": StandardPage,
    "barrierefreiheit": AccessibilityStatementPage,
}
STAFF_ACCOUNTS = {
    "redaktion": "Redaktion",
    "freigabe": "Freigabe",
    "gemeinderat": "Gemeinderat",
    "admin": "Administration",
}


def test_seed_demo_creates_the_ortschaften(demo):
    assert list(Ortschaft.objects.values_list("slug", flat=True)) == [
        "barleben",
        "ebendorf",
        "meitzendorf",
    ]


def test_seed_demo_makes_its_home_page_the_default_site_root(demo):
    site = Site.objects.get(is_default_site=True)

    assert site.root_page_id == demo.pk
    # Wagtail's own welcome page is gone, not left beside the portal
    assert Page.objects.filter(depth=2).count() == 1


def test_seed_demo_creates_the_standard_pages_in_the_footer(demo):
    pages = {page.slug: page.specific for page in demo.get_children()}

    assert set(STANDARD_PAGES) <= set(pages)
    for slug, page_class in STANDARD_PAGES.items():
        assert type(pages[slug]) is page_class
        assert pages[slug].live
        assert pages[slug].show_in_footer


def test_seed_demo_configures_the_municipality(demo):
    municipality = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))

    assert municipality.name == "Gemeinde Barleben"
    assert municipality.barrier_report_recipient == "barrierefreiheit@barleben.de"
    assert municipality.logo is not None


def test_seed_demo_creates_one_account_per_staff_group(demo):
    users = get_user_model().objects.filter(username__in=STAFF_ACCOUNTS)

    assert {user.username: user.groups.get().name for user in users} == STAFF_ACCOUNTS
    assert [user.username for user in users if user.is_superuser] == ["admin"]
    assert all(user.has_usable_password() for user in users)


def test_seed_demo_creates_an_open_survey_and_a_closed_one_with_published_results(demo, client):
    surveys = {survey.slug: survey for survey in SurveyPage.objects.live()}
    assert surveys["spielplatz"].is_open()
    closed = surveys["bibliothek"]
    assert not closed.is_open() and closed.has_opened()
    assert Response.objects.filter(survey=closed).count() == 240
    # the published results, with the rating question's mean
    assert "Mittelwert" in client.get(closed.url).content.decode()


def test_seed_demo_twice_creates_nothing_new(demo):
    models = [
        Ortschaft,
        Page,
        Site,
        Image,
        MunicipalitySettings,
        Group,
        get_user_model(),
        Response,
    ]
    counts = {model: model.objects.count() for model in models}

    # when it runs again
    output = io.StringIO()
    call_command("seed_demo", "--force", stdout=output)

    # then
    assert {model: model.objects.count() for model in models} == counts
    assert HomePage.objects.get() == demo
    assert "exist already" in output.getvalue()
    assert "password" not in output.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "debug, arguments, is_allowed",
    [
        (False, [], False),
        (False, ["--force"], True),
        (True, [], True),
    ],
    ids=["live", "live-forced", "debug"],
)
def test_seed_demo_only_runs_in_development_unless_forced(settings, debug, arguments, is_allowed):
    settings.DEBUG = debug

    if is_allowed:
        call_command("seed_demo", *arguments, stdout=io.StringIO())
        assert HomePage.objects.exists()
    else:
        with pytest.raises(CommandError, match="DEBUG"):
            call_command("seed_demo", *arguments, stdout=io.StringIO())
        assert not HomePage.objects.exists()
        assert not get_user_model().objects.exists()
