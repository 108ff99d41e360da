"""Canary content: a draft, private pages and a document in a private collection never reach
the anonymous public, wherever the portal lists or finds content.

Each canary carries the search word of a public control notice, which must be found, so a
search that finds nothing at all cannot pass for a search that hides the canaries.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from archive.alerts import documents_alert
from notices.models import CalendarPage, NoticeIndexPage
from notifications.models import Dispatch
from tests.archive.factories import (
    DocumentFactory,
    private_collection,
)
from tests.factories import NoticePageFactory, SavedSearchFactory
from website.models import StandardPage

pytestmark = [pytest.mark.django_db, pytest.mark.service("postgres")]

WORD = "Kanarienvogel"
PUBLIC = "Kanarienvogel Oeffentlich Kontrolle"
CANARIES = {
    "draft": "Kanarienvogel Entwurf Geheim",
    "private_notice": "Kanarienvogel Passwort Geheim",
    "private_event": "Kanarienvogel Termin Geheim",
    "expired_private": "Kanarienvogel Abgelaufen Geheim",
    "expired_draft": "Kanarienvogel Abgelaufen Entwurf",
    "private_page": "Kanarienvogel Seite Geheim",
    "private_document": "Kanarienvogel Personalakte Geheim",
}


def restrict(page, restriction_type=PageViewRestriction.PASSWORD) -> None:
    PageViewRestriction.objects.create(
        page=page,
        restriction_type=restriction_type,
        password="geheim" if restriction_type == PageViewRestriction.PASSWORD else "",
    )


@pytest.fixture
def canaries(demo, ortschaften) -> dict:
    """The canaries by name, and the public control notice."""
    board = NoticeIndexPage.objects.get()
    barleben = ortschaften["barleben"]
    past = {
        "display_from": timezone.now() - timedelta(days=30),
        "display_until": timezone.now() - timedelta(days=2),
    }
    created = {
        "public": NoticePageFactory(parent=board, event=True, title=PUBLIC, ortschaften=[barleben]),
        "draft": NoticePageFactory(
            parent=board, event=True, draft=True, title=CANARIES["draft"], ortschaften=[barleben]
        ),
        "private_notice": NoticePageFactory(
            parent=board, official=True, title=CANARIES["private_notice"], ortschaften=[barleben]
        ),
        "private_event": NoticePageFactory(
            parent=board, event=True, title=CANARIES["private_event"], ortschaften=[barleben]
        ),
        "expired_private": NoticePageFactory(
            parent=board, official=True, title=CANARIES["expired_private"], **past
        ),
        "expired_draft": NoticePageFactory(
            parent=board, official=True, draft=True, title=CANARIES["expired_draft"], **past
        ),
    }
    restrict(created["private_notice"])
    restrict(created["private_event"], PageViewRestriction.LOGIN)
    restrict(created["expired_private"])
    home = demo
    private_page = home.add_child(
        instance=StandardPage(
            title=CANARIES["private_page"], slug="intern", introduction=f"{WORD} intern"
        )
    )
    restrict(private_page, PageViewRestriction.LOGIN)
    created["private_page"] = private_page
    created["private_document"] = DocumentFactory(
        title=CANARIES["private_document"],
        collection=private_collection(),
        pages=[f"{WORD}: Personalakte, nur für die Verwaltung."],
        document_type="bekanntmachung",
    )
    created["public_document"] = DocumentFactory(
        title="Kanarienvogel Satzung Kontrolle", pages=[f"{WORD} in der Satzung."]
    )
    return created


def assert_no_canary(response, path: str) -> None:
    assert response.status_code < 500, path
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8", errors="replace")
    leaked = [name for name, title in CANARIES.items() if title in text]
    assert leaked == [], path


def test_search_finds_the_control_but_no_canary(client, canaries):
    for kind in ("", "dokumente", "bekanntmachungen", "seiten"):
        path = f"{reverse('search')}?q={WORD}&art={kind}"
        response = client.get(path)
        assert_no_canary(response, path)

    everything = client.get(f"{reverse('search')}?q={WORD}").content.decode()
    assert PUBLIC in everything
    assert "Kanarienvogel Satzung Kontrolle" in everything


def test_board_calendar_feeds_and_archive_show_no_canary(client, canaries):
    board = NoticeIndexPage.objects.get()
    calendar = CalendarPage.objects.get()
    paths = [
        "/",
        "/?ortschaft=barleben",
        board.url,
        f"{board.url}?ortschaft=barleben",
        board.url + board.reverse_subpage("rss"),
        board.url + board.reverse_subpage("atom"),
        f"{board.url}{board.reverse_subpage('rss')}?ortschaft=barleben",
        board.url + board.reverse_subpage("archive"),
        board.url + board.reverse_subpage("print", args=["barleben"]),
        board.url + board.reverse_subpage("display", args=["barleben"]),
        calendar.url,
        calendar.url + calendar.reverse_subpage("ical"),
        f"{calendar.url}{calendar.reverse_subpage('ical')}?ortschaft=barleben",
        "/archiv/",
        "/archiv/?typ=bekanntmachung",
        f"/archiv/?jahr={timezone.localdate().year}",
        # the open-data API is checked apart (test_the_api_shows_no_canary_…); Wagtail's
        # own API is not installed, and must stay hidden should it come
        "/sitemap.xml",
        "/api/v2/pages/",
    ]
    for path in paths:
        assert_no_canary(client.get(path, follow=True), path)

    # the control is there, so the listings were not simply empty
    assert PUBLIC in client.get(board.url).content.decode()
    assert PUBLIC in client.get(board.url + board.reverse_subpage("rss")).content.decode()
    ical = calendar.url + calendar.reverse_subpage("ical")
    assert PUBLIC in client.get(ical).content.decode()


def test_canaries_own_addresses_show_nothing_of_them(client, canaries):
    for name in ("draft", "private_notice", "private_event", "expired_private", "private_page"):
        page = canaries[name]
        paths = [page.url or f"/bekanntmachungen/{page.slug}/"]
        if name in ("private_event", "draft"):
            paths.append(paths[0] + "ical/")
        for path in paths:
            response = client.get(path, follow=True)
            assert_no_canary(response, path)
    document = canaries["private_document"]
    for path in (document.url, reverse("archive_document", args=[document.pk])):
        response = client.get(path, follow=True)
        assert_no_canary(response, path)
        assert b"Personalakte" not in response.content


def test_private_document_alerts_no_saved_search(canaries, demo):
    # given a confirmed saved search for the canaries' word
    SavedSearchFactory(site=demo.get_site(), query=WORD)

    # then the private document is announced to nobody, the public one is
    private, public = canaries["private_document"], canaries["public_document"]
    [dispatch] = documents_alert(document_ids=[private.pk, public.pk])
    assert isinstance(dispatch, Dispatch)
    assert dispatch.source_id == public.pk
    assert dispatch.audience == "saved_search"


def test_the_api_shows_no_canary_in_lists_or_details(client, canaries, staff_member):
    lists = ["notices", "events", "documents", "survey-results"]
    filters = ["", "?ortschaft=barleben", "?page_size=500", "?kind=amtliche-bekanntmachung"]
    # a member of staff gets what everybody gets: the API authenticates nobody
    client.force_login(staff_member("Administration"))
    for name in lists:
        for query in filters:
            path = f"/api/v1/{name}/{query}"
            assert_no_canary(client.get(path), path)
    for name in CANARIES:
        item = canaries[name]
        for kind in ("notices", "events", "documents"):
            path = f"/api/v1/{kind}/{item.pk}/"
            response = client.get(path)
            assert_no_canary(response, path)
            if kind == "documents" and name == "private_document":
                assert response.status_code == 404

    # the control is there, so the lists were not simply empty
    assert PUBLIC in client.get("/api/v1/notices/?page_size=500").content.decode()
    assert PUBLIC in client.get("/api/v1/events/?page_size=500").content.decode()
    documents = client.get("/api/v1/documents/?page_size=500").content.decode()
    assert "Kanarienvogel Satzung Kontrolle" in documents
