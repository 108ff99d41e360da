"""The board's sections of the home page (`{% home_board page as board %}`, `home_calendar`,
`home_notices`, `home_events`), and the entries of its lists.

`{% notice_teasers notices as teasers %}` and `{% event_months events as months %}`: the
teasers of a list of notices (a page of the board or its archive, the home page's newest) and
the calendar's entries of events, each made once per notice and generation of the page cache
(website/page_cache.py), which moves on with every change the public site shows.

A list whose entries are all made costs one query for the notices' ids (none when it is given
their ids) and one round trip to the cache, instead of the notices with their kinds, Ortschaften
and categories, their templates, and a round trip for each entry.
"""

import itertools

from django import template
from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import Prefetch, QuerySet
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from notices.models import CalendarPage, NoticeIndexPage, NoticePage
from services.models import OnlineService, Service
from website.layout import live_child_of_type
from website.models import HomePage, Ortschaft
from website.page_cache import request_generation

register = template.Library()

HOME_NOTICES = 5
HOME_EVENTS = 5


@register.simple_tag(takes_context=True)
def home_board(context, home: HomePage) -> NoticeIndexPage | None:
    """The board under the home page, if it has a live one."""
    return live_child_of_type(context["request"], home, NoticeIndexPage)


@register.simple_tag(takes_context=True)
def home_calendar(context, home: HomePage) -> CalendarPage | None:
    """The calendar under the home page, if it has a live one."""
    return live_child_of_type(context["request"], home, CalendarPage)


@register.simple_tag
def home_notices(board: NoticeIndexPage | None, ortschaft: Ortschaft | None) -> list[int]:
    """The ids of the board's newest current notices for the Ortschaft (all without one)."""
    if board is None:
        return []
    return board.filtered_ids({"ortschaft": ortschaft} if ortschaft else {})[:HOME_NOTICES]


@register.simple_tag
def home_events(calendar: CalendarPage | None, ortschaft: Ortschaft | None) -> list[NoticePage]:
    """The calendar's next events for the Ortschaft (all without one)."""
    if calendar is None:
        return []
    events = calendar.events({"ortschaft": ortschaft} if ortschaft else {})
    # when and where only: none of the Ortschaften and categories of a listing
    return list(events.prefetch_related(None)[:HOME_EVENTS])


TEASER_TEMPLATE = "notices/includes/notice_teaser.html"
EVENT_TEMPLATE = "notices/includes/event_entry.html"
ENTRY_SECONDS = 3600


@register.simple_tag(takes_context=True)
def notice_teasers(context, notices) -> list[SafeString]:
    """The teasers of `notices` (a queryset of notices or their ids, or a page of either), in
    its order."""
    notices = notices.object_list if isinstance(notices, Page) else notices
    if isinstance(notices, QuerySet):
        ids = list(notices.prefetch_related(None).values_list("pk", flat=True))
    else:
        ids = list(notices)
    teasers = _made_once(context, ids, TEASER_TEMPLATE)
    return [teasers[pk] for pk in ids if pk in teasers]


@register.simple_tag(takes_context=True)
def event_months(context, events) -> list[tuple[str, list[SafeString]]]:
    """The calendar's entries of `events` (rows of "pk" and "event_start", or a page of
    them), by month in their order: [("Mai 2027", [entry, …]), …]."""
    rows = list(events.object_list if isinstance(events, Page) else events)
    entries = _made_once(context, [row["pk"] for row in rows], EVENT_TEMPLATE)
    return [
        (month, [entries[row["pk"]] for row in month_rows if row["pk"] in entries])
        for month, month_rows in itertools.groupby(
            rows, key=lambda row: date_format(timezone.localtime(row["event_start"]), "F Y")
        )
    ]


def _made_once(context, ids: list[int], template_name: str) -> dict[int, SafeString]:
    """The notices' entries made with `template_name`, by id: from the cache, and those not
    there made and kept (one deleted since its id was read is left out)."""
    current = context.get("generation") or request_generation(context.get("request"))
    prefix = f"notice-entry:{current}:{translation.get_language()}:{template_name}"
    keys = {pk: f"{prefix}:{pk}" for pk in ids}
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = [pk for pk in ids if keys[pk] not in found]
    if missing:
        entry_template = get_template(template_name).template
        made = {
            keys[notice.pk]: entry_template.render(
                context.new({"notice": notice, "request": context["request"]})
            )
            for notice in NoticePage.objects.filter(pk__in=missing).for_listing()
        }
        cache.set_many(made, timeout=ENTRY_SECONDS)
        found.update(made)
    return {pk: mark_safe(found[keys[pk]]) for pk in ids if keys[pk] in found}  # noqa: S308


@register.simple_tag
def notice_services(notice: NoticePage) -> list[Service]:
    """`{% notice_services page as services %}`: the administrative services the notice
    names, in its order, with their online services (two queries)."""
    related = (
        notice.related_services.filter(service__removed_at__isnull=True)
        .select_related("service")
        .prefetch_related(
            Prefetch("service__online_services", OnlineService.objects.current().order_by("name"))
        )
    )
    return [item.service for item in related]
