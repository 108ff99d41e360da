"""What search engines read of the whole portal: the sitemap (pages and archive documents)
and robots.txt. The project's, as it lists what every app publishes; each address is built
on the Wagtail site's root URL (website/seo.py), as the pages' canonical links are (only the
index's links to its files are on the host it was asked on, as Django's view makes them).
"""

from datetime import datetime
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from archive.models import Document
from notices.models import NoticePage
from services.models import Service
from website.seo import absolute_url, site_root_url

# Entries per sitemap file: 5,000 keep one file quick to build; the index lists the files.
SITEMAP_LIMIT = 5000
SITEMAP_TEMPLATE = "barleben_portal/sitemap.xml"


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


class ServiceSitemap(DocumentSitemap):
    """The page of every administrative service the catalogue lists."""

    def items(self):
        return Service.objects.current().only("pk", "modified_at").order_by("pk")


SITEMAPS = {"seiten": PageSitemap, "dokumente": DocumentSitemap, "leistungen": ServiceSitemap}


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
