"""Reporting a barrier from the accessibility statement with the keyboard alone (BITV § 7)."""

import pytest

from website.models import BarrierReport

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUBMIT = ".barrier-report button[type=submit]"


def text_of(locator) -> str:
    """The text as a screen reader reads it, visually hidden parts included."""
    return " ".join(locator.text_content().split())


def test_empty_report_shows_errors_that_lead_to_the_field(page, audit, tab_to):
    # given
    page.goto("/barrierefreiheit/")
    audit(page, "form")

    # when
    tab_to(page, SUBMIT)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then
    required = "Bitte füllen Sie dieses Feld aus."
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    assert summary.get_by_role("link").all_inner_texts() == [f"Was ist die Barriere?: {required}"]
    field = page.locator(".field--error")
    assert field.count() == 1
    assert text_of(field.locator(".field__error")) == f"Fehler: {required}"
    message = page.locator("#id_message")
    assert message.get_attribute("aria-invalid") == "true"
    # A screen reader announces the error with the field, not only in the summary.
    described_by = message.get_attribute("aria-describedby").split()
    descriptions = [text_of(page.locator(f"#{id_}")) for id_ in described_by]
    assert f"Fehler: {required}" in descriptions
    audit(page, "errors")

    # when
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")

    # then
    assert page.evaluate("document.activeElement.id") == "id_message"


def test_report_is_stored_mailed_and_confirmed(page, audit, tab_to, mailoutbox, celery_eager):
    # given: the live server is a thread of this process, so with the task run in-process
    # (celery_eager) the e-mail lands in this process's outbox. The queued path is tested
    # with a real worker in tests/portal.
    page.goto("/barrierefreiheit/")
    tab_to(page, "#id_message")

    # when
    page.keyboard.type("Die PDF-Satzung lässt sich mit dem Bildschirmleser nicht lesen.")
    tab_to(page, "#id_email")
    page.keyboard.type("buergerin@example.org")
    tab_to(page, SUBMIT)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then
    assert "gemeldet=1" in page.url
    confirmation = page.get_by_role("status")
    assert confirmation.is_visible()
    assert "Vielen Dank" in confirmation.inner_text()
    assert page.locator(".error-summary").count() == 0
    audit(page, "confirmation")
    report = BarrierReport.objects.get()
    assert report.message.startswith("Die PDF-Satzung")
    assert report.email == "buergerin@example.org"
    assert report.notified_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["barrierefreiheit@barleben.de"]
    assert mailoutbox[0].reply_to == ["buergerin@example.org"]
    assert "Die PDF-Satzung" in mailoutbox[0].body
