"""The archive as OParl 1.1: every object and list validates against the specification's JSON
schemas (tests/archive/oparl-1.1/schema/), lists page and filter, nothing private, waiting or
failed is served, and what stops being served is listed as deleted to a syncing client.

The schemas embed objects with a keyword of their own (`"schema": "File.json"`); it becomes
a `$ref` here, resolved from the schema files through a `referencing` registry, and the
formats `url`, `date` and `date-time` are checked, not ignored.
"""

import copy
import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from wagtail.models import Collection, CollectionViewRestriction, Site

from archive.indexing import document_index
from archive.models import Document, DocumentType, IssuingBody, OParlTombstone
from archive.oparl import MAX_PAGE_SIZE
from tests.archive import files
from tests.archive.factories import (
    DocumentFactory,
    private_collection,
)
from website.models import MunicipalitySettings

pytestmark = pytest.mark.service("postgres")

# The specification's schemas, kept with the tests (CC BY-SA 4.0, see its LICENSE).
SCHEMA_DIRECTORY = Path(__file__).parent / "oparl-1.1" / "schema"
SCHEMA_BASE = "https://schema.oparl.org/1.1/"
TYPES = ("System", "Body", "Organization", "Meeting", "Paper", "File", "LegislativeTerm")
DELETED_FIELDS = ["id", "type", "created", "modified", "deleted"]
LIST_ENVELOPE = {
    "type": "object",
    "required": ["data", "pagination", "links"],
    "properties": {
        "data": {"type": "array"},
        "pagination": {
            "type": "object",
            "required": ["totalElements", "elementsPerPage", "currentPage", "totalPages"],
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
        "links": {
            "type": "object",
            "required": ["first", "self"],
            "additionalProperties": {"type": "string", "format": "url"},
        },
    },
}


def _with_refs(node):
    """The schema with each embedded object's `"schema": "X.json"` as a `$ref`."""
    if isinstance(node, list):
        return [_with_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _with_refs(value) for key, value in node.items()}
    target = node.get("schema")
    if node.get("type") == "object" and isinstance(target, str) and target.endswith(".json"):
        converted["$ref"] = target
    return converted


def _load_schemas() -> dict[str, dict]:
    schemas = {}
    for path in SCHEMA_DIRECTORY.glob("*.json"):
        schema = _with_refs(json.loads(path.read_text()))
        schema["$id"] = f"{SCHEMA_BASE}{path.name}"
        schemas[path.stem] = schema
    return schemas


SCHEMAS = _load_schemas()
REGISTRY = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
    for schema in SCHEMAS.values()
)
FORMATS = FormatChecker(formats=())


@FORMATS.checks("url", raises=ValueError)
def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: str) -> bool:
    return datetime.fromisoformat(value).tzinfo is not None and "T" in value


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: str) -> bool:
    return date.fromisoformat(value).isoformat() == value


def _deleted_schema(schema: dict) -> dict:
    """A deleted object keeps id, type, created, modified and `deleted: true`, nothing else."""
    deleted = copy.deepcopy(schema)
    deleted["$id"] = f"{schema['$id']}#deleted"
    deleted["required"] = DELETED_FIELDS
    deleted["propertyNames"] = {"enum": DELETED_FIELDS}
    deleted["properties"]["deleted"] = {"const": True}
    return deleted


def validate(data: dict) -> None:
    """Validate an OParl object by its `type` (or a list, and each object in it)."""
    if "data" in data and "type" not in data:
        Draft202012Validator(LIST_ENVELOPE, format_checker=FORMATS).validate(data)
        for item in data["data"]:
            validate(item)
        return
    name = data["type"].removeprefix(SCHEMA_BASE)
    assert name in SCHEMAS, data["type"]
    schema = _deleted_schema(SCHEMAS[name]) if data.get("deleted") else SCHEMAS[name]
    Draft202012Validator(schema, registry=REGISTRY, format_checker=FORMATS).validate(data)


def test_the_validator_refuses_what_the_schemas_refuse():
    # An embedded File without accessUrl, a relative URL, a date-time without time zone.
    meeting = {"id": "https://x.example/m/1", "type": f"{SCHEMA_BASE}Meeting"}
    validate(meeting)
    for broken in (
        {
            **meeting,
            "resultsProtocol": {"id": "https://x.example/f/1", "type": SCHEMA_BASE + "File"},
        },
        {**meeting, "id": "/m/1"},
        {**meeting, "start": "2024-01-01T10:00:00"},
    ):
        with pytest.raises(Exception, match=r"accessUrl|is not a|format"):
            validate(broken)


def get(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    validate(data)
    return data


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert url.startswith(settings.BASE_URL), url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def ids(listing: dict) -> list[str]:
    return [item["id"] for item in listing["data"]]


def oparl(path: str) -> str:
    return f"/oparl/v1/{path}"


def url(path: str) -> str:
    return f"{settings.BASE_URL}/oparl/v1/{path}"


@pytest.fixture
def municipality(home) -> MunicipalitySettings:
    municipality = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))
    municipality.ags = "15083040"
    municipality.email = "info@barleben.de"
    municipality.save()
    return municipality


def indexed_document(document_factory, content: bytes, name: str, **fields) -> Document:
    """A document as an upload stores it (hashes, checksum), then read."""
    document = document_factory(content, name, **fields)
    document.text = content.decode("latin-1")
    document.indexing_state = Document.IndexingState.INDEXED
    document.save()
    return document


def test_system_and_body_name_the_municipality_and_its_lists(client, municipality):
    system = get(client, oparl(""))
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    bodies = get(client, path_of(system["body"]))
    assert len(bodies["data"]) == 1
    body = get(client, path_of(bodies["data"][0]["id"]))

    assert body == bodies["data"][0]
    assert body["name"] == "Gemeinde Barleben"
    assert body["ags"] == "15083040"
    assert body["contactEmail"] == "info@barleben.de"
    for name in ("organization", "person", "meeting", "paper", "file"):
        assert get(client, path_of(body[name]))["links"]["self"].startswith(body[name])


def test_issuing_bodies_are_organizations(client, municipality):
    IssuingBody.objects.create(name="Ortschaftsrat Ebendorf", slug="ortschaftsrat-ebendorf")

    organizations = get(client, oparl("body/organizations/"))["data"]

    by_name = {item["name"]: item for item in organizations}
    assert set(by_name) == {"Gemeinderat", "Verwaltung", "Ortschaftsrat Ebendorf"}
    assert by_name["Gemeinderat"]["organizationType"] == "Gremium"
    assert by_name["Gemeinderat"]["classification"] == "Gemeinderat"
    assert by_name["Ortschaftsrat Ebendorf"]["classification"] == "Ortschaftsrat"
    assert by_name["Verwaltung"]["organizationType"] == "Verwaltungsbereich"
    assert get(client, path_of(by_name["Gemeinderat"]["id"])) == by_name["Gemeinderat"]


def test_minutes_are_meetings_with_their_results_protocol(client, municipality, document_factory):
    minutes = indexed_document(
        document_factory,
        b"Niederschrift: Beschluss 2024/41 gefasst.",
        "Niederschrift.txt",
        title="Niederschrift der Sitzung des Gemeinderates",
        document_type=DocumentType.objects.get(slug="sitzungsniederschrift"),
        issuing_body=IssuingBody.objects.get(slug="gemeinderat"),
        date=date(2024, 5, 14),
    )

    meetings = get(client, oparl("body/meetings/"))["data"]

    assert ids({"data": meetings}) == [url(f"meeting/{minutes.pk}/")]
    meeting = meetings[0]
    assert meeting["start"].startswith("2024-05-14T00:00:00")
    assert meeting["organization"] == [url(f"organization/{minutes.issuing_body_id}/")]
    protocol = meeting["resultsProtocol"]
    assert protocol["text"] == "Niederschrift: Beschluss 2024/41 gefasst."
    assert protocol["meeting"] == [meeting["id"]]
    assert protocol["sha512Checksum"] == hashlib.sha512(protocol["text"].encode()).hexdigest()
    assert protocol["sha1Checksum"] == hashlib.sha1(protocol["text"].encode()).hexdigest()  # noqa: S324
    assert protocol["mimeType"] == "text/plain"
    assert protocol["downloadUrl"] == protocol["accessUrl"]
    assert get(client, path_of(meeting["id"])) == meeting
    assert get(client, path_of(protocol["id"])) == protocol
    download = client.get(path_of(protocol["accessUrl"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == protocol["text"].encode()
    organization_meetings = get(
        client, path_of(get(client, path_of(meeting["organization"][0]))["meeting"])
    )
    assert ids(organization_meetings) == [meeting["id"]]
    assert get(client, oparl("body/papers/"))["data"] == []


@pytest.mark.parametrize(
    ("type_slug", "is_paper"),
    [
        ("beschluss", True),
        ("satzung", True),
        ("bekanntmachung", True),
        ("plan", True),
        ("amtsblatt", False),
        ("formular", False),
        ("sonstiges", False),
    ],
)
def test_council_documents_are_papers(client, municipality, type_slug, is_paper):
    document = DocumentFactory(
        title="Satzung über die Straßenreinigung",
        document_type=type_slug,
        issuing_body="gemeinderat",
        pages=["§ 1 Reinigungspflicht", "§ 2 Winterdienst"],
    )

    papers = get(client, oparl("body/papers/"))["data"]
    files = get(client, oparl("body/files/"))["data"]

    if not is_paper:
        assert papers == []
        assert files == []
        assert client.get(oparl(f"paper/{document.pk}/")).status_code == 404
        return
    [paper] = papers
    assert paper["id"] == url(f"paper/{document.pk}/")
    assert paper["paperType"] == document.document_type.name
    assert paper["originatorOrganization"] == [url(f"organization/{document.issuing_body_id}/")]
    assert paper["mainFile"]["text"] == "§ 1 Reinigungspflicht\n\n§ 2 Winterdienst"
    assert paper["mainFile"]["accessUrl"] == f"{settings.BASE_URL}{document.url}"
    assert paper["mainFile"]["paper"] == [paper["id"]]
    assert paper["mainFile"]["mimeType"] == "application/pdf"
    # A PDF opens in the browser: the portal offers no download address of its own.
    assert "downloadUrl" not in paper["mainFile"]
    assert files == [paper["mainFile"]]
    assert get(client, path_of(paper["id"])) == paper


@pytest.mark.parametrize(
    "hidden",
    ["private collection", "waiting", "failed"],
)
def test_private_waiting_and_failed_documents_are_never_served(client, municipality, hidden):
    fields = {
        "private collection": {"collection": private_collection()},
        "waiting": {"indexing_state": Document.IndexingState.WAITING, "text": ""},
        "failed": {"indexing_state": Document.IndexingState.FAILED, "text": ""},
    }[hidden]
    document = DocumentFactory(document_type="beschluss", **fields)
    minutes = DocumentFactory(document_type="sitzungsniederschrift", **fields)
    since = {"modified_since": "2000-01-01T00:00:00+01:00"}

    for listing in ("papers", "meetings", "files"):
        assert get(client, oparl(f"body/{listing}/"))["data"] == []
        assert get(client, oparl(f"body/{listing}/"), **since)["data"] == []
    for kind, pk in (("paper", document.pk), ("meeting", minutes.pk), ("file", document.pk)):
        response = client.get(oparl(f"{kind}/{pk}/"))
        assert response.status_code == 404
        assert response.json() == {"error": gettext("There is no such object.")}


def test_lists_are_paged_with_links(client, municipality):
    documents = DocumentFactory.create_batch(5, document_type="satzung")

    first = get(client, oparl("body/papers/"), limit=2)

    assert first["pagination"] == {
        "totalElements": 5,
        "elementsPerPage": 2,
        "currentPage": 1,
        "totalPages": 3,
    }
    assert "prev" not in first["links"]
    walked, page = ids(first), first
    while "next" in page["links"]:
        page = get(client, path_of(page["links"]["next"]))
        walked += ids(page)
    assert walked == [url(f"paper/{document.pk}/") for document in documents]
    assert page["pagination"]["currentPage"] == 3
    assert parse_qs(urlsplit(page["links"]["prev"]).query) == {"limit": ["2"], "page": ["2"]}
    assert page["links"]["last"] == page["links"]["self"]


NO_PAGE = "This list has no such page."
BAD_LIMIT = "The parameter limit needs a whole number from 1 to %(max)s."
BAD_TIME = "The parameter %(name)s needs a date and time such as 2024-01-31T12:00:00+01:00."


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"page": "4"}, 404, NO_PAGE),
        ({"page": "zwei"}, 404, NO_PAGE),
        ({"limit": "0"}, 400, BAD_LIMIT),
        ({"limit": str(MAX_PAGE_SIZE + 1)}, 400, BAD_LIMIT),
        ({"limit": "-5"}, 400, BAD_LIMIT),
        ({"limit": "²"}, 400, BAD_LIMIT),
        ({"page": "²"}, 404, NO_PAGE),
        ({"modified_since": "gestern"}, 400, BAD_TIME),
        ({"created_until": "2024-13-45T00:00:00"}, 400, BAD_TIME),
        ({"created_since": "2024-01-01T00:00:00\x00"}, 400, BAD_TIME),
        ({"modified_until": "9" * 400}, 400, BAD_TIME),
    ],
)
def test_a_bad_page_or_filter_is_answered_in_german(client, municipality, params, status, message):
    DocumentFactory(document_type="satzung")
    name = next((name for name in params if name not in {"page", "limit"}), "")

    for listing in ("papers", "meetings", "files", "organizations"):
        response = client.get(oparl(f"body/{listing}/"), {"limit": "2", **params})

        assert response.status_code == status
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.json() == {"error": gettext(message) % {"max": MAX_PAGE_SIZE, "name": name}}


def test_created_and_modified_filters_select_by_time(client, municipality):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        old = DocumentFactory(document_type="beschluss")
    with time_machine.travel(start + timedelta(days=10), tick=False):
        new = DocumentFactory(document_type="beschluss")
    with time_machine.travel(start + timedelta(days=20), tick=False):
        old.title = "Beschluss, berichtigt"
        old.save()

    def listed(**params) -> list[str]:
        listing = get(client, oparl("body/papers/"), **params)
        return [item["id"].rstrip("/").rsplit("/", 1)[1] for item in listing["data"]]

    day = timedelta(days=1)
    assert listed(created_since=(start + day).isoformat()) == [str(new.pk)]
    assert listed(created_until=(start + day).isoformat()) == [str(old.pk)]
    assert listed(modified_since=(start + 15 * day).isoformat()) == [str(old.pk)]
    assert listed(modified_until=(start + 15 * day).isoformat()) == [str(new.pk)]
    assert (
        listed(
            created_since=(start + day).isoformat(), modified_until=(start + 5 * day).isoformat()
        )
        == []
    )
    # An unencoded "+" of the time zone arrives as a space, and still counts.
    raw = (start + 15 * day).astimezone(timezone.get_current_timezone()).isoformat()
    assert "+" in raw
    response = client.get(f"{oparl('body/papers/')}?modified_since={raw}")
    assert [item["name"] for item in response.json()["data"]] == ["Beschluss, berichtigt"]


def test_deleted_and_private_documents_are_listed_as_deleted_to_a_sync(client, municipality):
    before = timezone.now() - timedelta(seconds=1)
    deleted = DocumentFactory(document_type="satzung")
    made_private = DocumentFactory(document_type="sitzungsniederschrift")
    retyped = DocumentFactory(document_type="plan")
    kept = DocumentFactory(document_type="satzung")
    deleted_pk = deleted.pk

    deleted.delete()
    made_private.collection = private_collection()
    made_private.save()
    retyped.document_type = DocumentType.objects.get(slug="formular")
    retyped.save()

    since = {"modified_since": before.isoformat()}
    papers = get(client, oparl("body/papers/"), **since)["data"]
    assert [(item["id"], item.get("deleted", False)) for item in papers] == [
        (url(f"paper/{deleted_pk}/"), True),
        (url(f"paper/{retyped.pk}/"), True),
        (url(f"paper/{kept.pk}/"), False),
    ]
    meetings = get(client, oparl("body/meetings/"), **since)["data"]
    assert [(item["id"], item["deleted"]) for item in meetings] == [
        (url(f"meeting/{made_private.pk}/"), True)
    ]
    files = get(client, oparl("body/files/"), **since)["data"]
    assert [item.get("deleted", False) for item in files] == [True, True, True, False]
    # Without modified_since, a list holds what is served; the address still tells.
    assert ids(get(client, oparl("body/papers/"))) == [url(f"paper/{kept.pk}/")]
    assert get(client, oparl(f"paper/{deleted_pk}/"))["deleted"] is True
    assert get(client, oparl(f"meeting/{made_private.pk}/"))["deleted"] is True
    # Nothing of the private document but its address and times.
    assert set(meetings[0]) == set(DELETED_FIELDS)


def test_a_collection_restricted_and_opened_again(client, municipality):
    collection = Collection.get_first_root_node().add_child(name="Ratsunterlagen")
    document = DocumentFactory(document_type="beschluss", collection=collection)
    before = timezone.now() - timedelta(seconds=1)

    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="x"
    )

    listing = get(client, oparl("body/papers/"), modified_since=before.isoformat())
    assert [(item["id"], item.get("deleted")) for item in listing["data"]] == [
        (url(f"paper/{document.pk}/"), True)
    ]
    reopened_at = timezone.now() - timedelta(seconds=1)
    restriction.delete()
    listing = get(client, oparl("body/papers/"), modified_since=reopened_at.isoformat())
    assert [(item["id"], item.get("deleted")) for item in listing["data"]] == [
        (url(f"paper/{document.pk}/"), None)
    ]
    assert not OParlTombstone.objects.filter(object_id=document.pk).exists()


def test_a_document_read_again_is_deleted_until_its_text_is_back(client, municipality):
    document = DocumentFactory(document_type="beschluss")
    before = timezone.now() - timedelta(seconds=1)

    document.indexing_state = Document.IndexingState.WAITING
    document.save()
    assert get(client, oparl(f"paper/{document.pk}/"))["deleted"] is True
    document.indexing_state = Document.IndexingState.INDEXED
    document.save()

    paper = get(client, oparl(f"paper/{document.pk}/"))
    assert "deleted" not in paper
    assert datetime.fromisoformat(paper["modified"]) >= before.replace(microsecond=0)


def test_a_paper_read_again_by_the_reader_is_served_again(client, municipality):
    # given a served paper whose file is read again (the reader stores in bulk, no save)
    pdf = ContentFile(files.pdf_with_text(["Beschluss Nr. 7/2025"]), name="Beschluss.pdf")
    document = DocumentFactory(document_type="beschluss", file=pdf)
    document.indexing_restart()
    document.save()
    assert get(client, oparl(f"paper/{document.pk}/"))["deleted"] is True

    document_index(document_id=document.pk)

    paper = get(client, oparl(f"paper/{document.pk}/"))
    assert "deleted" not in paper
    assert not OParlTombstone.objects.filter(object_id=document.pk).exists()


def test_only_get_is_allowed(client, municipality):
    assert client.post(oparl("body/papers/")).status_code == 405
    assert client.head(oparl("body/papers/")).status_code == 200


@pytest.mark.parametrize("listing", ["papers", "meetings", "files", "organizations"])
def test_a_list_page_costs_the_same_queries_for_3_objects_as_for_40(client, municipality, listing):
    body = IssuingBody.objects.get(slug="gemeinderat")
    document_type = "sitzungsniederschrift" if listing == "meetings" else "beschluss"

    def queries(count: int) -> int:
        DocumentFactory.create_batch(count, document_type=document_type, issuing_body=body)
        for number in range(count):
            IssuingBody.objects.create(
                name=f"Ausschuss {count}-{number}", slug=f"a-{count}-{number}"
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(
                oparl(f"body/{listing}/"), {"limit": 100, "modified_since": "2000-01-01T00:00:00Z"}
            )
        assert response.status_code == 200
        assert len(response.json()["data"]) >= count
        return len(captured)

    small, large = queries(3), queries(37)

    assert small == large <= 7, f"{small} vs {large} queries"


@pytest.mark.parametrize("kind", ["paper", "meeting", "file", "organization"])
def test_an_unknown_or_impossible_id_is_not_found(client, municipality, kind):
    for pk in ("999999", "9" * 30):
        response = client.get(oparl(f"{kind}/{pk}/"))

        assert response.status_code == 404
        assert response.json() == {"error": gettext("There is no such object.")}
    assert client.get(oparl(f"organization/{'9' * 30}/meetings/")).status_code == 404


def test_the_demo_archive_is_a_valid_oparl_system(client, demo):
    # given the demo archive, read as the indexing worker reads it
    for document in Document.objects.all():
        document_index(document_id=document.pk)
    assert MunicipalitySettings.for_site(Site.objects.get(is_default_site=True)).ags == "15083040"

    # when a client follows every address from the system on
    seen, queue, types = set(), [url("")], set()
    while queue:
        address = queue.pop()
        if address in seen:
            continue
        seen.add(address)
        data = get(client, path_of(address))
        types.add(data.get("type") or "list")
        queue.extend(_oparl_links(data))

    # then every object validated, and the council documents are there
    names = {kind.removeprefix(SCHEMA_BASE) for kind in types}
    assert {"System", "Body", "Organization", "Meeting", "Paper", "File", "list"} <= names
    meetings = get(client, oparl("body/meetings/"))["data"]
    assert len(meetings) == 4
    assert all(meeting["resultsProtocol"]["text"] for meeting in meetings)
    paper_types = {paper["paperType"] for paper in get(client, oparl("body/papers/"))["data"]}
    assert paper_types == {"Beschluss", "Satzung", "Bekanntmachung", "Plan"}


def _oparl_links(data) -> list[str]:
    """Every OParl address in a response, but the files' downloads and the web pages."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in {"accessUrl", "downloadUrl", "web", "website"}:
                continue
            found += _oparl_links(value)
    elif isinstance(data, list):
        for item in data:
            found += _oparl_links(item)
    elif isinstance(data, str) and data.startswith(url("")):
        found.append(data)
    return found


def test_a_bulk_move_in_the_admin_ends_and_restarts_the_publication(editor_client, demo):
    document = DocumentFactory(document_type="beschluss")
    root, private = Collection.get_first_root_node(), private_collection()
    bulk_move = reverse("wagtail_bulk_action", args=("archive", "document", "add_to_collection"))

    def moved_to(collection: Collection) -> dict:
        response = editor_client.post(
            f"{bulk_move}?id={document.pk}", {"collection": collection.pk}
        )
        assert response.status_code == 302
        assert Document.objects.get(pk=document.pk).collection == collection
        return get(editor_client, oparl(f"paper/{document.pk}/"))

    assert moved_to(private)["deleted"] is True
    moved_at = timezone.now().replace(microsecond=0)
    paper = moved_to(root)
    assert "deleted" not in paper
    assert datetime.fromisoformat(paper["modified"]) >= moved_at
