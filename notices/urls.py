from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.subscription_sign_up_view, name="subscription_sign_up"),
    path("angemeldet/", views.subscription_pending_view, name="subscription_pending"),
    path(
        "bestaetigen/<str:signature>/",
        views.subscription_confirm_view,
        name="subscription_confirm",
    ),
    path("verwalten/<str:token>/", views.subscription_manage_view, name="subscription_manage"),
    path(
        "abmelden/<str:token>/",
        views.subscription_unsubscribe_view,
        name="subscription_unsubscribe",
    ),
]
