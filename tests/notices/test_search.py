"""The site search finds notices by their words, in German, but never a draft or a private one."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from wagtail.models import PageViewRestriction

from tests.factories import NoticePageFactory

BERLIN = ZoneInfo("Europe/Berlin")


def found(client, query: str) -> list[str]:
    response = client.get("/suche/", {"q": query})
    assert response.status_code == 200
    return [hit.object.title for hit in response.context["hits"]]


def test_search_finds_a_notice_by_a_word_of_its_teaser(client, board):
    notice = NoticePageFactory(
        parent=board,
        title="Pflegeeinsatz am Wegrand",
        teaser="Freiwillige mähen die Streuobstwiese am Mittellandkanal.",
    )

    response = client.get("/suche/", {"q": "Streuobstwiese"})

    assert [hit.object.title for hit in response.context["hits"]] == [notice.title]
    assert f'href="{notice.url}"' in response.content.decode()


@pytest.mark.service("postgres")
@pytest.mark.parametrize("query", ["Bebauungspläne", "Bebauungsplans", "bebauungsplan"])
def test_search_understands_german_word_forms(client, board, query):
    # given a notice about one Bebauungsplan
    NoticePageFactory(
        parent=board,
        official=True,
        title="Öffentliche Auslegung",
        teaser="Der Entwurf zum Bebauungsplan Nr. 7 liegt im Rathaus aus.",
    )

    # when a citizen searches for a form of the word, then the notice is found
    assert "Öffentliche Auslegung" in found(client, query)


EXPIRED = {
    "official": True,
    "display_from": datetime(2020, 1, 6, 8, 0, tzinfo=BERLIN),
    "display_until": datetime(2020, 1, 20, 18, 0, tzinfo=BERLIN),
}


@pytest.mark.parametrize(
    "traits, is_private",
    [({"draft": True}, False), ({}, True), (EXPIRED, True)],
    ids=["draft", "private", "private-and-expired"],
)
def test_search_never_finds_a_draft_or_private_notice(client, board, traits, is_private):
    # given a notice nobody should find, beside one everybody may
    NoticePageFactory(parent=board, title="Sichtbar", teaser="Der Kranichzug kommt.")
    notice = NoticePageFactory(
        parent=board, title="Verborgen", teaser="Der Kranichzug kommt bald.", **traits
    )
    if is_private:
        PageViewRestriction.objects.create(
            page=notice, restriction_type=PageViewRestriction.PASSWORD, password="geheim"
        )

    # when a citizen searches for a word of it, then only the public one is found
    assert found(client, "Kranichzug") == ["Sichtbar"]
