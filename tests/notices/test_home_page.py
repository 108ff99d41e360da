"""The home page shows the current notices for the citizen's Ortschaft and the next events."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from tests.factories import NoticePageFactory
from website.ortschaft import COOKIE_NAME


@pytest.fixture
def notices(board, ortschaften):
    soon = timezone.now() + timedelta(days=2)
    return [
        NoticePageFactory(
            parent=board, title="Ebendorfer Nachricht", ortschaften=[ortschaften["ebendorf"]]
        ),
        NoticePageFactory(
            parent=board, title="Barlebener Nachricht", ortschaften=[ortschaften["barleben"]]
        ),
        NoticePageFactory(parent=board, title="Nachricht für alle"),
        NoticePageFactory(
            parent=board,
            event=True,
            title="Ebendorfer Konzert",
            event_start=soon,
            ortschaften=[ortschaften["ebendorf"]],
        ),
        NoticePageFactory(
            parent=board,
            event=True,
            title="Barlebener Konzert",
            event_start=soon,
            ortschaften=[ortschaften["barleben"]],
        ),
    ]


def section_titles(soup, heading_id: str) -> list[str]:
    section = soup.find("section", attrs={"aria-labelledby": heading_id})
    assert section is not None, f"no section {heading_id}"
    return [title.get_text(strip=True) for title in section.find_all("h3")]


def test_home_page_shows_the_chosen_ortschafts_notices_and_events(client, demo, notices):
    # given a citizen who chose Ebendorf
    client.cookies[COOKIE_NAME] = "ebendorf"

    response = client.get(demo.url, follow=True)

    # then the remembered choice is put into the address, and the page shows it
    assert response.redirect_chain == [(f"{demo.url}?ortschaft=ebendorf", 302)]
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find(id="current-notices-heading").get_text(strip=True) == "Aktuelles für Ebendorf"
    current = section_titles(soup, "current-notices-heading")
    assert {"Ebendorfer Nachricht", "Nachricht für alle"} <= set(current)
    assert "Barlebener Nachricht" not in current
    events = section_titles(soup, "next-events-heading")
    assert "Ebendorfer Konzert" in events
    assert "Barlebener Konzert" not in events
    rss = soup.head.find("link", rel="alternate", type="application/rss+xml")
    assert rss["href"].endswith("rss/?ortschaft=ebendorf")
