"""The head of every public page: description, canonical link and Open Graph tags
(`{% page_meta %}`), and the schema.org data of events and of the municipality."""

from django import template
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext
from wagtail.models import Page

from website import seo
from website.models import MunicipalitySettings

register = template.Library()

# Link previews show about two lines; search engines cut descriptions near this length.
DESCRIPTION_CHARACTERS = 300


def _page_description(page: Page) -> str:
    return (
        page.search_description
        or getattr(page, "teaser", "")
        or getattr(page, "introduction", "")
        or ""
    )


def _open_graph_locale() -> str:
    # Open Graph wants language_TERRITORY: the portal's "de" is de_DE.
    locale = translation.to_locale(translation.get_language())
    return locale if "_" in locale else f"{locale}_{locale.upper()}"


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, *, type: str = "website", title: str = "", description: str = "") -> dict:
    """Description, canonical link and Open Graph tags; a Wagtail page gives the defaults."""
    request = context.get("request")
    if request is None:
        return {}
    municipality = MunicipalitySettings.for_request(request)
    page = context.get("page")
    image = None
    if isinstance(page, Page):
        title = title or page.seo_title or page.title
        description = description or _page_description(page)
        image = seo.first_body_image(page)
    # Every page has one: where nothing more is known, what the portal is.
    description = description or gettext(
        "Notices, events, the archive and surveys of %(name)s, in one place."
    ) % {"name": municipality.name}
    return {
        "type": type,
        "title": title or municipality.name,
        "description": Truncator(" ".join(description.split())).chars(DESCRIPTION_CHARACTERS),
        # the address without its query: filters, pages of a list and ?ortschaft= are one page
        "url": seo.absolute_url(request, request.path),
        "image_url": _preview_image_url(context, request, image),
        "locale": _open_graph_locale(),
        "site_name": municipality.name,
    }


def _preview_image_url(context, request, image) -> str | None:
    # The page's own image, or the municipality's logo as the layout has it.
    if image is not None:
        return seo.preview_image_url(request, image)
    logo = context.get("site_preview_image")
    return seo.absolute_url(request, logo["url"]) if logo else None


@register.simple_tag(takes_context=True)
def event_json_ld(context, notice) -> str:
    """The schema.org Event of a notice that is an event; nothing for other notices."""
    if not (notice.kind.is_event and notice.event_start):
        return ""
    request = context["request"]
    data = seo.event_json_ld(
        notice,
        request,
        municipality=MunicipalitySettings.for_request(request),
        image_url=seo.preview_image_url(request, seo.first_body_image(notice)),
    )
    return seo.json_ld_script(data)


@register.simple_tag(takes_context=True)
def municipality_json_ld(context) -> str:
    """The municipality as a schema.org GovernmentOrganization, with its Ortschaften."""
    request = context["request"]
    data = seo.municipality_json_ld(
        MunicipalitySettings.for_request(request),
        request,
        ortschaften=[ortschaft["name"] for ortschaft in context.get("ortschaften") or []],
    )
    return seo.json_ld_script(data)
