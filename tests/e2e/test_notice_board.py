"""The notice board as a citizen of Ebendorf uses it: the home page, the board, an official
notice with its attachment, the calendar, the print view and the display in the town hall.

The expected titles come from the demo (`notices/demo.py`), which dates its notices and
events relative to today.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notices.demo import NOTICES
from notices.models import NoticeIndexPage, NoticeKind, NoticePage
from website.models import Ortschaft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OFFICIAL_NOTICE = "Öffentliche Sitzung des Gemeinderates"
PAST_EVENT = "Herbstfeuer am Sportplatz"
WHOLE_MUNICIPALITY = "Ganze Gemeinde"
MONTHS = [
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
]  # fmt: skip


def demo_titles(*, ortschaft: str) -> tuple[set[str], set[str]]:
    """The demo's notices on the board for this Ortschaft, and those only for others."""
    mine, others = set(), set()
    for title, _kind, ortschaften, _categories, _teaser, extra in NOTICES:
        if ortschaften and ortschaft not in ortschaften:
            others.add(title)
        elif extra.get("display", (0, 1))[1] > 0:  # an official notice leaves after its period
            mine.add(title)
    return mine, others


EBENDORF_TITLES, OTHER_TITLES = demo_titles(ortschaft="ebendorf")


def publish_notice(title: str, kind: str, ortschaften: list[str], **fields) -> NoticePage:
    """Publish a notice on the board, as an editor would between two page loads."""
    board = NoticeIndexPage.objects.get()
    notice = board.add_child(
        instance=NoticePage(
            title=title, kind=NoticeKind.objects.get(slug=kind), teaser=f"{title}.", **fields
        )
    )
    notice.ortschaften.set(Ortschaft.objects.filter(slug__in=ortschaften))
    notice.save_revision().publish()
    return notice


def choose_ortschaft(page, tab_to, name: str) -> None:
    """Pick the Ortschaft in the header's switcher by keyboard and submit it."""
    tab_to(page, "#ortschaft-choice")
    page.keyboard.type(name)
    tab_to(page, ".ortschaft-switcher button")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def follow(page, link) -> None:
    """Follow a link by keyboard: it is in the Tab order, and Enter opens it."""
    link.focus()  # jump next to it instead of tabbing through the whole page
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert link.evaluate("element => element === document.activeElement")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def teaser_titles(section) -> set[str]:
    return set(section.locator(".notice-teaser__title").all_inner_texts())


def concerns_ebendorf(ortschaften: list[str]) -> bool:
    return "Ebendorf" in ortschaften or ortschaften == [WHOLE_MUNICIPALITY]


def test_home_page_shows_the_notices_of_the_chosen_ortschaft(page, audit, tab_to):
    # given
    page.goto("/")
    audit(page, "home")

    # when
    choose_ortschaft(page, tab_to, "Ebendorf")

    # then
    heading = page.get_by_role("heading", name="Aktuelles für Ebendorf")
    expect(heading).to_be_visible()
    notices = page.locator("section", has=heading)
    shown = teaser_titles(notices)
    assert shown, "the home page shows no notices for Ebendorf"
    assert shown <= EBENDORF_TITLES
    assert shown & OTHER_TITLES == set()
    for teaser in notices.locator(".notice-teaser").all():
        ortschaften = teaser.locator(".tag:not(.tag--kind)").all_inner_texts()
        assert concerns_ebendorf(ortschaften), ortschaften
    audit(page, "home-ebendorf")


def test_citizen_reads_the_board_and_downloads_an_attachment(page, audit, tab_to):
    # given: a citizen of Ebendorf, who said so on the home page
    page.goto("/")
    choose_ortschaft(page, tab_to, "Ebendorf")

    # when
    follow(page, page.locator(".main-nav").get_by_role("link", name="Bekanntmachungen"))

    # then: the board is preselected to Ebendorf
    assert page.url.endswith("/bekanntmachungen/?ortschaft=ebendorf")
    assert page.locator("#id_ortschaft option:checked").inner_text() == "Ebendorf"
    expect(page.locator("#ergebnisse")).to_contain_text("für Ebendorf und die ganze Gemeinde")
    assert teaser_titles(page) == EBENDORF_TITLES
    kinds = set(NoticeKind.objects.values_list("name", flat=True))
    for entry in page.locator(".notice-teaser").all():
        assert entry.locator(".tag--kind").all_inner_texts()[0] in kinds
        ortschaften = entry.locator(".tag:not(.tag--kind)").all_inner_texts()
        assert concerns_ebendorf(ortschaften), ortschaften
    audit(page, "board")

    # when
    follow(page, page.get_by_role("link", name=OFFICIAL_NOTICE))

    # then: the notice shows its display period and when it was actually displayed
    expect(page.get_by_role("heading", level=1)).to_have_text(OFFICIAL_NOTICE)
    period = page.locator(".display-period")
    assert period.locator("dt").all_inner_texts() == ["Aushangfrist", "Ausgehängt"]
    start, end = period.locator("dd").all_inner_texts()
    assert re.fullmatch(r"\d+\. \w+ \d{4}, \d\d:\d\d bis \d+\. \w+ \d{4}, \d\d:\d\d", start)
    assert re.fullmatch(r"seit \d+\. \w+ \d{4}, \d\d:\d\d", end)
    expect(page.locator(".notice-status--expired")).to_have_count(0)
    audit(page, "notice")

    # when
    attachment = page.locator(".attachment a")
    expect(attachment).to_have_text("Tagesordnung der Sitzung (PDF)")
    attachment.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")

    # then
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"

    # when: back to the board, to its archive and the print view for the Schaukasten
    follow(page, page.get_by_role("link", name="Zurück zu den Bekanntmachungen"))
    follow(page, page.get_by_role("link", name="Abgelaufene amtliche Bekanntmachungen"))

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Abgelaufene amtliche Bekanntmachungen"
    )
    assert teaser_titles(page) == {"Haushaltssatzung 2026"}
    audit(page, "archive")

    # when
    page.go_back()
    follow(page, page.get_by_role("link", name="Amtliche Bekanntmachungen für Ebendorf drucken"))

    # then
    assert page.url.endswith("/bekanntmachungen/aushang/ebendorf/")
    printed = set(page.locator(".sheet-notice h2").all_inner_texts())
    assert printed == {
        OFFICIAL_NOTICE,
        "Bebauungsplan Nr. 12 „Am Mühlenberg“ – öffentliche Auslegung",
    }
    audit(page, "print")


def test_citizen_finds_upcoming_events_in_the_calendar(page, audit, tab_to):
    # given: an event in a later month, so the calendar has more than one month to show
    later = timezone.localdate() + timedelta(days=62)
    publish_notice(
        "Dorfputz in Ebendorf",
        "veranstaltung",
        ["ebendorf"],
        event_start=timezone.make_aware(datetime.combine(later, time(9))),
        event_end=timezone.make_aware(datetime.combine(later, time(12))),
        location_name="Dorfplatz Ebendorf",
    )
    page.goto("/")

    # when
    follow(page, page.locator(".main-nav").get_by_role("link", name="Veranstaltungen"))

    # then: upcoming events, in order, under the heading of their month
    expect(page.get_by_role("heading", level=1)).to_have_text("Veranstaltungen")
    months = page.locator(".calendar-month")
    assert months.count() >= 2
    starts = []
    for month in months.all():
        heading = month.get_by_role("heading", level=2).inner_text()
        for when in month.locator(".event-list__when time:first-child").all():
            start = datetime.fromisoformat(when.get_attribute("datetime"))
            assert heading == f"{MONTHS[start.month - 1]} {start.year}"
            starts.append(start.date())
    assert starts == sorted(starts)
    titles = set(page.locator(".event-list__title").all_inner_texts())
    assert {"Weihnachtsmarkt in Meitzendorf", "Dorffest Ebendorf", "Dorfputz in Ebendorf"} <= titles
    assert PAST_EVENT not in page.locator("main").inner_text()
    audit(page, "calendar")

    # when: only Ebendorf's
    tab_to(page, "#id_ortschaft")
    page.keyboard.type("Ebendorf")
    tab_to(page, ".filter-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then
    assert "ortschaft=ebendorf" in page.url
    assert page.locator("#id_ortschaft option:checked").inner_text() == "Ebendorf"
    assert set(page.locator(".event-list__title").all_inner_texts()) == {
        "Einwohnerversammlung zum Haushalt",
        "Dorffest Ebendorf",
        "Dorfputz in Ebendorf",
    }
    for event in page.locator(".event-list__item").all():
        ortschaften = event.locator(".tag").all_inner_texts()
        assert concerns_ebendorf(ortschaften), ortschaften
    audit(page, "calendar-ebendorf")

    # when
    follow(page, page.get_by_role("link", name="Dorffest Ebendorf"))
    add_to_calendar = page.get_by_role("link", name="In meinen Kalender übernehmen (.ics)")
    add_to_calendar.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")

    # then
    download = download_info.value
    assert download.suggested_filename == "dorffest-ebendorf.ics"
    with open(download.path(), encoding="utf-8") as file:
        assert file.read().startswith("BEGIN:VCALENDAR")
    response = page.request.get(add_to_calendar.get_attribute("href"))
    assert response.headers["content-type"].startswith("text/calendar")
    audit(page, "event")


def test_display_shows_one_slide_at_a_time_and_survives_a_lost_connection(page, audit):
    # given: timers under the test's control, so minutes pass at once
    page.clock.install()
    page.goto("/bekanntmachungen/anzeige/ebendorf/")
    display = page.locator("#display")
    slide_ms = int(display.get_attribute("data-slide-seconds")) * 1000
    refresh_ms = int(display.get_attribute("data-refresh-seconds")) * 1000
    slides = page.locator(".display__slide")
    titles = set(page.locator(".display__slide h2").all_text_contents())
    assert titles & OTHER_TITLES == set()
    assert "Vollsperrung der Magdeburger Straße" in titles
    audit(page, "display")

    # then: one slide at a time, the next after a while
    expect(page.locator(".display__slide:visible")).to_have_count(1)
    first = page.locator(".display__slide:visible h2").inner_text()
    page.clock.run_for(slide_ms)
    expect(page.locator(".display__slide:visible")).to_have_count(1)
    assert page.locator(".display__slide:visible h2").inner_text() != first

    # when: a notice is published, but the network is gone when the display refreshes
    publish_notice("Glasfaserausbau in Ebendorf beginnt", "neuigkeit", ["ebendorf"])
    shown = slides.count()
    page.context.set_offline(True)
    page.clock.run_for(refresh_ms)

    # then: the last content stays
    expect(display).to_have_class(re.compile(r"\bdisplay--offline\b"))
    expect(slides).to_have_count(shown)
    expect(page.locator(".display__slide:visible")).to_have_count(1)
    expect(page.locator(".display__slide h2", has_text="Glasfaserausbau")).to_have_count(0)

    # when: the network is back at the next refresh
    page.context.set_offline(False)
    page.clock.run_for(refresh_ms)

    # then
    expect(page.locator(".display__slide h2", has_text="Glasfaserausbau")).to_have_count(1)
    expect(display).not_to_have_class(re.compile(r"\bdisplay--offline\b"))
    expect(slides).to_have_count(shown + 1)
    expect(page.locator(".display__slide:visible")).to_have_count(1)
    audit(page, "display-refreshed")


def notice_url(title: str) -> str:
    return NoticePage.objects.get(title=title).url


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(lambda: "/bekanntmachungen/?ortschaft=ebendorf", id="board"),
        pytest.param(lambda: notice_url(OFFICIAL_NOTICE), id="notice"),
        pytest.param(lambda: notice_url("Dorffest Ebendorf"), id="event"),
        pytest.param(lambda: "/veranstaltungen/", id="calendar"),
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
