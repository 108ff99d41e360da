"""`{% notice_teasers notices as teasers %}` and `{% event_months events as months %}`: the
teasers of a list of notices (a page of the board or its archive, the home page's newest) and
the calendar's entries of events, each made once per notice and generation of the page cache
(barleben_portal/page_cache.py), which moves on with every change the public site shows.

A list whose entries are all made costs one query for the notices' ids (none when it is given
their ids) and one round trip to the cache, instead of the notices with their kinds, Ortschaften
and categories, their templates, and a round trip for each entry.
"""

import itertools

from django import template
from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import QuerySet
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from barleben_portal.layout import once_per_generation
from barleben_portal.page_cache import generation
from notices.models import NoticePage

register = template.Library()

TEASER_TEMPLATE = "notices/includes/notice_teaser.html"
EVENT_TEMPLATE = "notices/includes/event_entry.html"
ENTRY_SECONDS = 3600
# At most so many entries of a generation kept by each process (a few kB each).
MAX_KNOWN = 3000


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
    """The notices' entries made with `template_name`, by id: from what this process knows,
    else from the cache, and those not there made and kept (one deleted since its id was
    read is left out)."""
    current = context.get("generation") or generation()
    prefix = f"notice-entry:{current}:{translation.get_language()}:{template_name}"
    keys = {pk: f"{prefix}:{pk}" for pk in ids}
    # What this process read or made of them in this generation (a new dict for each, and
    # for every call while the cache cannot be reached); filled here, not only read.
    known = once_per_generation(context["request"], ("notice entries",), dict)
    if len(known) >= MAX_KNOWN:
        known.clear()
    found = {key: known[key] for key in keys.values() if key in known}
    if len(found) < len(keys):
        found.update(cache.get_many([key for key in keys.values() if key not in found]))
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
    known.update(found)
    return {pk: mark_safe(found[keys[pk]]) for pk in ids if keys[pk] in found}  # noqa: S308
