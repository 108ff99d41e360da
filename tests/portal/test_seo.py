"""What search engines and link previews read: the sitemap (public, live content only, at a
fixed query cost), robots.txt, the schema.org JSON-LD of events and of the municipality,
and the canonical link and Open Graph tags of every public page."""

import json
import urllib.robotparser
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site
from wagtail_factories import ImageFactory

from archive.models import Document
from barleben_portal import sitemaps
from notices.models import NoticeIndexPage
from tests.archive.factories import (
    DocumentFactory,
    private_collection,
)
from tests.factories import NoticePageFactory
from website import seo
from website.models import MunicipalitySettings, StandardPage

pytestmark = [pytest.mark.django_db, pytest.mark.service("postgres")]

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
HOSTILE_TITLE = "Sommerfest </script><script>alert(1)</script> & <!-- Ende"


def restrict(page, restriction_type=PageViewRestriction.PASSWORD) -> None:
    PageViewRestriction.objects.create(
        page=page,
        restriction_type=restriction_type,
        password="geheim" if restriction_type == PageViewRestriction.PASSWORD else "",
    )


def root_url() -> str:
    return Site.objects.get(is_default_site=True).root_url


def sitemap_locations(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    tree = ElementTree.fromstring(response.content)
    return [element.text for element in tree.iterfind(".//sm:loc", SITEMAP_NS)]


def all_sitemap_locations(client) -> set[str]:
    """Every address of every file the sitemap index lists."""
    locations = set()
    for sitemap_url in sitemap_locations(client, reverse("sitemap")):
        parts = urlsplit(sitemap_url)
        locations |= set(sitemap_locations(client, f"{parts.path}?{parts.query}"))
    return locations


def json_ld(response) -> list[dict]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [json.loads(tag.string) for tag in soup.find_all("script", type="application/ld+json")]


def meta(response) -> dict[str, str]:
    """Open Graph properties, the description and the canonical link of a page."""
    soup = BeautifulSoup(response.content, "html.parser")
    tags = {tag["property"]: tag["content"] for tag in soup.find_all("meta", property=True)}
    if description := soup.find("meta", attrs={"name": "description"}):
        tags["description"] = description["content"]
    if canonical := soup.find("link", rel="canonical"):
        tags["canonical"] = canonical["href"]
    return tags


@pytest.fixture
def board(demo) -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


@pytest.fixture
def content(demo, board) -> dict:
    """Public content that belongs in the sitemap, and canaries that must stay out of it."""
    past = {
        "display_from": timezone.now() - timedelta(days=30),
        "display_until": timezone.now() - timedelta(days=2),
    }
    future = {
        "display_from": timezone.now() + timedelta(days=2),
        "display_until": timezone.now() + timedelta(days=30),
    }
    created = {
        "public_notice": NoticePageFactory(parent=board, title="Sitemap Neuigkeit"),
        "public_official": NoticePageFactory(parent=board, official=True, title="Sitemap Amtlich"),
        "public_event": NoticePageFactory(parent=board, event=True, title="Sitemap Termin"),
        "public_document": DocumentFactory(title="Sitemap Satzung"),
        "draft": NoticePageFactory(parent=board, draft=True, title="Sitemap Entwurf"),
        "private_notice": NoticePageFactory(parent=board, official=True, title="Sitemap Passwort"),
        "private_event": NoticePageFactory(parent=board, event=True, title="Sitemap Anmeldung"),
        "expired_notice": NoticePageFactory(
            parent=board, official=True, title="Sitemap Abgelaufen", **past
        ),
        "future_notice": NoticePageFactory(
            parent=board, official=True, title="Sitemap Noch nicht", **future
        ),
        "past_expiry": NoticePageFactory(
            parent=board, title="Sitemap Ablaufdatum", expire_at=timezone.now() - timedelta(hours=1)
        ),
        "private_document": DocumentFactory(
            title="Sitemap Personalakte", collection=private_collection()
        ),
        "waiting_document": DocumentFactory(
            title="Sitemap Wartet", indexing_state=Document.IndexingState.WAITING
        ),
    }
    restrict(created["private_notice"])
    restrict(created["private_event"], PageViewRestriction.LOGIN)
    created["private_page"] = demo.add_child(
        instance=StandardPage(title="Sitemap Intern", slug="sitemap-intern")
    )
    restrict(created["private_page"], PageViewRestriction.LOGIN)
    created["below_private_page"] = created["private_page"].add_child(
        instance=StandardPage(title="Sitemap Darunter", slug="darunter")
    )
    return created


def address(item) -> str:
    if isinstance(item, Document):
        return root_url() + item.get_absolute_url()
    return item.get_full_url()


def test_sitemap_lists_public_live_pages_and_documents_and_nothing_else(client, demo, content):
    locations = all_sitemap_locations(client)

    assert demo.get_full_url() in locations
    for name in ("public_notice", "public_official", "public_event", "public_document"):
        assert address(content[name]) in locations, name
    leaked = [
        name
        for name in (
            "draft",
            "private_notice",
            "private_event",
            "expired_notice",
            "future_notice",
            "past_expiry",
            "private_document",
            "waiting_document",
            "private_page",
            "below_private_page",
        )
        if address(content[name]) in locations
    ]
    assert leaked == []
    # a draft has no address of its own: its slug must not appear either
    assert not any(content["draft"].slug in location for location in locations)
    assert all(location.startswith(root_url() + "/") for location in locations)


def test_sitemap_index_lists_each_file_with_absolute_addresses(client, demo, content):
    response = client.get(reverse("sitemap"))

    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    files = sitemap_locations(client, reverse("sitemap"))
    assert [urlsplit(url).path for url in files] == [
        "/sitemap-seiten.xml",
        "/sitemap-dokumente.xml",
        "/sitemap-leistungen.xml",
    ]
    assert all(url.startswith("http://testserver/") for url in files)
    # the newest change of each section, for crawlers that only look at the index
    tree = ElementTree.fromstring(response.content)
    assert len(tree.findall(".//sm:lastmod", SITEMAP_NS)) == 3


def test_sitemap_is_paged(client, demo, content, monkeypatch):
    # given files of two entries each
    monkeypatch.setattr(sitemaps.PageSitemap, "limit", 2)

    files = sitemap_locations(client, reverse("sitemap"))

    page_files = [url for url in files if "/sitemap-seiten.xml" in url]
    assert len(page_files) > 3
    assert page_files[1].endswith("?p=2")
    assert len(sitemap_locations(client, "/sitemap-seiten.xml?p=2")) == 2
    # pages that are no pages are a 404, not an error
    for query in (f"?p={len(page_files) + 1}", "?p=abc", "?p=0"):
        assert client.get(f"/sitemap-seiten.xml{query}").status_code == 404


def test_unknown_method_is_refused(client, demo):
    assert client.post(reverse("sitemap")).status_code == 405
    assert client.post(reverse("robots_txt")).status_code == 405


def _queries_of_sitemap(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        for path in (
            reverse("sitemap"),
            "/sitemap-seiten.xml",
            "/sitemap-dokumente.xml",
            "/sitemap-leistungen.xml",
        ):
            assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.usefixtures("page_cache_off")
def test_sitemap_costs_the_same_queries_for_more_pages_and_documents(client, demo, board):
    # given a warm cache (the site's root paths)
    NoticePageFactory(parent=board, official=True)
    DocumentFactory()
    _queries_of_sitemap(client)
    few = _queries_of_sitemap(client)

    # when there are 40 more notices of three kinds and 40 more documents
    for number in range(40):
        trait = ("official", "event", "")[number % 3]
        NoticePageFactory(parent=board, **({trait: True} if trait else {}))
    DocumentFactory.create_batch(40)
    # after a change, the first request makes the site's shared parts again
    _queries_of_sitemap(client)
    more = _queries_of_sitemap(client)

    # then the sitemap costs the same
    assert more == few, f"{few} queries for a few, {more} for more"
    assert len(all_sitemap_locations(client)) > 80


def test_robots_txt_allows_the_site_and_points_to_the_sitemap(client, demo):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f"Sitemap: {root_url()}/sitemap.xml" in text.splitlines()
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    for path in ("/", "/impressum/", "/archiv/", "/archiv/dokumente/1/", "/sitemap.xml"):
        assert robots.can_fetch("Suchmaschine", path), path
    for path in (
        reverse("wagtailadmin_home"),
        reverse("admin:index"),
        "/konto/",
        "/konto/login/",
        reverse("notices:subscription_sign_up"),
        reverse("archive_alerts:new"),
        "/suche/?q=Satzung",
        "/suche/?art=dokumente&q=Satzung",
        reverse("ortschaft_choose"),
    ):
        assert not robots.can_fetch("Suchmaschine", path), path


def _event_data(response) -> dict:
    events = [data for data in json_ld(response) if data["@type"] == "Event"]
    assert len(events) == 1
    return events[0]


def test_event_page_has_its_schema_org_event(client, board):
    # given an event with a place, coordinates and an organiser
    start = timezone.make_aware(datetime(2031, 7, 5, 18, 30))
    event = NoticePageFactory(
        parent=board,
        event=True,
        title="Sommerfest am Mittellandkanal",
        teaser="Musik, Essen und Spiele für die ganze Familie.",
        event_start=start,
        event_end=start + timedelta(hours=4),
        location_name="Festwiese",
        location_address="Breiteweg 1, 39179 Barleben",
        latitude="52.201234",
        longitude="11.623456",
        organiser="Heimatverein Barleben",
    )

    data = _event_data(client.get(event.url))

    assert data["@context"] == "https://schema.org"
    assert data["name"] == "Sommerfest am Mittellandkanal"
    assert data["description"] == "Musik, Essen und Spiele für die ganze Familie."
    assert data["url"] == event.get_full_url()
    assert data["startDate"] == "2031-07-05T18:30+02:00"
    assert data["endDate"] == "2031-07-05T22:30+02:00"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place",
        "name": "Festwiese",
        "address": "Breiteweg 1, 39179 Barleben",
        "geo": {"@type": "GeoCoordinates", "latitude": 52.201234, "longitude": 11.623456},
    }
    assert data["organizer"] == {"@type": "Organization", "name": "Heimatverein Barleben"}


def test_all_day_event_has_dates_and_the_municipality_as_organiser(client, board):
    start = timezone.make_aware(datetime(2031, 12, 6, 0, 0))
    event = NoticePageFactory(
        parent=board,
        event=True,
        is_all_day=True,
        event_start=start,
        event_end=start + timedelta(days=1),
        location_name="",
    )

    data = _event_data(client.get(event.url))

    assert (data["startDate"], data["endDate"]) == ("2031-12-06", "2031-12-07")
    assert data["organizer"]["@type"] == "GovernmentOrganization"
    assert data["organizer"]["name"] == "Gemeinde Barleben"
    assert "location" not in data  # nothing is made up


def test_notice_that_is_no_event_has_no_json_ld(client, board):
    notice = NoticePageFactory(parent=board, official=True)

    assert json_ld(client.get(notice.url)) == []


def test_no_text_breaks_out_of_the_json_ld(client, board):
    # given an event whose title and teaser try to end the script element
    event = NoticePageFactory(
        parent=board, event=True, title=HOSTILE_TITLE, teaser=f"{HOSTILE_TITLE} ]]>"
    )

    response = client.get(event.url)

    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "</script><script>" not in html
    # the text arrives intact for whoever reads the data
    data = _event_data(response)
    assert data["name"] == HOSTILE_TITLE
    assert data["description"] == f"{HOSTILE_TITLE} ]]>"


def test_json_ld_script_escapes_like_json_script():
    script = seo.json_ld_script({"name": "</script><!-- & 'x' \"y\""})

    assert script.startswith('<script type="application/ld+json">')
    inner = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == {"name": "</script><!-- & 'x' \"y\""}


def test_home_page_describes_the_municipality(client, demo):
    municipality = MunicipalitySettings.for_site(demo.get_site())

    response = client.get(demo.url)

    organizations = [data for data in json_ld(response) if data["@type"] != "Event"]
    assert len(organizations) == 1
    data = organizations[0]
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentOrganization"
    assert data["name"] == municipality.name
    assert data["url"] == root_url() + "/"
    assert data["telephone"] == municipality.phone
    assert data["email"] == municipality.email
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": municipality.street_address,
        "postalCode": municipality.postal_code,
        "addressLocality": municipality.city,
        "addressCountry": "DE",
    }
    assert data["logo"].startswith(root_url() + "/")
    area = data["areaServed"]
    assert area["@type"] == "AdministrativeArea"
    assert [place["name"] for place in area["containsPlace"]] == [
        "Barleben",
        "Ebendorf",
        "Meitzendorf",
    ]


@pytest.mark.parametrize(
    "path", ["/", "/impressum/", "/archiv/", "/suche/?q=Satzung", "/benachrichtigungen/"]
)
def test_public_pages_have_a_canonical_link_and_open_graph_tags(client, demo, path):
    tags = meta(client.get(path))

    url = root_url() + path.split("?")[0]
    assert tags["canonical"] == url
    assert tags["og:url"] == url
    assert tags["og:type"] == "website"
    assert tags["og:title"]
    assert tags["og:locale"] == "de_DE"
    assert tags["og:site_name"] == "Gemeinde Barleben"
    # the municipality's logo, as no page here has an image of its own
    assert tags["og:image"].startswith(root_url() + "/")


def test_notice_preview_shows_its_teaser_and_its_own_image(client, board):
    image = ImageFactory(title="Festwiese")
    notice = NoticePageFactory(
        parent=board,
        title="Neue Bänke am Dorfteich",
        teaser="Der Ortschaftsrat hat   zehn neue Bänke aufstellen lassen.",
        body=[("image", {"image": image, "alt_text": "Bänke am Teich", "caption": ""})],
    )

    tags = meta(client.get(f"{notice.url}?ortschaft=ebendorf"))

    assert tags["og:type"] == "article"
    assert tags["og:title"] == "Neue Bänke am Dorfteich"
    assert tags["og:description"] == "Der Ortschaftsrat hat zehn neue Bänke aufstellen lassen."
    assert tags["description"] == tags["og:description"]
    assert tags["canonical"] == notice.get_full_url()
    assert tags["og:image"] == root_url() + image.get_rendition(seo.PREVIEW_IMAGE_FILTER).url


def test_search_description_wins_and_is_cut_for_previews(client, demo):
    page = StandardPage.objects.get(slug="impressum")
    page.search_description = "Wer dieses Portal betreibt. " * 30
    page.save_revision().publish()

    tags = meta(client.get(page.url))

    assert tags["og:description"].startswith("Wer dieses Portal betreibt.")
    assert len(tags["og:description"]) <= 300


def test_pages_without_a_description_of_their_own_still_describe_themselves(demo, client):
    # given: the search, a document without a description, the expired notices
    document = Document.objects.filter(description="").first() or Document.objects.first()
    document.description = ""
    document.save()
    board = NoticeIndexPage.objects.get()
    pages = ["/suche/", "/suche/?q=Haushalt", document.get_absolute_url(), f"{board.url}archiv/"]

    for path in pages:
        html = BeautifulSoup(client.get(path).content, "html.parser")
        tag = html.find("meta", attrs={"name": "description"})

        # then: a description, German and about the page
        assert tag is not None and len(tag["content"]) > 30, path
    document_html = BeautifulSoup(client.get(document.get_absolute_url()).content, "html.parser")
    description = document_html.find("meta", attrs={"name": "description"})["content"]
    assert "im Archiv der Gemeinde Barleben" in description


def test_the_header_logo_is_sharp_on_screens_with_two_pixels_to_the_point(demo, client):
    logo = ImageFactory()
    settings = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))
    settings.logo = logo
    settings.save()

    img = BeautifulSoup(client.get("/").content, "html.parser").select_one(".brand__logo")

    assert img["srcset"].endswith(" 2x")
    assert logo.get_rendition("height-128").url in img["srcset"]
