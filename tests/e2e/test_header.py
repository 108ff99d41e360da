"""The header leaves room on a phone: the page's heading on the first screen, the search one
tap away, the navigation and the Ortschaft behind one menu line that opens without
JavaScript; on a desktop all of it shows. Long German words in headings fit or break with a
hyphen where the browser knows German, and nothing scrolls sideways at 200 % text."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BOARD = "/bekanntmachungen/"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_phone_the_heading_comes_first_and_the_menu_opens_with_a_tap(
    new_page, audit, javascript
):
    page = new_page(viewport=PHONE, java_script_enabled=javascript)
    page.goto(BOARD)

    # then: the heading on the first screen, the search there, the navigation folded
    heading = page.get_by_role("heading", level=1)
    assert heading.bounding_box()["y"] < 300
    expect(page.get_by_role("searchbox")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    expect(navigation).to_be_hidden()
    if javascript:
        audit(page, "phone-menu-closed")

    # when: a tap on the menu line
    page.get_by_text("Menü", exact=True).click()

    # then: the navigation and the Ortschaft
    expect(navigation.get_by_role("link", name="Veranstaltungen")).to_be_visible()
    expect(page.get_by_label("Ihre Ortschaft")).to_be_visible()
    if javascript:
        audit(page, "phone-menu-open")


def test_on_a_desktop_the_navigation_shows_without_a_menu(page):
    page.set_viewport_size(DESKTOP)
    page.goto(BOARD)

    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    expect(page.get_by_text("Menü", exact=True)).to_be_hidden()


def test_headings_fit_on_a_phone_and_nothing_scrolls_sideways_at_200_percent_text(new_page):
    page = new_page(viewport=PHONE)
    page.goto(BOARD)

    # at the usual text size: the heading's long word on one line
    heading = page.get_by_role("heading", level=1)
    line_height = float(heading.evaluate("h => parseFloat(getComputedStyle(h).lineHeight)"))
    assert heading.bounding_box()["height"] < 1.5 * line_height
    assert heading.evaluate("h => getComputedStyle(h).hyphens") == "auto"

    # at 200 % text size: no horizontal scrolling
    # (through the CSSOM, which the Content-Security-Policy allows, as a browser setting would)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
