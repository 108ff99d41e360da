"""What a citizen does on the subscription pages: sign up, confirm, change, unsubscribe.

The e-mails go out as in production, through the outbox and the sender task, which run in
this process once the request's transaction commits; they land in `mail.outbox`.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext
from wagtail.models import Site

from notices.forms import SubscriptionChoicesForm, SubscriptionSignUpForm
from notices.models import Category, NoticeKind, NoticePage, Subscription
from notices.subscriptions import CONSENT_VERSION
from notifications import recipients
from notifications.audiences import audience_for
from notifications.fanout import dispatch_create
from notifications.models import Delivery, Frequency
from notifications.recipients import recipients_unconfirmed_delete
from tests.factories import SubscriptionFactory
from website.models import MunicipalitySettings, Ortschaft

SIGN_UP_URL = "/benachrichtigungen/"
INVALID_LINK_TEXT = (
    "The link may have expired (confirmation links are valid for seven days), the "
    "subscription may have ended already, or the link was not copied completely. "
    "Nothing has been changed."
)


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST as a browser would, then run what the request queued for after its commit."""

    def send(client: Client, url: str, data: dict | str = "", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **extra)

    return send


def _sign_up_data(**fields) -> dict:
    return {
        "email": "erika.mustermann@example.org",
        "frequency": Frequency.IMMEDIATELY,
        "consent": "on",
        **fields,
    }


def _path(url: str) -> str:
    return urlsplit(url).path


def _confirm_path(message) -> str:
    prefix = reverse("notices:subscription_confirm", kwargs={"signature": "x"}).removesuffix("x/")
    return re.search(re.escape(prefix) + r"[^/\s\"]+/", message.body).group()


def _manage_path(subscription: Subscription) -> str:
    return reverse("notices:subscription_manage", kwargs={"token": subscription.token})


def _unsubscribe_path(subscription: Subscription) -> str:
    return reverse("notices:subscription_unsubscribe", kwargs={"token": subscription.token})


def confirmation_signature(subscription: Subscription) -> str:
    """The signature in the confirmation link of this subscription."""
    return recipients.confirmation_signature(audience=audience_for("board"), recipient=subscription)


def _invalid_link_page(response) -> bool:
    return response.status_code == 404 and escape(gettext(INVALID_LINK_TEXT)) in (
        response.content.decode()
    )


def _choices(subscription: Subscription) -> dict:
    subscription.refresh_from_db()
    return {
        "ortschaften": {o.slug for o in subscription.ortschaften.all()},
        "kinds": {k.slug for k in subscription.kinds.all()},
        "categories": {c.slug for c in subscription.categories.all()},
        "frequency": subscription.frequency,
    }


# Sign-up and double opt-in


def test_sign_up_records_the_consent_and_sends_one_confirmation_request(demo, client, post, outbox):
    # given
    traffic = Category.objects.get(name="Verkehr")

    # when
    response = post(
        client,
        SIGN_UP_URL,
        _sign_up_data(
            email="  Erika.Mustermann@Example.org ",
            ortschaften=["ebendorf"],
            kinds=["baustelle-verkehr"],
            categories=[traffic.slug],
            frequency=Frequency.DAILY,
        ),
    )

    # then: the citizen is told to look into the mailbox
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:subscription_pending")
    pending = client.get(response["Location"])
    assert "erika.mustermann@example.org" in pending.content.decode()
    # the sign-up is stored with its consent, not yet active
    subscription = Subscription.objects.get()
    assert subscription.email == "erika.mustermann@example.org"
    assert subscription.consent_version == CONSENT_VERSION
    assert timezone.now() - subscription.signed_up_at < timedelta(minutes=1)
    assert subscription.confirmed_at is None
    assert _choices(subscription) == {
        "ortschaften": {"ebendorf"},
        "kinds": {"baustelle-verkehr"},
        "categories": {traffic.slug},
        "frequency": Frequency.DAILY,
    }
    # and exactly one e-mail asks to confirm it
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["erika.mustermann@example.org"]
    municipality = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))
    assert municipality.name in message.subject
    assert _path(message.extra_headers["List-Unsubscribe"].strip("<>")) == _unsubscribe_path(
        subscription
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert _confirm_path(message) in html
    assert subscription.token not in message.subject
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_the_confirmation_link_asks_first_and_confirms_on_the_button(demo, client, post, outbox):
    # given
    post(client, SIGN_UP_URL, _sign_up_data())
    link = _confirm_path(outbox[0])
    subscription = Subscription.objects.get()
    # a mail scanner opening the link, or a citizen who does not press the button
    scanner = Client()

    # when
    shown = scanner.get(link)

    # then
    assert shown.status_code == 200
    assert escape(gettext("Yes, activate my subscription")) in shown.content.decode()
    assert "Programme, die E-Mails auf Viren prüfen, öffnen deren Links auch" in (
        shown.content.decode()
    )
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None

    # when the citizen presses the button
    confirmed = client.post(link)

    # then
    assert confirmed.status_code == 200
    subscription.refresh_from_db()
    assert subscription.is_confirmed
    assert _manage_path(subscription) in confirmed.content.decode()


def test_confirming_twice_keeps_the_first_confirmation(demo, client, post, outbox):
    # given
    post(client, SIGN_UP_URL, _sign_up_data())
    link = _confirm_path(outbox[0])
    client.post(link)
    first_confirmation = Subscription.objects.get().confirmed_at

    # when
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        again = client.post(link)
        shown = client.get(link)

    # then
    assert again.status_code == 200
    assert shown.status_code == 200
    assert escape(gettext("Your subscription is already active.")) in shown.content.decode()
    assert Subscription.objects.get().confirmed_at == first_confirmation


@pytest.mark.parametrize(
    "age, is_valid",
    [(timedelta(days=6, hours=23), True), (timedelta(days=7, minutes=1), False)],
    ids=["six-days-23-hours", "seven-days-and-a-minute"],
)
def test_a_confirmation_link_is_valid_for_seven_days(demo, client, post, outbox, age, is_valid):
    # given
    post(client, SIGN_UP_URL, _sign_up_data())
    link = _confirm_path(outbox[0])

    # when
    with time_machine.travel(timezone.now() + age):
        shown = client.get(link)
        pressed = client.post(link)

    # then
    subscription = Subscription.objects.get()
    if is_valid:
        assert (shown.status_code, pressed.status_code) == (200, 200)
        assert subscription.is_confirmed
    else:
        assert _invalid_link_page(shown)
        assert _invalid_link_page(pressed)
        assert subscription.confirmed_at is None


def _garbled(signature: str) -> str:
    last = "A" if signature[-1] != "A" else "B"
    return signature[:-1] + last


@pytest.mark.parametrize(
    "forge",
    [
        lambda subscription: _garbled(confirmation_signature(subscription)),
        lambda subscription: confirmation_signature(subscription)[:20],
        lambda subscription: "bitte-bestaetigen",
        lambda subscription: signing.dumps(subscription.token),
        lambda subscription: signing.dumps("a-made-up-token", salt="notices.subscription.confirm"),
        lambda subscription: "x" * 5000,
    ],
    ids=["last-character-changed", "cut-short", "made-up", "other-salt", "other-token", "huge"],
)
def test_a_forged_or_garbled_confirmation_link_changes_nothing(demo, client, forge):
    # given
    subscription = SubscriptionFactory(confirmed_at=None)
    link = reverse("notices:subscription_confirm", kwargs={"signature": forge(subscription)})

    # when
    shown = client.get(link)
    pressed = client.post(link)

    # then
    assert _invalid_link_page(shown)
    assert _invalid_link_page(pressed)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_the_confirmation_request_links_to_changing_the_choices(demo, client, post, outbox):
    # given a sign-up, not yet confirmed
    post(client, SIGN_UP_URL, _sign_up_data())
    subscription = Subscription.objects.get()
    message = outbox[0]
    html = message.alternatives[0][0]

    # then its e-mail leads to the choices, in both parts, and the page opens
    assert f"Auswahl ändern: {subscription.site.root_url}{_manage_path(subscription)}" in (
        message.body
    )
    assert _manage_path(subscription) in html
    assert client.get(_manage_path(subscription)).status_code == 200


def test_the_confirmation_link_of_a_deleted_sign_up_is_invalid(demo, client):
    # given
    subscription = SubscriptionFactory(confirmed_at=None)
    link = reverse(
        "notices:subscription_confirm",
        kwargs={"signature": confirmation_signature(subscription)},
    )
    subscription.delete()

    # when
    pressed = client.post(link)

    # then
    assert _invalid_link_page(pressed)
    assert not Subscription.objects.exists()


def _error(form_class, field: str, code: str) -> str:
    return escape(str(form_class().fields[field].error_messages[code]))


@pytest.mark.parametrize(
    "fields, field, code",
    [
        ({"email": "erika.mustermann"}, "email", "invalid"),
        ({"email": "erika@@example.org"}, "email", "invalid"),
        ({"email": ""}, "email", "required"),
        ({"email": "e" * 250 + "@example.org"}, "email", "max_length"),
        ({"consent": ""}, "consent", "required"),
        ({"ortschaften": ["atlantis"]}, "ortschaften", "invalid_choice"),
        ({"kinds": ["flugblatt"]}, "kinds", "invalid_choice"),
        ({"categories": ["raumfahrt"]}, "categories", "invalid_choice"),
        ({"frequency": "hourly"}, "frequency", "invalid_choice"),
        ({"frequency": ""}, "frequency", "required"),
    ],
    ids=[
        "email-without-domain",
        "email-two-at-signs",
        "email-missing",
        "email-too-long",
        "consent-missing",
        "unknown-ortschaft",
        "unknown-kind",
        "unknown-category",
        "unknown-frequency",
        "frequency-missing",
    ],
)
def test_a_sign_up_with_errors_shows_them_and_stores_nothing(
    demo, client, post, outbox, fields, field, code
):
    # when
    response = post(client, SIGN_UP_URL, _sign_up_data(**fields))

    # then
    assert response.status_code == 200
    content = response.content.decode()
    if code == "max_length":
        assert 'class="field__error"' in content
        assert 'id="id_email_error"' in content
    else:
        assert _error(SubscriptionSignUpForm, field, code) in content
    assert not Subscription.objects.exists()
    assert not Delivery.objects.exists()
    assert outbox == []


@pytest.mark.parametrize("existing", [None, "unconfirmed", "confirmed"])
def test_signing_up_a_known_address_again_gives_the_same_answer_and_no_second_row(
    demo, client, post, outbox, existing
):
    # given an address that is new, signed up but unconfirmed, or subscribed
    barleben = Ortschaft.objects.get(slug="barleben")
    if existing:
        subscription = SubscriptionFactory(
            email="erika.mustermann@example.org",
            ortschaften=[barleben],
            frequency=Frequency.WEEKLY,
            signed_up_at=timezone.now() - timedelta(days=2),
            confirmed_at=timezone.now() - timedelta(days=1) if existing == "confirmed" else None,
        )
        confirmed_at = subscription.confirmed_at

    # when someone signs it up (again), in other letter case, with other choices
    response = post(
        client,
        SIGN_UP_URL,
        _sign_up_data(email="Erika.MUSTERMANN@example.org", ortschaften=["ebendorf"]),
    )

    # then the answer is the same, whoever asks
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:subscription_pending")
    subscription = Subscription.objects.get(email__iexact="erika.mustermann@example.org")
    assert Subscription.objects.count() == 1
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["erika.mustermann@example.org"]
    if existing == "confirmed":
        # a reminder with the way to change it; whoever typed the address changes nothing
        assert _manage_path(subscription) in message.body
        assert _choices(subscription) == {
            "ortschaften": {"barleben"},
            "kinds": set(),
            "categories": set(),
            "frequency": Frequency.WEEKLY,
        }
        assert subscription.confirmed_at == confirmed_at
        assert Delivery.objects.get().kind == Delivery.Kind.REMINDER
    else:
        # a (new) confirmation request, for the choices made now
        assert _confirm_path(message)
        assert _choices(subscription)["ortschaften"] == {"ebendorf"}
        assert subscription.confirmed_at is None
        assert timezone.now() - subscription.signed_up_at < timedelta(minutes=1)
        assert Delivery.objects.get().kind == Delivery.Kind.CONFIRMATION


def test_an_address_gets_no_more_emails_an_hour_than_the_rate(demo, post, outbox):
    # given: the address signed up as often as the rate allows, from ever other connections
    with time_machine.travel(timezone.now(), tick=False):
        for number in range(10):
            post(Client(REMOTE_ADDR=f"198.51.100.{number}"), SIGN_UP_URL, _sign_up_data())

        # when
        response = post(Client(REMOTE_ADDR="198.51.100.99"), SIGN_UP_URL, _sign_up_data())

    # then: the same answer, but no further e-mail
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:subscription_pending")
    assert Subscription.objects.count() == 1
    assert len(outbox) == 10


def test_the_eleventh_sign_up_from_one_ip_address_in_an_hour_is_refused(demo, post, outbox):
    # given: ten sign-ups from one IP address, all at one moment so no rate window ends
    client = Client(REMOTE_ADDR="203.0.113.7")
    with time_machine.travel(timezone.now(), tick=False):
        accepted = [
            post(client, SIGN_UP_URL, _sign_up_data(email=f"person{number}@example.org"))
            for number in range(10)
        ]

        # when
        refused = post(client, SIGN_UP_URL, _sign_up_data(email="eleven@example.org"))
        other_address = post(
            Client(REMOTE_ADDR="198.51.100.20"),
            SIGN_UP_URL,
            _sign_up_data(email="neighbour@example.org"),
        )

    # then
    assert {response.status_code for response in accepted} == {302}
    assert refused.status_code == 429
    assert escape(gettext("Too many sign-ups")) in refused.content.decode()
    assert not Subscription.objects.filter(email="eleven@example.org").exists()
    assert other_address.status_code == 302
    assert Subscription.objects.count() == 11
    assert len(outbox) == 11


# Changing a subscription


def test_the_manage_page_shows_and_changes_the_choices(demo, client):
    # given
    subscription = SubscriptionFactory(
        ortschaften=[Ortschaft.objects.get(slug="barleben")], frequency=Frequency.WEEKLY
    )
    veranstaltung = NoticeKind.objects.get(slug="veranstaltung")

    # when
    shown = client.get(_manage_path(subscription))
    saved = client.post(
        _manage_path(subscription),
        {
            "ortschaften": ["ebendorf", "meitzendorf"],
            "kinds": [veranstaltung.slug],
            "frequency": Frequency.DAILY,
        },
    )

    # then
    assert shown.status_code == 200
    assert subscription.email in shown.content.decode()
    assert re.search(r'<input[^>]*value="barleben"[^>]*checked', shown.content.decode())
    assert saved.status_code == 200
    assert escape(gettext("Your changes are saved.")) in saved.content.decode()
    assert _choices(subscription) == {
        "ortschaften": {"ebendorf", "meitzendorf"},
        "kinds": {"veranstaltung"},
        "categories": set(),
        "frequency": Frequency.DAILY,
    }


def test_saving_the_choices_resumes_a_paused_subscription(demo, client):
    # given
    subscription = SubscriptionFactory(paused_at=timezone.now(), failure_count=3)

    # when
    saved = client.post(_manage_path(subscription), {"frequency": Frequency.IMMEDIATELY})

    # then
    assert saved.status_code == 200
    subscription.refresh_from_db()
    assert subscription.paused_at is None
    assert subscription.failure_count == 0


def test_invalid_choices_on_the_manage_page_change_nothing(demo, client):
    # given
    subscription = SubscriptionFactory(ortschaften=[Ortschaft.objects.get(slug="barleben")])

    # when
    response = client.post(
        _manage_path(subscription), {"ortschaften": ["atlantis"], "frequency": "hourly"}
    )

    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert _error(SubscriptionChoicesForm, "ortschaften", "invalid_choice") in content
    assert _error(SubscriptionChoicesForm, "frequency", "invalid_choice") in content
    assert _choices(subscription)["ortschaften"] == {"barleben"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_manage_page_of_an_unknown_token_is_an_invalid_link(demo, client, method):
    # given
    SubscriptionFactory()

    # when
    response = getattr(client, method)(
        reverse("notices:subscription_manage", kwargs={"token": "no-such-token"}),
        {"frequency": Frequency.DAILY} if method == "post" else None,
    )

    # then
    assert _invalid_link_page(response)
    assert Subscription.objects.get().frequency == Frequency.IMMEDIATELY


# Unsubscribing


def _deliveries(subscription: Subscription) -> dict[str, Delivery]:
    """A notification on its way and one sent already, of a notice's announcement."""
    notice = NoticePage.objects.live().first()
    dispatch = dispatch_create(
        audience="board",
        source=notice,
        site=subscription.site,
        label="Neuigkeit",
        title=notice.title,
        summary="",
        url="https://example.org/",
        is_update=True,
    )
    sent = Delivery.objects.create(
        kind=Delivery.Kind.CONFIRMATION,
        audience="board",
        recipient_id=subscription.pk,
        status=Delivery.Status.SENT,
    )
    pending = Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        audience="board",
        recipient_id=subscription.pk,
        dispatch=dispatch,
    )
    return {"sent": sent, "pending": pending}


def test_one_click_unsubscribe_deletes_the_address_and_cancels_what_is_pending(demo):
    # given
    subscription = SubscriptionFactory()
    deliveries = _deliveries(subscription)
    # RFC 8058: the mail program posts without cookies and without a CSRF token
    mail_program = Client(enforce_csrf_checks=True)

    # when
    response = mail_program.post(
        _unsubscribe_path(subscription),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    # then
    assert response.status_code == 200
    assert escape(gettext("You are unsubscribed")) in response.content.decode()
    assert not Subscription.objects.exists()
    pending, sent = (deliveries[name] for name in ("pending", "sent"))
    pending.refresh_from_db()
    sent.refresh_from_db()
    assert (pending.status, pending.recipient_id) == (Delivery.Status.CANCELLED, None)
    assert (sent.status, sent.recipient_id) == (Delivery.Status.SENT, None)


def test_opening_the_unsubscribe_link_only_asks(demo, client):
    # given
    subscription = SubscriptionFactory()
    deliveries = _deliveries(subscription)

    # when
    response = client.get(_unsubscribe_path(subscription))

    # then
    assert response.status_code == 200
    assert escape(gettext("Yes, unsubscribe")) in response.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    deliveries["pending"].refresh_from_db()
    assert deliveries["pending"].status == Delivery.Status.PENDING


def test_unsubscribing_twice_or_with_an_unknown_token_is_an_invalid_link(demo, client):
    # given
    subscription = SubscriptionFactory()
    other = SubscriptionFactory()
    client.post(_unsubscribe_path(subscription))

    # when
    again = client.post(_unsubscribe_path(subscription))
    unknown = client.post(
        reverse("notices:subscription_unsubscribe", kwargs={"token": "no-such-token"})
    )
    opened = client.get(_unsubscribe_path(subscription))

    # then
    assert _invalid_link_page(again)
    assert _invalid_link_page(unknown)
    assert _invalid_link_page(opened)
    assert list(Subscription.objects.all()) == [other]


def test_a_citizen_signs_up_confirms_and_unsubscribes_from_the_email_header(
    demo, client, post, outbox
):
    # given
    post(client, SIGN_UP_URL, _sign_up_data())
    client.post(_confirm_path(outbox[0]))
    assert Subscription.objects.get().is_confirmed

    # when the mail program uses the header of the confirmation e-mail
    unsubscribe_url = outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    response = Client(enforce_csrf_checks=True).post(
        _path(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    # then
    assert response.status_code == 200
    assert not Subscription.objects.exists()


# Retention


@pytest.mark.parametrize(
    "age, is_confirmed, is_kept",
    [
        (timedelta(days=6, hours=23), False, True),
        (timedelta(days=7, minutes=1), False, False),
        (timedelta(days=30), True, True),
    ],
    ids=["unconfirmed-six-days", "unconfirmed-over-seven-days", "confirmed-long-ago"],
)
def test_sign_ups_nobody_confirms_are_deleted_after_seven_days(demo, age, is_confirmed, is_kept):
    # given
    signed_up_at = timezone.now() - age
    subscription = SubscriptionFactory(
        signed_up_at=signed_up_at,
        confirmed_at=signed_up_at + timedelta(hours=1) if is_confirmed else None,
    )
    request = Delivery.objects.create(
        kind=Delivery.Kind.CONFIRMATION, audience="board", recipient_id=subscription.pk
    )

    # when
    deleted = recipients_unconfirmed_delete()

    # then
    assert Subscription.objects.filter(pk=subscription.pk).exists() is is_kept
    assert deleted == (0 if is_kept else 1)
    request.refresh_from_db()
    if is_kept:
        assert request.status == Delivery.Status.PENDING
    else:
        assert (request.status, request.recipient_id) == (Delivery.Status.CANCELLED, None)


# Whatever comes in, the answer is never a server error


@pytest.mark.parametrize(
    "method, url, data, status",
    [
        ("post", SIGN_UP_URL, _sign_up_data(ortschaften=["bar\x00leben"]), 200),
        ("post", SIGN_UP_URL, _sign_up_data(email="erika\x00@example.org"), 200),
        ("post", SIGN_UP_URL, _sign_up_data(kinds=["x" * 10_000]), 200),
        ("post", SIGN_UP_URL, {"email": ["a@example.org", "b@example.org"]}, 200),
        ("put", SIGN_UP_URL, None, 405),
        ("get", "/benachrichtigungen/bestaetigen/%00/", None, 404),
        ("post", "/benachrichtigungen/bestaetigen/%00/", None, 404),
        ("get", "/benachrichtigungen/verwalten/%00/", None, 404),
        ("post", "/benachrichtigungen/verwalten/%00/", {"frequency": "daily"}, 404),
        ("get", "/benachrichtigungen/abmelden/%00/", None, 404),
        ("post", "/benachrichtigungen/abmelden/%00/", None, 404),
        ("get", "/benachrichtigungen/verwalten/" + "x" * 5000 + "/", None, 404),
        ("post", "/benachrichtigungen/abmelden/" + "x" * 5000 + "/", None, 404),
    ],
    ids=[
        "nul-in-ortschaft",
        "nul-in-email",
        "huge-kind",
        "two-emails",
        "put",
        "nul-in-confirmation-link-get",
        "nul-in-confirmation-link-post",
        "nul-in-manage-link-get",
        "nul-in-manage-link-post",
        "nul-in-unsubscribe-link-get",
        "nul-in-unsubscribe-link-post",
        "huge-manage-token",
        "huge-unsubscribe-token",
    ],
)
def test_no_input_causes_a_server_error(demo, method, url, data, status):
    # given
    client = Client(raise_request_exception=False)

    # when
    response = getattr(client, method)(url, data)

    # then
    assert response.status_code == status
    assert not Subscription.objects.exists()
