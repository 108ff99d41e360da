"""The board for citizens: filters by Ortschaft, kind, category and date range, pagination, and
helpful answers (never a 500) to filter values that do not exist."""

import re
from datetime import date

import pytest
from bs4 import BeautifulSoup

from notices.models import BOARD_PAGE_SIZE, NoticePage
from tests.factories import CategoryFactory, NoticeKindFactory, NoticePageFactory
from website.ortschaft import COOKIE_NAME

NO_SUCH_CHOICE = "Diese Auswahl gibt es nicht; es wird alles angezeigt."
NOT_A_DATE = "Bitte geben Sie ein Datum wie 31.12.2026 ein."


def results(response) -> list[NoticePage]:
    """The notices of the board's page shown, in order (the page holds their ids)."""
    ids = list(response.context["results"])
    notices = NoticePage.objects.in_bulk(ids)
    return [notices[pk] for pk in ids]


def titles(response) -> set[str]:
    return {notice.title for notice in results(response)}


@pytest.fixture
def notices(board, ortschaften):
    """One notice for each kind of reach, kind, category and date the filters tell apart."""
    barleben, ebendorf, meitzendorf = (
        ortschaften[slug] for slug in ("barleben", "ebendorf", "meitzendorf")
    )
    road_works = NoticeKindFactory(slug="baustelle-verkehr")
    roads = CategoryFactory(name="Straßen", slug="strassen")
    return {
        "ebendorf": NoticePageFactory(
            parent=board, title="Neuer Spielplatz in Ebendorf", ortschaften=[ebendorf]
        ),
        "barleben": NoticePageFactory(
            parent=board, title="Neuer Radweg in Barleben", ortschaften=[barleben]
        ),
        "everywhere": NoticePageFactory(parent=board, title="Sperrmüll im ganzen Gemeindegebiet"),
        "ebendorf-and-meitzendorf": NoticePageFactory(
            parent=board,
            title="Buslinie 620 fährt seltener",
            kind=road_works,
            categories=[roads],
            ortschaften=[ebendorf, meitzendorf],
        ),
        "january": NoticePageFactory(
            parent=board, title="Neujahrsempfang", publication_date=date(2020, 1, 15)
        ),
        "february": NoticePageFactory(
            parent=board, title="Faschingsumzug", publication_date=date(2020, 2, 15)
        ),
    }


def test_board_shows_an_ortschaft_and_the_whole_municipality(client, board, notices):
    # when a citizen filters the board for Ebendorf
    response = client.get(board.url, {"ortschaft": "ebendorf"})

    # then they see Ebendorf's notices and those for everyone, each once, but not Barleben's
    assert response.status_code == 200
    shown = titles(response)
    assert {
        "Neuer Spielplatz in Ebendorf",
        "Sperrmüll im ganzen Gemeindegebiet",
        "Buslinie 620 fährt seltener",
    } <= shown
    assert "Neuer Radweg in Barleben" not in shown
    # each once: the notice for Ebendorf and Meitzendorf is not counted twice (one page here)
    listed = results(response)
    assert (
        len(listed)
        == len({notice.pk for notice in listed})
        == response.context["results"].paginator.count
    )
    for notice in listed:
        concerns = {ortschaft.slug for ortschaft in notice.ortschaften.all()}
        assert not concerns or "ebendorf" in concerns, notice.title
    assert "für Ebendorf und die ganze Gemeinde" in response.content.decode()


def test_board_without_filter_shows_all_current_notices_newest_first(client, board, notices):
    response = client.get(board.url)

    shown = results(response)
    assert {notice.title for notice in notices.values()} <= {notice.title for notice in shown}
    keys = [(notice.publication_date, notice.pk) for notice in shown]
    assert keys == sorted(keys, reverse=True)


def test_each_entry_shows_its_ortschaften_and_kind(client, board, notices):
    response = client.get(board.url)

    soup = BeautifulSoup(response.content, "html.parser")
    entries = {
        entry.select_one(".notice-teaser__title").get_text(strip=True): [
            tag.get_text(strip=True) for tag in entry.select(".notice-meta .tag")
        ]
        for entry in soup.select("article.notice-teaser")
    }
    assert entries["Buslinie 620 fährt seltener"] == [
        "Baustelle & Verkehr",
        "Ebendorf",
        "Meitzendorf",
    ]
    assert entries["Sperrmüll im ganzen Gemeindegebiet"] == ["Neuigkeit", "Ganze Gemeinde"]


def test_notice_page_shows_its_own_ortschaften_and_categories(client, notices):
    # given a notice for two Ortschaften with a category, and one of the second category too
    bus = notices["ebendorf-and-meitzendorf"]
    bus.categories.add(CategoryFactory(name="Aaa zuerst", slug="aaa"))
    bus.save_revision().publish()
    everywhere = notices["everywhere"]

    # when citizens open each notice's own page
    def labels(notice) -> tuple[list[str], str | None]:
        soup = BeautifulSoup(client.get(notice.url).content, "html.parser")
        categories = soup.select_one(".notice-categories")
        return (
            [tag.get_text(strip=True) for tag in soup.select(".notice-meta .tag")],
            categories.get_text(strip=True) if categories else None,
        )

    # then each shows its own kind, Ortschaften and categories, in the lists' order, and a
    # notice for no Ortschaft is for the whole municipality
    assert labels(bus) == (
        ["Baustelle & Verkehr", "Ebendorf", "Meitzendorf"],
        "Kategorien: Aaa zuerst, Straßen",
    )
    assert labels(everywhere) == (["Neuigkeit", "Ganze Gemeinde"], None)


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"art": "baustelle-verkehr"}, {"Buslinie 620 fährt seltener"}),
        ({"kategorie": "strassen"}, {"Buslinie 620 fährt seltener"}),
        ({"von": "2020-02-01", "bis": "2020-02-29"}, {"Faschingsumzug"}),
        ({"von": "01.01.2020", "bis": "31.01.2020"}, {"Neujahrsempfang"}),
        ({"bis": "2020-02-29"}, {"Neujahrsempfang", "Faschingsumzug"}),
        (
            {"ortschaft": "meitzendorf", "art": "baustelle-verkehr"},
            {"Buslinie 620 fährt seltener"},
        ),
    ],
    ids=["kind", "category", "date-range-iso", "date-range-german", "until", "ortschaft-and-kind"],
)
def test_board_filters(client, board, notices, query, expected):
    response = client.get(board.url, query)

    assert response.status_code == 200
    assert not response.context["form"].errors
    # the demo's notices may match too; ours must match exactly
    ours = {notice.title for notice in notices.values()}
    assert titles(response) & ours == expected


def test_kind_filter_shows_only_that_kind(client, board, notices):
    response = client.get(board.url, {"art": "neuigkeit"})

    assert {notice.kind.slug for notice in results(response)} == {"neuigkeit"}


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"ortschaft": "atlantis"}, "ortschaft", NO_SUCH_CHOICE),
        ({"art": "horoskop"}, "art", NO_SUCH_CHOICE),
        ({"kategorie": "nichts"}, "kategorie", NO_SUCH_CHOICE),
        ({"von": "31.02.2026"}, "von", NOT_A_DATE),
        ({"von": "kaputt"}, "von", NOT_A_DATE),
        ({"bis": "2026-13-01"}, "bis", NOT_A_DATE),
    ],
    ids=[
        "unknown-ortschaft",
        "unknown-kind",
        "unknown-category",
        "impossible-date",
        "not-a-date",
        "month-13",
    ],
)
def test_unusable_filter_is_explained_and_ignored(client, board, notices, query, field, message):
    everything = client.get(board.url).context["results"].paginator.count

    response = client.get(board.url, query)

    # then the page answers with a German explanation at the field, and shows all notices
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    html = response.content.decode()
    assert "Einige Filter konnten nicht verwendet werden:" in html
    assert message in html
    assert response.context["filters"] == {}
    assert response.context["results"].paginator.count == everything


def test_range_that_ends_before_it_starts_keeps_only_its_start(client, board, notices):
    response = client.get(board.url, {"von": "2020-02-01", "bis": "2020-01-01"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "bis": ["Das Ende darf nicht vor dem Anfang liegen."]
    }
    assert response.context["filters"] == {"von": date(2020, 2, 1)}
    assert "Das Ende darf nicht vor dem Anfang liegen." in response.content.decode()


@pytest.mark.parametrize("number", ["999", "abc", "0", "-1", "1.5"])
def test_page_number_out_of_range_is_not_found(client, board, notices, number):
    response = client.get(board.url, {"seite": number})

    assert response.status_code == 404


def test_remembered_ortschaft_becomes_part_of_the_address(client, board):
    # given a citizen who chose Ebendorf in the header
    client.cookies[COOKIE_NAME] = "ebendorf"

    # when they open the board, then they are sent to Ebendorf's board
    response = client.get(board.url)
    assert response.status_code == 302
    assert response.url == f"{board.url}?ortschaft=ebendorf"
    # and that one shows Ebendorf's notices
    assert client.get(response.url).context["filters"]["ortschaft"].slug == "ebendorf"


@pytest.mark.parametrize("cookie", ["ebendorf", "atlantis"])
def test_explicit_choice_of_all_ortschaften_wins_over_the_cookie(client, board, notices, cookie):
    client.cookies[COOKIE_NAME] = cookie

    response = client.get(board.url, {"ortschaft": ""})

    assert response.status_code == 200
    assert "ortschaft" not in response.context["filters"]
    assert "Neuer Radweg in Barleben" in titles(response)


def test_unknown_remembered_ortschaft_shows_the_whole_board(client, board, notices):
    client.cookies[COOKIE_NAME] = "atlantis"

    response = client.get(board.url)

    assert response.status_code == 200
    assert "Neuer Radweg in Barleben" in titles(response)


def test_remembered_ortschaft_keeps_the_other_filters(client, board, notices):
    # given a citizen who chose Ebendorf, following a link to the road works on the board
    client.cookies[COOKIE_NAME] = "ebendorf"

    response = client.get(board.url, {"art": "baustelle-verkehr"})

    # then the board they land on is Ebendorf's road works, not all of Ebendorf's notices
    assert response.status_code == 302
    landed = client.get(response.url)
    assert set(landed.context["filters"]) == {"ortschaft", "art"}


@pytest.mark.parametrize("cookie", [None, "ebendorf"], ids=["no-cookie", "ebendorf-cookie"])
def test_next_page_link_keeps_the_filters(client, board, ortschaften, cookie):
    # given more of Ebendorf's notices than fit on one page
    NoticePageFactory.create_batch(
        BOARD_PAGE_SIZE + 1, parent=board, ortschaften=[ortschaften["ebendorf"]]
    )
    if cookie:
        client.cookies[COOKIE_NAME] = cookie
    first = client.get(board.url, {"ortschaft": "ebendorf", "art": "neuigkeit"})
    assert first.context["results"].has_next()

    # when the citizen follows the link to the next page
    link = BeautifulSoup(first.content, "html.parser").select_one('a[rel="next"]')["href"]
    response = client.get(f"{board.url}{link}", follow=True)

    # then they see the second page of the same choice
    assert response.status_code == 200
    assert response.context["results"].number == 2
    assert set(response.context["filters"]) == {"ortschaft", "art"}


def filter_panel(response):
    """The folded filters of a board or calendar page, and the text of their summary."""
    panel = BeautifulSoup(response.content, "html.parser").select_one("details.filter-panel")
    return panel, panel.summary.get_text(" ", strip=True)


def test_the_folded_filters_say_how_many_are_in_use_and_lead_to_the_results(client, board, notices):
    # when a citizen filters the board for Ebendorf's road works
    response = client.get(board.url, {"ortschaft": "ebendorf", "art": "baustelle-verkehr"})

    # then the filters stay folded, say that two are in use, and send the next choice to the
    # results, so the browser shows the results and the next Tab goes to the first notice
    panel, summary = filter_panel(response)
    assert not panel.has_attr("open")
    assert summary == "Bekanntmachungen filtern (2 aktiv)"
    assert panel.form["action"] == f"{response.wsgi_request.path}#ergebnisse"
    assert panel.select_one(".filter-form__reset")["href"] == "?ortschaft=#ergebnisse"


def test_the_filters_name_none_in_use_without_a_choice(client, board, notices):
    response = client.get(board.url, {"ortschaft": ""})

    panel, summary = filter_panel(response)
    assert summary == "Bekanntmachungen filtern"
    assert "Gefiltert nach" not in response.content.decode()


def test_a_filter_that_cannot_be_used_opens_the_filters_and_does_not_count(client, board, notices):
    response = client.get(board.url, {"ortschaft": "atlantis", "art": "neuigkeit"})

    panel, summary = filter_panel(response)
    assert panel.has_attr("open")
    assert summary == "Bekanntmachungen filtern (1 aktiv)"
    assert NO_SUCH_CHOICE in panel.get_text()


def test_the_count_before_the_notices_says_what_they_are_filtered_by(client, board, notices):
    # when
    response = client.get(
        board.url,
        {"ortschaft": "ebendorf", "art": "baustelle-verkehr", "kategorie": "strassen"}
        | {"von": "2020-01-01", "bis": "2030-12-31"},
    )

    # then the count names the Ortschaft, the line after it the other choices, and both
    # come after the filters and before the first notice
    soup = BeautifulSoup(response.content, "html.parser")
    heading = soup.select_one("h2#ergebnisse")
    assert heading.get_text(" ", strip=True) == "1 Meldung für Ebendorf und die ganze Gemeinde"
    line = heading.find_next_sibling()
    assert line["class"] == ["active-filters"]
    assert [tag.get_text(strip=True) for tag in line.select(".tag")] == [
        "Baustelle & Verkehr",
        "Straßen",
        "Veröffentlicht ab 01.01.2020",
        "Veröffentlicht bis 31.12.2030",
    ]
    assert line.get_text(" ", strip=True).startswith("Gefiltert nach:")
    assert heading.find_previous("details", class_="filter-panel") is not None
    assert line.find_next("article")["class"][0] == "notice-teaser"


def test_the_calendar_counts_its_events_after_its_folded_filters(client, calendar):
    # when
    response = client.get(calendar.url, {"ortschaft": "ebendorf", "kategorie": "nichts"})

    # then
    panel, summary = filter_panel(response)
    assert summary == "Veranstaltungen filtern (1 aktiv)"
    assert panel.form["action"].endswith("#ergebnisse")
    count = BeautifulSoup(response.content, "html.parser").select_one("#ergebnisse")
    assert re.fullmatch(
        r"\d+ kommende Veranstaltung(en)? für Ebendorf und die ganze Gemeinde",
        count.get_text(" ", strip=True),
    )
