"""Staff keep the service catalogue in the admin's editor: a service saved without a change
still follows the next import, a fee staff corrected stays corrected, and the form gives it
back to the export when asked."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services.demo import DEMO_EXPORT
from services.importing import catalogue_import_file
from services.models import Service
from tests.factories import staff_account, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Buergerbuero-am-Dienstag"
DEMO_FEE = "37,00 Euro; unter 24 Jahren 22,80 Euro"


def _log_in(page) -> None:
    editor = staff_account("Redaktion", username="redaktion-e2e", password=PASSWORD)
    page.goto("/admin/login/")
    page.fill("#id_login", editor.email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.fill("#id_code", totp_code(editor.totp_secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _edit(page, service: Service) -> None:
    page.goto(f"/admin/snippets/services/service/edit/{service.pk}/")


def _save(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("geändert")


def _export_with_fee(tmp_path: Path, fee: str) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(DEMO_EXPORT.read_text(encoding="utf-8").replace(DEMO_FEE, fee))
    return path


def test_a_service_saved_unchanged_in_the_editor_still_follows_the_export(page, demo, tmp_path):
    # given staff opened the Personalausweis in the admin's editor and saved it unchanged
    service = Service.objects.get(leika_key="99102013001000")
    _log_in(page)
    _edit(page, service)
    _save(page)
    service.refresh_from_db()
    assert service.locally_changed_fields() == []

    # when the export changes the fee
    catalogue_import_file(_export_with_fee(tmp_path, "39,00 Euro"))

    # then the service shows the export's new fee
    service.refresh_from_db()
    assert "39,00 Euro" in service.fees


def test_a_fee_corrected_in_the_editor_stays_and_is_given_back_on_request(page, demo, tmp_path):
    # given staff corrected the fee in the editor
    service = Service.objects.get(leika_key="99102013001000")
    _log_in(page)
    _edit(page, service)
    fee_editor = page.locator('[data-contentpath="fees"] [contenteditable="true"]')
    fee_editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" (Stand: Dezember)")
    # the editor writes its content into the form a moment after the typing
    expect(page.locator('input[name="fees"]')).to_have_value(re.compile("Stand: Dezember"))
    _save(page)
    service.refresh_from_db()
    assert "(Stand: Dezember)" in service.fees

    # when the export changes the fee
    run = catalogue_import_file(_export_with_fee(tmp_path, "39,00 Euro"))

    # then staff's fee stays, and the import's report says so
    service.refresh_from_db()
    assert "(Stand: Dezember)" in service.fees
    assert "39,00 Euro" not in service.fees
    assert any("Kosten" in message for message in run.errors)

    # when staff open the form again: it names the field, and they give it back
    _edit(page, service)
    reset = page.get_by_role("checkbox", name="Die Werte des Exports wieder übernehmen")
    expect(page.locator('[data-contentpath="reset_to_export"]')).to_contain_text("Kosten")
    reset.check()
    _save(page)

    # then the export's fee is shown, and the next import updates it again
    service.refresh_from_db()
    assert "39,00 Euro" in service.fees
    assert service.locally_changed_fields() == []
    catalogue_import_file(_export_with_fee(tmp_path, "41,00 Euro"))
    service.refresh_from_db()
    assert "41,00 Euro" in service.fees
