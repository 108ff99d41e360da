"""A citizen finds the Leichte Sprache version of an official notice by keyboard, reads that
it explains and what is binding, and finds the way back; axe-core on both pages, on a phone
and a desktop."""

import pytest
from playwright.sync_api import expect

from notices.models import NoticePage
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import NoticePageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_citizen_goes_from_a_notice_to_its_leichte_sprache_version_and_back(
    new_page, demo, tab_to, audit, viewport
):
    # given an official notice and its version in Leichte Sprache
    official = NoticePage.objects.live().get(title="Öffentliche Sitzung des Gemeinderates")
    version = NoticePageFactory(
        parent=official.get_parent(),
        title="Der Gemeinde-Rat trifft sich",
        teaser="Der Gemeinde-Rat redet über wichtige Dinge. Sie dürfen zuhören.",
        easy_language_original=official,
    )
    page = new_page(viewport=viewport)
    page.goto(official.url)
    audit(page, "original")

    # when the citizen tabs to the link and follows it
    tab_to(page, ".easy-language-link a")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then the version says what it is, and leads back
    expect(page.get_by_role("heading", level=1)).to_have_text(version.title)
    note = page.get_by_role("note").filter(has_text="Leichter Sprache")
    expect(note).to_contain_text("Das ist eine Erklärung in Leichter Sprache.")
    expect(note).to_contain_text("Rechtlich gilt nur die Amtliche Bekanntmachung.")
    audit(page, "version")
    with page.expect_navigation():
        note.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(official.title)
