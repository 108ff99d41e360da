from django.urls import path

from . import alert_views

app_name = "archive_alerts"

urlpatterns = [
    path("", alert_views.saved_search_new_view, name="new"),
    path("angemeldet/", alert_views.saved_search_pending_view, name="pending"),
    path(
        "bestaetigen/<str:signature>/", alert_views.SavedSearchConfirmView.as_view(), name="confirm"
    ),
    path("konto/", alert_views.account_saved_searches_view, name="account"),
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else is not a link of ours.
    path("verwalten/<slug:token>/", alert_views.saved_search_manage_view, name="manage"),
    path(
        "loeschen/<slug:token>/",
        alert_views.SavedSearchUnsubscribeView.as_view(),
        name="unsubscribe",
    ),
]
