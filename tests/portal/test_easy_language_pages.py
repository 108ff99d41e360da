"""Standard pages in Leichte Sprache: a version an editor writes links to the page it explains
and back; neither the page itself nor another version can be what a version explains."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text

from website.models import StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def imprint(demo) -> StandardPage:
    return StandardPage.objects.get(slug="impressum")


@pytest.fixture
def version(imprint) -> StandardPage:
    page = StandardPage(
        title="Wer macht diese Internet-Seite?",
        slug="impressum-leichte-sprache",
        body="<p>Die Gemeinde Barleben macht diese Seite.</p>",
        easy_language_original=imprint,
    )
    imprint.get_parent().add_child(instance=page)
    return page


def test_a_page_and_its_version_in_leichte_sprache_lead_to_each_other(client, imprint, version):
    # when a citizen opens the Impressum
    page = BeautifulSoup(client.get(imprint.url).content, "html.parser")

    # then it leads to its version in Leichte Sprache
    assert page.select_one(".easy-language-link a")["href"] == version.url

    # and the version says what it is and leads back, without claiming legal force
    version_page = BeautifulSoup(client.get(version.url).content, "html.parser")
    note = version_page.select_one(".easy-language")
    assert "Das ist eine Erklärung in Leichter Sprache." in note.get_text()
    assert "Rechtlich gilt" not in note.get_text()
    assert note.find("a")["href"] == imprint.url


def test_the_accessibility_statement_has_no_versions_to_offer(client, demo):
    # a page type without versions shows neither the note nor a link (and does not fail)
    response = client.get("/barrierefreiheit/")

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select(".easy-language, .easy-language-link") == []


@pytest.mark.parametrize("case", ["itself", "a-version"])
def test_the_admin_refuses_a_version_of_itself_or_of_a_version(client, imprint, version, case):
    # given an editor who makes the Impressum explain its own version, or a version itself
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    target = version if case == "itself" else imprint

    # when they save it
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[target.pk]),
        nested_form_data(
            {
                "title": target.title,
                "slug": target.slug,
                "introduction": "",
                "body": rich_text("<p>Text</p>"),
                "easy_language_original": version.pk,
                "comments": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0},
                "action-publish": "1",
            }
        ),
    )

    # then the form names the reason, and nothing changed
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("easy_language_original", []))
    expected = "ihre eigene Fassung" if case == "itself" else "ist selbst eine Fassung"
    assert expected in errors
    target.refresh_from_db()
    assert target.easy_language_original_id == (imprint.pk if case == "itself" else None)
