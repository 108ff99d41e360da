"""Leichte Sprache versions of a page: `{% easy_language_versions page as versions %}`.

Any page type with a field `easy_language_original` (the page a version explains, related
name `easy_language_versions`) has them: notices and standard pages; for other pages the
tag finds none."""

from django import template
from wagtail.models import Page

from website.page_cache import kept_for_generation

register = template.Library()


@register.simple_tag
def easy_language_versions(page: Page) -> list[Page]:
    """The live, public versions in Leichte Sprache of a page in standard language (none
    for a version itself), newest first; kept in the cache for the generation of the page
    cache, as the rest of what every view of a page shares."""
    if not hasattr(page, "easy_language_versions") or page.easy_language_original_id:
        return []
    return kept_for_generation(
        None,
        f"easy language versions {page.pk}",
        lambda: list(page.easy_language_versions.live().public().order_by("-first_published_at")),
    )
