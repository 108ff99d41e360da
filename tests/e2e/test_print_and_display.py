"""Print and screen (issue 25.9) as Chromium shows and prints them: a notice on paper, the sheet
for the Schaukasten, and the cycle of the public display in the town hall.

The titles come from the demo (`notices/demo.py`); in Ebendorf two official notices hang."""

import re

import pypdfium2
import pytest
from playwright.sync_api import expect

from notices.models import NoticePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OFFICIAL_NOTICE = "Öffentliche Sitzung des Gemeinderates"
EVENT_WITH_PLACE = "Einwohnerversammlung zum Haushalt"
TWELVE_POINTS = 16  # px

# The text of an element by rendered line (a line ends where the next character sits lower).
LINES = """element => {
  const lines = [''];
  const range = document.createRange();
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let top = null;
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    for (let i = 0; i < text.length; i++) {
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      const y = range.getBoundingClientRect().top;
      if (top !== null && y > top + 2) lines.push('');
      top = y;
      lines[lines.length - 1] += text.data[i];
    }
  }
  return lines;
}"""


def record_requests(page) -> list[str]:
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    return requested


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF without its line breaks; PDFium marks a hyphen at a line's end U+FFFE."""
    pages = pypdfium2.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in pages)
    return re.sub(r"\s+", " ", text.replace("\ufffe", "-"))


def font_size(locator) -> float:
    return locator.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")


def test_a_printed_notice_has_the_addresses_to_type_in_and_nothing_to_click(page, portal, audit):
    # given: the demo's official notice with an attachment
    requested = record_requests(page)
    notice = NoticePage.objects.get(title=OFFICIAL_NOTICE)
    document = notice.body.blocks_by_name("attachment")[0].value["document"]
    site = notice.get_site().root_url
    page.goto(notice.url)

    # then on screen: the links, and no list of addresses
    expect(page.locator(".account-link")).to_be_visible()
    expect(page.locator(".back-link")).to_be_visible()
    expect(page.locator(".print-addresses")).to_be_hidden()
    audit(page, "notice")

    # when printed
    page.emulate_media(media="print")
    printed = pdf_text(page.pdf(format="A4"))

    # then: the notice, its address and its attachment's, full; no account, way back or menu
    for screen_only in [".account-link", ".back-link", ".main-nav", ".site-search"]:
        expect(page.locator(screen_only)).to_be_hidden()
    expect(page.locator(".print-addresses")).to_be_visible()
    assert OFFICIAL_NOTICE in printed
    assert f"Online: {notice.get_full_url()}" in printed
    assert f"Tagesordnung der Sitzung (PDF): {site}{document.url}" in printed
    for absent in ["Mein Konto", "Zurück zu den Bekanntmachungen", "Startseite", "Impressum"]:
        assert absent not in printed
    assert font_size(page.locator("body")) >= TWELVE_POINTS
    assert font_size(page.locator(".print-addresses")) >= TWELVE_POINTS
    assert [url for url in requested if not url.startswith(portal.url + "/")] == []


def test_the_schaukasten_sheet_prints_addresses_as_large_as_the_text_broken_sensibly(
    new_page, portal, audit
):
    # given: a narrow page, where the addresses need more than one line
    page = new_page(viewport={"width": 480, "height": 800})
    requested = record_requests(page)
    page.goto("/bekanntmachungen/aushang/ebendorf/")
    audit(page, "sheet")

    # when
    page.emulate_media(media="print")

    # then: each notice's full address, at least the size of the text, broken only after a
    # slash or before a hyphen (which then begins the line: not to be taken for hyphenation)
    entries = page.locator(".sheet-notice")
    expect(entries).to_have_count(2)
    for entry in entries.all():
        notice = NoticePage.objects.get(title=entry.locator("h2").inner_text())
        address = entry.locator(".sheet-notice__address")
        assert font_size(address) >= font_size(page.locator("body")) >= TWELVE_POINTS
        lines = address.evaluate(LINES)
        assert "".join(lines) == notice.get_full_url()
        assert len(lines) > 1
        for line, next_line in zip(lines, lines[1:], strict=False):
            assert line.endswith("/") or next_line.startswith("-"), lines
    assert page.evaluate("document.documentElement.scrollWidth") <= 480
    assert [url for url in requested if not url.startswith(portal.url + "/")] == []


def test_the_display_shows_official_notices_first_and_at_least_every_third_slide(
    page, portal, audit
):
    # given: timers under the test's control
    requested = record_requests(page)
    page.clock.install()
    page.goto("/bekanntmachungen/anzeige/ebendorf/")
    display = page.locator("#display")
    slide_ms = int(display.get_attribute("data-slide-seconds")) * 1000
    refresh_ms = int(display.get_attribute("data-refresh-seconds")) * 1000
    slides = page.locator(".display__slide")
    is_official = [slide.get_attribute("data-official") is not None for slide in slides.all()]
    assert is_official == sorted(is_official, reverse=True)
    assert is_official.count(True) == 2

    # when: the screen runs through its cycle (twice, if it can before the next refresh)
    shown = []
    for _ in range(min(2 * slides.count(), refresh_ms // slide_ms - 1)):
        visible = page.locator(".display__slide:visible")
        expect(visible).to_have_count(1)
        title = visible.locator("h2").inner_text()
        shown.append((title, visible.get_attribute("data-official") is not None))
        if len(shown) == 1:
            audit(page, "display-official")
        if title == EVENT_WITH_PLACE:
            # then: a single event's slide says where it is, and each notice's its address
            expect(visible.locator(".display__where")).to_have_text(
                "Mittellandhalle, Ebendorfer Straße, 39179 Barleben"
            )
            address = NoticePage.objects.get(title=title).get_full_url().partition("://")[2]
            expect(visible.locator(".display__address")).to_have_text(f"Online: {address}")
            audit(page, "display-event")
        page.clock.run_for(slide_ms)

    # then: an official notice first, one at least every third slide, and every slide shown
    assert shown[0][1], shown
    for window in zip(shown, shown[1:], shown[2:], strict=False):
        assert any(official for _title, official in window), shown
    assert {title for title, _official in shown} == set(slides.locator("h2").all_inner_texts())
    assert EVENT_WITH_PLACE in {title for title, _official in shown}
    assert [url for url in requested if not url.startswith(portal.url + "/")] == []
