"""Choosing an Ortschaft in the header with the keyboard alone."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_choose_ortschaft_by_keyboard(page, audit, tab_to):
    # given
    page.goto("/")
    audit(page, "before")
    tab_to(page, "#ortschaft-choice")

    # when: type-ahead picks the option, as it does in every browser
    page.keyboard.type("Ebendorf")
    assert page.locator("#ortschaft-choice").input_value() == "ebendorf"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Auswählen"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then
    # the remembered choice is put into the address of the home page
    assert page.url.endswith("/?ortschaft=ebendorf")
    assert page.locator("#ortschaft-choice option:checked").inner_text() == "Ebendorf"
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["ortschaft"]["value"] == "ebendorf"
    chosen = page.locator(".card--chosen")
    assert chosen.count() == 1
    assert chosen.locator("h3").inner_text() == "Ebendorf"
    assert chosen.get_by_text("Ihre gewählte Ortschaft").is_visible()
    audit(page, "after")
