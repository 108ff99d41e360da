"""Saved searches for citizens: save a search, confirm it, see and delete one's saved searches."""

import logging

from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited
from wagtail.models import Site

from notifications.recipients import normalise_email
from notifications.views import RecipientConfirmView, RecipientUnsubscribeView

from .alerts import (
    AUDIENCE,
    SearchTerms,
    saved_search_save_verified,
    saved_search_sign_up,
    saved_searches_of_address,
)
from .models import SavedSearch
from .views import SearchForm

logger = logging.getLogger(__name__)


def consent_field() -> forms.BooleanField:
    """The consent to search alerts; its text's version is alerts.CONSENT_VERSION."""
    return forms.BooleanField(
        label=gettext_lazy(
            "I agree that the municipality stores my e-mail address and this search to tell "
            "me of new documents it finds, until I delete the saved search."
        ),
        help_text=gettext_lazy(
            "Every e-mail has a link to delete the saved search; deleting it deletes your "
            "address. Details are in the privacy statement."
        ),
        error_messages={"required": gettext_lazy("Please agree, so that we may send you e-mails.")},
    )


class SavedSearchSignUpForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        help_text=gettext_lazy("We send you an e-mail to confirm that the address is yours."),
        max_length=254,
        error_messages={
            "required": gettext_lazy("Please enter your e-mail address."),
            "invalid": gettext_lazy("Please enter an e-mail address like name@example.de."),
        },
    )
    consent = consent_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(autocomplete="email", spellcheck="false")


class AccountSavedSearchForm(forms.Form):
    """Saving from an account: the address is the account's verified one."""

    consent = consent_field()


def _site(request: HttpRequest) -> Site:
    return Site.find_for_request(request) or Site.objects.get(is_default_site=True)


def _verified_address(request: HttpRequest) -> EmailAddress | None:
    if not request.user.is_authenticated:
        return None
    return (
        EmailAddress.objects.filter(user=request.user, verified=True).order_by("-primary").first()
    )


def _invalid_link(request: HttpRequest, reason: str) -> HttpResponse:
    logger.info("Invalid saved search link: %s", reason)
    return render(request, "archive/alert_invalid_link.html", status=404)


def _terms(request: HttpRequest) -> tuple[SearchTerms | None, list[str]]:
    """The search in the address, if it can be saved; else the reasons why not."""
    search = SearchForm(request.GET)
    data = search.valid_data()
    if search.errors:
        return None, [_("The search has a filter that does not exist. Please search again.")]
    try:
        return SearchTerms.from_search(query=data.get("q", ""), filters=search.filters()), []
    except ValidationError as error:
        return None, error.messages


@require_http_methods(["GET", "POST"])
def saved_search_new_view(request: HttpRequest) -> HttpResponse:
    """The search of the address in words, and the form that saves it."""
    terms, problems = _terms(request)
    if terms is None:
        return render(request, "archive/alert_new.html", {"problems": problems}, status=400)
    address = _verified_address(request)
    form_class = AccountSavedSearchForm if address else SavedSearchSignUpForm
    form = form_class(request.POST or None)
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="saved-search-sign-up",
            key="ip",
            rate=settings.SUBSCRIPTION_SIGN_UP_RATE,
            increment=True,
        ):
            logger.warning("Saved search sign-ups rate-limited for an IP address")
            return render(request, "archive/alert_rate_limited.html", status=429)
        if form.is_valid():
            site = _site(request)
            if address:
                saved_search_save_verified(site=site, email=address.email, terms=terms)
                return redirect(reverse("archive_alerts:account") + "?gespeichert=1")
            email = normalise_email(form.cleaned_data["email"])
            # At most so many confirmation e-mails to one address (no mail-bombing through
            # our form); the answer stays the same.
            if not is_ratelimited(
                request,
                group="saved-search-sign-up-address",
                key=lambda group, request: email,
                rate=settings.SUBSCRIPTION_SIGN_UP_RATE,
                increment=True,
            ):
                saved_search_sign_up(site=site, email=email, terms=terms)
            request.session["saved_search_email"] = email
            return redirect("archive_alerts:pending")
    return render(
        request,
        "archive/alert_new.html",
        {
            "terms": terms.described(),
            "search_path": terms.search_path(),
            "form": form,
            "address": address,
            "action": request.get_full_path(),
        },
    )


def saved_search_pending_view(request: HttpRequest) -> HttpResponse:
    email = request.session.get("saved_search_email")
    return render(request, "archive/alert_pending.html", {"email": email})


class SavedSearchPageView:
    audience_name = AUDIENCE
    context_object_name = "saved_search"
    invalid_link_template_name = "archive/alert_invalid_link.html"

    def get_context_data(self, recipient: SavedSearch, **kwargs) -> dict:
        terms = SearchTerms.of(recipient).described()
        return super().get_context_data(recipient, terms=terms, **kwargs)


class SavedSearchConfirmView(SavedSearchPageView, RecipientConfirmView):
    template_name = done_template_name = "archive/alert_confirm.html"


class SavedSearchUnsubscribeView(SavedSearchPageView, RecipientUnsubscribeView):
    template_name = "archive/alert_unsubscribe.html"
    done_template_name = "archive/alert_deleted.html"

    def get_done_context_data(self, recipient: SavedSearch) -> dict:
        # The address's other saved searches, if any, to go on with: their list is reached
        # through the token of one of them.
        others = saved_searches_of_address(site=recipient.site, email=recipient.email)
        return {"other_saved_search": others.exclude(pk=recipient.pk).first()}


def _listed(saved_searches) -> list[tuple[SavedSearch, list, str]]:
    return [
        (saved_search, terms.described(), terms.search_path())
        for saved_search in saved_searches
        for terms in [SearchTerms.of(saved_search)]
    ]


@require_safe
def saved_search_manage_view(request: HttpRequest, token: str) -> HttpResponse:
    """The saved searches of the address a link in an e-mail was sent to, each to delete."""
    saved_search = SavedSearch.objects.filter(token=token, confirmed_at__isnull=False).first()
    if saved_search is None:
        return _invalid_link(request, "unknown token")
    own = saved_searches_of_address(site=saved_search.site, email=saved_search.email)
    return render(
        request,
        "archive/alert_manage.html",
        {"saved_search": saved_search, "saved_searches": _listed(own)},
    )


@login_required
@require_safe
def account_saved_searches_view(request: HttpRequest) -> HttpResponse:
    """The saved searches of the account's verified address, each to delete."""
    address = _verified_address(request)
    if address is None:
        return render(request, "archive/alert_account.html", {"address": None})
    own = saved_searches_of_address(site=_site(request), email=address.email)
    return render(
        request,
        "archive/alert_account.html",
        {
            "address": address,
            "saved_searches": _listed(own),
            "is_saved": "gespeichert" in request.GET,
        },
    )
