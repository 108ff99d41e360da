"""The citizens' pages of the service catalogue (/leistungen/): the services A–Z, by life
situation and one by one with the online application, the responsible offices and today's
opening hours; the services in the site search, on the home page, beside a notice and in the
sitemap; and what each page costs in queries, for the demo's 12 services as for 212.

The services are the demo's (services/demo_catalogue.xml, imported by `seed_demo`).
"""

import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime, time
from itertools import groupby
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft202012Validator
from wagtail.models import Site

from notices.models import NoticeIndexPage, NoticeRelatedService
from services.models import (
    LifeSituation,
    Office,
    OnlineService,
    OpeningHours,
    Service,
    ServiceResponsibility,
)
from tests.factories import NoticePageFactory
from website.models import Ortschaft
from website.ortschaft import COOKIE_NAME as ORTSCHAFT_COOKIE

pytestmark = [pytest.mark.django_db]

BERLIN = ZoneInfo("Europe/Berlin")
# LeiKa keys of the demo's services
PERSONALAUSWEIS = "99102013001000"
REISEPASS = "99102015001000"
WOHNSITZ = "99115001001000"
HUND = "99025003001000"
KITA = "99018001001000"
SPERRMUELL = "99098005001000"
ONLINE_PERSONALAUSWEIS = "https://www.buergerservice.sachsen-anhalt.de/personalausweis"
BARLEBEN_OFFICE = "Bürgerbüro Barleben"
EBENDORF_OFFICE = "Bürgerbüro Ebendorf (Außenstelle)"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def service(leika_key: str) -> Service:
    return Service.objects.get(leika_key=leika_key)


def remove(leika_key: str) -> Service:
    """The service as an import leaves it that no longer finds it in the export."""
    removed = service(leika_key)
    removed.removed_at = timezone.now()
    removed.save()
    return removed


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ", strip=True).split())


def plain(element) -> str:
    """The text as the browser shows it, where inline elements join without spaces."""
    return " ".join(element.get_text().split())


def initial(name: str) -> str:
    """The letter a citizen looks for a name under (Ä under A), independently of the view."""
    letter = name[0].upper()
    return {"Ä": "A", "Ö": "O", "Ü": "U"}.get(letter, letter)


def a_to_z(page: BeautifulSoup) -> dict[str, list[str]]:
    """The A–Z list as shown: the names under each letter's heading."""
    return {
        heading.get_text(strip=True): [
            text(link) for link in heading.find_next_sibling("ul", class_="service-index")("a")
        ]
        for heading in page.select("h3.letter-heading")
    }


def offices(page: BeautifulSoup) -> list[dict[str, str]]:
    """The responsible offices in the order shown: name, address block, today's hours."""
    return [
        {
            "name": text(card.h3),
            "note": text(card.select_one(".card__note")),
            "address": text(card.address),
            "today": plain(card.select_one(".service-office__today")),
        }
        for card in page.select(".service-offices .service-office")
    ]


# --- A–Z and life situations --------------------------------------------------------------


def test_the_a_to_z_list_shows_every_current_service_under_its_letter(client, demo):
    # given: the passport no longer in the export, a local service with an umlaut
    remove(REISEPASS)
    Service.objects.create(leika_key="99000000000001", name="Änderung der Anschrift")

    # when
    page = soup(client.get("/leistungen/"))

    # then: every current service under its initial, in alphabetical order, none removed
    current = sorted(Service.objects.current().values_list("name", flat=True))
    expected = {
        letter: list(names)
        for letter, names in groupby(sorted(current, key=lambda n: (initial(n), n)), initial)
    }
    shown = a_to_z(page)
    assert shown == expected
    assert len(current) == 12
    assert shown["A"] == ["Änderung der Anschrift"]
    assert shown["P"] == ["Personalausweis beantragen"]
    assert "R" not in shown  # the passport was the only one under R
    letters = [text(link) for link in page.select(".letter-nav a")]
    assert letters == sorted(expected)
    assert "Alle 12 Leistungen von A bis Z" in text(page.main)


def test_the_a_to_z_list_links_to_every_life_situation_and_every_service_page(client, demo):
    page = soup(client.get("/leistungen/"))

    situations = {
        link["href"]: text(link) for link in page.select("#life-situations-heading + ul a")
    }
    assert situations == {
        situation.get_absolute_url(): situation.name for situation in LifeSituation.objects.all()
    }
    links = {link["href"] for link in page.select(".service-index a")}
    assert links == {f"/leistungen/{pk}/" for pk in Service.objects.values_list("pk", flat=True)}


def test_a_life_situation_page_lists_its_current_services(client, demo):
    # given: of the three services of moving house, one no longer in the export
    remove(SPERRMUELL)

    # when
    page = soup(client.get("/leistungen/lebenslagen/umzug/"))

    # then
    assert text(page.h1) == "Umzug"
    listed = {text(link): link["href"] for link in page.select(".service-teasers h2 a")}
    assert listed == {
        "Meldebescheinigung beantragen": f"/leistungen/{service('99115005001000').pk}/",
        "Wohnsitz anmelden": f"/leistungen/{service(WOHNSITZ).pk}/",
    }
    assert "Wer umzieht, meldet sich innerhalb von zwei Wochen" in text(page.main)


def test_an_unknown_or_removed_life_situation_is_a_404(client, demo):
    LifeSituation.objects.filter(slug="hund").update(removed_at=timezone.now())

    assert client.get("/leistungen/lebenslagen/mondlandung/").status_code == 404
    assert client.get("/leistungen/lebenslagen/hund/").status_code == 404


def test_the_a_to_z_list_offers_no_life_situation_without_a_current_service(client, demo):
    # given: the only service of "Bauen" no longer in the export, and a new life situation
    # staff have not given a service yet
    remove("99122001001000")
    LifeSituation.objects.create(name="Ehrenamt", slug="ehrenamt")

    # when
    page = soup(client.get("/leistungen/"))

    # then: neither leads to a page that lists nothing
    offered = [text(link) for link in page.select("#life-situations-heading + ul a")]
    assert "Umzug" in offered
    assert "Bauen" not in offered
    assert "Ehrenamt" not in offered


# --- A service's page ------------------------------------------------------------------


def test_a_service_page_shows_the_service_the_online_application_and_what_it_needs(client, demo):
    # given
    personalausweis = service(PERSONALAUSWEIS)

    # when
    page = soup(client.get(f"/leistungen/{personalausweis.pk}/"))

    # then: name and short text
    assert text(page.h1) == "Personalausweis beantragen"
    assert text(page.select_one("article .lead")) == (
        "Einen neuen Personalausweis beantragen Sie persönlich im Bürgerbüro."
    )
    # the button to the online service, and what the citizen needs there
    online = page.select_one(".service-online")
    (button,) = online.find_all("a", class_="button")
    assert text(button).startswith("Online beantragen")
    assert button["href"] == ONLINE_PERSONALAUSWEIS
    needs = text(online)
    assert "BundID-Konto" in needs
    assert "Online-Ausweisfunktion und PIN" in needs
    # the texts, each under its heading
    headings = [text(heading) for heading in page.select("article section.prose h2")]
    assert headings[:2] == ["Beschreibung", "Voraussetzungen"]
    assert "biometrisches Passfoto" in text(page.select_one("#unterlagen"))
    assert "37,00 Euro" in text(page.select_one("#kosten"))


def test_a_service_page_shows_the_offices_with_address_and_phone(client, demo):
    page = soup(client.get(f"/leistungen/{service(PERSONALAUSWEIS).pk}/"))

    shown = offices(page)
    assert [office["name"] for office in shown] == [BARLEBEN_OFFICE, EBENDORF_OFFICE]
    barleben, ebendorf = shown
    assert barleben["note"] == "Zuständig für die ganze Gemeinde"
    assert "Ernst-Thälmann-Straße 22 39179 Barleben" in barleben["address"]
    assert "Telefon: 039203 565-1200" in barleben["address"]
    assert ebendorf["note"] == "Zuständig für Ebendorf"
    assert "Magdeburger Straße 3 39179 Barleben OT Ebendorf" in ebendorf["address"]
    phone = page.select(".service-office address a[href^='tel:']")[0]
    assert phone["href"] == "tel:0392035651200"


@pytest.mark.parametrize(
    ("day", "barleben", "ebendorf"),
    [
        (datetime(2027, 1, 4, 10, 30), "Heute: 09:00–12:00", "Heute: geschlossen"),
        (datetime(2027, 1, 5, 10, 30), "Heute: 09:00–12:00, 14:00–18:00", "Heute: 14:00–17:00"),
        (datetime(2027, 1, 7, 10, 30), "Heute: 09:00–12:00", "Heute: 09:00–11:00"),
        (datetime(2027, 1, 10, 10, 30), "Heute: geschlossen", "Heute: geschlossen"),
    ],
    ids=["monday", "tuesday", "thursday", "sunday"],
)
def test_a_service_page_shows_each_offices_hours_of_today(client, demo, day, barleben, ebendorf):
    # given: the day of the week it is
    url = f"/leistungen/{service(PERSONALAUSWEIS).pk}/"

    # when
    with time_machine.travel(day.replace(tzinfo=BERLIN), tick=False):
        page = soup(client.get(url))

    # then
    shown = {office["name"]: office["today"] for office in offices(page)}
    assert shown == {BARLEBEN_OFFICE: barleben, EBENDORF_OFFICE: ebendorf}


def test_the_week_of_opening_hours_is_there_too(client, demo):
    page = soup(client.get(f"/leistungen/{service(PERSONALAUSWEIS).pk}/"))

    week = page.select(".service-office")[0].select_one(".service-office__week dl")
    days = dict(zip(map(text, week("dt")), map(text, week("dd")), strict=True))
    assert days == {
        "Montag": "09:00–12:00",
        "Dienstag": "09:00–12:00, 14:00–18:00",
        "Donnerstag": "09:00–12:00",
        "Freitag": "09:00–12:00",
    }


@pytest.mark.parametrize(
    ("ortschaft", "first", "chosen"),
    [
        (None, BARLEBEN_OFFICE, []),
        ("barleben", BARLEBEN_OFFICE, []),
        ("ebendorf", EBENDORF_OFFICE, [EBENDORF_OFFICE]),
    ],
)
def test_the_office_for_the_chosen_ortschaft_comes_first(client, demo, ortschaft, first, chosen):
    # given: the Ortschaft the citizen chose (remembered in a cookie), or none
    if ortschaft:
        client.cookies[ORTSCHAFT_COOKIE] = ortschaft

    # when
    page = soup(client.get(f"/leistungen/{service(PERSONALAUSWEIS).pk}/"))

    # then: its variant first, marked as theirs; the other office still there
    shown = offices(page)
    assert shown[0]["name"] == first
    assert {office["name"] for office in shown} == {BARLEBEN_OFFICE, EBENDORF_OFFICE}
    assert [text(card.h3) for card in page.select(".card--chosen")] == chosen
    if chosen:
        assert shown[0]["note"] == "Zuständig für Ebendorf (Ihre Ortschaft)"


def test_a_service_without_an_online_service_says_whom_to_ask(client, demo):
    page = soup(client.get(f"/leistungen/{service(REISEPASS).pk}/"))

    online = page.select_one(".service-online")
    assert online.find("a", class_="button") is None
    assert "können Sie noch nicht online beantragen" in text(online)


def test_a_removed_service_is_gone_with_a_link_to_the_a_to_z_list(client, demo):
    # given
    removed = remove(REISEPASS)

    # when
    response = client.get(f"/leistungen/{removed.pk}/")

    # then: 410, not 404: it was here, and will not come back under this address
    assert response.status_code == 410
    page = BeautifulSoup(response.content, "html.parser")
    assert text(page.h1) == "Diese Leistung wird hier nicht mehr angeboten"
    assert "„Reisepass beantragen“" in text(page.main)
    assert page.main.find("a", href="/leistungen/") is not None
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_an_unknown_service_is_a_404(client, demo):
    unknown = Service.objects.order_by("-pk").first().pk + 1

    assert client.get(f"/leistungen/{unknown}/").status_code == 404
    assert client.get("/leistungen/personalausweis/").status_code == 404


# --- JSON-LD ------------------------------------------------------------------------------

URL = {"type": "string", "pattern": r"^https?://[^/\s]+/\S*$"}
POSTAL_ADDRESS = {
    "type": "object",
    "required": ["@type", "streetAddress", "postalCode", "addressLocality", "addressCountry"],
    "properties": {
        "@type": {"const": "PostalAddress"},
        "postalCode": {"type": "string", "pattern": r"^\d{5}$"},
        "addressCountry": {"const": "DE"},
    },
}
GOVERNMENT_OFFICE = {
    "type": "object",
    "required": ["@type", "name", "address"],
    "properties": {"@type": {"const": "GovernmentOffice"}, "address": POSTAL_ADDRESS},
}
SERVICE_CHANNEL = {
    "type": "object",
    "required": ["@type", "name"],
    "properties": {
        "@type": {"const": "ServiceChannel"},
        "name": {"type": "string", "minLength": 1},
        "serviceUrl": URL,
        "serviceLocation": GOVERNMENT_OFFICE,
        "servicePhone": {
            "type": "object",
            "required": ["@type", "telephone"],
            "properties": {"@type": {"const": "ContactPoint"}},
        },
    },
    # a channel is a website or a place (with or without a phone)
    "oneOf": [{"required": ["serviceUrl"]}, {"required": ["serviceLocation"]}],
}
GOVERNMENT_SERVICE = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "name",
        "url",
        "provider",
        "areaServed",
        "availableChannel",
    ],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "GovernmentService"},
        "name": {"type": "string", "minLength": 1},
        "url": URL,
        "identifier": {
            "type": "object",
            "required": ["@type", "propertyID", "value"],
            "properties": {
                "@type": {"const": "PropertyValue"},
                "value": {"type": "string", "pattern": r"^\d{14}$"},
            },
        },
        "provider": {
            "type": "object",
            "required": ["@type", "name", "url"],
            "properties": {"@type": {"const": "GovernmentOrganization"}, "url": URL},
        },
        "areaServed": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["@type", "name"],
                "properties": {"@type": {"enum": ["AdministrativeArea", "Place"]}},
            },
        },
        "availableChannel": {"type": "array", "minItems": 1, "items": SERVICE_CHANNEL},
    },
}


def json_ld(response) -> list[dict]:
    page = soup(response)
    return [json.loads(tag.string) for tag in page.find_all("script", type="application/ld+json")]


def government_service(response) -> dict:
    (data,) = [item for item in json_ld(response) if item.get("@type") == "GovernmentService"]
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in Draft202012Validator(GOVERNMENT_SERVICE).iter_errors(data)
    ]
    assert not errors, errors
    return data


def test_a_service_page_describes_the_service_as_a_schema_org_government_service(client, demo):
    # given
    personalausweis = service(PERSONALAUSWEIS)
    root_url = Site.objects.get(is_default_site=True).root_url

    # when
    data = government_service(client.get(f"/leistungen/{personalausweis.pk}/"))

    # then
    assert data["name"] == "Personalausweis beantragen"
    assert data["url"] == f"{root_url}/leistungen/{personalausweis.pk}/"
    assert data["identifier"]["value"] == PERSONALAUSWEIS
    assert data["provider"] == {
        "@type": "GovernmentOrganization",
        "name": "Gemeinde Barleben",
        "url": f"{root_url}/",
    }
    # the whole municipality (the Ebendorf office is one variant within it)
    assert data["areaServed"] == [{"@type": "AdministrativeArea", "name": "Barleben"}]
    online, *places = data["availableChannel"]
    assert online["serviceUrl"] == ONLINE_PERSONALAUSWEIS
    assert [place["serviceLocation"]["name"] for place in places] == [
        BARLEBEN_OFFICE,
        EBENDORF_OFFICE,
    ]
    assert places[0]["serviceLocation"]["address"]["streetAddress"] == "Ernst-Thälmann-Straße 22"
    assert places[0]["servicePhone"]["telephone"] == "039203 565-1200"


def test_a_service_of_one_ortschaft_serves_that_ortschaft_only(client, demo, ortschaften):
    # given: a local service only the Ebendorf office offers, for Ebendorf
    local = Service.objects.create(leika_key="99000000000002", name="Dorfgemeinschaftshaus mieten")
    ServiceResponsibility.objects.create(
        service=local,
        office=Office.objects.get(name=EBENDORF_OFFICE),
        ortschaft=ortschaften["ebendorf"],
    )

    # when
    data = government_service(client.get(f"/leistungen/{local.pk}/"))

    # then
    assert data["areaServed"] == [{"@type": "Place", "name": "Ebendorf"}]
    assert [channel["name"] for channel in data["availableChannel"]] == [EBENDORF_OFFICE]


# --- The site search ------------------------------------------------------------------------


def services_box(page: BeautifulSoup) -> list[str]:
    box = page.select_one(".services-box")
    assert box is not None, "no services box"
    return [text(link) for link in box.select("li a")]


@pytest.mark.service("postgres")
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Personalausweis", "Personalausweis beantragen"),
        ("Hund anmelden", "Hund anmelden (Hundesteuer)"),
        ("Kita-Platz", "Kita-Platz beantragen"),
        # search terms of the catalogue (begriffImKontext), in no name or text
        ("Perso", "Personalausweis beantragen"),
        ("Hundemarke", "Hund anmelden (Hundesteuer)"),
        ("Hochzeit", "Eheschließung anmelden"),
    ],
)
def test_the_search_shows_the_matching_service_before_the_results(client, demo, query, found):
    # when
    response = client.get("/suche/", {"q": query})

    # then: the service first in the box, and the box before the results
    page = soup(response)
    assert services_box(page)[0] == found
    first = page.select_one(".search-results").find(True)
    assert "services-box" in first["class"]
    link = page.select_one(".services-box li a")
    assert link["href"] == f"/leistungen/{Service.objects.get(name=found).pk}/"


@pytest.mark.service("postgres")
def test_the_search_leaves_out_a_removed_service(client, demo):
    # given
    remove(PERSONALAUSWEIS)

    # when
    page = soup(client.get("/suche/", {"q": "Perso"}))

    # then
    assert page.select_one(".services-box") is None


@pytest.mark.service("postgres")
def test_the_search_shows_no_services_box_when_no_service_matches(client, demo):
    page = soup(client.get("/suche/", {"q": "Haushaltssatzung"}))

    assert page.select_one(".services-box") is None


# --- Home page, notices, sitemap -----------------------------------------------------------


def test_the_home_page_lists_the_most_used_services_in_their_order(client, demo):
    # given: staff moved the dog to the top; the registration of residence is gone
    Service.objects.filter(leika_key=HUND).update(popularity=1)
    Service.objects.filter(leika_key=PERSONALAUSWEIS).update(popularity=2)
    remove(WOHNSITZ)

    # when
    page = soup(client.get("/"))

    # then
    section = page.select_one(".home-services")
    assert [text(link) for link in section.select("li a")] == [
        "Hund anmelden (Hundesteuer)",
        "Personalausweis beantragen",
        "Kita-Platz beantragen",
        "Geburt anzeigen",
        "Gewerbe anmelden",
    ]
    assert section.select("li a")[0]["href"] == f"/leistungen/{service(HUND).pk}/"
    assert section.find("a", href="/leistungen/") is not None


def test_the_demo_home_page_lists_the_six_most_used_services(client, demo):
    page = soup(client.get("/"))

    assert [text(link) for link in page.select(".home-services li a")] == [
        "Personalausweis beantragen",
        "Wohnsitz anmelden",
        "Hund anmelden (Hundesteuer)",
        "Kita-Platz beantragen",
        "Geburt anzeigen",
        "Gewerbe anmelden",
    ]


def related_services(page: BeautifulSoup) -> list[tuple[str, list[str]]]:
    section = page.select_one("section[aria-labelledby=related-services-heading]")
    assert section is not None, "no related services"
    assert text(section.h2) == "Das können Sie erledigen"
    return [(text(item.a.strong), [link["href"] for link in item("a")]) for item in section("li")]


def test_a_notice_shows_its_services_with_the_online_application(client, demo):
    # given: a notice on the dog tax that names the service, and one no longer offered
    notice = NoticePageFactory(parent=NoticeIndexPage.objects.get(), title="Hundesteuer 2027")
    hund = service(HUND)
    NoticeRelatedService.objects.create(notice=notice, service=hund, sort_order=0)
    NoticeRelatedService.objects.create(notice=notice, service=remove(REISEPASS), sort_order=1)

    # when
    page = soup(client.get(notice.url))

    # then
    assert related_services(page) == [
        (
            "Hund anmelden (Hundesteuer)",
            [f"/leistungen/{hund.pk}/", "https://www.buergerservice.sachsen-anhalt.de/hundesteuer"],
        )
    ]
    online = page.select("section[aria-labelledby=related-services-heading] li a")[1]
    assert text(online) == "Online beantragen : Hund anmelden (Hundesteuer)"


def test_a_notice_shows_its_services_in_the_order_staff_gave_them(client, demo):
    # given: staff put the registration of residence before the identity card
    notice = NoticePageFactory(parent=NoticeIndexPage.objects.get(), title="Neu zugezogen?")
    NoticeRelatedService.objects.create(notice=notice, service=service(WOHNSITZ), sort_order=0)
    NoticeRelatedService.objects.create(
        notice=notice, service=service(PERSONALAUSWEIS), sort_order=1
    )

    # when
    page = soup(client.get(notice.url))

    # then
    assert [name for name, _ in related_services(page)] == [
        "Wohnsitz anmelden",
        "Personalausweis beantragen",
    ]


def sitemap_locations(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    tree = ElementTree.fromstring(response.content)
    return [element.text for element in tree.iterfind(".//sm:loc", SITEMAP_NS)]


def test_the_sitemap_lists_every_current_service_and_no_removed_one(client, demo):
    # given
    removed = remove(REISEPASS)
    root_url = Site.objects.get(is_default_site=True).root_url

    # when
    index = sitemap_locations(client, "/sitemap.xml")
    listed = sitemap_locations(client, "/sitemap-leistungen.xml")

    # then
    assert any(location.endswith("/sitemap-leistungen.xml") for location in index)
    assert sorted(listed) == sorted(
        f"{root_url}/leistungen/{pk}/"
        for pk in Service.objects.current().values_list("pk", flat=True)
    )
    assert len(listed) == 11
    assert f"{root_url}/leistungen/{removed.pk}/" not in listed


# --- Query counts ------------------------------------------------------------------------


def more_services(count: int) -> list[Service]:
    """`count` services beside the demo's, each with two offices (one for an Ortschaft, with
    opening hours), an online service and two life situations; the identity card gets ten
    more offices, online services and life situations besides."""
    ortschaften = list(Ortschaft.objects.order_by("sort_order"))
    situations = list(LifeSituation.objects.order_by("pk"))
    offices = Office.objects.bulk_create(
        Office(
            name=f"Außenstelle {number}",
            street_address=f"Breiteweg {number}",
            postal_code="39179",
            city="Barleben",
            phone=f"039203 565-{2000 + number}",
        )
        for number in range(10)
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(office=office, weekday=weekday, opens=time(8), closes=time(12))
        for office in offices
        for weekday in range(5)
    )
    services = Service.objects.bulk_create(
        Service(
            leika_key=f"99{number:012d}",
            name=f"{chr(ord('A') + number % 26)}-Testleistung {number}",
            short_text=f"Was Leistung {number} ist.",
            full_text=f"<p>Alles über Leistung {number}.</p>",
        )
        for number in range(count)
    )
    personalausweis = service(PERSONALAUSWEIS)
    ServiceResponsibility.objects.bulk_create(
        [
            ServiceResponsibility(
                service=item,
                office=offices[number % len(offices)],
                ortschaft=ortschaften[number % len(ortschaften)],
            )
            for number, item in enumerate(services)
        ]
        + [
            ServiceResponsibility(service=item, office=offices[(number + 1) % len(offices)])
            for number, item in enumerate(services)
        ]
        + [
            ServiceResponsibility(
                service=personalausweis, office=office, ortschaft=ortschaften[number % 3]
            )
            for number, office in enumerate(offices)
        ]
    )
    online_services = OnlineService.objects.bulk_create(
        OnlineService(
            name=f"Onlinedienst {number}",
            url=f"https://example.org/antrag/{number}",
            trust_level="substantial",
        )
        for number in range(count + 10)
    )
    OnlineService.services.through.objects.bulk_create(
        [
            OnlineService.services.through(onlineservice=online, service=item)
            for online, item in zip(online_services, services, strict=False)
        ]
        + [
            OnlineService.services.through(onlineservice=online, service=personalausweis)
            for online in online_services[count:]
        ]
    )
    through = Service.life_situations.through
    umzug = LifeSituation.objects.get(slug="umzug")
    through.objects.bulk_create(
        [through(service=item, lifesituation=umzug) for item in services]
        + [
            through(service=item, lifesituation=situations[number % len(situations)])
            for number, item in enumerate(services)
            if situations[number % len(situations)] != umzug
        ]
        + [
            through(service=personalausweis, lifesituation=situation)
            for situation in situations
            if situation.slug != "ausweise-und-dokumente"
        ]
    )
    return services


def _sql(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in context.captured_queries]


# Measured on PostgreSQL with the page cache off: they must not grow with the catalogue.
# The A–Z list: the count per initial, the names (of one letter above 400 services), the site,
# the life situations; a life situation: it, the site, its services; a service: it, its
# offices, their hours, online services, life situations, site.
A_TO_Z_QUERIES = 4
LIFE_SITUATION_QUERIES = 3
SERVICE_PAGE_QUERIES = 6


@pytest.mark.service("postgres")
@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    ("page", "most"),
    [
        ("a-to-z", A_TO_Z_QUERIES),
        ("life-situation", LIFE_SITUATION_QUERIES),
        ("service", SERVICE_PAGE_QUERIES),
    ],
)
def test_the_pages_cost_the_same_queries_for_12_services_as_for_212(
    client, demo, django_assert_max_num_queries, page, most
):
    # given: the demo's 12 services
    path = {
        "a-to-z": "/leistungen/",
        "life-situation": "/leistungen/lebenslagen/umzug/",
        "service": f"/leistungen/{service(PERSONALAUSWEIS).pk}/",
    }[page]
    _sql(client, path)  # the first request fills the caches (site, settings)
    few = _sql(client, path)

    # when: 200 more, with offices, hours, online services and life situations
    more_services(200)
    _sql(client, path)  # after a change, the first request makes the site's shared parts again

    # then
    with django_assert_max_num_queries(most):
        many = _sql(client, path)
    assert len(many) == len(few), "\n\n".join(many)
    response = client.get(path)
    if page == "service":
        assert len(soup(response).select(".service-office")) == 12
    else:
        assert len(soup(response).select("main a[href^='/leistungen/']")) > 200
