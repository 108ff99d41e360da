"""A citizen creates an account, verifies the address from the e-mail and subscribes from
the account page; the account pages are in the portal's layout, German, and pass axe."""

import re

import pytest
from playwright.sync_api import expect

from notices.models import Subscription

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EMAIL = "konto@example.org"
PASSWORD = "Kraniche-ziehen-im-Herbst"
SUBMIT = "main form button[type=submit]"


def test_citizen_signs_up_verifies_and_subscribes_from_the_account(page, audit, mailoutbox):
    # given: the header's link to the account, for someone not logged in
    page.goto("/")
    page.get_by_role("link", name="Mein Konto").click()
    expect(page).to_have_url(re.compile(r"/konto/login/\?next=/konto/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung")
    audit(page, "login")

    # when: signing up with an unusable password first
    page.goto("/konto/signup/")
    audit(page, "signup")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", "12345")
    page.fill("#id_password2", "12345")
    page.locator(SUBMIT).click()

    # then: the errors in the portal's error summary, in German
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Passwort")
    audit(page, "signup-errors")

    # when: signing up properly
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.locator(SUBMIT).click()

    # then: the page that says where the link went (once it is there, the e-mail was sent)
    expect(page).to_have_url(re.compile(r"/konto/confirm-email/$"))
    audit(page, "verification-sent")

    # and: an e-mail in the municipality's name with the link to verify the address
    (message,) = mailoutbox
    assert message.to == [EMAIL]
    assert (
        message.subject
        == "Bitte bestätigen Sie Ihre E-Mail-Adresse – Bürgerportal Gemeinde Barleben"
    )
    assert message.body.startswith("Guten Tag,")
    link = re.search(r"https?://\S+/konto/confirm-email/\S+", message.body).group(0)

    # when: following it and confirming
    page.goto(link)
    audit(page, "confirm-email")
    page.locator(SUBMIT).click()

    # then: logged in, on the account page
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")
    expect(page.locator("main")).to_contain_text(EMAIL)
    audit(page, "account")

    # when: subscribing from the account, without another confirmation
    page.get_by_role("link", name="E-Mail-Benachrichtigungen").click()
    audit(page, "account-subscription")
    page.get_by_label("Ebendorf").check()
    page.get_by_label("wöchentlich, als Zusammenfassung").check()
    page.locator("#id_consent").check()
    page.locator(SUBMIT).first.click()

    # then
    expect(page.locator(".notice--success")).to_have_text("Ihre Auswahl ist gespeichert.")
    subscription = Subscription.objects.get(email=EMAIL)
    assert subscription.is_confirmed
    assert subscription.frequency == "weekly"
    assert len(mailoutbox) == 1
    audit(page, "account-subscription-saved")


def test_citizen_downloads_their_data_and_deletes_the_account_by_keyboard(page, audit, demo):
    from django.contrib.auth import get_user_model

    from tests.participation.factories import CitizenFactory

    citizen = CitizenFactory(email=EMAIL)
    citizen.set_password(PASSWORD)
    citizen.save()

    # given: logged in, on the account page
    page.goto("/konto/login/")
    page.fill("#id_login", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")

    # when: downloading the data
    with page.expect_download() as download:
        page.get_by_role("link", name="Alle Ihre Daten herunterladen").click()
    assert download.value.suggested_filename.endswith(".json")

    # when: asking to delete, and sending the form without ticking the box
    page.get_by_role("link", name="Konto löschen").click()
    audit(page, "account-delete")
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")

    # then: the error, named and linked, and the account still there
    expect(page.locator(".error-summary")).to_be_visible()
    audit(page, "account-delete-errors")
    assert get_user_model().objects.filter(pk=citizen.pk).exists()

    # when: ticking the box by keyboard and sending
    page.locator("#id_is_confirmed").focus()
    page.keyboard.press("Space")
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")

    # then
    expect(page.get_by_role("heading", level=1)).to_contain_text("gelöscht")
    audit(page, "account-deleted")
    assert not get_user_model().objects.filter(pk=citizen.pk).exists()


def test_citizen_who_logs_in_by_code_is_told_each_step_and_deletes_the_account_by_code(
    new_page, audit, mailoutbox, demo
):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from tests.e2e.conftest import PHONE

    # given: a citizen on a phone whose account allauth named "frieda.…"; the password is
    # long forgotten
    citizen = get_user_model().objects.create_user("frieda.1796659721354", EMAIL, PASSWORD)
    EmailAddress.objects.create(user=citizen, email=EMAIL, verified=True, primary=True)
    page = new_page(viewport=PHONE)

    # when: asking for a log-in code
    page.goto("/konto/login/code/")
    page.fill("#id_email", EMAIL)
    page.keyboard.press("Enter")

    # then: the page says where the code went and until when it is valid
    messages = page.locator(".notice--messages")
    expect(messages).to_contain_text("Er gilt bis")
    audit(page, "code-sent")
    code = re.search(r"^([A-Z0-9-]{4,})$", mailoutbox[-1].body, re.M).group(1)

    # when: entering it
    page.fill("#id_code", code)
    page.keyboard.press("Enter")

    # then: the account page confirms the log-in by the address, never the made-up name
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")
    expect(messages).to_have_text(f"Sie sind angemeldet als {EMAIL}.")
    assert "frieda.1796659721354" not in page.content()
    audit(page, "logged-in")

    # when: choosing an Ortschaft in the profile
    page.select_option("#id_ortschaft", label="Meitzendorf")
    page.get_by_role("button", name="Angaben speichern").press("Enter")

    # then: the header shows it, also on the next page
    expect(page.locator("#ortschaft-choice option:checked")).to_have_text("Meitzendorf")
    page.goto("/konto/loeschen/")
    expect(page.locator("#ortschaft-choice option:checked")).to_have_text("Meitzendorf")

    # when: deleting the account with a code instead of the password, by keyboard
    page.get_by_role("button", name="Code per E-Mail schicken").focus()
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("Er gilt bis")
    audit(page, "delete-code-sent")
    delete_code = re.search(r"^(\d{6})$", mailoutbox[-1].body, re.M).group(1)
    page.locator("#id_is_confirmed").focus()
    page.keyboard.press("Space")
    page.fill("#id_code", delete_code)
    page.locator("#id_code").press("Enter")

    # then
    expect(page.get_by_role("heading", level=1)).to_contain_text("gelöscht")
    assert not get_user_model().objects.filter(pk=citizen.pk).exists()
