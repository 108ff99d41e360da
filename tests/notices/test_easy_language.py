"""Notices in Leichte Sprache: a version an editor writes for a notice links to it and back;
the version of an official notice says that it explains and is not binding; the board can
show only these versions; the API names the notice a version explains."""

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.urls import reverse

from notices.models import NoticePage
from tests.factories import NoticePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, demo):
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return client


@pytest.fixture
def official(board) -> NoticePage:
    return NoticePageFactory(
        parent=board,
        official=True,
        title="Satzung über die Erhebung von Hundesteuer",
        teaser="Der Gemeinderat hat die Satzung beschlossen.",
    )


@pytest.fixture
def version(board, official) -> NoticePage:
    return NoticePageFactory(
        parent=board,
        title="Hunde-Steuer: Was ist neu?",
        teaser="Die Gemeinde hat neue Regeln für die Hunde-Steuer.",
        easy_language_original=official,
    )


def _text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text().split())


def test_a_notice_links_to_its_version_in_leichte_sprache(client, official, version):
    # when a citizen opens the official notice
    page = BeautifulSoup(client.get(official.url).content, "html.parser")

    # then a link leads to its version in Leichte Sprache
    link = page.select_one(".easy-language-link a")
    assert link["href"] == version.url
    assert " ".join(link.get_text().split()).startswith("In Leichter Sprache")


def test_the_version_of_an_official_notice_says_it_is_an_explanation(client, official, version):
    # when a citizen opens the version in Leichte Sprache
    response = client.get(version.url)

    # then it says that it explains, that only the notice is binding, and links back
    text = _text(response)
    assert "Das ist eine Erklärung in Leichter Sprache." in text
    assert "Rechtlich gilt nur die Amtliche Bekanntmachung." in text
    note = BeautifulSoup(response.content, "html.parser").select_one(".easy-language")
    assert note.find("a")["href"] == official.url
    assert "Leichte Sprache" in text  # the tag beside the kind


def test_the_version_of_a_plain_notice_claims_no_legal_force(client, board):
    # given a version of a notice that is no official one
    news = NoticePageFactory(parent=board, title="Neue Öffnungszeiten der Bibliothek")
    version = NoticePageFactory(
        parent=board, title="Die Bibliothek hat neue Zeiten", easy_language_original=news
    )

    # when it is opened
    text = _text(client.get(version.url))

    # then it explains, without speaking of a binding text
    assert "Das ist eine Erklärung in Leichter Sprache." in text
    assert "Rechtlich gilt" not in text


def test_a_version_not_yet_published_is_not_offered(client, official, version):
    # given the version is unpublished
    version.unpublish()

    # then the notice offers no link to it
    page = BeautifulSoup(client.get(official.url).content, "html.parser")
    assert page.select(".easy-language-link") == []


def test_the_board_shows_only_notices_in_leichte_sprache_on_request(
    client, board, official, version
):
    # when the board is asked for Leichte Sprache only
    response = client.get(board.url, {"sprache": "leicht"})

    # then the version is listed, the notice in standard language not
    titles = [
        " ".join(link.get_text().split())
        for link in BeautifulSoup(response.content, "html.parser").select(".notice-teaser__title a")
    ]
    assert titles == [version.title]
    assert "Nur in Leichter Sprache" in _text(response)
    # and without the filter both are there
    everything = _text(client.get(board.url))
    assert official.title in everything and version.title in everything


def test_the_api_names_the_notice_a_version_explains(client, official, version):
    listed = {
        item["id"]: item
        for item in client.get("/api/v1/notices/", {"page_size": 500}).json()["results"]
    }

    assert listed[version.pk]["easy_language_original"] == official.pk
    assert listed[official.pk]["easy_language_original"] is None


@pytest.mark.parametrize("case", ["itself", "a-version"])
def test_the_admin_refuses_a_version_of_itself_or_of_a_version(
    superuser_client, board, official, version, notice_form_data, case
):
    # given an editor who chooses the notice itself, or a version, as what a version explains
    target = version if case == "itself" else official
    chosen = version
    url = reverse("wagtailadmin_pages:edit", args=[target.pk])

    # when they save
    response = superuser_client.post(
        url,
        notice_form_data(
            kind=target.kind,
            title=target.title,
            slug=target.slug,
            easy_language_original=chosen,
            action="action-publish",
        ),
    )

    # then the form says why, and nothing changed
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("easy_language_original", []))
    assert "eigene Fassung" in errors if case == "itself" else "selbst eine Fassung" in errors
    target.refresh_from_db()
    assert target.easy_language_original_id == (official.pk if case == "itself" else None)


def test_the_feeds_mark_a_version_and_relate_it_to_the_notice_it_explains(
    client, board, official, version
):
    # when the Atom feed of the board is read (by a parser other than the code that wrote it)
    atom = feedparser.parse(client.get(f"{board.url}atom/").content)
    entries = {entry.title: entry for entry in atom.entries}

    # then the version is marked, and linked to the notice it explains
    tags = [tag.term for tag in entries[version.title].tags]
    assert "Leichte Sprache" in tags
    related = [link.href for link in entries[version.title].links if link.rel == "related"]
    assert related == [official.full_url]
    assert not [link for link in entries[official.title].links if link.rel == "related"]

    # and the RSS feed of Leichte Sprache alone holds the version only
    rss = feedparser.parse(client.get(f"{board.url}rss/", {"sprache": "leicht"}).content)
    assert [entry.title for entry in rss.entries] == [version.title]
    assert rss.feed.title.endswith("Leichte Sprache")
