"""Reporting a barrier from the accessibility statement (BITV 2.0 § 7): the report is
stored first, then e-mailed to staff once; a failing mail server loses nothing."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.models import Site

from tests.factories import BarrierReportFactory
from website.barrier_reports import (
    barrier_report_notify,
    barrier_report_submit,
    barrier_reports_pending,
)
from website.forms import BarrierReportForm
from website.models import AccessibilityStatementPage, BarrierReport, MunicipalitySettings
from website.tasks import barrier_report_sweep_task

# Tasks run in this process here; the real worker has its own test.
pytestmark = pytest.mark.usefixtures("celery_eager")

REPORT = {
    "message": "Das PDF zum Bebauungsplan ist ein eingescanntes Bild ohne Text.",
    "location": "/bekanntmachungen/bebauungsplan-nord/",
    "name": "Erika Mustermann",
    "email": "erika@example.org",
}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class ElementsById(HTMLParser):
    """Attributes and text of every element with an id, to follow aria references."""

    def __init__(self, html: str):
        super().__init__()
        self.attributes: dict[str, dict] = {}
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        element_id = attributes.get("id")
        if element_id:
            self.attributes[element_id] = attributes
            self.text[element_id] = ""
        if tag not in VOID_ELEMENTS:
            self._open.append(element_id)

    def handle_endtag(self, tag):
        if tag not in VOID_ELEMENTS and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in filter(None, self._open):
            self.text[element_id] += data


@pytest.fixture
def statement(demo) -> AccessibilityStatementPage:
    return AccessibilityStatementPage.objects.get()


@pytest.fixture
def recipient(demo) -> str:
    municipality = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))
    assert municipality.barrier_report_email
    return municipality.barrier_report_email


def test_statement_page_shows_the_form(client, statement):
    response = client.get(statement.url)

    assert response.status_code == 200
    assert isinstance(response.context["form"], BarrierReportForm)
    assert b'name="message"' in response.content


def test_report_is_stored_and_mailed_to_staff_after_commit(
    client, statement, recipient, mailoutbox, django_capture_on_commit_callbacks
):
    # when a citizen sends the form
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(statement.url, REPORT)

    # then the report is stored and the citizen sees the confirmation
    assert response.status_code == 302
    assert response["Location"] == f"{statement.url}?gemeldet=1#barriere-melden"
    report = BarrierReport.objects.get()
    assert (report.message, report.location, report.name, report.email) == tuple(REPORT.values())
    assert report.site == Site.objects.get(is_default_site=True)
    # ... and the e-mail waits for the commit
    assert mailoutbox == []
    assert len(callbacks) == 1

    # when the transaction commits
    callbacks[0]()

    # then staff get exactly one e-mail they can answer directly
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [recipient]
    assert mail.reply_to == [REPORT["email"]]
    assert REPORT["message"] in mail.body
    assert REPORT["location"] in mail.body
    with translation.override("de"):
        assert mail.subject == gettext("Barrier report from the citizen portal")
    assert mail.subject != "Barrier report from the citizen portal"
    # staff can open the report in the admin from the e-mail
    edit_url = reverse("wagtailsnippets_website_barrierreport:edit", args=[report.pk])
    assert f"{settings.BASE_URL}{edit_url}" in mail.body
    report.refresh_from_db()
    assert report.notified_at is not None


def test_confirmation_is_shown_after_the_redirect(client, statement):
    response = client.get(statement.url, {"gemeldet": "1"})

    assert response.status_code == 200
    assert response.context["is_reported"] is True


def test_report_without_email_has_no_reply_to(statement, recipient, mailoutbox):
    report = BarrierReportFactory(email="")

    barrier_report_notify(report_id=report.pk)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].reply_to == []


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 5001}, "message"),
        ({"email": "erika-at-example.org"}, "email"),
    ],
    ids=["empty-message", "blank-message", "message-too-long", "invalid-email"],
)
def test_invalid_report_is_shown_again_with_a_german_error_at_the_field(
    client, statement, mailoutbox, django_capture_on_commit_callbacks, changes, field
):
    data = {**REPORT, **changes}

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(statement.url, data)

    # then the form comes back, nothing is stored or sent
    assert response.status_code == 200
    assert not BarrierReport.objects.exists()
    assert mailoutbox == []
    errors = response.context["form"].errors
    assert list(errors) == [field]
    # the error is German, not Django's English
    with translation.override("en"):
        english_error = BarrierReportForm(data).errors[field][0]
    german_error = errors[field][0]
    assert german_error != english_error
    # the field points screen readers at its error (aria-describedby), and shows it
    page = ElementsById(response.content.decode())
    field_attributes = page.attributes[f"id_{field}"]
    assert field_attributes.get("aria-invalid") == "true"
    described_by = field_attributes.get("aria-describedby", "").split()
    missing_ids = [element_id for element_id in described_by if element_id not in page.text]
    assert missing_ids == [], "aria-describedby names elements the page does not have"
    assert any(german_error in page.text[element_id] for element_id in described_by)
    # what the citizen typed elsewhere is kept
    for name in {"location", "name", "email"} - {field}:
        assert page.attributes[f"id_{name}"].get("value") == data[name]
    if field != "message":
        assert page.text["id_message"].strip() == data["message"]


def test_required_fields_use_the_portals_wording():
    # the form sets its own, friendlier message for empty required fields
    with translation.override("de"):
        form = BarrierReportForm(data={"message": ""})

        assert form.errors["message"] == [gettext("Please fill in this field.")]


def test_service_validates_the_report(statement):
    with pytest.raises(ValidationError) as error:
        barrier_report_submit(site=None, message="", email="not-an-address")

    assert set(error.value.message_dict) == {"message", "email"}
    assert not BarrierReport.objects.exists()


def test_notifying_twice_sends_one_email(statement, recipient, mailoutbox):
    report = BarrierReportFactory()

    barrier_report_notify(report_id=report.pk)
    barrier_report_notify(report_id=report.pk)

    assert len(mailoutbox) == 1


def test_notifying_a_deleted_report_does_nothing(statement, mailoutbox):
    report = BarrierReportFactory()
    report_id = report.pk
    report.delete()

    barrier_report_notify(report_id=report_id)

    assert mailoutbox == []


def test_report_stays_pending_without_a_recipient(statement, mailoutbox):
    # given a municipality that has set neither e-mail address
    municipality = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))
    municipality.email = municipality.barrier_report_email = ""
    municipality.save()
    report = BarrierReportFactory()

    barrier_report_notify(report_id=report.pk)

    assert mailoutbox == []
    assert barrier_reports_pending(older_than=timedelta(0)) == [report.pk]


def test_refused_smtp_server_loses_no_report(
    client, statement, settings, closed_port, mailoutbox, django_capture_on_commit_callbacks
):
    # given a mail server that refuses connections
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2

    # when a citizen reports a barrier (a failing callback that is not `robust` would raise)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(statement.url, REPORT)

    # then the citizen is thanked, the report kept and left for the sweep
    assert response.status_code == 302
    assert response["Location"].endswith("?gemeldet=1#barriere-melden")
    report = BarrierReport.objects.get()
    assert report.notified_at is None
    assert barrier_reports_pending(older_than=timedelta(0)) == [report.pk]


@pytest.mark.parametrize(
    "age, is_sent", [(timedelta(minutes=1), False), (timedelta(minutes=11), True)]
)
def test_sweep_sends_what_was_left_pending(statement, recipient, mailoutbox, age, is_sent):
    # given a report whose e-mail did not go out
    report = BarrierReportFactory()
    BarrierReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - age)

    # when the periodic sweep runs
    barrier_report_sweep_task.delay()

    # then only reports old enough not to be on their way already are sent
    assert len(mailoutbox) == int(is_sent)
    report.refresh_from_db()
    assert (report.notified_at is not None) is is_sent
