"""E-mail subscriptions for citizens: sign up, confirm, change, unsubscribe."""

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited
from wagtail.models import Site

from notifications.recipients import normalise_email
from notifications.views import RecipientConfirmView, RecipientUnsubscribeView

from .forms import AccountSubscriptionForm, SubscriptionChoicesForm, SubscriptionSignUpForm
from .models import Subscription
from .subscriptions import (
    AUDIENCE,
    subscription_sign_up,
    subscription_subscribe_verified,
    subscription_update,
)

logger = logging.getLogger(__name__)


def _site(request: HttpRequest) -> Site:
    return Site.find_for_request(request) or Site.objects.get(is_default_site=True)


def _invalid_link(request: HttpRequest, reason: str) -> HttpResponse:
    logger.info("Invalid subscription link: %s", reason)
    return render(request, "notices/subscription_invalid_link.html", status=404)


@require_http_methods(["GET", "POST"])
def subscription_sign_up_view(request: HttpRequest) -> HttpResponse:
    # A link from a board or home page chosen for an Ortschaft preselects it.
    form = SubscriptionSignUpForm(
        request.POST or None, initial={"ortschaften": request.GET.getlist("ortschaft")}
    )
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="subscription-sign-up",
            key="ip",
            rate=settings.SUBSCRIPTION_SIGN_UP_RATE,
            increment=True,
        ):
            logger.warning("Subscription sign-ups rate-limited for an IP address")
            return render(request, "notices/subscription_rate_limited.html", status=429)
        if form.is_valid():
            email = normalise_email(form.cleaned_data["email"])
            # Sign-ups for one address send at most SUBSCRIPTION_SIGN_UP_RATE e-mails (no
            # mail-bombing through our form); the answer stays the same, so nobody learns
            # whether the address is known.
            if not is_ratelimited(
                request,
                group="subscription-sign-up-address",
                key=lambda group, request: email,
                rate=settings.SUBSCRIPTION_SIGN_UP_RATE,
                increment=True,
            ):
                subscription_sign_up(site=_site(request), email=email, **form.choices())
            request.session["subscription_email"] = email
            return redirect("notices:subscription_pending")
    return render(request, "notices/subscription_sign_up.html", {"form": form})


def subscription_pending_view(request: HttpRequest) -> HttpResponse:
    email = request.session.get("subscription_email")
    return render(request, "notices/subscription_pending.html", {"email": email})


class SubscriptionConfirmView(RecipientConfirmView):
    audience_name = AUDIENCE
    context_object_name = "subscription"
    template_name = "notices/subscription_confirm.html"
    done_template_name = "notices/subscription_confirmed.html"
    invalid_link_template_name = "notices/subscription_invalid_link.html"


@require_http_methods(["GET", "POST"])
def subscription_manage_view(request: HttpRequest, token: str) -> HttpResponse:
    subscription = (
        Subscription.objects.filter(token=token)
        .prefetch_related("ortschaften", "kinds", "categories")
        .first()
    )
    if subscription is None:
        return _invalid_link(request, "unknown token")
    form = SubscriptionChoicesForm.for_subscription(subscription, request.POST or None)
    is_saved = False
    if request.method == "POST" and form.is_valid():
        subscription = subscription_update(subscription=subscription, **form.choices())
        is_saved = True
    return render(
        request,
        "notices/subscription_manage.html",
        {"form": form, "subscription": subscription, "is_saved": is_saved},
    )


class SubscriptionUnsubscribeView(RecipientUnsubscribeView):
    audience_name = AUDIENCE
    context_object_name = "subscription"
    template_name = "notices/subscription_unsubscribe.html"
    done_template_name = "notices/subscription_unsubscribed.html"
    invalid_link_template_name = "notices/subscription_invalid_link.html"


@login_required
@require_http_methods(["GET", "POST"])
def account_subscription_view(request: HttpRequest) -> HttpResponse:
    """The same subscription, managed from the citizen's account with its verified address."""
    address = (
        EmailAddress.objects.filter(user=request.user, verified=True).order_by("-primary").first()
    )
    if address is None:
        return render(request, "notices/account_subscription.html", {"address": None})
    site = _site(request)
    subscription = (
        Subscription.objects.filter(
            site=site, email__iexact=address.email, confirmed_at__isnull=False
        )
        .prefetch_related("ortschaften", "kinds", "categories")
        .first()
    )
    if subscription is None:
        form = AccountSubscriptionForm(request.POST or None)
    else:
        form = SubscriptionChoicesForm.for_subscription(subscription, request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscription_subscribe_verified(site=site, email=address.email, **form.choices())
        return redirect(reverse("account_subscription") + "?gespeichert=1")
    return render(
        request,
        "notices/account_subscription.html",
        {
            "address": address,
            "subscription": subscription,
            "form": form,
            "is_saved": "gespeichert" in request.GET,
        },
    )
