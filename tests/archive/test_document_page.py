"""The page of an archive document (/archiv/dokumente/<pk>/): its data, the download, the
beginning of its text and related documents; nothing of a private one."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from tests.archive.factories import (
    FILE_CONTENT,
    DocumentFactory,
    private_collection,
)


@pytest.fixture
def niederschrift(demo, ortschaften):
    return DocumentFactory(
        title="Niederschrift der Sitzung vom 4. März 2024",
        document_type="sitzungsniederschrift",
        issuing_body="gemeinderat",
        date=date(2024, 3, 4),
        ortschaften=[ortschaften["ebendorf"], ortschaften["meitzendorf"]],
        description="Beschlüsse zum Radweg.",
        pages=["TOP 1 Eröffnung.", "TOP 2 Der Radweg nach Meitzendorf wird gebaut."],
    )


def page(client, document):
    response = client.get(f"/archiv/dokumente/{document.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_what_the_document_is(client, niederschrift):
    html = page(client, niederschrift)

    assert "<h1>Niederschrift der Sitzung vom 4. März 2024</h1>" in html
    assert "<dd>Sitzungsniederschrift</dd>" in html
    assert "<dd>Gemeinderat</dd>" in html
    assert '<time datetime="2024-03-04">4. März 2024</time>' in html
    assert "<dd>Ebendorf, Meitzendorf</dd>" in html
    assert "Beschlüsse zum Radweg." in html


def test_a_document_without_ortschaften_is_for_the_whole_municipality(client, demo):
    document = DocumentFactory(title="Satzung für alle")

    html = page(client, document)

    assert f"<dd>{gettext('Whole municipality')}</dd>" in html


def test_the_download_link_serves_the_file(client, niederschrift):
    html = page(client, niederschrift)

    assert f'href="{niederschrift.url}" download' in html
    response = client.get(niederschrift.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FILE_CONTENT


def test_the_preview_shows_the_text_escaped(client, demo):
    document = DocumentFactory(
        pages=["Erste Seite.", "Zweite Seite <script>alert(1)</script> & mehr."]
    )

    html = page(client, document)

    assert "Erste Seite." in html
    assert "Zweite Seite &lt;script&gt;alert(1)&lt;/script&gt; &amp; mehr." in html
    assert "<script>alert" not in html


def test_a_document_whose_text_is_not_read_yet_says_so(client, demo):
    document = DocumentFactory(pages=[], indexing_state="waiting")

    html = page(client, document)

    assert 'class="document-preview"' not in html


def test_related_documents_have_the_same_type_those_of_the_same_body_first(
    client, niederschrift, ortschaften
):
    # given documents of the same type and body, and others that differ in one of them
    for number in range(2):
        DocumentFactory(
            title=f"Niederschrift verwandt {number}",
            document_type="sitzungsniederschrift",
            issuing_body="gemeinderat",
        )
    DocumentFactory(
        title="Niederschrift der Verwaltung",
        document_type="sitzungsniederschrift",
        issuing_body="verwaltung",
    )
    DocumentFactory(
        title="Satzung des Gemeinderates", document_type="satzung", issuing_body="gemeinderat"
    )
    DocumentFactory(
        title="Niederschrift vertraulich",
        document_type="sitzungsniederschrift",
        issuing_body="gemeinderat",
        collection=private_collection(),
    )

    html = page(client, niederschrift)
    related = html.split('id="related-heading"')[1].split("</section>")[0]

    assert "Niederschrift verwandt 0" in related
    assert "Niederschrift verwandt 1" in related
    assert related.index("Niederschrift verwandt 1") < related.index("der Verwaltung")
    for other in ("Satzung des Gemeinderates", "vertraulich", "4. März 2024</a>"):
        assert other not in related


def test_an_unknown_document_is_not_found(client, demo):
    assert client.get("/archiv/dokumente/999999/").status_code == 404
    assert client.get("/archiv/dokumente/abc/").status_code == 404


def test_a_private_document_is_not_found(client, demo):
    document = DocumentFactory(title="Vertrauliche Vorlage", collection=private_collection())

    assert client.get(f"/archiv/dokumente/{document.pk}/").status_code == 404


def test_the_address_stays_when_the_title_changes(client, niederschrift):
    address = niederschrift.get_absolute_url()

    niederschrift.title = "Niederschrift (berichtigt)"
    niederschrift.save()

    assert address == f"/archiv/dokumente/{niederschrift.pk}/"
    assert client.get(address).status_code == 200
    assert "<h1>Niederschrift (berichtigt)</h1>" in client.get(address).content.decode()


# Measured on PostgreSQL (SQLite needs no more): it must not grow with the related documents.
# One more since the site is found by Wagtail's own Site.find_for_request (no request
# attribute written for it any more).
DOCUMENT_PAGE_QUERIES = 11


@pytest.mark.usefixtures("page_cache_off")
def test_the_page_costs_the_same_queries_with_5_related_documents_as_with_60(
    client, niederschrift, ortschaften, django_assert_max_num_queries
):
    def add_related(count):
        for _ in range(count):
            document = DocumentFactory(
                document_type="sitzungsniederschrift",
                issuing_body="gemeinderat",
                ortschaften=[ortschaften["barleben"]],
                pages=["Eins.", "Zwei.", "Drei.", "Vier."],
            )
            document.tags.add("Sitzung")

    def sql() -> list[str]:
        with CaptureQueriesContext(connection) as context:
            page(client, niederschrift)
        return [query["sql"] for query in context.captured_queries]

    add_related(5)
    sql()  # the first request fills the caches (site, settings)
    few = sql()
    add_related(55)
    sql()  # after a change, the first request makes the site's shared parts again

    with django_assert_max_num_queries(DOCUMENT_PAGE_QUERIES):
        many = sql()
    assert len(many) == len(few), "\n\n".join(many)
