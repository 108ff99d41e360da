"""The citizen's way through a survey: the form, a last look at the answers, sending, thanks.

The answers travel from the form to the review and on to the submission in a signed hidden
field, not in the session: sessions are rows in the database next to the login, and answers
kept there would be tied to the account until the session expires.
"""

import logging
import re
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django_ratelimit.core import is_ratelimited

from website.models import Ortschaft

from .answering import (
    account_identity,
    account_may_answer,
    browser_identity,
    error_code,
    survey_answer_submit,
    survey_has_participated,
)
from .forms import SurveyForm
from .models import SurveyPage, WayOfTakingPart

logger = logging.getLogger(__name__)

DRAFT_SALT = "participation.draft"
# Long enough for a long questionnaire and a pause; a review left overnight starts again.
DRAFT_MAX_AGE = 12 * 60 * 60
# One random token per browser (open surveys): set with the first answer, never read for
# anything but the one-answer rule.
BROWSER_COOKIE = "umfrage"
BROWSER_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
BROWSER_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")

FORM_TEMPLATE = "participation/survey_page.html"
REVIEW_TEMPLATE = "participation/survey_page_review.html"
THANKS_TEMPLATE = "participation/survey_page_thanks.html"
RATE_LIMITED_TEMPLATE = "participation/survey_rate_limited.html"

# What a refusal by the service means for the page: instead of the form, why not.
STATE_FOR_ERROR = {
    "not_open_yet": "not_open",
    "closed": "closed",
    "already_answered": "already_answered",
    "account_required": "login_required",
}


def _render(
    request: HttpRequest,
    survey: SurveyPage,
    template: str,
    context: dict,
    status=200,
    *,
    is_personal: bool = True,
):
    response = TemplateResponse(
        request, template, {**survey.get_context(request), **context}, status=status
    )
    if is_personal:
        # Forms and answers of one citizen: never kept by a shared cache.
        add_never_cache_headers(response)
    return response


def _browser_token(request: HttpRequest) -> str:
    token = request.COOKIES.get(BROWSER_COOKIE, "")
    return token if BROWSER_TOKEN.fullmatch(token) else ""


def _draft_dump(survey: SurveyPage, draft: dict) -> str:
    return signing.dumps(draft, salt=f"{DRAFT_SALT}:{survey.pk}", compress=True)


def _draft_load(survey: SurveyPage, signed: str) -> dict | None:
    """The draft from the review step; None if it is forged, for another survey or too old."""
    try:
        draft = signing.loads(signed, salt=f"{DRAFT_SALT}:{survey.pk}", max_age=DRAFT_MAX_AGE)
    except signing.BadSignature:
        return None
    return draft if isinstance(draft, dict) and isinstance(draft.get("answers"), dict) else None


def _refusal_state(request: HttpRequest, survey: SurveyPage) -> str:
    """Why this visitor cannot answer now; empty if they can."""
    if not survey.has_opened():
        return "not_open"
    if not survey.is_open():
        return "closed"
    way = survey.way_of_taking_part
    if way == WayOfTakingPart.ACCOUNT:
        if not request.user.is_authenticated:
            return "login_required"
        if not account_may_answer(request.user):
            return "verification_required"
        if survey_has_participated(survey=survey, identity=account_identity(request.user)):
            return "already_answered"
    elif way == WayOfTakingPart.OPEN:
        token = _browser_token(request)
        if token and survey_has_participated(survey=survey, identity=browser_identity(token)):
            return "already_answered"
    return ""


# A survey not open yet, or closed (with its published results): the same for everybody, so
# the page cache may keep it; it changes when the survey opens or closes, or results are
# published (website/page_cache.py).
SHARED_STATES = ("not_open", "closed")


def _state_page(request: HttpRequest, survey: SurveyPage, state: str) -> HttpResponse:
    return _render(
        request,
        survey,
        FORM_TEMPLATE,
        {
            "state": state,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': survey.url})}",
            "signup_url": f"{reverse('account_signup')}?{urlencode({'next': survey.url})}",
        },
        is_personal=state not in SHARED_STATES,
    )


def _form_page(request, survey: SurveyPage, form: SurveyForm, **context) -> HttpResponse:
    return _render(request, survey, FORM_TEMPLATE, {"form": form, **context})


def survey_form_view(request: HttpRequest, survey: SurveyPage) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    state = _refusal_state(request, survey)
    if state:
        return _state_page(request, survey, state)
    if request.method == "GET":
        return _form_page(request, survey, SurveyForm(survey))
    if "draft" in request.POST:
        # "Change" on the review step: the form again, filled in as it was.
        draft = _draft_load(survey, request.POST["draft"])
        if draft is None:
            return _form_page(request, survey, SurveyForm(survey), is_draft_lost=True)
        initial = SurveyForm.data_from_draft(survey, draft)
        return _form_page(request, survey, SurveyForm(survey, initial=initial))
    form = SurveyForm(survey, data=request.POST)
    if not form.is_valid():
        return _form_page(request, survey, form)
    return _render(
        request,
        survey,
        REVIEW_TEMPLATE,
        {
            "form": form,
            "rows": form.review_rows(),
            "ortschaft": form.cleaned_data["ortschaft"],
            "access_code": form.cleaned_data.get("access_code", ""),
            "draft": _draft_dump(survey, form.draft()),
            "submit_url": survey.url + survey.reverse_subpage("submit"),
        },
    )


def survey_submit_view(request: HttpRequest, survey: SurveyPage) -> HttpResponse:
    if request.method != "POST":
        return redirect(survey.url)
    state = _refusal_state(request, survey)
    if state:
        return _state_page(request, survey, state)
    draft = _draft_load(survey, request.POST.get("draft", ""))
    if draft is None:
        return _form_page(request, survey, SurveyForm(survey), is_draft_lost=True)
    is_open_survey = survey.way_of_taking_part == WayOfTakingPart.OPEN
    if is_open_survey and is_ratelimited(
        request,
        group="survey-answer",
        key="ip",
        rate=settings.SURVEY_ANSWER_RATE,
        increment=True,
    ):
        logger.warning("Answers to survey %s rate-limited for an IP address", survey.pk)
        return _render(request, survey, RATE_LIMITED_TEMPLATE, {}, status=429)
    token = (_browser_token(request) or secrets.token_urlsafe(32)) if is_open_survey else ""
    slug = draft.get("ortschaft") or ""
    ortschaft = Ortschaft.objects.filter(slug=slug).first() if slug else None
    try:
        survey_answer_submit(
            survey=survey,
            answers=draft["answers"],
            ortschaft=ortschaft,
            user=request.user,
            access_code=str(draft.get("access_code") or ""),
            browser_token=token,
        )
    except ValidationError as error:
        state = STATE_FOR_ERROR.get(error_code(error))
        if state:
            return _state_page(request, survey, state)
        form = SurveyForm(survey, data=SurveyForm.data_from_draft(survey, draft))
        form.is_valid()
        form.add_submission_error(error)
        return _form_page(request, survey, form)
    response = redirect(survey.url + survey.reverse_subpage("thanks"))
    if is_open_survey:
        response.set_cookie(
            BROWSER_COOKIE,
            token,
            max_age=BROWSER_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    return response


def survey_thanks_view(request: HttpRequest, survey: SurveyPage) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _render(request, survey, THANKS_TEMPLATE, {})
