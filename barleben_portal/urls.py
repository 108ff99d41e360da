from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from notices import views as notices_views

from . import views

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("ortschaft/", views.ortschaft_choose, name="ortschaft_choose"),
    path("suche/", views.search, name="search"),
    path("benachrichtigungen/", include("notices.urls")),
    path("konto/", views.account_overview, name="account_overview"),
    path(
        "konto/benachrichtigungen/",
        notices_views.account_subscription_view,
        name="account_subscription",
    ),
    path("konto/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("dokumente/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
