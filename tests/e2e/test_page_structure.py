"""Every kind of page a citizen reaches: axe-clean, German, one h1, landmarks, skip link."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/", 200, id="home"),
        pytest.param("/kontakt/", 200, id="kontakt"),
        pytest.param("/impressum/", 200, id="impressum"),
        pytest.param("/datenschutz/", 200, id="datenschutz"),
        pytest.param("/barrierefreiheit/", 200, id="barrierefreiheit"),
        pytest.param("/suche/?q=Barleben", 200, id="search"),
        pytest.param("/gibt-es-nicht/", 404, id="not-found"),
    ],
)
def test_page_is_accessible(page, audit, path, status):
    # when
    response = page.goto(path)

    # then
    assert response.status == status
    assert page.evaluate("getComputedStyle(document.body).display") == "flex", (
        "portal.css did not load"
    )
    audit(page, "page")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").count() == 1
    for landmark in ["banner", "main", "contentinfo"]:
        assert page.get_by_role(landmark).count() == 1, f"not exactly one {landmark} landmark"

    # when: the first key a keyboard user presses
    page.keyboard.press("Tab")

    # then
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#inhalt"
    assert page.locator(".skip-link").is_visible()

    # when
    page.keyboard.press("Enter")

    # then
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    assert page.evaluate("document.activeElement.id") == "inhalt"


def test_search_lists_matching_pages(page, audit):
    # when
    page.goto("/suche/?q=Barrierefreiheit")

    # then
    assert page.locator("#results-heading").inner_text().startswith("1 Ergebnis")
    results = page.locator(".result-list li h3 a")
    assert results.all_inner_texts() == ["Erklärung zur Barrierefreiheit"]
    assert results.get_attribute("href") == "/barrierefreiheit/"
    audit(page, "results")
