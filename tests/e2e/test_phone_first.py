"""Content before controls (issue 25.8): on a phone the board's notices and the search's results
come before their filters, which are folded (without JavaScript too) and lead back to the
results; on a desktop the filters stay open beside or above them. After a form is refused, the
focus starts at its error summary."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.participation.factories import SurveyPageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Before `demo`, so the demo's documents are read when it is seeded, also under REDIS_URL.
    pytest.mark.usefixtures("celery_eager"),
]

BOARD = "/bekanntmachungen/"
FIRST_NOTICE = ".notice-teaser a"
FIRST_RESULT = ".result a"
SEARCH = "/suche/?q=Bebauungspl%C3%A4ne"
PLANS = "nav[aria-labelledby=facet-typ] a[href*='typ=plan']"

DESCRIBE_FOCUS = """() => {
  const element = document.activeElement;
  const text = (element.textContent.trim() || element.value || '').replace(/\\s+/g, ' ');
  const name = `${element.tagName.toLowerCase()} ${text}`;
  return {inMain: Boolean(element.closest('main')), name};
}"""


def stops_in_main(page, selector: str, limit: int = 40) -> list[str]:
    """Press Tab from where the focus is until `selector` has it: the stops in <main> before."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
        focus = page.evaluate(DESCRIBE_FOCUS)
        if focus["inMain"]:
            stops.append(focus["name"])
    raise AssertionError(f"{selector} never got focus; Tab went through {stops} in main")


def submit(page, selector: str) -> None:
    page.locator(selector).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_phone_board_shows_the_notices_first_and_filters_by_keyboard(new_page, audit, tab_to):
    # given
    page = new_page(viewport=PHONE)

    # when
    page.goto(BOARD)

    # then: the filters are one folded line, and the keyboard passes them in one stop
    summary = page.locator(".filter-panel summary")
    expect(summary).to_have_text("Bekanntmachungen filtern")
    expect(page.locator("#id_ortschaft")).to_be_hidden()
    assert stops_in_main(page, FIRST_NOTICE) == ["a Startseite", "summary Bekanntmachungen filtern"]
    audit(page, "board")

    # when: opening them and choosing Ebendorf, by keyboard
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_ortschaft")).to_be_visible()
    audit(page, "board-filters-open")
    tab_to(page, "#id_ortschaft")
    page.keyboard.type("Ebendorf")
    tab_to(page, ".filter-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then: the page opens at the count, which says what was filtered, the filters folded
    # again and counted, and the next Tab goes to the first notice
    assert page.url.endswith("?ortschaft=ebendorf&art=&kategorie=&von=&bis=&sprache=#ergebnisse")
    expect(page.locator("#ergebnisse")).to_contain_text("für Ebendorf und die ganze Gemeinde")
    expect(page.locator("#ergebnisse")).to_be_in_viewport()
    expect(summary).to_have_text("Bekanntmachungen filtern (1 aktiv)")
    expect(page.locator("#id_ortschaft")).to_be_hidden()
    page.keyboard.press("Tab")
    expect(page.locator(FIRST_NOTICE).first).to_be_focused()
    audit(page, "board-filtered")


def test_phone_board_unfolds_its_filters_without_javascript(new_page):
    # given
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto(BOARD)
    expect(page.locator("#id_ortschaft")).to_be_hidden()

    # when
    page.locator(".filter-panel summary").click()

    # then
    expect(page.locator("#id_ortschaft")).to_be_visible()


def test_desktop_board_shows_its_filters_open(page, audit, tab_to):
    # when
    page.goto(BOARD)

    # then: no summary to open, the fields at hand
    expect(page.locator(".filter-panel summary")).to_be_hidden()
    expect(page.locator(".filter-panel legend")).to_be_visible()
    expect(page.locator("#id_ortschaft")).to_be_visible()
    audit(page, "board")

    # when
    tab_to(page, "#id_ortschaft")
    page.keyboard.type("Meitzendorf")
    tab_to(page, ".filter-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then
    assert page.url.endswith("#ergebnisse")
    expect(page.locator("#ergebnisse")).to_contain_text("für Meitzendorf")
    page.keyboard.press("Tab")
    expect(page.locator(FIRST_NOTICE).first).to_be_focused()


def test_phone_search_shows_the_results_first_and_narrows_them(new_page, audit, tab_to):
    # given
    page = new_page(viewport=PHONE)

    # when
    page.goto(SEARCH)

    # then: between the search box and the first result only the folded facets, the offer
    # to save the search and the order
    summary = page.locator(".filter-panel summary")
    expect(summary).to_have_text("Eingrenzen")
    expect(page.locator(PLANS)).to_be_hidden()
    stops = stops_in_main(page, FIRST_RESULT)
    assert stops[-3:] == [
        "summary Eingrenzen",
        "a Diese Suche speichern und bei neuen Dokumenten benachrichtigt werden",
        "a Neueste zuerst",
    ]
    assert len(stops) == 5, stops  # the search box and its button before
    audit(page, "search")

    # when: choosing the plans by keyboard
    summary.focus()
    page.keyboard.press("Enter")
    tab_to(page, PLANS)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then: the page opens at the results, which say what they are narrowed to
    assert page.url.endswith("&typ=plan#ergebnisse")
    expect(summary).to_have_text("Eingrenzen (1 aktiv)")
    expect(page.locator(".active-filters")).to_have_text("Gefiltert nach: Plan")
    expect(page.locator(".result")).to_have_count(2)
    expect(page.locator(".result").first).to_be_in_viewport()
    tab_to(page, FIRST_RESULT, limit=3)
    audit(page, "search-plans")


def test_desktop_search_shows_the_facets_beside_the_results(page, audit):
    # when
    page.goto(SEARCH)

    # then
    expect(page.locator(".filter-panel summary")).to_be_hidden()
    expect(page.get_by_role("heading", name="Eingrenzen")).to_be_visible()
    expect(page.locator(PLANS)).to_be_visible()
    facets = page.locator(".search-filters").bounding_box()
    results = page.locator(".search-results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"]
    audit(page, "search")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            lambda demo: SurveyPageFactory(parent=demo, way_of_taking_part="open").url,
            id="survey",
        ),
        pytest.param(lambda demo: reverse("notices:subscription_sign_up"), id="subscription"),
    ],
)
def test_a_refused_form_puts_the_focus_on_its_error_summary(new_page, audit, demo, path, size):
    # given
    page = new_page(viewport=size)
    page.goto(path(demo))

    # when: sent without the answers it needs
    submit(page, "main form[method=post] button[type=submit]")

    # then: the focus is on the summary, in view, and the next Tab goes to its first error
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    audit(page, "errors")
