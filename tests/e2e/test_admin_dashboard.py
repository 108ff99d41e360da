"""A council member logs in with the second factor and finds the surveys, the results to
review, the new official notices and the archive's news on the dashboard; every link there
opens, none ends on a refusal."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import staff_account, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Ratssitzung-am-Donnerstag"


def test_council_member_finds_the_surveys_and_results_on_the_dashboard(page, demo):
    from archive.models import Document

    Document.objects.update(indexing_state=Document.IndexingState.INDEXED)
    member = staff_account("Gemeinderat", username="rat-e2e", password=PASSWORD)

    # when: logging in with the password and the authenticator app's code
    page.goto(f"/admin/login/?next={reverse('wagtailadmin_home')}")
    page.fill("#id_login", member.email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.fill("#id_code", totp_code(member.totp_secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then: the council's panels, and no search box that would end on a refusal
    main = page.locator("main")
    for heading in ["Umfragen", "Neue Amtliche Bekanntmachungen", "Neu im Archiv"]:
        expect(main.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("search")).to_have_count(0)

    # when: opening the results of a survey that has ended
    main.get_by_role("link", name="Ergebnisse ansehen").first.click()

    # then: the results, not a refusal
    expect(page.locator("body")).not_to_contain_text("keinen Zugang")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
