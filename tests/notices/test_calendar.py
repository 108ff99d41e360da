"""The calendar: upcoming events by month, filtered by Ortschaft and category; past events leave."""

from datetime import datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from tests.factories import CategoryFactory, NoticePageFactory
from tests.notices.clock import BERLIN, NOW


@pytest.fixture
def events(board, ortschaften, frozen_clock):
    music = CategoryFactory(name="Musik", slug="musik")

    def event(title, start, hours=2, **fields):
        return NoticePageFactory(
            parent=board,
            event=True,
            title=title,
            event_start=start,
            event_end=start + timedelta(hours=hours),
            **fields,
        )

    return {
        "past": event("Winterkonzert", NOW - timedelta(days=3)),
        "running": event("Ostermarkt", NOW - timedelta(days=1), hours=72),
        "ebendorf": event(
            "Chorprobe Ebendorf",
            NOW + timedelta(days=2),
            ortschaften=[ortschaften["ebendorf"]],
            categories=[music],
        ),
        "barleben": event(
            "Dorfputz Barleben", NOW + timedelta(days=5), ortschaften=[ortschaften["barleben"]]
        ),
        "everywhere": event("Frühlingskonzert", NOW + timedelta(days=30), categories=[music]),
        "draft": event("Geheimkonzert", NOW + timedelta(days=3), draft=True),
    }


def titles(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [title.get_text(strip=True) for title in soup.select(".event-list__title")]


def test_calendar_lists_upcoming_events_in_order_by_month(client, calendar, events, board):
    # given also a notice that is not an event
    NoticePageFactory(parent=board, title="Neue Öffnungszeiten")

    response = client.get(calendar.url)

    # then it lists the events still to come or going on, soonest first, under their month
    assert response.status_code == 200
    assert titles(response) == [
        "Ostermarkt",
        "Chorprobe Ebendorf",
        "Dorfputz Barleben",
        "Frühlingskonzert",
    ]
    soup = BeautifulSoup(response.content, "html.parser")
    months = {
        section.h2.get_text(strip=True): [
            title.get_text(strip=True) for title in section.select("h3")
        ]
        for section in soup.select("section.calendar-month")
    }
    assert months == {
        "März 2030": ["Ostermarkt", "Chorprobe Ebendorf", "Dorfputz Barleben"],
        "April 2030": ["Frühlingskonzert"],
    }


def test_past_events_leave_the_calendar(client, calendar, events):
    # when the last of March's events is over
    with time_machine.travel(NOW + timedelta(days=6), tick=False):
        response = client.get(calendar.url)

    assert titles(response) == ["Frühlingskonzert"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"ortschaft": "ebendorf"}, ["Ostermarkt", "Chorprobe Ebendorf", "Frühlingskonzert"]),
        ({"ortschaft": "barleben"}, ["Ostermarkt", "Dorfputz Barleben", "Frühlingskonzert"]),
        ({"kategorie": "musik"}, ["Chorprobe Ebendorf", "Frühlingskonzert"]),
        ({"ortschaft": "barleben", "kategorie": "musik"}, ["Frühlingskonzert"]),
    ],
    ids=["ebendorf", "barleben", "category", "ortschaft-and-category"],
)
def test_calendar_filters(client, calendar, events, query, expected):
    response = client.get(calendar.url, query)

    assert response.status_code == 200
    assert titles(response) == expected


def test_calendar_announces_the_ical_feed_of_the_chosen_ortschaft(client, calendar, events):
    response = client.get(calendar.url, {"ortschaft": "ebendorf"})

    soup = BeautifulSoup(response.content, "html.parser")
    link = soup.select_one('head link[rel="alternate"][type="text/calendar"]')
    assert link["href"] == f"{calendar.url}ical/?ortschaft=ebendorf"


@pytest.mark.parametrize(
    "query, status",
    [
        ({"ortschaft": "atlantis"}, 200),
        ({"kategorie": "nichts"}, 200),
        ({"seite": "999"}, 404),
        ({"seite": "abc"}, 404),
    ],
)
def test_calendar_answers_bad_filters_without_an_error(client, calendar, events, query, status):
    response = client.get(calendar.url, query)

    assert response.status_code == status
    if status == 200:
        assert len(titles(response)) == 4
        assert "Diese Auswahl gibt es nicht; es wird alles angezeigt." in response.content.decode()


def test_calendar_without_events_says_so(client, calendar, frozen_clock):
    response = client.get(calendar.url)

    assert response.status_code == 200
    assert "Für diese Auswahl sind keine Veranstaltungen geplant." in response.content.decode()


@pytest.mark.parametrize(
    "first_day, last_day",
    [(NOW.date(), None), (NOW.date() - timedelta(days=2), NOW.date())],
    ids=["one-day-without-end", "last-of-three-days"],
)
def test_all_day_event_stays_in_the_calendar_all_of_its_day(
    client, calendar, board, frozen_clock, first_day, last_day
):
    def midnight(day):
        return datetime.combine(day, datetime.min.time(), tzinfo=BERLIN)

    # given an all-day event that is on today, 10:00
    NoticePageFactory(
        parent=board,
        event=True,
        title="Dorffest",
        is_all_day=True,
        event_start=midnight(first_day),
        event_end=midnight(last_day) if last_day else None,
    )

    response = client.get(calendar.url)

    assert titles(response) == ["Dorffest"]


def test_an_events_entry_follows_its_changes_at_once(client, calendar, events):
    # given the calendar seen once (its entries are kept for every page that shows them)
    assert "Dorfputz Barleben" in titles(client.get(calendar.url))

    # when the event's editor renames it and moves it to another place
    event = events["barleben"]
    event.title = "Großer Dorfputz Barleben"
    event.location_name = "Feuerwehrhaus"
    event.save_revision().publish()

    # then the calendar shows the new name and place at once, on each of its addresses
    for query in ({}, {"ortschaft": "barleben"}):
        response = client.get(calendar.url, query)
        assert "Großer Dorfputz Barleben" in titles(response)
        assert "Feuerwehrhaus" in response.content.decode()
