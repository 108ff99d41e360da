"""The home page's most used administrative services: `{% popular_services as services %}`."""

from django import template

from services.models import Service
from website.page_cache import kept_for_generation

register = template.Library()

HOME_SERVICES = 8


@register.simple_tag
def popular_services() -> list[Service]:
    """The services staff put among the most used (their place, 1 first); kept in the cache
    for the generation of the page cache, as the home page's other shared parts are."""
    return kept_for_generation(
        None,
        "popular services",
        lambda: list(
            Service.objects.for_listing()
            .filter(popularity__isnull=False)
            .order_by("popularity", "name")[:HOME_SERVICES]
        ),
    )
