"""What link previews and search engines read of a page: absolute addresses, the preview
image, and the schema.org data (JSON-LD) of events and of the municipality.

Every absolute address is built on the Wagtail site's root URL, as `Page.get_full_url` builds
a page's, so the sitemap, the canonical links and the JSON-LD name the same addresses.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urljoin

from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.blocks import StreamValue
from wagtail.images.models import SourceImageIOError
from wagtail.models import Site

# What a link preview shows of an image; 1200×630 is what the big previews use.
PREVIEW_IMAGE_FILTER = "max-1200x630"
# The escapes of Django's json_script: no "</script>", "<!--" or "&…;" can end the element.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
SCHEMA_ORG = "https://schema.org"


def site_root_url(request: HttpRequest) -> str:
    """The address of the site the request is for, without a trailing slash."""
    site = Site.find_for_request(request)
    return site.root_url if site else request.build_absolute_uri("/").rstrip("/")


def absolute_url(request: HttpRequest, url: str) -> str:
    """An address of this site made absolute; one that is absolute already stays as it is."""
    return urljoin(site_root_url(request) + "/", url)


# --- link previews and JSON-LD --------------------------------------------------------


def preview_image_url(request: HttpRequest, image) -> str | None:
    """The absolute address of an image's preview size; None when there is no image or
    its file is missing (the page shows without a preview image then)."""
    if image is None:
        return None
    try:
        rendition = image.get_rendition(PREVIEW_IMAGE_FILTER)
    except SourceImageIOError:
        return None
    return absolute_url(request, rendition.url)


def first_body_image(page):
    """The first image of a page's StreamField body (the notices' image block), or None."""
    body = getattr(page, "body", None)
    if not isinstance(body, StreamValue):
        return None
    for block in body:
        if block.block_type == "image":
            return block.value.get("image")
    return None


def json_ld_script(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` data block no text in `data` can break out of."""
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    # Safe as Django's json_script is: the escapes leave no "<", ">" or "&" in the text, and
    # HTML-escaping it instead would change the data ("&quot;" is no JSON).
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text),  # noqa: S308
    )


def without_empty(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _schema_date(moment: datetime, *, is_all_day: bool) -> str:
    local = timezone.localtime(moment)
    return local.date().isoformat() if is_all_day else local.isoformat(timespec="minutes")


def municipality_organization(municipality, request: HttpRequest) -> dict:
    """The municipality as a schema.org GovernmentOrganization: its name and its site."""
    return without_empty(
        {
            "@type": "GovernmentOrganization",
            "name": municipality.name,
            "url": site_root_url(request) + "/",
        }
    )


def municipality_json_ld(
    municipality, request: HttpRequest, *, ortschaften: Sequence[str] = ()
) -> dict:
    """The municipality (MunicipalitySettings) as schema.org data for the home page."""
    address = without_empty(
        {
            "@type": "PostalAddress",
            "streetAddress": municipality.street_address,
            "postalCode": municipality.postal_code,
            "addressLocality": municipality.city,
            "addressCountry": "DE",
        }
    )
    area = without_empty(
        {
            "@type": "AdministrativeArea",
            "name": municipality.city or municipality.name,
            "containsPlace": [{"@type": "Place", "name": name} for name in ortschaften],
        }
    )
    return {
        "@context": SCHEMA_ORG,
        **municipality_organization(municipality, request),
        **without_empty(
            {
                "logo": preview_image_url(request, municipality.logo),
                "email": municipality.email,
                "telephone": municipality.phone,
                "address": address,
                "areaServed": area,
            }
        ),
    }


def event_json_ld(notice, request: HttpRequest, *, municipality, image_url: str | None) -> dict:
    """A notice that is an event as a schema.org Event."""
    location = without_empty(
        {
            "@type": "Place",
            "name": notice.location_name or notice.location_address,
            "address": notice.location_address,
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": float(notice.latitude),
                "longitude": float(notice.longitude),
            }
            if notice.latitude is not None and notice.longitude is not None
            else None,
        }
    )
    organizer = (
        {"@type": "Organization", "name": notice.organiser}
        if notice.organiser
        else municipality_organization(municipality, request)
    )
    return {
        "@context": SCHEMA_ORG,
        "@type": "Event",
        **without_empty(
            {
                "name": notice.title,
                "description": notice.teaser,
                "url": notice.get_full_url(request),
                "startDate": _schema_date(notice.event_start, is_all_day=notice.is_all_day),
                "endDate": _schema_date(notice.event_end, is_all_day=notice.is_all_day)
                if notice.event_end
                else None,
                "eventStatus": f"{SCHEMA_ORG}/EventScheduled",
                "eventAttendanceMode": f"{SCHEMA_ORG}/OfflineEventAttendanceMode",
                "location": location if location.get("name") else None,
                "organizer": organizer,
                "image": image_url,
                "inLanguage": translation.get_language(),
            }
        ),
    }
