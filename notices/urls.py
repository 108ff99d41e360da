from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.subscription_sign_up_view, name="subscription_sign_up"),
    path("angemeldet/", views.subscription_pending_view, name="subscription_pending"),
    path(
        "bestaetigen/<str:signature>/",
        views.SubscriptionConfirmView.as_view(),
        name="subscription_confirm",
    ),
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else is not a link of ours.
    path("verwalten/<slug:token>/", views.subscription_manage_view, name="subscription_manage"),
    path(
        "abmelden/<slug:token>/",
        views.SubscriptionUnsubscribeView.as_view(),
        name="subscription_unsubscribe",
    ),
]
