from django.http import HttpRequest
from wagtail.models import Site

from .models import AccessibilityStatementPage, Ortschaft, StandardPage
from .ortschaft import COOKIE_NAME


def portal(request: HttpRequest) -> dict:
    """Navigation, footer and Ortschaft switcher, for the layout every page shares."""
    site = Site.find_for_request(request)
    if site is None:
        return {}
    root = site.root_page
    footer_pages = sorted(
        [
            *StandardPage.objects.live().public().filter(show_in_footer=True).descendant_of(root),
            *AccessibilityStatementPage.objects.live()
            .public()
            .filter(show_in_footer=True)
            .descendant_of(root),
        ],
        key=lambda page: page.path,
    )
    ortschaften = list(Ortschaft.objects.all())
    # A choice in the address (?ortschaft=…) wins over the remembered one.
    chosen_slug = (
        request.GET.get("ortschaft")
        if "ortschaft" in request.GET
        else request.COOKIES.get(COOKIE_NAME)
    )
    return {
        "site_root": root,
        "navigation_pages": root.get_children().live().public().in_menu(),
        "footer_pages": footer_pages,
        "ortschaften": ortschaften,
        "chosen_ortschaft": next((o for o in ortschaften if o.slug == chosen_slug), None),
    }
