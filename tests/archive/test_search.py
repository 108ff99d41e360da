"""The portal's search (/suche/): documents, notices and pages in German, filtered, counted,
highlighted and paginated, never showing what is private, never failing on what is typed."""

import re
from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext
from wagtail.models import PageViewRestriction

from archive.models import ortschaft_key
from archive.search import KINDS, RESULTS_PER_PAGE, SearchFilters, search_facets, search_matches
from notices.models import NoticeIndexPage
from tests.archive.factories import (
    DocumentFactory,
    private_collection,
)
from tests.factories import NoticePageFactory
from website.models import Ortschaft, StandardPage


@pytest.fixture
def board(demo) -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


def search(client, query: str | None = None, **params):
    """The search page for the query and parameters; it always answers 200."""
    if query is not None:
        params["q"] = query
    response = client.get("/suche/", params)
    assert response.status_code == 200
    return response


def titles(response) -> list[str]:
    return [hit.object.title for hit in response.context["hits"]]


def facet_counts(response) -> dict[str, dict[str, int]]:
    """The counts the page shows, by facet parameter and option label: what a citizen reads."""
    html = response.content.decode()
    counts = {}
    for name, items in re.findall(r'<nav aria-labelledby="facet-(\w+)">(.*?)</nav>', html, re.S):
        counts[name] = {
            label: int(count)
            for label, count in re.findall(r">([^<>]+?) \((\d+)\)</(?:a|span)>", items)
        }
    return counts


def standard_page(demo, title: str, body: str) -> StandardPage:
    return demo.add_child(instance=StandardPage(title=title, slug=title.lower(), body=body))


def test_a_plain_word_is_found_on_any_database(client, demo):
    # given a document with a word in its text (SQLite searches whole words only)
    DocumentFactory(title="Niederschrift 3/2024", pages=["Die Kopfweide wird gemäht."])

    # when a citizen searches for the word, then the page answers with the document
    assert titles(search(client, "Kopfweide")) == ["Niederschrift 3/2024"]


def test_the_page_without_a_query_shows_the_form_and_no_results(client, demo):
    response = search(client)

    assert 'name="q"' in response.content.decode()
    assert "hits" not in response.context


@pytest.mark.service("postgres")
@pytest.mark.parametrize("query", ["Bebauungspläne", "Bebauungsplans", "bebauungsplan"])
def test_german_word_forms_find_documents_notices_and_pages(client, demo, board, query):
    # given each kind with only "Bebauungsplan" in its text, none in its title
    DocumentFactory(title="Niederschrift 7/2023", pages=["Beschluss über den Bebauungsplan."])
    NoticePageFactory(
        parent=board, title="Auslegung im Rathaus", teaser="Der Bebauungsplan liegt aus."
    )
    standard_page(demo, "Bauleitplanung", "<p>Wie ein Bebauungsplan entsteht.</p>")

    # when a citizen searches for another form of the word
    found = titles(search(client, query))

    # then all three are found
    assert {"Niederschrift 7/2023", "Auslegung im Rathaus", "Bauleitplanung"} <= set(found)


@pytest.mark.service("postgres")
def test_best_match_comes_first_and_newest_first_on_request(client, demo, board):
    # given an old document all about the word, a newer notice and a newest document mentioning it
    DocumentFactory(
        title="Kiesabbau am Kieswerk",
        description="Der Kiesabbau: Genehmigung für den Kiesabbau.",
        date=date(2015, 3, 1),
        pages=["Kiesabbau, Kiesabbau und nochmals Kiesabbau."],
    )
    NoticePageFactory(
        parent=board,
        title="Sitzung des Bauausschusses",
        teaser="Unter anderem zum Kiesabbau.",
        publication_date=date(2020, 6, 1),
    )
    DocumentFactory(
        title="Haushaltsplan 2025",
        date=date(2025, 1, 10),
        pages=["Viele Posten. " * 50 + "Einnahmen aus dem Kiesabbau."],
    )

    # when searching by relevance and by date, then the order is the relevance's, or the date's
    assert titles(search(client, "Kiesabbau"))[0] == "Kiesabbau am Kieswerk"
    assert titles(search(client, "Kiesabbau", sortierung="neueste")) == [
        "Haushaltsplan 2025",
        "Sitzung des Bauausschusses",
        "Kiesabbau am Kieswerk",
    ]


@pytest.mark.service("postgres")
def test_relevance_comes_from_the_ranking_index_on_postgres(client, demo):
    # given the RUM index of migration 0004 (CI installs the extension) and two documents
    from website.search_backend import ranking_index_present

    assert ranking_index_present()
    DocumentFactory(title="Viele Worte", pages=["Mühlenteich. " + "Anderes. " * 80])
    DocumentFactory(title="Mühlenteich", pages=["Der Mühlenteich, der Mühlenteich."])

    # when searching by relevance, the statement orders by RUM's distance, and the document
    # with the word in its title and most often comes first
    with CaptureQueriesContext(connection) as queries:
        response = search(client, "Mühlenteich")
    assert any("<=>" in query["sql"] for query in queries.captured_queries)
    assert titles(response) == ["Mühlenteich", "Viele Worte"]


@pytest.fixture
def mixed_content(demo, board, ortschaften):
    """Three documents, a notice and a page with the word "Kranichrast"."""
    DocumentFactory(
        title="Satzung Ebendorf 2019",
        document_type="satzung",
        issuing_body="gemeinderat",
        ortschaften=[ortschaften["ebendorf"]],
        date=date(2019, 5, 1),
        pages=["Die Kranichrast am Wiesengrund."],
    )
    DocumentFactory(
        title="Plan Meitzendorf 2023",
        document_type="plan",
        issuing_body="verwaltung",
        ortschaften=[ortschaften["meitzendorf"]],
        date=date(2023, 3, 1),
        pages=["Die Kranichrast im Plan."],
    )
    DocumentFactory(
        title="Beschluss für die Gemeinde 2023",
        document_type="satzung",
        issuing_body="verwaltung",
        date=date(2023, 9, 1),
        pages=["Die Kranichrast für alle."],
    )
    NoticePageFactory(
        parent=board,
        title="Führung zur Kranichrast",
        teaser="Treffpunkt an der Kranichrast.",
        ortschaften=[ortschaften["barleben"]],
        publication_date=date(2023, 10, 1),
    )
    standard_page(demo, "Naturschutz", "<p>Die Kranichrast ist geschützt.</p>")


@pytest.mark.service("postgres")
@pytest.mark.parametrize(
    "art, expected",
    [
        (
            "dokumente",
            {"Satzung Ebendorf 2019", "Plan Meitzendorf 2023", "Beschluss für die Gemeinde 2023"},
        ),
        ("bekanntmachungen", {"Führung zur Kranichrast"}),
        ("seiten", {"Naturschutz"}),
    ],
)
def test_the_kind_narrows_the_results(client, mixed_content, art, expected):
    response = search(client, "Kranichrast", art=art)

    assert set(titles(response)) == expected
    assert {hit.kind for hit in response.context["hits"]} == {art}


@pytest.mark.service("postgres")
@pytest.mark.parametrize(
    "params, expected",
    [
        ({"typ": "satzung"}, {"Satzung Ebendorf 2019", "Beschluss für die Gemeinde 2023"}),
        ({"gremium": "verwaltung"}, {"Plan Meitzendorf 2023", "Beschluss für die Gemeinde 2023"}),
        # documents for the whole municipality count for every Ortschaft
        ({"ortschaft": "ebendorf"}, {"Satzung Ebendorf 2019", "Beschluss für die Gemeinde 2023"}),
        (
            {"ortschaft": "barleben"},
            {"Beschluss für die Gemeinde 2023", "Führung zur Kranichrast"},
        ),
        (
            {"jahr": "2023"},
            {"Plan Meitzendorf 2023", "Beschluss für die Gemeinde 2023", "Führung zur Kranichrast"},
        ),
        ({"typ": "plan", "jahr": "2019"}, set()),
    ],
    ids=["typ", "gremium", "ortschaft", "ortschaft-notice", "jahr", "typ-and-jahr"],
)
def test_filters_narrow_the_results(client, mixed_content, params, expected):
    response = search(client, "Kranichrast", **params)

    assert set(titles(response)) == expected
    assert response.context["total"] == len(expected)


@pytest.mark.service("postgres")
def test_the_page_shows_a_count_for_each_option(client, mixed_content):
    response = search(client, "Kranichrast")

    assert facet_counts(response) == {
        "typ": {"Satzung": 2, "Plan": 1},
        "gremium": {"Gemeinderat": 1, "Verwaltung": 2},
        "ortschaft": {"Barleben": 2, "Ebendorf": 2, "Meitzendorf": 2},
        # the notice of 2023 counts too
        "jahr": {"2023": 3, "2019": 1},
    }
    kind_nav = response.content.decode().split('id="kind-heading"')[1].split("</nav>")[0]
    for kind, count in [("dokumente", 3), ("bekanntmachungen", 1), ("seiten", 1)]:
        assert f"{KINDS[kind]} ({count})</a>" in kind_nav


@pytest.mark.service("postgres")
def test_each_facet_counts_as_if_its_own_choice_were_not_made(client, mixed_content):
    # given a chosen type, the other types keep their counts; the chosen one is marked
    response = search(client, "Kranichrast", typ="plan")
    counts, html = facet_counts(response), response.content.decode()

    assert counts["typ"] == {"Satzung": 2, "Plan": 1}
    assert counts["gremium"] == {"Verwaltung": 1}
    assert counts["ortschaft"] == {"Meitzendorf": 1}
    assert counts["jahr"] == {"2023": 1}
    assert '<span aria-current="true" class="facet__chosen">Plan (1)</span>' in html


@pytest.mark.service("postgres")
def test_the_facets_fold_say_what_is_chosen_and_lead_to_the_results(client, mixed_content):
    # when a citizen narrows the search to plans of 2023
    response = search(client, "Kranichrast", typ="plan", jahr="2023")

    # then the facets are folded behind a summary that counts the choices, the line after
    # the count names them, and every link that changes the results leads to them
    soup = BeautifulSoup(response.content, "html.parser")
    panel = soup.select_one(".search-filters details.filter-panel")
    assert not panel.has_attr("open")
    assert panel.summary.get_text(" ", strip=True) == "Eingrenzen (2 aktiv)"
    results = soup.select_one("#ergebnisse")
    assert results.h2.get_text(" ", strip=True) == "1 Ergebnis für „Kranichrast“"
    chosen = results.select_one(".active-filters")
    assert chosen.get_text(" ", strip=True) == "Gefiltert nach: Plan 2023"
    links = panel.select("nav a") + results.select(".search-order a")
    assert links
    assert all(link["href"].endswith("#ergebnisse") for link in links)


@pytest.mark.service("postgres")
def test_the_summary_names_no_choice_without_one(client, mixed_content):
    response = search(client, "Kranichrast")

    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one(".filter-panel summary").get_text(" ", strip=True) == "Eingrenzen"
    assert soup.select_one(".active-filters") is None


@pytest.mark.service("postgres")
@pytest.mark.parametrize(
    "facet_name",
    [
        "typ",
        "gremium",
        "ortschaft",
        "jahr",
    ],
)
def test_an_options_count_is_the_number_of_results_it_leads_to(client, mixed_content, facet_name):
    matches = search_matches(query="Kranichrast", filters=SearchFilters())
    facets = search_facets(filters=SearchFilters(), matches=matches)
    options = next(facet for facet in facets if facet.name == facet_name).options
    assert options

    for option in options:
        total = search(client, "Kranichrast", **{facet_name: option.value}).context["total"]
        assert (option.label, option.count) == (option.label, total)


@pytest.mark.service("postgres")
def test_the_counts_follow_a_documents_new_text(demo):
    # On PostgreSQL the counts match a copy of the index's vector in the document's row.
    document = DocumentFactory(pages=["Die Kranichwiese."])

    def found(word: str) -> int:
        matches = search_matches(query=word, filters=SearchFilters())
        return matches.count("dokumente", SearchFilters())

    assert (found("Kranichwiese"), found("Storchenwiese")) == (1, 0)
    document.text = "Die Storchenwiese."
    document.save()
    assert (found("Kranichwiese"), found("Storchenwiese")) == (0, 1)


def test_the_ortschaft_facet_follows_every_change_of_a_documents_ortschaften(demo):
    barleben, ebendorf, meitzendorf = Ortschaft.objects.order_by("name")
    heideweg = Ortschaft.objects.create(name="Heideweg", slug="heideweg")
    document = DocumentFactory(pages=["Die Kranichwiese."], ortschaften=[ebendorf, barleben])

    def key() -> str:
        document.refresh_from_db()
        return document.ortschaft_key

    def ortschaft_counts() -> dict[str, int]:
        matches = search_matches(query="Kranichwiese", filters=SearchFilters())
        facets = search_facets(filters=SearchFilters(), matches=matches)
        facet = next(facet for facet in facets if facet.name == "ortschaft")
        return {option.label: option.count for option in facet.options if option.count}

    assert key() == ortschaft_key([barleben.pk, ebendorf.pk])
    assert ortschaft_counts() == {"Barleben": 1, "Ebendorf": 1}
    document.ortschaften.remove(ebendorf)
    assert key() == ortschaft_key([barleben.pk])
    # from the Ortschaft's side
    meitzendorf.documents.add(document)
    assert key() == ortschaft_key([barleben.pk, meitzendorf.pk])
    meitzendorf.documents.clear()
    assert key() == ortschaft_key([barleben.pk])
    # none: the whole municipality, counted under every Ortschaft
    document.ortschaften.clear()
    assert key() == ""
    assert ortschaft_counts() == {"Barleben": 1, "Ebendorf": 1, "Heideweg": 1, "Meitzendorf": 1}
    # an Ortschaft deleted takes its links along
    document.ortschaften.set([heideweg, ebendorf])
    heideweg.delete()
    assert key() == ortschaft_key([ebendorf.pk])
    assert ortschaft_counts() == {"Ebendorf": 1}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"jahr": "abc"}, "Bitte eine ganze Zahl eingeben."),
        ({"jahr": "99999"}, "kleiner oder gleich 2200"),
        ({"typ": "unknown"}, "Bitte eine gültige Auswahl treffen."),
        ({"gremium": "<b>x</b>"}, "Bitte eine gültige Auswahl treffen."),
        ({"ortschaft": "atlantis"}, "Bitte eine gültige Auswahl treffen."),
        ({"art": "alles"}, "Bitte eine gültige Auswahl treffen."),
        ({"sortierung": "zufall"}, "Bitte eine gültige Auswahl treffen."),
        ({"seite": "abc"}, "Bitte eine ganze Zahl eingeben."),
        ({"seite": "0"}, "größer oder gleich 1"),
    ],
)
def test_an_invalid_filter_is_named_and_left_out(client, demo, params, message):
    # given a document the search finds
    DocumentFactory(title="Niederschrift 3/2024", pages=["Die Kopfweide wird gemäht."])

    # when a filter has a value that makes no sense
    response = search(client, "Kopfweide", **params)

    # then the page says so in German and searches without it
    assert message in response.content.decode()
    assert titles(response) == ["Niederschrift 3/2024"]


@pytest.mark.service("postgres")
def test_a_snippet_shows_the_page_where_the_word_was_found(client, demo):
    DocumentFactory(
        title="Niederschrift 7/2023",
        pages=[
            "Begrüßung und Feststellung der Beschlussfähigkeit.",
            "Bericht des Bürgermeisters über die Kita.",
            "Der Gemeinderat beschließt den Bebauungsplan Nr. 7 „Am Anger“ als Satzung.",
        ],
    )

    html = search(client, "Bebauungspläne").content.decode()

    page_label = gettext("Page %(number)s:") % {"number": 3}
    assert re.search(rf"{re.escape(page_label)}</span>[^<]*<mark>Bebauungsplan</mark>", html), html
    assert "Feststellung der Beschlussfähigkeit" not in html


def test_markup_in_a_documents_text_is_shown_as_text(client, demo):
    # given a document whose text contains a script element
    document = DocumentFactory(
        title="Niederschrift 7/2023",
        pages=["Turm & Tor: Der Wasserturm wird saniert. <script>alert(1)</script> Mehr."],
    )

    # when it is found, and when its page is opened
    search_html = search(client, "Wasserturm").content.decode()
    page_html = client.get(document.get_absolute_url()).content.decode()

    # then the script is never markup: the snippet escapes it (PostgreSQL's ts_headline
    # leaves tags out), the page escapes it
    snippet = re.search(r'<p class="result__snippet">(.*?)</p>', search_html, re.S).group(1)
    assert "<mark>Wasserturm</mark>" in snippet
    assert "alert(1)" in snippet
    assert "<script>alert" not in search_html
    assert "&amp;" in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_html
    assert "<script>alert" not in page_html


def test_the_second_page_shows_results_21_to_40(client, demo):
    # given 45 documents with the word, one a day, so the date order is known
    for number in range(45):
        DocumentFactory(
            title=f"Amtsblatt {number:02d}",
            date=date(2024, 1, 1).replace(day=1 + number % 28, month=1 + number // 28),
            pages=["Der Feldhamster ist geschützt."],
        )
    newest_first = [f"Amtsblatt {number:02d}" for number in reversed(range(45))]

    # when the pages are opened one after the other
    pages = [
        search(client, "Feldhamster", sortierung="neueste", seite=str(number))
        for number in (1, 2, 3)
    ]

    # then page 2 holds results 21 to 40, numbered so
    assert titles(pages[1]) == newest_first[20:40]
    assert '<ol class="result-list" start="21">' in pages[1].content.decode()
    assert [len(titles(page)) for page in pages] == [20, 20, 5]
    # and by relevance, the pages together are every result once
    by_relevance = [
        title
        for number in (1, 2, 3)
        for title in titles(search(client, "Feldhamster", seite=str(number)))
    ]
    assert sorted(by_relevance) == sorted(newest_first)


def test_a_page_beyond_the_results_is_not_found(client, demo):
    for number in range(RESULTS_PER_PAGE + 1):
        DocumentFactory(pages=["Der Feldhamster ist geschützt."])

    assert client.get("/suche/", {"q": "Feldhamster", "seite": "2"}).status_code == 200
    assert client.get("/suche/", {"q": "Feldhamster", "seite": "3"}).status_code == 404
    assert client.get("/suche/", {"q": "Nirgendwo", "seite": "2"}).status_code == 404


@pytest.fixture
def canaries(demo, board):
    """Content with the word "Zauberlehrling" nobody may see, beside one document anybody may."""
    DocumentFactory(
        title="Öffentliche Niederschrift",
        document_type="sitzungsniederschrift",
        date=date(2024, 4, 1),
        pages=["Der Zauberlehrling im Theater."],
    )
    hidden = private_collection()
    for collection, title in [
        (hidden, "Vertrauliche Vorlage"),
        (hidden.add_child(name="Personal"), "Personalakte Tresor"),
    ]:
        DocumentFactory(
            title=title,
            collection=collection,
            document_type="beschluss",
            issuing_body="gemeinderat",
            date=date(2011, 1, 1),
            pages=["Der Zauberlehrling als Geheimsache Kassiopeia."],
        )
    NoticePageFactory(
        parent=board,
        draft=True,
        title="Entwurf Zauberlehrling",
        teaser="Der Zauberlehrling Kassiopeia, noch nicht freigegeben.",
        publication_date=date(2012, 1, 1),
    )
    page = standard_page(demo, "Intern", "<p>Der Zauberlehrling Kassiopeia, nur intern.</p>")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="geheim"
    )


@pytest.mark.parametrize("art", ["", "dokumente", "bekanntmachungen", "seiten"])
def test_private_and_draft_content_is_never_shown(client, canaries, art):
    response = search(client, "Zauberlehrling", art=art)
    html = response.content.decode()

    assert titles(response) == (
        [] if art in ("bekanntmachungen", "seiten") else ["Öffentliche Niederschrift"]
    )
    for secret in ("Vertrauliche", "Personalakte", "Entwurf", "Intern", "Kassiopeia", "2011"):
        assert secret not in html
    counts = facet_counts(response)
    assert "Beschluss" not in counts.get("typ", {})
    assert "Gemeinderat" not in counts.get("gremium", {})
    assert all(count <= 1 for count in counts.get("ortschaft", {}).values())


def test_a_word_only_private_content_has_finds_nothing(client, canaries):
    response = search(client, "Kassiopeia")

    assert response.context["total"] == 0
    assert {facet.name: facet.options for facet in response.context["facets"]}.get("typ") == []


HOSTILE_QUERIES = [
    '"',
    '"Am Mühlenberg',
    '"Am" "Mühlenberg"',
    "Bebauungsplan OR Satzung",
    "AND",
    "OR OR OR",
    "NOT",
    "-Bebauungsplan",
    "- - -",
    "!Bebauungsplan",
    "&",
    "Plan & Satzung",
    "|",
    "Plan | Satzung",
    "Plan:*",
    ":*",
    "(",
    "((Plan) OR (Satzung",
    ")",
    "'",
    "O'Reilly's",
    "\\",
    "C:\\Windows\\",
    "Plan " * 2000,
    "x" * 10_000,
    "\x01\x02\x03\x1f\x7f",
    "Plan\x00Satzung",
    "\x00",
    "🏗️ Bauplan 👷‍♀️",
    "%",
    "100 % sicher",
    "%ZZ%00%",
    "<script>alert(1)</script>",
    "*",
    "?",
    "~Plan^2",
    "\u202eSatzung",
    "   ",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_any_input_gets_a_page(client, demo, query):
    # given something to find, so every query reaches the search backend and the snippets
    DocumentFactory(title="Bebauungsplan Am Mühlenberg", pages=["Bebauungsplan und Satzung."])

    response = search(client, query)

    assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize(
    "raw", ["q=%C3%28", "q=%FF%FE", "q=%", "q=%%%", "q=Plan&q=Satzung", "q[]=Plan", "q=%E2%80"]
)
def test_undecodable_addresses_get_a_page(client, demo, raw):
    DocumentFactory(title="Bebauungsplan Am Mühlenberg", pages=["Bebauungsplan und Satzung."])

    assert client.get(f"/suche/?{raw}").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"typ": "'; DROP TABLE archive_document; --"},
        {"jahr": "1e309"},
        {"jahr": "-2023"},
        {"seite": "99999999999999999999999"},
        {"seite": "\x00"},
        {"ortschaft": "ebendorf\x00"},
        {"art": "dokumente", "typ": "plan", "gremium": "x" * 5000},
    ],
)
def test_junk_in_the_filters_gets_a_page(client, demo, params):
    DocumentFactory(title="Bebauungsplan Am Mühlenberg", pages=["Bebauungsplan und Satzung."])

    search(client, "Bebauungsplan", **params)


def _create_search_content(board, ortschaften, numbers: range) -> None:
    """Documents with every relation set, notices and pages, all with the word "Biber"."""
    everywhere = list(ortschaften.values())
    for number in numbers:
        document = DocumentFactory(
            title=f"Biberdokument {number}",
            document_type="plan",
            issuing_body="gemeinderat",
            ortschaften=everywhere[: number % 3],
            pages=["Vorwort.", f"Der Biber am Graben {number}."],
        )
        document.tags.add("Biber")
        NoticePageFactory(
            parent=board,
            title=f"Bibernotiz {number}",
            teaser="Der Biber ist zurück.",
            ortschaften=everywhere[: number % 3],
        )
    for number in numbers[::3]:
        board.get_parent().add_child(
            instance=StandardPage(
                title=f"Biberseite {number}", slug=f"biber-{number}", body="<p>Biber</p>"
            )
        )


def _sql(client, params: dict) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get("/suche/", params).status_code == 200
    return [query["sql"] for query in context.captured_queries]


# Measured on PostgreSQL: it must not grow with the number of results. Three of them are
# the savepoint and planner setting around the documents' counts (search._document_combinations),
# one finds the site (Wagtail's own Site.find_for_request), one the administrative services
# shown first (without filters).
SEARCH_QUERIES = 19


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sortierung": "neueste"},
        {"art": "bekanntmachungen"},
        {"art": "seiten"},
        {"typ": "plan", "ortschaft": "ebendorf"},
    ],
)
def test_the_search_costs_the_same_queries_for_5_results_as_for_60(
    client, board, ortschaften, django_assert_max_num_queries, params
):
    # given 5 results of each kind, then 60
    params = {"q": "Biber", **params}
    _create_search_content(board, ortschaften, range(5))
    _sql(client, params)  # the first request fills the caches (site, settings)
    few = _sql(client, params)
    _create_search_content(board, ortschaften, range(5, 60))
    # after a change, the first request makes the site's shared parts again
    _sql(client, params)

    with django_assert_max_num_queries(SEARCH_QUERIES):
        many = _sql(client, params)

    assert len(many) == len(few), "\n\n".join(many)
    assert len(search(client, **params).context["hits"]) == RESULTS_PER_PAGE
