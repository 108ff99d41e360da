"""The administrative services in the open-data API (/api/v1/services/): the current services
with their offices (and the Ortschaft each serves), opening hours, online services and life
situations; the texts in the detail; the filters; answers as the OpenAPI document describes
them; a fixed number of queries however large the catalogue. Against PostgreSQL, with the
demo's catalogue (services/demo_catalogue.xml)."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from services.models import Service
from tests.portal.test_api import _response_validator
from tests.services.test_pages import (
    HUND,
    PERSONALAUSWEIS,
    REISEPASS,
    more_services,
    remove,
    service,
)

pytestmark = [pytest.mark.django_db, pytest.mark.service("postgres")]

SERVICES = "/api/v1/services/"
DETAIL = "/api/v1/services/{id}/"
BARLEBEN_HOURS = [
    {"weekday": 0, "opens": "09:00:00", "closes": "12:00:00"},
    {"weekday": 1, "opens": "09:00:00", "closes": "12:00:00"},
    {"weekday": 1, "opens": "14:00:00", "closes": "18:00:00"},
    {"weekday": 3, "opens": "09:00:00", "closes": "12:00:00"},
    {"weekday": 4, "opens": "09:00:00", "closes": "12:00:00"},
]
EBENDORF_HOURS = [
    {"weekday": 1, "opens": "14:00:00", "closes": "17:00:00"},
    {"weekday": 3, "opens": "09:00:00", "closes": "11:00:00"},
]


def listing(client, **params) -> list[dict]:
    response = client.get(SERVICES, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(client, **params) -> list[str]:
    return [item["name"] for item in listing(client, **params)]


def test_the_list_has_the_current_services_with_offices_hours_online_services_and_situations(
    client, demo
):
    # when
    response = client.get(SERVICES)

    # then: the demo's twelve, by name
    body = response.json()
    assert body["count"] == 12
    assert [item["name"] for item in body["results"]] == sorted(
        Service.objects.values_list("name", flat=True)
    )
    (item,) = [item for item in body["results"] if item["leika_key"] == PERSONALAUSWEIS]
    personalausweis = service(PERSONALAUSWEIS)
    assert item["id"] == personalausweis.pk
    assert item["url"] == f"http://testserver/leistungen/{personalausweis.pk}/"
    assert item["short_text"] == (
        "Einen neuen Personalausweis beantragen Sie persönlich im Bürgerbüro."
    )
    assert item["life_situations"] == ["ausweise-und-dokumente"]
    assert item["online_services"] == [
        {
            "name": "Personalausweis – Terminvereinbarung und Antrag online",
            "url": "https://www.buergerservice.sachsen-anhalt.de/personalausweis",
            "link_type": "01",
            "trust_level": "high",
        }
    ]
    offices = {office["ortschaft"]: office for office in item["offices"]}
    assert set(offices) == {None, "ebendorf"}  # null: the whole municipality
    barleben, ebendorf = offices[None], offices["ebendorf"]
    assert barleben["name"] == "Bürgerbüro Barleben"
    assert (barleben["street_address"], barleben["postal_code"], barleben["city"]) == (
        "Ernst-Thälmann-Straße 22",
        "39179",
        "Barleben",
    )
    assert barleben["phone"] == "039203 565-1200"
    assert barleben["email"] == "buergerbuero@barleben.de"
    assert barleben["opening_hours"] == BARLEBEN_HOURS
    assert ebendorf["name"] == "Bürgerbüro Ebendorf (Außenstelle)"
    assert ebendorf["opening_hours"] == EBENDORF_HOURS
    # the list leaves the long texts to the detail
    assert "full_text" not in item and "fees" not in item


def test_the_detail_has_the_texts_as_html(client, demo):
    # given
    listed = next(item for item in listing(client) if item["leika_key"] == PERSONALAUSWEIS)

    # when
    response = client.get(f"{SERVICES}{listed['id']}/")

    # then: what the list has, and the texts
    assert response.status_code == 200
    detail = response.json()
    assert {key: detail[key] for key in listed} == listed
    assert "Online-Ausweisfunktion (eID)" in detail["full_text"]
    assert "<li>ein aktuelles biometrisches Passfoto</li>" in detail["required_documents"]
    assert "37,00 Euro" in detail["fees"]
    assert "§ 9 Personalausweisgesetz" in detail["legal_basis"]
    assert "etwa 3 bis 4 Wochen" in detail["processing_time"]
    assert "Perso" in detail["synonyms"].splitlines()


def test_the_list_filters_by_life_situation(client, demo):
    assert names(client, life_situation="umzug") == [
        "Meldebescheinigung beantragen",
        "Sperrmüll anmelden",
        "Wohnsitz anmelden",
    ]
    assert names(client, life_situation="geburt") == [
        "Geburt anzeigen",
        "Kita-Platz beantragen",
    ]
    assert names(client, life_situation="mondlandung") == []


def test_the_list_filters_by_leika_key(client, demo):
    assert names(client, leika_key=HUND) == ["Hund anmelden (Hundesteuer)"]
    assert names(client, leika_key="99999999999999") == []


def test_the_list_filters_by_the_time_of_the_last_change(client, demo):
    # given: every service changed in spring, the dog's in summer
    Service.objects.update(modified_at=datetime(2026, 4, 1, 8, tzinfo=UTC))
    Service.objects.filter(leika_key=HUND).update(modified_at=datetime(2026, 7, 1, 8, tzinfo=UTC))

    # then
    assert names(client, modified_since="2026-06-01T00:00:00+02:00") == [
        "Hund anmelden (Hundesteuer)"
    ]
    assert len(names(client, modified_since="2026-04-01T08:00:00Z")) == 12
    assert names(client, modified_since="2026-07-01T10:00:01+02:00") == []


@pytest.mark.parametrize(
    "params",
    [{"life_situation": "kein slug!"}, {"modified_since": "gestern"}, {"page": "0"}],
    ids=["life_situation", "modified_since", "page"],
)
def test_an_invalid_filter_is_a_400_or_404_not_a_500(client, demo, params):
    response = client.get(SERVICES, params)

    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert set(response.json()) == set(params)


def test_a_removed_service_is_not_listed_and_its_detail_is_a_404(client, demo):
    # given
    removed = remove(REISEPASS)

    # when
    listed = listing(client)

    # then
    assert len(listed) == 11
    assert removed.pk not in {item["id"] for item in listed}
    assert names(client, leika_key=REISEPASS) == []
    assert client.get(f"{SERVICES}{removed.pk}/").status_code == 404


def test_an_unknown_service_is_a_404(client, demo):
    unknown = Service.objects.order_by("-pk").first().pk + 1

    assert client.get(f"{SERVICES}{unknown}/").status_code == 404


def test_a_removed_office_is_not_among_a_services_offices(client, demo):
    # given: the Ebendorf office no longer in the export
    from services.models import Office

    Office.objects.filter(name="Bürgerbüro Ebendorf (Außenstelle)").update(
        removed_at=timezone.now()
    )

    # when
    detail = client.get(f"{SERVICES}{service(PERSONALAUSWEIS).pk}/").json()

    # then
    assert [office["name"] for office in detail["offices"]] == ["Bürgerbüro Barleben"]


@pytest.mark.parametrize("page_size", ["0", "-1", "501", "viele"])
def test_a_page_size_out_of_range_is_a_400_that_names_it(client, demo, page_size):
    response = client.get(SERVICES, {"page_size": page_size})

    assert response.status_code == 400
    assert "page_size" in response.json()


# --- The OpenAPI document ---------------------------------------------------------------


def test_the_document_describes_the_list_its_filters_and_the_detail(client, demo):
    document = client.get("/api/v1/openapi.json").json()

    assert {SERVICES, DETAIL} <= set(document["paths"])
    parameters = {
        parameter["name"] for parameter in document["paths"][SERVICES]["get"]["parameters"]
    }
    assert {"life_situation", "leika_key", "modified_since", "page", "page_size"} <= parameters


def test_every_list_and_detail_answer_matches_the_document(client, demo):
    # given: the document, and a service with an office for one Ortschaft only (null and
    # a slug for `ortschaft`), with and without online services
    document = client.get("/api/v1/openapi.json").json()

    # when
    listed = client.get(SERVICES, {"page_size": 500}).json()
    details = [client.get(f"{SERVICES}{item['id']}/").json() for item in listed["results"]]

    # then: jsonschema, not the library that writes the document
    errors = list(_response_validator(document, SERVICES).iter_errors(listed))
    assert not errors, [error.message for error in errors[:5]]
    validator = _response_validator(document, DETAIL)
    for detail in details:
        errors = list(validator.iter_errors(detail))
        assert not errors, (detail["name"], [error.message for error in errors[:5]])
    assert len(details) == 12
    offices = [office for detail in details for office in detail["offices"]]
    assert {office["ortschaft"] for office in offices} == {None, "ebendorf"}
    assert any(not detail["online_services"] for detail in details)


# Measured: the count, the services, and one each for their life situations, online services,
# offices (with their Ortschaften) and the offices' opening hours.
LIST_QUERIES = 6


@pytest.mark.parametrize("params", [{}, {"life_situation": "umzug"}], ids=["all", "umzug"])
def test_a_list_page_costs_the_same_queries_for_12_services_as_for_212(
    client, demo, django_assert_max_num_queries, params
):
    # given
    params = {"page_size": 500, **params}
    with django_assert_max_num_queries(LIST_QUERIES):
        few = client.get(SERVICES, params).json()

    # when
    more_services(200)

    # then
    with django_assert_max_num_queries(LIST_QUERIES):
        many = client.get(SERVICES, params).json()
    assert many["count"] >= few["count"] + 200
    assert sum(len(item["offices"]) for item in many["results"]) > 400
