"""Nothing is loaded from other servers: no CDN, no web fonts, no tracking (privacy, DSGVO)."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("path", ["/", "/barrierefreiheit/"], ids=["home", "barrierefreiheit"])
def test_every_request_goes_to_the_portal(page, portal, audit, path):
    # given
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    # when
    page.goto(path)
    page.wait_for_load_state("networkidle")

    # then
    assert any(url.endswith("/static/css/portal.css") for url in requested)
    foreign = [url for url in requested if not url.startswith(portal.url + "/")]
    assert foreign == []
    audit(page, "page")
