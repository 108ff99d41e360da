"""Print and screen (issue 25.9), as the server makes them: the display puts official notices
first and gives each slide its notice's address and place; the Schaukasten sheet and a printed
notice carry the full addresses a reader types in. What the browser shows and prints of them
is in tests/e2e/test_print_and_display.py."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from notices.models import NoticePage
from tests.factories import NoticePageFactory


def html(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def display(client, board, ortschaft: str) -> BeautifulSoup:
    return html(client.get(board.url + board.reverse_subpage("display", args=[ortschaft])))


def slide_of(soup: BeautifulSoup, title: str):
    return next(slide for slide in soup.select(".display__slide") if slide.h2.string == title)


@pytest.fixture
def old_official_and_newer_news(board, ortschaften):
    """An official notice published a month ago, still on display, and 13 newer news items:
    more than the display's 12 slides of notices."""
    ebendorf = [ortschaften["ebendorf"]]
    old = NoticePageFactory(
        parent=board,
        official=True,
        title="Satzung über die Straßenreinigung",
        ortschaften=ebendorf,
        publication_date=timezone.localdate() - timedelta(days=30),
        display_from=timezone.now() - timedelta(days=30),
        display_until=timezone.now() + timedelta(days=5),
    )
    for number in range(13):
        NoticePageFactory(parent=board, title=f"Neuigkeit {number}", ortschaften=ebendorf)
    return old


def test_display_shows_official_notices_first_even_behind_many_newer_ones(
    client, board, old_official_and_newer_news
):
    # when
    soup = display(client, board, "ebendorf")

    # then: every official notice on the board for Ebendorf comes first, the old one among them
    slides = soup.select(".display__slides > .display__slide")
    flags = [slide.has_attr("data-official") for slide in slides]
    official_titles = {slide.h2.string for slide in slides if slide.has_attr("data-official")}
    assert flags == sorted(flags, reverse=True)
    assert official_titles == {
        notice.title
        for notice in NoticePage.objects.on_board()
        .filter(kind__has_display_period=True)
        .for_ortschaft(old_official_and_newer_news.ortschaften.get())
    }
    assert "Satzung über die Straßenreinigung" in official_titles


def test_a_single_event_slide_shows_its_place(client, board, ortschaften):
    # given
    NoticePageFactory(
        parent=board,
        event=True,
        title="Lesung in der Bibliothek",
        ortschaften=[ortschaften["ebendorf"]],
        location_name="Gemeindebibliothek",
        location_address="Breiteweg 40, 39179 Barleben",
    )

    # when
    slide = slide_of(display(client, board, "ebendorf"), "Lesung in der Bibliothek")

    # then
    assert slide.select_one(".display__where").get_text() == (
        "Gemeindebibliothek, Breiteweg 40, 39179 Barleben"
    )


def test_each_notice_slide_shows_its_own_address_and_the_footer_the_boards(client, board):
    # when
    soup = display(client, board, "ebendorf")

    # then: without the scheme, to be short; breakable after a slash and before a hyphen
    notice = NoticePage.objects.get(title="Vollsperrung der Magdeburger Straße")
    address = slide_of(soup, notice.title).select_one(".display__address strong")
    site = notice.get_site().root_url.partition("://")[2]
    assert address.decode_contents().split("<wbr/>") == [
        f"{site}/",
        "bekanntmachungen/",
        "vollsperrung",
        "-der",
        "-magdeburger",
        "-strasse/",
    ]
    assert soup.select_one(".display__footer").get_text() == (
        f"Alle Bekanntmachungen: {board.get_full_url()}"
    )


def test_the_schaukasten_sheet_prints_each_full_address_breakable_where_a_reader_expects(
    client, board
):
    # when
    soup = html(client.get(board.url + board.reverse_subpage("print", args=["ebendorf"])))

    # then
    notice = NoticePage.objects.get(title="Öffentliche Sitzung des Gemeinderates")
    entry = next(entry for entry in soup.select(".sheet-notice") if entry.h2.string == notice.title)
    address = entry.select_one(".sheet-notice__address")
    assert address.get_text() == notice.get_full_url()
    assert address.decode_contents().split("<wbr/>") == [
        f"{notice.get_site().root_url}/",
        "bekanntmachungen/",
        "oeffentliche",
        "-sitzung",
        "-des",
        "-gemeinderates/",
    ]


def test_a_notice_page_carries_its_own_and_its_attachments_addresses_for_print(client, demo):
    # given: the demo's notice with an attachment
    notice = NoticePage.objects.get(title="Öffentliche Sitzung des Gemeinderates")
    document = notice.body.blocks_by_name("attachment")[0].value["document"]

    # when
    soup = html(client.get(notice.url))

    # then: hidden on screen, where the links are; printed by portal.css
    addresses = soup.select_one("main .print-addresses")
    assert addresses.has_attr("hidden")
    text = " ".join(addresses.get_text(" ").split())
    site = notice.get_site().root_url
    assert f"Online: {notice.get_full_url()}" in text
    assert f"Anlagen: Tagesordnung der Sitzung (PDF): {site}{document.url}" in text


def test_a_notice_without_attachments_prints_its_address_only(client, board):
    # given
    notice = NoticePageFactory(parent=board, title="Winterdienst")

    # when
    addresses = html(client.get(notice.url)).select_one("main .print-addresses")

    # then
    assert " ".join(addresses.get_text(" ").split()) == f"Online: {notice.get_full_url()}"
