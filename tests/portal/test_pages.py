"""The pages every citizen sees: home, standard pages and search, at a fixed query cost."""

import re

import pytest

from notices.models import NoticeIndexPage
from tests.factories import NoticePageFactory, OrtschaftFactory
from website.models import StandardPage

pytestmark = pytest.mark.django_db

STANDARD_PAGE_PATHS = ["/kontakt/", "/impressum/", "/datenschutz/", "/barrierefreiheit/"]
# Queries for one view of a page made afresh: Wagtail's routing finds the site and its root page
# (two queries); a standard page needs no more, as the site root's children, view
# restrictions, breadcrumbs, settings, navigation, footer and Ortschaften are kept in the cache
# per change (website/layout.py, the templates' fragments); the home page's are its
# notices, events and surveys. Measured, not guessed: they must not grow with the number of
# Ortschaften or pages.
MAX_QUERIES = {"/": 6, "/impressum/": 2}


def test_home_page_shows_the_ortschaften(client, demo):
    response = client.get(demo.url)

    assert response.status_code == 200
    assert "website/home_page.html" in [template.name for template in response.templates]
    for name in ["Barleben", "Ebendorf", "Meitzendorf"]:
        assert name in response.content.decode()


@pytest.mark.parametrize("path", STANDARD_PAGE_PATHS)
def test_standard_pages_render_in_the_portal_layout(client, demo, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{response.context['page'].title}</h1>" in html
    assert '<html lang="de">' in html
    # footer of the shared layout: the municipality and its legal pages
    assert "Gemeinde Barleben" in html
    assert 'href="/impressum/"' in html


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    "extra_ortschaften, extra_pages",
    [(0, 0), (27, 10)],
    ids=["3-ortschaften", "30-ortschaften-and-10-more-pages"],
)
@pytest.mark.parametrize("path", list(MAX_QUERIES))
def test_page_costs_a_fixed_number_of_queries(
    client, demo, django_assert_max_num_queries, path, extra_ortschaften, extra_pages
):
    # given more Ortschaften, and more pages in the menu and the footer
    OrtschaftFactory.create_batch(extra_ortschaften)
    for number in range(extra_pages):
        demo.add_child(
            instance=StandardPage(
                title=f"Seite {number}",
                slug=f"seite-{number}",
                show_in_menus=True,
                show_in_footer=True,
            )
        )
    client.get(path)  # the first view creates the logo's rendition and fills caches

    # when a citizen views the page, then it costs the same
    with django_assert_max_num_queries(MAX_QUERIES[path]):
        response = client.get(path)

    assert response.status_code == 200
    assert len(response.context["ortschaften"]) == 3 + extra_ortschaften
    assert len(response.context["footer_pages"]) == 4 + extra_pages


def test_search_finds_a_page_by_its_title(client, demo):
    response = client.get("/suche/", {"q": "Impressum"})

    assert response.status_code == 200
    assert "Impressum" in [hit.object.title for hit in response.context["hits"]]
    assert 'href="/impressum/"' in response.content.decode()


def test_search_leaves_out_unpublished_pages(client, demo):
    impressum = demo.get_children().get(slug="impressum")
    impressum.specific.unpublish()

    response = client.get("/suche/", {"q": "Impressum"})

    assert response.status_code == 200
    assert "Impressum" not in [hit.object.title for hit in response.context["hits"]]


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}], ids=["none", "empty", "blank"])
def test_search_without_a_query_shows_the_form(client, demo, query):
    response = client.get("/suche/", query)

    assert response.status_code == 200
    assert response.context["query"] == ""
    assert "hits" not in response.context


def test_layout_follows_published_and_unpublished_pages(client, demo):
    # given a visitor who has seen the home page (the layout is cached now)
    client.get("/", {"ortschaft": ""})
    page = demo.add_child(instance=StandardPage(title="Abfallkalender", slug="abfall", live=False))
    page.show_in_menus = True

    # when the page is published, then the navigation shows it
    page.save_revision().publish()
    assert b">Abfallkalender</a>" in client.get("/", {"ortschaft": ""}).content

    # when it is unpublished, then it is gone again
    page.refresh_from_db()
    page.unpublish()
    assert b">Abfallkalender</a>" not in client.get("/", {"ortschaft": ""}).content


def test_breadcrumbs_lead_from_the_home_page_to_the_page(client, demo):
    notice = NoticePageFactory(parent=NoticeIndexPage.objects.get(), title="Baumschnitt am Anger")

    html = client.get(notice.url).content.decode()

    breadcrumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', breadcrumbs) == [
        ("/", "Startseite"),
        ("/bekanntmachungen/", "Bekanntmachungen"),
    ]
    assert '<span aria-current="page">Baumschnitt am Anger</span>' in breadcrumbs
