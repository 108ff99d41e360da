"""The open-data API: its OpenAPI document validates and Schemathesis finds no response that
breaks it; lists filter, paginate and cost fixed queries; answers are conditional (ETag,
Last-Modified) and readable from any origin. Against PostgreSQL. What it must never show is
in tests/portal/test_canary.py."""

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings

from notices.models import NoticeIndexPage
from tests.archive.factories import (
    DocumentFactory,
)
from tests.factories import NoticePageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.service("postgres")]

API = "/api/v1/"


@pytest.fixture
def api_schema(demo):
    """The API as Schemathesis sees it: its OpenAPI document, called through Django's WSGI
    handler. As in Django's test client, a request does not close the database connection,
    which holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi(f"{API}openapi.json", WSGIHandler())
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_schemathesis_finds_no_response_that_breaks_the_document(api_schema):
    """Every operation, with parameters Schemathesis makes from the document: no 5xx, and
    every answer as the document describes it (status, content type, JSON schema)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case):
            case.call_and_validate()

        check()


def test_the_openapi_document_is_valid_and_describes_every_list_and_detail(client, demo):
    document = client.get(f"{API}openapi.json").json()

    validate_schema(document)  # against the OpenAPI 3 specification's JSON schema
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        f"{API}{name}/{suffix}"
        for name in ("notices", "events", "documents", "survey-results", "services")
        for suffix in ("", "{id}/")
    }


def test_notices_filter_by_ortschaft_kind_date_and_change(client, demo, ortschaften):
    board = NoticeIndexPage.objects.get()
    ebendorf = NoticePageFactory(
        parent=board, title="Nur Ebendorf", ortschaften=[ortschaften["ebendorf"]]
    )
    meitzendorf = NoticePageFactory(
        parent=board, title="Nur Meitzendorf", ortschaften=[ortschaften["meitzendorf"]]
    )

    def titles(query: str) -> set[str]:
        response = client.get(f"{API}notices/?page_size=500&{query}")
        assert response.status_code == 200, response.content
        return {item["title"] for item in response.json()["results"]}

    assert "Nur Ebendorf" in titles("ortschaft=ebendorf")
    assert "Nur Meitzendorf" not in titles("ortschaft=ebendorf")
    assert titles("ortschaft=unbekannt") == set()
    assert titles(f"kind={ebendorf.kind.slug}") >= {"Nur Ebendorf", "Nur Meitzendorf"}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert titles(f"date_from={tomorrow}") == set()
    since = (meitzendorf.last_published_at - timedelta(microseconds=1)).isoformat()
    assert titles(f"modified_since={since.replace('+', '%2B')}") == {"Nur Meitzendorf"}


def test_a_notice_has_a_stable_id_and_an_absolute_address(client, demo):
    listed = client.get(f"{API}notices/").json()["results"][0]

    detail = client.get(f"{API}notices/{listed['id']}/").json()

    assert detail == listed
    assert detail["url"].startswith("http://")
    assert client.get(detail["url"]).status_code == 200


def test_documents_come_with_their_text_page_by_page(client, demo):
    document = DocumentFactory(title="Haushaltssatzung 2027", pages=["Erste Seite.", "Zweite."])

    detail = client.get(f"{API}documents/{document.pk}/").json()

    assert [page["text"] for page in detail["pages"]] == ["Erste Seite.", "Zweite."]
    assert detail["download_url"].endswith(document.url)


def test_published_survey_results_show_the_published_questions(client, demo):
    listed = client.get(f"{API}survey-results/").json()["results"]
    assert [survey["title"] for survey in listed] == ["Öffnungszeiten der Gemeindebibliothek"]

    detail = client.get(f"{API}survey-results/{listed[0]['id']}/").json()

    assert detail["responses"] == 240
    assert all(sum(row["count"] for row in q["rows"]) > 0 for q in detail["questions"][:1])


def test_an_open_survey_has_no_results_in_the_api(client, demo):
    from participation.models import SurveyPage

    open_survey = SurveyPage.objects.get(slug="spielplatz")

    assert client.get(f"{API}survey-results/{open_survey.pk}/").status_code == 404


def test_answers_are_conditional_and_readable_from_any_origin(client, demo):
    response = client.get(f"{API}notices/", HTTP_ORIGIN="https://example.net")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=60"
    assert client.get(f"{API}notices/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    since = response["Last-Modified"]
    assert client.get(f"{API}notices/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert (
        client.get(f"{API}notices/?page_size=1", HTTP_IF_NONE_MATCH=response["ETag"]).status_code
        == 200
    )


def test_the_api_changes_nothing(client, demo):
    for method in (client.post, client.put, client.delete):
        assert method(f"{API}notices/").status_code == 405


@pytest.mark.parametrize("extra", [5, 60])
def test_a_list_page_costs_the_same_queries_for_few_and_many(
    client, demo, django_assert_max_num_queries, extra
):
    board = NoticeIndexPage.objects.get()
    for number in range(extra):
        NoticePageFactory(parent=board, title=f"Meldung {number}")
        DocumentFactory(title=f"Dokument {number}")

    for name in ("notices", "events", "documents"):
        # count, page, kind/types (joined), Ortschaften, categories; restrictions and the site
        with django_assert_max_num_queries(8):
            response = client.get(f"{API}{name}/?page_size=100")
        assert response.status_code == 200


def _response_validator(document: dict, path: str):
    """A JSON Schema (2020-12) validator for the 200 answer of `path` as the document has it:
    `jsonschema`, not the library that writes the document nor Schemathesis."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resource(
        "urn:api", Resource(contents=document, specification=DRAFT202012)
    )
    pointer = path.replace("~", "~0").replace("/", "~1")
    schema = {
        "$ref": f"urn:api#/paths/{pointer}/get/responses/200/content/application~1json/schema"
    }
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def test_every_list_and_detail_answer_matches_the_document(client, demo):
    document = client.get(f"{API}openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert '"nullable"' not in json.dumps(document)  # OpenAPI 3.0's word, not 3.1's

    checked = 0
    for name in ("notices", "events", "documents", "survey-results", "services"):
        listing = client.get(f"{API}{name}/", {"page_size": 500}).json()
        errors = list(_response_validator(document, f"{API}{name}/").iter_errors(listing))
        assert not errors, (name, [error.message for error in errors[:5]])
        for item in listing["results"]:
            detail = client.get(f"{API}{name}/{item['id']}/").json()
            validator = _response_validator(document, f"{API}{name}/{{id}}/")
            assert not list(validator.iter_errors(detail)), (name, item["id"])
            checked += 1
    # notices with and without an event among them
    assert checked > 20


@pytest.mark.parametrize("page_size", ["0", "-1", "501", "viele"])
def test_a_page_size_out_of_range_is_a_400_that_names_it(client, demo, page_size):
    response = client.get(f"{API}notices/", {"page_size": page_size})

    assert response.status_code == 400
    assert "page_size" in response.json()


def test_the_document_gives_the_page_size_range(client, demo):
    document = client.get(f"{API}openapi.json").json()

    (parameter,) = [
        parameter
        for parameter in document["paths"][f"{API}notices/"]["get"]["parameters"]
        if parameter["name"] == "page_size"
    ]
    assert parameter["schema"]["minimum"] == 1 and parameter["schema"]["maximum"] == 500
