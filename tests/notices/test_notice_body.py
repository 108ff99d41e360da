"""A notice's body: its links lead to a page of the portal or to another address."""

import json
from unittest import mock

from bs4 import BeautifulSoup
from wagtail.models import Page

from tests.factories import NoticePageFactory


def _links(*links: dict) -> str:
    return json.dumps([{"type": "link", "value": link} for link in links])


def test_links_lead_to_the_portals_page_or_the_other_address(client, board):
    # given a notice linking to the board and to the district's site
    notice = NoticePageFactory(
        parent=board,
        body=_links(
            {"text": "Zum Schwarzen Brett", "page": board.pk, "url": ""},
            {"text": "Landkreis Börde", "page": None, "url": "https://www.boerdekreis.de/"},
        ),
    )

    # when a citizen reads it
    response = client.get(notice.url)

    # then each link leads where its editor chose
    links = {
        link.get_text(): link["href"]
        for link in BeautifulSoup(response.content, "html.parser").select(".link-block a")
    }
    assert links == {
        "Zum Schwarzen Brett": board.url,
        "Landkreis Börde": "https://www.boerdekreis.de/",
    }


def test_links_to_other_addresses_only_look_up_no_page(board):
    # given a notice whose links all lead elsewhere
    notice = NoticePageFactory(
        parent=board,
        body=_links(
            {"text": "Landkreis Börde", "page": None, "url": "https://www.boerdekreis.de/"},
            {"text": "Land Sachsen-Anhalt", "page": None, "url": "https://www.sachsen-anhalt.de/"},
        ),
    )
    body = Page.objects.get(pk=notice.pk).specific.body

    # when its body is read, then no lookup of pages is built (it would find none)
    with mock.patch.object(type(Page.objects), "in_bulk") as in_bulk:
        assert [block.value["page"] for block in body] == [None, None]
    in_bulk.assert_not_called()
