"""`{% notice_teasers notices as teasers %}`: the teasers of a list of notices (a page of the
board or its archive, the home page's newest), made once per notice and generation of the page
cache (barleben_portal/page_cache.py), which moves on with every change the public site shows.

A list whose teasers are all made costs one query for the notices' ids (none when it is given
their ids) and one round trip to the cache, instead of the notices with their kinds, Ortschaften
and categories and a round trip for each teaser.
"""

from django import template
from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import QuerySet
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from barleben_portal.page_cache import generation
from notices.models import NoticePage

register = template.Library()

TEASER_TEMPLATE = "notices/includes/notice_teaser.html"
TEASER_SECONDS = 3600


@register.simple_tag(takes_context=True)
def notice_teasers(context, notices) -> list[SafeString]:
    """The teasers of `notices` (a queryset of notices or their ids, or a page of either), in
    its order."""
    notices = notices.object_list if isinstance(notices, Page) else notices
    if isinstance(notices, QuerySet):
        ids = list(notices.prefetch_related(None).values_list("pk", flat=True))
    else:
        ids = list(notices)
    prefix = (
        f"notice-teaser:{context.get('generation') or generation()}:{translation.get_language()}"
    )
    keys = {pk: f"{prefix}:{pk}" for pk in ids}
    teasers = cache.get_many(keys.values())
    missing = [pk for pk in ids if keys[pk] not in teasers]
    if missing:
        teaser_template = get_template(TEASER_TEMPLATE).template
        made = {
            keys[notice.pk]: teaser_template.render(
                context.new({"notice": notice, "request": context["request"]})
            )
            for notice in NoticePage.objects.filter(pk__in=missing).for_listing()
        }
        cache.set_many(made, timeout=TEASER_SECONDS)
        teasers.update(made)
    # (one deleted between the two queries is left out)
    return [mark_safe(teasers[keys[pk]]) for pk in ids if keys[pk] in teasers]  # noqa: S308
