"""iCalendar for events: each event's .ics and the subscribable feeds, read by an iCalendar
library as a calendar program would read them, in the time zone of the municipality."""

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from tests.factories import NoticePageFactory
from tests.notices.clock import BERLIN, NOW


@pytest.fixture
def events(board, ortschaften, frozen_clock):
    return {
        # winter time (CET, UTC+1): 18:30 in Barleben is 17:30 UTC
        "winter": NoticePageFactory(
            parent=board,
            event=True,
            title="Ortschaftsrat Ebendorf",
            event_start=datetime(2030, 3, 20, 18, 30, tzinfo=BERLIN),
            event_end=datetime(2030, 3, 20, 20, 0, tzinfo=BERLIN),
            location_name="Bürgerhaus Ebendorf",
            location_address="Schulstraße 3",
            ortschaften=[ortschaften["ebendorf"]],
        ),
        # summer time (CEST, UTC+2): 18:30 is 16:30 UTC
        "summer": NoticePageFactory(
            parent=board,
            event=True,
            title="Sommerkino Barleben",
            event_start=datetime(2030, 7, 4, 18, 30, tzinfo=BERLIN),
            event_end=None,
            ortschaften=[ortschaften["barleben"]],
        ),
        "all-day": NoticePageFactory(
            parent=board,
            event=True,
            title="Dorffest",
            is_all_day=True,
            event_start=datetime(2030, 6, 6, 0, 0, tzinfo=BERLIN),
            event_end=None,
        ),
        "days": NoticePageFactory(
            parent=board,
            event=True,
            title="Heimatwoche",
            is_all_day=True,
            event_start=datetime(2030, 8, 1, 0, 0, tzinfo=BERLIN),
            event_end=datetime(2030, 8, 3, 0, 0, tzinfo=BERLIN),
        ),
        "past": NoticePageFactory(
            parent=board,
            event=True,
            title="Faschingsball",
            event_start=NOW - timedelta(days=5),
        ),
    }


def read_calendar(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents(calendar: Calendar) -> dict:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_calendar_feed_has_the_upcoming_events_in_berlin_time(client, calendar, events):
    ical = read_calendar(client.get(f"{calendar.url}ical/"))

    found = vevents(ical)
    assert set(found) == {
        "Ortschaftsrat Ebendorf",
        "Sommerkino Barleben",
        "Dorffest",
        "Heimatwoche",
    }
    # the wall-clock time stays what the editor entered, in winter and in summer
    for key, wall_clock in [
        ("winter", datetime(2030, 3, 20, 18, 30)),
        ("summer", datetime(2030, 7, 4, 18, 30)),
    ]:
        notice = events[key]
        start = found[notice.title]["DTSTART"]
        assert start.params["TZID"] == "Europe/Berlin"
        assert start.dt.tzinfo.key == "Europe/Berlin"
        assert start.dt.replace(tzinfo=None) == wall_clock
        assert start.dt == notice.event_start
    winter = found["Ortschaftsrat Ebendorf"]
    assert winter["DTEND"].dt == datetime(2030, 3, 20, 20, 0, tzinfo=BERLIN)
    assert str(winter["LOCATION"]) == "Bürgerhaus Ebendorf, Schulstraße 3"
    # without an end, an event is given an hour
    assert found["Sommerkino Barleben"]["DTEND"].dt == datetime(2030, 7, 4, 19, 30, tzinfo=BERLIN)
    # the clients that do not know Europe/Berlin get its rules with the file
    assert [str(zone["TZID"]) for zone in ical.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(ical["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert str(ical["X-WR-CALNAME"]) == calendar.title


def test_each_vevent_links_back_to_its_event_page(client, calendar, events):
    found = vevents(read_calendar(client.get(f"{calendar.url}ical/")))

    for key in ("winter", "summer", "all-day", "days"):
        notice = events[key]
        event = found[notice.title]
        assert str(event["URL"]) == notice.get_full_url()
        assert str(event["URL"]).startswith(("http://", "https://"))
        assert notice.get_full_url() in str(event["DESCRIPTION"])
        assert str(event["UID"]).startswith(f"notice-{notice.pk}@")


@pytest.mark.parametrize(
    "key, first_day, day_after",
    [("all-day", date(2030, 6, 6), date(2030, 6, 7)), ("days", date(2030, 8, 1), date(2030, 8, 4))],
    ids=["one-day", "three-days"],
)
def test_all_day_events_are_dates_with_an_exclusive_end(
    client, calendar, events, key, first_day, day_after
):
    event = vevents(read_calendar(client.get(f"{calendar.url}ical/")))[events[key].title]

    # DATE values, not midnight date-times; the end is the day after the last (RFC 5545)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert type(event["DTSTART"].dt) is date
    assert event["DTSTART"].dt == first_day
    assert type(event["DTEND"].dt) is date
    assert event["DTEND"].dt == day_after


@pytest.mark.parametrize(
    "ortschaft, expected",
    [
        ("ebendorf", {"Ortschaftsrat Ebendorf", "Dorffest", "Heimatwoche"}),
        ("barleben", {"Sommerkino Barleben", "Dorffest", "Heimatwoche"}),
    ],
)
def test_calendar_feed_per_ortschaft(client, calendar, events, ortschaft, expected):
    ical = read_calendar(client.get(f"{calendar.url}ical/", {"ortschaft": ortschaft}))

    assert set(vevents(ical)) == expected
    assert str(ical["X-WR-CALNAME"]) == f"{calendar.title} – {ortschaft.capitalize()}"


def test_one_event_as_ics_download(client, events):
    notice = events["winter"]

    response = client.get(f"{notice.url}ical/")

    assert response["Content-Disposition"] == f'attachment; filename="{notice.slug}.ics"'
    ical = read_calendar(response)
    (event,) = ical.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Ortschaftsrat Ebendorf"
    assert event["DTSTART"].dt == datetime(2030, 3, 20, 18, 30, tzinfo=BERLIN)
    assert str(event["URL"]) == notice.get_full_url()
    assert [str(zone["TZID"]) for zone in ical.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_event_page_links_to_its_ics(client, events):
    notice = events["winter"]

    html = client.get(notice.url).content.decode()

    assert f'href="{notice.url}ical/"' in html


@pytest.mark.parametrize("traits", [{}, {"official": True}], ids=["neuigkeit", "official"])
def test_a_notice_that_is_no_event_has_no_ics(client, board, traits):
    notice = NoticePageFactory(parent=board, **traits)

    assert client.get(f"{notice.url}ical/").status_code == 404


def test_cached_calendar_feed_follows_publishing(client, calendar, events):
    # given a feed a calendar program has fetched (it is cached now)
    feed = f"{calendar.url}ical/"
    read_calendar(client.get(feed))
    newcomer = NoticePageFactory(
        parent=events["winter"].get_parent(),
        event=True,
        draft=True,
        title="Osterfeuer",
        event_start=datetime(2030, 4, 20, 19, 0, tzinfo=BERLIN),
    )

    # when the event is published, then the next fetch has it
    newcomer.save_revision().publish()
    assert "Osterfeuer" in vevents(read_calendar(client.get(feed)))

    # when it is unpublished again, then it is gone
    newcomer.refresh_from_db()
    newcomer.unpublish()
    assert "Osterfeuer" not in vevents(read_calendar(client.get(feed)))


def test_calendars_meet_rfc_5545_read_by_another_library(client, calendar, events):
    """Read by `ical` (a strict RFC 5545 parser), not the library that writes them: every
    event parses, and its ORGANIZER is an address to write to with the organiser's name."""
    from ical.calendar_stream import IcsCalendarStream

    notice = events["winter"]
    notice.organiser = "Heimatverein Ebendorf"
    notice.save_revision().publish()
    for body in (
        client.get(f"{calendar.url}ical/").content,
        client.get(f"{notice.url}ical/").content,
    ):
        parsed = IcsCalendarStream.calendar_from_ics(body.decode())

        assert parsed.events
        for event in parsed.events:
            assert event.organizer.uri == "mailto:info@barleben.de"
            expected = (
                "Heimatverein Ebendorf" if event.summary == notice.title else "Gemeinde Barleben"
            )
            assert event.organizer.common_name == expected
            assert event.dtstamp and event.uid and event.summary
