"""iCalendar (RFC 5545) for events: one event's .ics and the subscribable feeds."""

from collections.abc import Callable, Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vGeo, vUri

from website.models import MunicipalitySettings

TIME_ZONE = ZoneInfo(settings.TIME_ZONE)
FEED_VERSION_KEY = "notices:ical-version"
FEED_CACHE_SECONDS = 60 * 60


def ical_event(notice, request: HttpRequest) -> Event:
    event = Event()
    event.add("uid", f"notice-{notice.pk}@{request.get_host().split(':')[0]}")
    event.add("dtstamp", (notice.last_published_at or timezone.now()).astimezone(TIME_ZONE))
    event.add("summary", notice.title)
    url = notice.get_full_url(request)
    event.add("url", vUri(url))
    event.add("description", f"{notice.teaser}\n\n{url}")
    start = notice.event_start.astimezone(TIME_ZONE)
    end = notice.event_end.astimezone(TIME_ZONE) if notice.event_end else None
    if notice.is_all_day:
        # All-day events are dates; the end date is exclusive (RFC 5545 3.6.1).
        event.add("dtstart", start.date())
        event.add("dtend", (end or start).date() + timedelta(days=1))
    else:
        event.add("dtstart", start)
        event.add("dtend", end or start + timedelta(hours=1))
    location = ", ".join(part for part in (notice.location_name, notice.location_address) if part)
    if location:
        event.add("location", location)
    if notice.latitude is not None and notice.longitude is not None:
        event.add("geo", vGeo((float(notice.latitude), float(notice.longitude))))
    # ORGANIZER is an address to write to (RFC 5545 3.8.4.3), the organiser's name its CN:
    # the municipality's, which publishes the event and answers for it.
    municipality = MunicipalitySettings.for_request(request)
    if municipality.email:
        organizer = vCalAddress(f"mailto:{municipality.email}")
        organizer.params["cn"] = notice.organiser or municipality.name
        event.add("organizer", organizer)
    categories = [ortschaft.name for ortschaft in notice.ortschaften.all()]
    categories += [category.name for category in notice.categories.all()]
    if categories:
        event.add("categories", categories)
    return event


def ical_response(
    request: HttpRequest, notices: Iterable, *, name: str, filename: str
) -> HttpResponse:
    return _calendar_response(ical_body(request, notices, name=name), filename=filename)


def cached_ical_response(
    request: HttpRequest, notices: Callable[[], Iterable], *, key: str, name: str, filename: str
) -> HttpResponse:
    """A feed that calendar programs poll: built once, then served from the cache until a
    notice is published or unpublished, the day changes, or an hour has passed."""
    version = cache.get_or_set(FEED_VERSION_KEY, 0, timeout=None)
    cache_key = f"notices:ical:{version}:{timezone.localdate()}:{request.get_host()}:{key}"
    body = cache.get(cache_key)
    if body is None:
        body = ical_body(request, notices(), name=name)
        cache.set(cache_key, body, timeout=FEED_CACHE_SECONDS)
    return _calendar_response(body, filename=filename)


def ical_feeds_forget() -> None:
    """Make every cached feed stale: called when a notice is published or unpublished."""
    try:
        cache.incr(FEED_VERSION_KEY)
    except ValueError:
        cache.set(FEED_VERSION_KEY, 1, timeout=None)


def ical_body(request: HttpRequest, notices: Iterable, *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Buergerportal//Termine//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    starts = []
    for notice in notices:
        calendar.add_component(ical_event(notice, request))
        starts.append(notice.event_start)
    # Clients that do not know Europe/Berlin get its rules with the file, for the years
    # the events span (the full table back to 1970 would triple the file).
    today = timezone.localdate()
    first = min([today, *(start.date() for start in starts)]) - timedelta(days=366)
    last = max([today, *(start.date() for start in starts)]) + timedelta(days=366)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def _calendar_response(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
