import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views
from archive import views as archive_views
from notices import views as notices_views
from website import views as website_views

from . import sitemaps, views
from .api import api_urls

# Both admins log in through the accounts: their rate limits and the second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    # One fixed address per section (sitemap-seiten.xml, sitemap-dokumente.xml); the index
    # reverses them by section.
    *(
        path(
            f"sitemap-{section}.xml",
            sitemaps.sitemap_section,
            {"section": section},
            name="sitemap_section",
        )
        for section in sitemaps.SITEMAPS
    ),
    path("ortschaft/", website_views.ortschaft_choose, name="ortschaft_choose"),
    path("suche/", archive_views.search, name="search"),
    path("api/v1/", include(api_urls())),
    path("oparl/", include("archive.urls_oparl")),
    # A document's address depends on nothing an editor can change: it stays the same.
    path("archiv/dokumente/", include("archive.urls")),
    path("leistungen/", include("services.urls")),
    path("benachrichtigungen/", include("notices.urls")),
    path("suchauftraege/", include("archive.urls_alerts")),
    path("konto/", account_views.account_overview, name="account_overview"),
    path("konto/meine-daten/", account_views.account_data_download, name="account_data_download"),
    path("konto/loeschen/", account_views.account_delete_view, name="account_delete"),
    path("konto/geloescht/", account_views.account_deleted, name="account_deleted"),
    path(
        "konto/benachrichtigungen/",
        notices_views.account_subscription_view,
        name="account_subscription",
    ),
    path("konto/", include("allauth.urls")),
    # Configurable (ADMIN_PATH, DJANGO_ADMIN_PATH): links to the admins come from reverse().
    path(settings.DJANGO_ADMIN_PATH, admin.site.urls),
    path(
        f"{settings.ADMIN_PATH}login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
    ),
    path(settings.ADMIN_PATH, include(wagtailadmin_urls)),
    path("dokumente/", include(wagtaildocs_urls)),
]

if settings.SERVE_MEDIA_IMAGES:
    # Public images only; documents are served through the portal (wagtaildocs_serve),
    # which checks a private collection's restriction, never by their media URL.
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}"
            r"(?P<folder>images|original_images)/(?P<path>.+)$",
            views.media_image,
        )
    )

urlpatterns += [path("", include(wagtail_urls))]
