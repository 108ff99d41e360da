"""RSS 2.0 and Atom feeds of the board, for all, per Ortschaft and per kind, read by a feed
library as a feed reader would read them."""

from datetime import timedelta

import feedparser
import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import PageViewRestriction

from notices.models import NoticePage
from tests.factories import NoticePageFactory

FEEDS = [("rss/", "rss20"), ("atom/", "atom10")]
FEED_IDS = ["rss", "atom"]


@pytest.fixture
def notices(board, ortschaften):
    now = timezone.now()
    private = NoticePageFactory(parent=board, title="Interne Mitteilung")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="geheim"
    )
    return {
        "ebendorf": NoticePageFactory(
            parent=board, title="Kita Ebendorf erweitert", ortschaften=[ortschaften["ebendorf"]]
        ),
        "barleben": NoticePageFactory(
            parent=board, title="Kita Barleben erweitert", ortschaften=[ortschaften["barleben"]]
        ),
        "everywhere": NoticePageFactory(parent=board, title="Grundsteuer fällig"),
        "road-works": NoticePageFactory(
            parent=board,
            title="Umleitung Ebendorfer Straße",
            kind__slug="baustelle-verkehr",
        ),
        "official": NoticePageFactory(parent=board, official=True, title="Wahlbekanntmachung"),
        "expired": NoticePageFactory(
            parent=board,
            official=True,
            title="Abgelaufene Bekanntmachung",
            display_from=now - timedelta(days=20),
            display_until=now - timedelta(days=6),
        ),
        "draft": NoticePageFactory(parent=board, draft=True, title="Entwurf einer Mitteilung"),
        "private": private,
    }


def read_feed(client, url, query=None):
    response = client.get(url, query or {})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def titles(feed) -> set[str]:
    return {entry.title for entry in feed.entries}


@pytest.mark.parametrize("path, version", FEEDS, ids=FEED_IDS)
def test_board_feed_has_the_current_notices(client, board, notices, path, version):
    feed = read_feed(client, f"{board.url}{path}")

    # then it is a valid feed of its format, named after the board
    assert feed.version == version
    assert feed.feed.title == board.title
    # with the current notices, each linking to its page with an absolute address
    entries = {entry.title: entry for entry in feed.entries}
    for key in ("ebendorf", "barleben", "everywhere", "road-works", "official"):
        notice = notices[key]
        entry = entries[notice.title]
        assert entry.link == notice.get_full_url()
        assert entry.link.startswith(("http://", "https://"))
        assert entry.summary == notice.teaser
    # and without what is not on the board
    for key in ("expired", "draft", "private"):
        assert notices[key].title not in entries


@pytest.mark.parametrize("path, version", FEEDS, ids=FEED_IDS)
def test_feed_per_ortschaft(client, board, notices, path, version):
    feed = read_feed(client, f"{board.url}{path}", {"ortschaft": "ebendorf"})

    assert feed.version == version
    assert feed.feed.title == f"{board.title} – Ebendorf"
    assert {"Kita Ebendorf erweitert", "Grundsteuer fällig"} <= titles(feed)
    assert "Kita Barleben erweitert" not in titles(feed)
    for entry in feed.entries:
        # the kind comes first, then the Ortschaften the notice concerns
        tags = {tag.term for tag in entry.get("tags", [])}
        assert not tags & {"Barleben", "Meitzendorf"} or "Ebendorf" in tags, entry.title


@pytest.mark.parametrize("path, version", FEEDS, ids=FEED_IDS)
def test_feed_per_kind(client, board, notices, path, version):
    feed = read_feed(client, f"{board.url}{path}", {"art": "baustelle-verkehr"})

    assert feed.version == version
    assert feed.feed.title == f"{board.title} – Baustelle & Verkehr"
    assert "Umleitung Ebendorfer Straße" in titles(feed)
    for entry in feed.entries:
        assert entry.tags[0].term == "Baustelle & Verkehr"


def test_feed_leaves_an_official_notice_when_its_period_ends(client, board, notices):
    # given an official notice in the feed
    assert "Wahlbekanntmachung" in titles(read_feed(client, f"{board.url}rss/"))

    # when its display period is over
    with time_machine.travel(notices["official"].display_until, tick=False):
        feed = read_feed(client, f"{board.url}rss/")

    # then it has left the feed
    assert "Wahlbekanntmachung" not in titles(feed)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"ortschaft": "ebendorf"},
        {"art": "neuigkeit"},
        {"ortschaft": "ebendorf", "art": "neuigkeit"},
    ],
    ids=["all", "ortschaft", "kind", "ortschaft-and-kind"],
)
def test_board_announces_its_feeds(client, board, notices, query):
    # when a citizen (or their feed reader) opens the board with a choice
    response = client.get(board.url, query)

    # then the page names the RSS and Atom feeds of that choice
    head = BeautifulSoup(response.content, "html.parser").head
    links = {
        link["type"]: link["href"]
        for link in head.find_all("link", rel="alternate")
        if link.get("type") in ("application/rss+xml", "application/atom+xml")
    }
    assert set(links) == {"application/rss+xml", "application/atom+xml"}
    # and each of them is a feed of the same choice
    for content_type, version in [
        ("application/rss+xml", "rss20"),
        ("application/atom+xml", "atom10"),
    ]:
        feed = read_feed(client, links[content_type])
        assert feed.version == version
        shown_on_board = set(
            NoticePage.objects.filter(pk__in=response.context["results"]).values_list(
                "title", flat=True
            )
        )
        assert titles(feed) == shown_on_board


ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_feed_meets_rfc_4287_read_by_an_xml_parser(client, board, notices):
    """What RFC 4287 requires, checked on the XML itself (lxml), not through the library
    that writes the feed: an author for the feed or every entry (4.1.1), ids, titles,
    updated times, and each entry's link to its page."""
    from lxml import etree

    feed = etree.fromstring(client.get(f"{board.url}atom/").content)

    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    author = feed.find(f"{ATOM}author")
    assert author is not None and author.findtext(f"{ATOM}name") == "Gemeinde Barleben"
    assert author.findtext(f"{ATOM}email") == "info@barleben.de"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{name}"), name
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None


def test_rss_feed_has_what_rss_2_requires_read_by_an_xml_parser(client, board, notices):
    from lxml import etree

    rss = etree.fromstring(client.get(f"{board.url}rss/").content)

    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    for name in ("title", "link", "description"):
        assert channel.findtext(name), name
    for item in channel.findall("item"):
        assert item.findtext("title") or item.findtext("description")
        assert item.findtext("link") and item.findtext("guid")
