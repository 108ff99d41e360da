"""Hostile input at every public form and query parameter: XSS payloads, overlong strings,
control characters, NUL bytes and values of the wrong type. No answer is a server error,
and no payload's markup comes back unescaped.

Hypothesis draws the input; HOSTILE_INPUT_EXAMPLES sets how many requests each endpoint
gets (default 200: about 7,000 requests in three to four minutes).
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notices.models import CalendarPage, NoticeIndexPage
from participation.forms import SurveyForm
from participation.models import SurveyPage, WayOfTakingPart
from tests.factories import SubscriptionFactory
from website.models import AccessibilityStatementPage

pytestmark = [pytest.mark.django_db, pytest.mark.service("postgres")]

EXAMPLES = int(os.environ.get("HOSTILE_INPUT_EXAMPLES", "200"))

# Markup that must never come back as it was sent.
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "'><iframe src=javascript:alert(1)></iframe>",
    "</textarea><script>alert(2)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "<!--<img src=x onerror=alert(1)>-->",
]
OTHER_HOSTILE = [
    "javascript:alert(1)",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "' OR 1=1 --",
    "%00",
    "../../../../etc/passwd",
    "\u202e\u0000\ufeff",
    "１２３",
]
WRONG_TYPES = [
    "",
    " ",
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "[]",
    "{}",
    "null",
    "true",
    "2026-02-30",
    "31.12.2026",
]
# Valid values, so that a hostile value also meets valid ones in the same request.
VALID = ["barleben", "ebendorf", "amtliche-bekanntmachung", "veranstaltung", "2025", "1"]

hostile = st.one_of(
    st.sampled_from(MARKUP),
    st.sampled_from(OTHER_HOSTILE + WRONG_TYPES + VALID),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
    st.integers(min_value=500, max_value=100_000).map(lambda length: "A" * length),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
payload = st.one_of(
    hostile,
    st.tuples(hostile, st.sampled_from(MARKUP), hostile).map("".join),
    st.tuples(st.text(max_size=10), st.just("\x00"), st.text(max_size=10)).map("".join),
)


@dataclass
class Endpoint:
    name: str
    method: str
    # the address for a test's objects; a path payload goes where "{}" is
    address: Callable[[], str]
    fields: list[str] = field(default_factory=list)
    path_payload: bool = False


def _page_url(model, subpage: str = "") -> Callable[[], str]:
    def address() -> str:
        page = model.objects.live().first()
        return page.url + (page.reverse_subpage(subpage) if subpage else "")

    return address


def _subscription_manage() -> str:
    return reverse("notices:subscription_manage", args=[SubscriptionFactory().token])


def _open_survey() -> SurveyPage:
    return SurveyPage.objects.get(way_of_taking_part=WayOfTakingPart.OPEN)


SEARCH_FIELDS = ["q", "art", "typ", "gremium", "ortschaft", "jahr", "sortierung", "seite"]
BOARD_FIELDS = ["ortschaft", "art", "kategorie", "von", "bis", "seite"]
SUBSCRIPTION_FIELDS = ["email", "ortschaften", "kinds", "categories", "frequency", "consent"]

ENDPOINTS = [
    Endpoint("home", "get", lambda: "/", ["ortschaft"]),
    Endpoint("search", "get", lambda: reverse("search"), SEARCH_FIELDS),
    Endpoint("board", "get", _page_url(NoticeIndexPage), BOARD_FIELDS),
    Endpoint("board_rss", "get", _page_url(NoticeIndexPage, "rss"), BOARD_FIELDS),
    Endpoint("board_atom", "get", _page_url(NoticeIndexPage, "atom"), BOARD_FIELDS),
    Endpoint("board_archive", "get", _page_url(NoticeIndexPage, "archive"), ["seite"]),
    Endpoint("board_print", "get", lambda: _page_url(NoticeIndexPage)() + "aushang/{}/", [], True),
    Endpoint(
        "board_display", "get", lambda: _page_url(NoticeIndexPage)() + "anzeige/{}/", [], True
    ),
    Endpoint("calendar", "get", _page_url(CalendarPage), ["ortschaft", "kategorie", "seite"]),
    Endpoint("calendar_ical", "get", _page_url(CalendarPage, "ical"), ["ortschaft", "kategorie"]),
    Endpoint(
        "archive", "get", lambda: "/archiv/", ["jahr", "typ", "gremium", "ortschaft", "seite"]
    ),
    Endpoint("document_page", "get", lambda: "/archiv/dokumente/{}/", [], True),
    Endpoint("document_download", "get", lambda: "/dokumente/{}/datei.pdf", [], True),
    Endpoint(
        "ortschaft_choice", "post", lambda: reverse("ortschaft_choose"), ["ortschaft", "next"]
    ),
    Endpoint(
        "subscription_form_get",
        "get",
        lambda: reverse("notices:subscription_sign_up"),
        ["ortschaft"],
    ),
    Endpoint(
        "subscription_form",
        "post",
        lambda: reverse("notices:subscription_sign_up"),
        SUBSCRIPTION_FIELDS,
    ),
    Endpoint(
        "subscription_confirm",
        "post",
        lambda: reverse("notices:subscription_confirm", args=["SIG"]).replace("SIG", "{}"),
        [],
        True,
    ),
    Endpoint(
        "subscription_manage",
        "post",
        lambda: "/benachrichtigungen/verwalten/{}/",
        SUBSCRIPTION_FIELDS,
        True,
    ),
    Endpoint(
        "subscription_unsubscribe", "post", lambda: "/benachrichtigungen/abmelden/{}/", [], True
    ),
    Endpoint(
        "saved_search_form",
        "post",
        lambda: reverse("archive_alerts:new"),
        ["email", "consent", *SEARCH_FIELDS],
    ),
    Endpoint(
        "saved_search_confirm",
        "get",
        lambda: reverse("archive_alerts:confirm", args=["SIG"]).replace("SIG", "{}"),
        [],
        True,
    ),
    Endpoint("saved_search_manage", "get", lambda: "/suchauftraege/verwalten/{}/", [], True),
    Endpoint("subscription_manage_known", "post", _subscription_manage, SUBSCRIPTION_FIELDS),
    Endpoint(
        "barrier_report",
        "post",
        _page_url(AccessibilityStatementPage),
        ["message", "location", "name", "email"],
    ),
    Endpoint("barrier_report_get", "get", _page_url(AccessibilityStatementPage), ["gemeldet"]),
    Endpoint(
        "survey_form",
        "post",
        lambda: _open_survey().url,
        ["ortschaft", "access_code", "draft", "__questions__"],
    ),
    Endpoint(
        "survey_submit", "post", lambda: _open_survey().url + "absenden/", ["draft", "ortschaft"]
    ),
    Endpoint("login", "post", lambda: reverse("account_login"), ["login", "password", "remember"]),
    Endpoint(
        "signup", "post", lambda: reverse("account_signup"), ["email", "password1", "password2"]
    ),
    Endpoint("password_reset", "post", lambda: reverse("account_reset_password"), ["email"]),
    Endpoint("login_code", "post", lambda: reverse("account_request_login_code"), ["email"]),
    Endpoint(
        "email_confirm",
        "post",
        lambda: reverse("account_confirm_email", args=["KEY"]).replace("KEY", "{}"),
        [],
        True,
    ),
    Endpoint("page_route", "get", lambda: "/{}/", [], True),
]


@pytest.fixture
def open_doors(settings):
    """No rate limit: every request is to meet the validation, not the limiter."""
    settings.SUBSCRIPTION_SIGN_UP_RATE = "1000000/h"
    settings.SURVEY_ANSWER_RATE = "1000000/h"
    settings.ACCOUNT_RATE_LIMITS = False


def _fields(endpoint: Endpoint) -> list[str]:
    if "__questions__" not in endpoint.fields:
        return endpoint.fields
    names = list(SurveyForm(_open_survey()).fields)
    return [name for name in endpoint.fields if name != "__questions__"] + names


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _assert_safe(response, sent: list[str], where: str) -> None:
    assert response.status_code < 500, where
    body = _body(response)
    for markup in MARKUP:
        if any(markup in value for value in sent):
            assert markup not in body, f"{where}: {markup!r} unescaped"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
def test_hostile_input_is_refused_calmly(client, demo, open_doors, endpoint):
    address = endpoint.address()
    fields = _fields(endpoint)
    data_strategy = st.dictionaries(
        st.sampled_from(fields) if fields else st.nothing(),
        st.lists(payload, min_size=1, max_size=3),
        max_size=len(fields),
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=data_strategy, segment=payload)
    def check(data: dict[str, list[str]], segment: str):
        path = address.format(quote(segment, safe="")) if endpoint.path_payload else address
        sent = [value for values in data.values() for value in values] + [segment]
        where = f"{endpoint.method.upper()} {path[:200]} {str(data)[:300]}"
        response = getattr(client, endpoint.method)(path, data)
        _assert_safe(response, sent, where)

    check()


def test_the_check_finds_unescaped_markup(rf):
    # the assertion above must be able to fail
    from django.http import HttpResponse

    echoed = HttpResponse(f"<p>{MARKUP[0]}</p>")

    with pytest.raises(AssertionError, match="unescaped"):
        _assert_safe(echoed, [f"x{MARKUP[0]}y"], "echo")
    _assert_safe(HttpResponse("&lt;script&gt;alert(1)&lt;/script&gt;"), [MARKUP[0]], "escaped")
