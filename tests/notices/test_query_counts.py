"""What a citizen's view of the board costs in SQL queries: the same for 10 notices as for 300.

A page that queries per notice (N+1) would cost more with 300: each page of results is full
then (20 on the board, 50 in the calendar and the feeds), and every notice has a kind,
Ortschaften, categories and, if official, a display record.
"""

import itertools
from datetime import timedelta

import feedparser
import pytest
from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from notices.display import notice_display_sync
from notices.feeds import FEED_SIZE
from notices.models import (
    BOARD_PAGE_SIZE,
    CALENDAR_PAGE_SIZE,
    CalendarPage,
    Category,
    NoticeIndexPage,
    NoticeKind,
    NoticePage,
)
from tests.factories import NoticePageFactory
from website.models import Ortschaft
from website.ortschaft import COOKIE_NAME
from website.page_cache import pages_forget

SIZES = [10, 300]


def _create_notices(count: int) -> None:
    board = NoticeIndexPage.objects.get()
    ortschaften = {ortschaft.slug: ortschaft for ortschaft in Ortschaft.objects.all()}
    reaches = itertools.cycle(
        [
            [ortschaften["ebendorf"]],
            [ortschaften["barleben"]],
            [],
            [ortschaften["ebendorf"], ortschaften["meitzendorf"]],
        ]
    )
    categories = list(Category.objects.all())
    category_sets = itertools.cycle([[category] for category in categories] + [categories[:2]])
    kinds = {kind.slug: kind for kind in NoticeKind.objects.all()}
    now = timezone.now()
    variants = itertools.cycle(
        [
            {"kind": kinds["neuigkeit"]},
            {"kind": kinds["baustelle-verkehr"]},
            {
                "kind": kinds["amtliche-bekanntmachung"],
                "display_from": now - timedelta(days=2),
                "display_until": now + timedelta(days=12),
            },
            {
                "kind": kinds["amtliche-bekanntmachung"],
                "display_from": now - timedelta(days=30),
                "display_until": now - timedelta(days=2),
            },
            {
                "kind": kinds["veranstaltung"],
                "event_start": now + timedelta(days=3),
                "event_end": now + timedelta(days=3, hours=2),
                "location_name": "Mittellandhalle",
            },
        ]
    )
    for number, variant, reach, category_set in zip(
        range(count), variants, reaches, category_sets, strict=False
    ):
        NoticePageFactory(
            parent=board,
            title=f"Mitteilung Nr. {number}",
            ortschaften=reach,
            categories=category_set,
            **variant,
        )
    notice_display_sync()


@pytest.fixture(scope="module", params=SIZES, ids=[f"{size}-notices" for size in SIZES])
def notice_count(request, demo_database, django_db_blocker):
    """This many more notices, for all tests of the module that use the size, then gone again.

    They are added to the demo's outer transaction (tests/conftest.py), in a savepoint."""
    no_search_index = {
        name: {**backend, "AUTO_UPDATE": False}
        for name, backend in settings.WAGTAILSEARCH_BACKENDS.items()
    }
    with django_db_blocker.unblock(), override_settings(WAGTAILSEARCH_BACKENDS=no_search_index):
        demo_database.open()
        savepoint = transaction.atomic()
        savepoint.__enter__()
        _create_notices(request.param)
    yield request.param
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        savepoint.__exit__(None, None, None)


def _notice_url() -> str:
    # an official notice with Ortschaften, categories and a display record
    notice = (
        NoticePage.objects.filter(kind__has_display_period=True, display_records__isnull=False)
        .filter(ortschaften__isnull=False, categories__isnull=False)
        .first()
    )
    return notice.url


def _board(path: str = "") -> str:
    return f"{NoticeIndexPage.objects.get().url}{path}"


def _calendar(path: str = "") -> str:
    return f"{CalendarPage.objects.get().url}{path}"


# page: (address, Ortschaft chosen in the header, most queries made afresh, most right after
# a change), as the page is made (no copy from the page cache). Measured, not guessed. Made
# afresh, in the generation of the page cache it was made in before: Wagtail finds the site and
# its root page (two queries of its own routing); the layout, the site root's children, the
# filter choices, the teasers, the calendar's entries, the breadcrumbs and a notice's article
# come from the cache (website/layout.py, notices/templatetags/notice_tags.py, the
# templates' fragments), but the board's number of notices is counted again here, where the
# page cache is off. Right after a change all of it is made again. Either way a fixed number
# of queries, however long the listing.
PAGES = {
    "board-ebendorf": (lambda: _board("?ortschaft=ebendorf"), None, 4, 28),
    "board-archive": (lambda: _board("archiv/"), None, 4, 25),
    "print-ebendorf": (lambda: _board("aushang/ebendorf/"), None, 6, 24),
    "display-ebendorf": (lambda: _board("anzeige/ebendorf/"), None, 9, 27),
    "notice": (_notice_url, None, 3, 26),
    "calendar": (_calendar, None, 4, 28),
    "calendar-ebendorf": (lambda: _calendar("?ortschaft=ebendorf"), None, 4, 28),
    "rss": (lambda: _board("rss/"), None, 5, 19),
    "rss-ebendorf": (lambda: _board("rss/?ortschaft=ebendorf"), None, 5, 19),
    "atom": (lambda: _board("atom/"), None, 5, 19),
    "ical": (lambda: _calendar("ical/"), None, 2, 16),
    "ical-ebendorf": (lambda: _calendar("ical/?ortschaft=ebendorf"), None, 2, 16),
    "home-ebendorf": (lambda: "/?ortschaft=ebendorf", "ebendorf", 7, 28),
}


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("state", ["afresh", "after-a-change"])
@pytest.mark.parametrize("page", list(PAGES))
def test_page_costs_the_same_for_10_and_300_notices(
    client, demo, notice_count, page, state, django_assert_max_num_queries
):
    # given a citizen who has seen the page once (what it shares with others made)
    url_of, chosen_ortschaft, afresh, after_a_change = PAGES[page]
    url = url_of()
    if chosen_ortschaft:
        client.cookies[COOKIE_NAME] = chosen_ortschaft
    client.get(url)
    if state == "after-a-change":
        pages_forget()

    # when they view it again, then it costs the same, with 10 notices or 300
    with django_assert_max_num_queries(afresh if state == "afresh" else after_a_change):
        response = client.get(url)

    assert response.status_code == 200


def test_listings_are_short_with_10_notices_and_full_with_300(client, demo, notice_count):
    # so that a query per notice would show above as more queries with 300
    board = client.get(_board("?ortschaft=ebendorf")).context["results"]
    calendar = client.get(_calendar()).context["results"]
    feed = feedparser.parse(client.get(_board("rss/")).content).entries

    is_full = notice_count == 300
    assert (len(board) == BOARD_PAGE_SIZE) is is_full
    assert (len(calendar) == CALENDAR_PAGE_SIZE) is is_full
    assert (len(feed) == FEED_SIZE) is is_full
