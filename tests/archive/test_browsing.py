"""Browsing the archive page: documents and expired official notices, newest first, by year
and type, with the count of each year, twenty to a page."""

import re
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.browsing import ENTRIES_PER_PAGE
from archive.models import ArchiveIndexPage
from notices.models import NoticeIndexPage, NoticePage
from tests.archive.factories import (
    DocumentFactory,
    private_collection,
)
from tests.factories import NoticePageFactory


@pytest.fixture
def archive(demo) -> ArchiveIndexPage:
    existing = ArchiveIndexPage.objects.child_of(demo).first()
    return existing or demo.add_child(instance=ArchiveIndexPage(title="Archiv", slug="archiv"))


def browse(client, archive, **params):
    response = client.get(archive.url, params)
    assert response.status_code == 200
    return response


def entries(response) -> list[str]:
    return [entry["object"].title for entry in response.context["entries"]]


def year_counts(response) -> dict[int, int]:
    """The counts per year the page shows."""
    html = response.content.decode().split('id="years-heading"')[1].split("</nav>")[0]
    return {int(year): int(count) for year, count in re.findall(r"(\d{4}) \((\d+)\)", html)}


def test_the_archive_lists_documents_newest_first(client, archive):
    DocumentFactory(title="Amtsblatt 1/1997", date=date(1997, 1, 15))
    DocumentFactory(title="Amtsblatt 2/1997", date=date(1997, 2, 15))
    DocumentFactory(title="Amtsblatt 1/1998", date=date(1998, 1, 15))

    response = browse(client, archive)

    listed = entries(response)
    mine = [title for title in listed if title.startswith("Amtsblatt ") and "199" in title]
    assert mine == ["Amtsblatt 1/1998", "Amtsblatt 2/1997", "Amtsblatt 1/1997"]
    dates = [
        entry["object"].date if entry["kind"] == "document" else entry["object"].publication_date
        for entry in response.context["entries"]
    ]
    assert dates == sorted(dates, reverse=True)
    newest = response.context["entries"][listed.index("Amtsblatt 1/1998")]["object"]
    assert f'href="/archiv/dokumente/{newest.pk}/"' in response.content.decode()


def test_the_year_narrows_the_list_and_each_year_shows_its_count(client, archive):
    # given documents of two years no demo document has
    DocumentFactory(title="Satzung 1997", document_type="satzung", date=date(1997, 3, 1))
    DocumentFactory(title="Plan 1997", document_type="plan", date=date(1997, 6, 1))
    DocumentFactory(title="Satzung 1998", document_type="satzung", date=date(1998, 3, 1))

    # when the year is chosen
    response = browse(client, archive, jahr="1997")

    # then only that year's documents are listed, and the years still show their counts
    assert entries(response) == ["Plan 1997", "Satzung 1997"]
    counts = year_counts(response)
    assert (counts[1998], counts[1997]) == (1, 2)
    assert '<span aria-current="true">1997 (2)</span>' in response.content.decode()


def test_the_type_narrows_the_list_and_the_year_counts(client, archive):
    DocumentFactory(title="Satzung 1997", document_type="satzung", date=date(1997, 3, 1))
    DocumentFactory(title="Plan 1997", document_type="plan", date=date(1997, 6, 1))
    DocumentFactory(title="Satzung 1998", document_type="satzung", date=date(1998, 3, 1))

    response = browse(client, archive, typ="plan", jahr="1997")

    assert entries(response) == ["Plan 1997"]
    assert all(
        entry["object"].document_type.slug == "plan" for entry in response.context["entries"]
    )
    assert year_counts(browse(client, archive, typ="satzung"))[1997] == 1


@pytest.fixture
def haushaltssatzung(demo) -> NoticePage:
    """The demo's Amtliche Bekanntmachung whose display period is over."""
    notice = NoticePage.objects.get(title="Haushaltssatzung 2026")
    assert NoticePage.objects.expired().filter(pk=notice.pk).exists()
    return notice


def test_an_expired_official_notice_is_in_the_archive_as_a_bekanntmachung(
    client, archive, haushaltssatzung
):
    year = str(haushaltssatzung.publication_date.year)

    assert "Haushaltssatzung 2026" in entries(browse(client, archive))
    assert "Haushaltssatzung 2026" in entries(browse(client, archive, typ="bekanntmachung"))
    assert "Haushaltssatzung 2026" in entries(browse(client, archive, jahr=year))


@pytest.mark.parametrize(
    "params", [{"typ": "satzung"}, {"typ": "amtsblatt"}, {"gremium": "gemeinderat"}]
)
def test_an_expired_official_notice_is_under_no_other_type_or_body(
    client, archive, haushaltssatzung, params
):
    assert "Haushaltssatzung 2026" not in entries(browse(client, archive, **params))


def test_under_bekanntmachung_only_expired_notices_and_documents_of_that_type(
    client, archive, haushaltssatzung
):
    DocumentFactory(title="Bekanntmachung Kranichrast", document_type="bekanntmachung")
    DocumentFactory(title="Satzung Kranichrast", document_type="satzung")

    listed = browse(client, archive, typ="bekanntmachung").context["entries"]

    for entry in listed:
        if entry["kind"] == "document":
            assert entry["object"].document_type.slug == "bekanntmachung"
        else:
            assert NoticePage.objects.expired().filter(pk=entry["object"].pk).exists()
    assert "Bekanntmachung Kranichrast" in [entry["object"].title for entry in listed]


def test_a_current_official_notice_or_a_news_item_is_not_in_the_archive(client, archive):
    board = NoticeIndexPage.objects.get()
    NoticePageFactory(parent=board, official=True, title="Aktuelle Bekanntmachung Kranichrast")
    NoticePageFactory(parent=board, title="Neuigkeit Kranichrast")

    listed = entries(browse(client, archive))

    assert not [title for title in listed if "Kranichrast" in title]
    assert "Bebauungsplan Nr. 12 „Am Mühlenberg“ – öffentliche Auslegung" not in listed


def test_private_documents_are_neither_listed_nor_counted(client, archive):
    DocumentFactory(
        title="Vertrauliche Vorlage 1996", collection=private_collection(), date=date(1996, 5, 1)
    )

    response = browse(client, archive)

    assert 1996 not in year_counts(response)
    assert entries(browse(client, archive, jahr="1996")) == []
    assert "Vertrauliche Vorlage" not in response.content.decode()


def test_the_archive_is_paginated_twenty_to_a_page(client, archive):
    # given 45 documents of one year, one a day
    for number in range(45):
        DocumentFactory(
            title=f"Amtsblatt {number:02d}", date=date(1995, 1 + number // 28, 1 + number % 28)
        )
    newest_first = [f"Amtsblatt {number:02d}" for number in reversed(range(45))]

    pages = [browse(client, archive, jahr="1995", seite=str(number)) for number in (1, 2, 3)]

    assert ENTRIES_PER_PAGE == 20
    assert entries(pages[1]) == newest_first[20:40]
    assert [len(entries(page)) for page in pages] == [20, 20, 5]
    assert pages[0].context["page_obj"].paginator.count == 45


@pytest.mark.parametrize("seite", ["4", "0", "-1", "abc", "99999999999999999999"])
def test_a_page_beyond_the_list_is_not_found(client, archive, seite):
    for number in range(45):
        DocumentFactory(date=date(1995, 1, 1))

    assert client.get(archive.url, {"jahr": "1995", "seite": seite}).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"jahr": "abc"},
        {"jahr": "1e309"},
        {"typ": "unknown"},
        {"gremium": "<b>"},
        {"ortschaft": "\x00"},
    ],
)
def test_an_invalid_choice_still_lists_the_archive(client, archive, params):
    DocumentFactory(title="Amtsblatt 1/1997", date=date(1997, 1, 15))

    assert "Amtsblatt 1/1997" in entries(browse(client, archive, **params))


def test_the_ortschaft_keeps_documents_for_the_whole_municipality(client, archive, ortschaften):
    DocumentFactory(
        title="Für Ebendorf", ortschaften=[ortschaften["ebendorf"]], date=date(1997, 1, 1)
    )
    DocumentFactory(
        title="Für Meitzendorf", ortschaften=[ortschaften["meitzendorf"]], date=date(1997, 1, 2)
    )
    DocumentFactory(title="Für alle", date=date(1997, 1, 3))

    response = browse(client, archive, jahr="1997", ortschaft="ebendorf")

    assert entries(response) == ["Für alle", "Für Ebendorf"]


# Measured on PostgreSQL (SQLite needs no more): it must not grow with the number of entries.
ARCHIVE_PAGE_QUERIES = 15


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    "params", [{}, {"typ": "bekanntmachung"}, {"jahr": "1995", "ortschaft": "ebendorf"}]
)
def test_the_archive_costs_the_same_queries_for_5_documents_as_for_60(
    client, archive, ortschaften, django_assert_max_num_queries, params
):
    board = NoticeIndexPage.objects.get()
    everywhere = list(ortschaften.values())

    def add(count):
        for number in range(count):
            DocumentFactory(
                document_type="bekanntmachung",
                issuing_body="gemeinderat",
                ortschaften=everywhere[: number % 3],
                date=date(1995, 1 + number % 12, 1),
            )
            NoticePageFactory(
                parent=board,
                official=True,
                display_from=datetime(1995, 1, 1, tzinfo=UTC),
                display_until=datetime(1995, 2, 1, tzinfo=UTC),
                publication_date=date(1995, 1 + number % 12, 2),
                ortschaften=everywhere[: number % 3],
            )

    def sql() -> list[str]:
        with CaptureQueriesContext(connection) as context:
            browse(client, archive, **params)
        return [query["sql"] for query in context.captured_queries]

    add(5)
    sql()  # the first request fills the caches (site, settings)
    few = sql()
    add(55)
    sql()  # after a change, the first request makes the site's shared parts again

    with django_assert_max_num_queries(ARCHIVE_PAGE_QUERIES):
        many = sql()
    assert len(many) == len(few), "\n\n".join(many)
