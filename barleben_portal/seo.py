"""What search engines and link previews read: the sitemap, robots.txt, and the schema.org
data (JSON-LD) of events and of the municipality.

Every absolute address is built on the Wagtail site's root URL, as `Page.get_full_url` builds
a page's, so the sitemap, the canonical links and the JSON-LD name the same addresses (only
the index's links to its files are on the host it was asked on, as Django's view makes them).
"""

import json
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.blocks import StreamValue
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.images.models import SourceImageIOError
from wagtail.models import Site

from archive.models import Document
from notices.models import NoticePage

# Entries per sitemap file: 5,000 keep one file quick to build; the index lists the files.
SITEMAP_LIMIT = 5000
SITEMAP_TEMPLATE = "barleben_portal/sitemap.xml"
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


# --- sitemap ---------------------------------------------------------------------------


class PageSitemap(WagtailSitemap):
    """Live pages without a view restriction, official notices only while on the board."""

    limit = SITEMAP_LIMIT

    def items(self):
        now = timezone.now()
        # An official notice outside its display period is not on the board (before it, or
        # expired and kept in the archive for reference).
        off_board = NoticePage.objects.off_board(now)
        # Plain pages, not `.specific()`: a page's address and dates are all the sitemap
        # needs, and the specific rows would cost queries per chunk of pages.
        return (
            self.get_wagtail_site()
            .root_page.get_descendants(inclusive=True)
            .live()
            .public()
            .exclude(pk__in=off_board.values("pk"))
            .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
            .order_by("path")
        )

    def get_latest_lastmod(self):
        # Django's default reads every item; one aggregate is enough.
        return self.items().aggregate(
            latest=Max(Coalesce("last_published_at", "latest_revision_created_at"))
        )["latest"]


class DocumentSitemap(DjangoSitemap):
    """The stable page of every archive document anybody may read whose text is indexed."""

    limit = SITEMAP_LIMIT

    def __init__(self, request: HttpRequest):
        self.request = request

    def items(self):
        return Document.objects.public().indexed().only("pk", "modified_at").order_by("pk")

    def lastmod(self, document) -> datetime:
        return document.modified_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("modified_at"))["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        # The Wagtail site's address, as the pages' entries have it, not the request's host.
        root = urlsplit(site_root_url(self.request))
        return self._urls(page, root.scheme, root.netloc)


SITEMAPS = {"seiten": PageSitemap, "dokumente": DocumentSitemap}


def _sitemaps(request: HttpRequest) -> dict:
    return {section: sitemap(request) for section, sitemap in SITEMAPS.items()}


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap index: one entry per file of each section (pages, documents)."""
    return sitemap_views.index(request, _sitemaps(request), sitemap_url_name="sitemap_section")


@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One file of a section's sitemap (`?p=2` for the second); an unknown one is a 404."""
    # Only address and date: Django's template also looks up change frequency, priority and
    # alternates, which the pages' entries lack, and each missing key costs a dir() call
    # (a third of the time for 5,000 pages).
    return sitemap_views.sitemap(
        request, _sitemaps(request), section=section, template_name=SITEMAP_TEMPLATE
    )


# --- robots.txt ------------------------------------------------------------------------


def robots_disallowed_paths() -> list[str]:
    """What crawlers should leave alone: the admins, accounts, sign-up forms and the
    links from e-mails below them, the Ortschaft switcher and search results."""
    return [
        reverse("wagtailadmin_home"),
        reverse("admin:index"),
        reverse("account_overview"),
        reverse("notices:subscription_sign_up"),
        reverse("archive_alerts:new"),
        reverse("ortschaft_choose"),
        # Endless combinations of terms and filters; what they find is in the sitemap.
        # (A rule for "/suche/?" only would keep the empty form findable, but not every
        # parser reads a "?" in a rule.)
        reverse("search"),
    ]


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt: the public site for everyone, and where its sitemap is."""
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in robots_disallowed_paths()),
        "Allow: /",
        "",
        f"Sitemap: {absolute_url(request, reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


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


def _without_empty(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _schema_date(moment: datetime, *, is_all_day: bool) -> str:
    local = timezone.localtime(moment)
    return local.date().isoformat() if is_all_day else local.isoformat(timespec="minutes")


def municipality_organization(municipality, request: HttpRequest) -> dict:
    """The municipality as a schema.org GovernmentOrganization: its name and its site."""
    return _without_empty(
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
    address = _without_empty(
        {
            "@type": "PostalAddress",
            "streetAddress": municipality.street_address,
            "postalCode": municipality.postal_code,
            "addressLocality": municipality.city,
            "addressCountry": "DE",
        }
    )
    area = _without_empty(
        {
            "@type": "AdministrativeArea",
            "name": municipality.city or municipality.name,
            "containsPlace": [{"@type": "Place", "name": name} for name in ortschaften],
        }
    )
    return {
        "@context": SCHEMA_ORG,
        **municipality_organization(municipality, request),
        **_without_empty(
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
    location = _without_empty(
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
        **_without_empty(
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
