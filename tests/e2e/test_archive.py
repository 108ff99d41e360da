"""The archive as a citizen uses it: browsing by year, a document's page with its text and
download, and the search with snippets, filters, order and pages.

The documents come from the demo (`archive/demo.py`); `seed_demo` reads their text in this
process (`celery_eager`), so they are indexed before the first page loads.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archive.models import Document, DocumentText
from tests.archive.factories import DocumentFactory
from tests.e2e.test_notice_board import follow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Before `demo`, so the demo's documents are read when it is seeded, also under REDIS_URL.
    pytest.mark.usefixtures("celery_eager"),
]

LAND_USE_PLAN = "Bebauungsplan Nr. 12 „Am Mühlenberg“ – Begründung"
NOISE_PLAN = "Lärmaktionsplan der Gemeinde Barleben – Stufe 4"
DATES = "elements => elements.map(element => element.getAttribute('datetime'))"


def submit_search(page, tab_to, query: str) -> None:
    """Type into the search box in the header and send it with Enter."""
    tab_to(page, "#site-search-query")
    page.keyboard.type(query)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_demo_documents_are_indexed_page_by_page(demo):
    documents = Document.objects.exclude(document_type=None)

    assert documents.count() == 12
    for document in documents:
        assert document.indexing_state == Document.IndexingState.INDEXED, document.indexing_error
        assert document.pages.count() == document.page_count >= 2
    assert "Lärmaktionspläne aufzustellen" in documents.get(title=NOISE_PLAN).text


def test_citizen_browses_the_archive_by_year_and_downloads_a_document(page, audit, tab_to):
    # given
    page.goto("/")
    audit(page, "home")

    # when
    follow(page, page.locator(".main-nav").get_by_role("link", name="Archiv"))

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Archiv")
    assert page.locator(".document-list li").count() >= 12
    audit(page, "archive")

    # when: the year of the noise action plan
    year = Document.objects.get(title=NOISE_PLAN).year
    follow(page, page.locator(".archive-years a", has_text=re.compile(rf"^{year} \(")))

    # then: only that year's entries, newest first
    assert f"jahr={year}" in page.url
    expect(page.locator(".archive-years [aria-current]")).to_have_text(re.compile(rf"^{year} \("))
    dates = page.locator(".document-list time").evaluate_all(DATES)
    assert dates, f"nothing listed for {year}"
    assert all(date.startswith(f"{year}-") for date in dates), dates
    assert dates == sorted(dates, reverse=True)
    audit(page, "archive-year")

    # when
    follow(page, page.get_by_role("link", name=NOISE_PLAN))

    # then: what it is, and its text in a region the keyboard can scroll
    expect(page.get_by_role("heading", level=1)).to_have_text(NOISE_PLAN)
    data = page.locator(".document-data dd").all_inner_texts()
    assert {"Plan", "Bau- und Umweltausschuss", "Barleben, Ebendorf", "3"} <= set(data)
    preview = page.locator(".document-preview")
    expect(preview).to_contain_text("Lärmaktionspläne aufzustellen")
    tab_to(page, ".document-preview")
    assert preview.evaluate("element => getComputedStyle(element).outlineStyle") != "none"
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('.document-preview').scrollTop > 0")
    audit(page, "document")

    # when
    download_link = page.locator("a[download]")
    download_link.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")

    # then
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "laermaktionsplan-der-gemeinde-barleben-stufe-4.pdf"
    with open(download.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"


def test_citizen_searches_narrows_and_orders_the_results(page, audit, tab_to):
    # given
    page.goto("/")

    # when
    submit_search(page, tab_to, "Bebauungspläne")

    # then: the plan, with the page the word is on and the word marked
    hit = page.locator(".result", has=page.get_by_role("link", name=LAND_USE_PLAN))
    snippet = hit.locator(".result__snippet").first
    page_number = int(re.fullmatch(r"\w+ (\d+):", snippet.locator(".result__page").inner_text())[1])
    marked = snippet.locator("mark").all_inner_texts()
    assert any(word.casefold().startswith("bebauungspl") for word in marked), marked
    page_text = DocumentText.objects.get(document__title=LAND_USE_PLAN, page_number=page_number)
    assert marked[0] in page_text.text
    audit(page, "search")

    # when: only plans
    facet = page.locator("nav[aria-labelledby=facet-typ]")
    follow(page, facet.get_by_role("link", name=re.compile(r"^Plan \(")))

    # then
    assert "typ=plan" in page.url
    expect(facet.locator(".facet__chosen")).to_have_text(re.compile(r"^Plan \(2\)"))
    assert page.locator(".result").count() == 2
    for meta in page.locator(".result__meta").all_inner_texts():
        assert " · Plan · " in meta, meta
    audit(page, "search-plans")

    # when
    follow(page, page.locator(".search-order a[href*='sortierung=neueste']"))

    # then: the same two, newest first, still only plans
    assert "typ=plan" in page.url
    titles = page.locator(".result h3").all_inner_texts()
    assert titles == [LAND_USE_PLAN, NOISE_PLAN]
    dates = page.locator(".result__meta time").evaluate_all(DATES)
    assert dates == sorted(dates, reverse=True)
    expect(page.locator(".search-order a[href*='sortierung=neueste']")).to_have_count(0)
    audit(page, "search-newest")


def test_citizen_pages_through_many_results(page, audit, tab_to):
    # given: two years of monthly Amtsblätter beside the demo's one
    today = timezone.localdate()
    for number in range(1, 25):
        DocumentFactory(
            title=f"Amtsblatt der Gemeinde Barleben, Ausgabe {number}",
            document_type="amtsblatt",
            date=today - timedelta(days=30 * number),
            pages=[f"Amtsblatt Ausgabe {number}: amtliche Bekanntmachungen der Gemeinde."],
        )
    page.goto("/")

    # when
    submit_search(page, tab_to, "Amtsblatt")

    # then
    results = page.locator(".result-list > .result")
    expect(results).to_have_count(20)
    first_page = set(page.locator(".result h3").all_inner_texts())
    audit(page, "search-page-1")

    # when
    follow(page, page.locator(".pagination a[rel=next]"))

    # then: the rest, numbered on, and a way back
    assert "seite=2" in page.url
    assert page.locator(".result-list").get_attribute("start") == "21"
    assert results.count() >= 5
    assert first_page.isdisjoint(page.locator(".result h3").all_inner_texts())
    expect(page.locator(".pagination a[rel=prev]")).to_have_count(1)
    expect(page.locator(".pagination a[rel=next]")).to_have_count(0)
    audit(page, "search-page-2")


def document_url(title: str) -> str:
    return Document.objects.get(title=title).get_absolute_url()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(lambda: "/suche/?q=Bebauungspl%C3%A4ne", id="search"),
        pytest.param(lambda: "/suche/?q=Bebauungspl%C3%A4ne&typ=plan", id="search-filtered"),
        pytest.param(lambda: document_url(NOISE_PLAN), id="document"),
        pytest.param(lambda: "/archiv/", id="archive"),
    ],
)
def test_no_horizontal_scrolling_at_320px(new_page, audit, path):
    # given
    page = new_page(viewport={"width": 320, "height": 800})

    # when
    page.goto(path())

    # then
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{page.url} is {scroll_width} px wide at 320 px"
    audit(page, "reflow")
