"""The admin's dashboard shows each role what it is there for; the council's shows its
surveys, official notices and the archive's news, and no control that leads to a refusal.
A page whose address is taken by a forgotten draft says which one and what to do."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from archive.models import Document
from notices.models import NoticeIndexPage
from participation.models import ResultsPublication, SurveyPage
from tests.factories import staff_account
from website.models import StandardPage

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]

DASHBOARD = reverse("wagtailadmin_home")


def _admin_links(html: str) -> set[str]:
    main = html[html.index("<main") :]
    return {link for link in re.findall(r'href="(/admin/[^"#]*)"', main)}


def test_council_dashboard_shows_surveys_notices_and_documents_and_no_page_search(demo, client):
    # given: a council member, and a survey that ended without its results published
    member = staff_account("Gemeinderat")
    closed = SurveyPage.objects.filter(closes_at__lte=timezone.now()).first()
    ResultsPublication.objects.filter(survey=closed).delete()
    Document.objects.update(indexing_state=Document.IndexingState.INDEXED)
    client.force_login(member)

    # when
    page = client.get(DASHBOARD).content.decode()

    # then: the surveys with their counts, what awaits publication, notices and documents
    assert "Umfragen" in page and "Laufende Umfragen" in page and "Beendete Umfragen" in page
    assert closed.title in page and "noch nicht veröffentlicht" in page
    assert "ist beendet, ihre Ergebnisse sind noch nicht veröffentlicht" in page
    assert "Neue Amtliche Bekanntmachungen" in page and "Haushaltssatzung" in page
    assert "Neu im Archiv" in page and "Niederschrift" in page
    # and no search it may not use
    assert 'role="search"' not in page


def test_every_admin_link_on_the_council_dashboard_opens(demo, client):
    client.force_login(staff_account("Gemeinderat"))

    links = _admin_links(client.get(DASHBOARD).content.decode())

    assert links, "the dashboard links to the results"
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link


def test_editors_keep_the_page_search(demo, client):
    client.force_login(staff_account("Redaktion"))

    page = client.get(DASHBOARD).content.decode()

    assert 'role="search"' in page and 'value="Suchen"' in page


def test_a_slug_taken_by_a_forgotten_draft_says_which_page_and_what_to_do(demo, client):
    # given: a draft that autosave left behind under the home page
    home = NoticeIndexPage.objects.get().get_parent()
    draft = home.add_child(
        instance=StandardPage(title="Neue Sitzbänke", slug="neue-sitzbaenke", live=False)
    )
    client.force_login(staff_account("Redaktion"))

    # when: another page with the same title and address is saved as a draft
    response = client.post(
        reverse("wagtailadmin_pages:add", args=["website", "standardpage", home.pk]),
        {"title": "Neue Sitzbänke", "slug": "neue-sitzbaenke"},
    )

    # then: refused with a message that names the draft, links to it and says what to do
    page = response.content.decode()
    assert response.status_code == 200
    assert "Die Seite „" in page and "Neue Sitzbänke" in page
    assert "ein Entwurf, nie veröffentlicht" in page
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[draft.pk])}"' in page
    assert StandardPage.objects.filter(slug="neue-sitzbaenke").count() == 1
