"""Uploads through Wagtail's admin views, with the archive's document form; real files.

The indexing task is queued on commit; the tests run the captured callbacks in this process.
"""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Collection

from archive.indexing import document_index
from archive.models import Document, DocumentText

from . import files

pytestmark = pytest.mark.usefixtures("celery_eager")

SATZUNG = files.pdf_with_text(["Satzung über die Erhebung von Gebühren", "§ 1 Geltungsbereich"])


def form_data(content: bytes, name: str, **fields) -> dict:
    return {
        "title": name,
        "file": SimpleUploadedFile(name, content),
        "collection": Collection.get_first_root_node().pk,
        "date": "2024-05-14",
        "description": "",
        "tags": "",
        **fields,
    }


def stored() -> tuple[int, int]:
    """How many documents and files the archive holds (the demo's documents included); the
    images' renditions that a page makes when it is first shown are not the archive's."""
    folder = django_settings.MEDIA_ROOT / "documents"
    files_stored = [path for path in folder.rglob("*") if path.is_file()]
    return Document.objects.count(), len(files_stored)


def file_errors(response) -> list[str]:
    return response.context["form"].errors["file"]


@pytest.fixture
def upload(editor_client, django_capture_on_commit_callbacks):
    """`upload(content, name)`: the add form posted; queued work runs; returns the response."""

    def post(content: bytes, name: str, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return editor_client.post(
                reverse("wagtaildocs:add"), form_data(content, name, **fields)
            )

    return post


@pytest.fixture
def upload_multiple(editor_client, django_capture_on_commit_callbacks):
    """`upload_multiple(content, name)`: one file of the multiple upload; returns its JSON."""

    def post(content: bytes, name: str) -> dict:
        data = {
            "files[]": SimpleUploadedFile(name, content),
            "collection": Collection.get_first_root_node().pk,
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(reverse("wagtaildocs:add_multiple"), data)
        assert response.status_code == 200
        return response.json()

    return post


def test_pdf_is_stored_and_indexed(upload):
    response = upload(SATZUNG, "Gebührensatzung.pdf", title="Gebührensatzung")

    assert response.status_code == 302
    document = Document.objects.get(title="Gebührensatzung")
    assert document.file.read() == SATZUNG
    assert len(document.checksum) == 128
    assert document.indexing_state == Document.IndexingState.INDEXED
    assert document.indexed_checksum == document.checksum
    assert document.page_count == 2
    assert document.pages.count() == 2
    assert "Geltungsbereich" in document.text


def test_multiple_upload_stores_and_indexes(upload_multiple):
    answer = upload_multiple(SATZUNG, "Gebührensatzung.pdf")

    assert answer["success"] is True
    document = Document.objects.get(pk=answer["doc_id"])
    assert document.title == "Gebührensatzung.pdf"
    assert document.indexing_state == Document.IndexingState.INDEXED
    assert "Geltungsbereich" in document.text


def test_second_upload_of_the_same_file_is_refused(upload, upload_multiple):
    upload(SATZUNG, "Gebührensatzung.pdf", title="Gebührensatzung")
    first = Document.objects.get(title="Gebührensatzung")
    before = stored()
    refusal = (
        f"Diese Datei ist bereits im Archiv: „Gebührensatzung“ (Nr. {first.pk}), hochgeladen am"
    )

    response = upload(SATZUNG, "Satzung-Kopie.pdf", title="Kopie")
    answer = upload_multiple(SATZUNG, "Satzung-Kopie.pdf")

    [error] = file_errors(response)
    assert error.startswith(refusal)
    assert answer["success"] is False
    assert answer["error_message"].startswith(refusal)
    assert "\n" not in answer["error_message"]
    assert stored() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            files.html_named_pdf(),
            "Die Datei ist eine Webseite (HTML), obwohl ihr Name auf .pdf endet.",
        ),
        (files.elf_program(), "Die Datei ist ein Programm, obwohl ihr Name auf .pdf endet."),
    ],
    ids=["html", "program"],
)
def test_disguised_file_is_refused(upload, upload_multiple, content, message):
    before = stored()

    response = upload(content, "Bekanntmachung.pdf")
    answer = upload_multiple(content, "Bekanntmachung.pdf")

    assert file_errors(response) == [message]
    assert (answer["success"], answer["error_message"]) == (False, message)
    assert stored() == before


def test_file_over_the_limit_is_refused(upload, upload_multiple, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1000
    content = files.pdf_with_text(["Flächennutzungsplan " * 200])
    before = stored()

    response = upload(content, "Plan.pdf")
    answer = upload_multiple(content, "Plan.pdf")

    [error] = file_errors(response)
    assert error.startswith("Die Datei ist zu groß (")
    assert error.endswith("Maximale Dateigröße 1000\xa0Bytes.")
    assert (answer["success"], answer["error_message"]) == (False, error)
    assert stored() == before


def test_edit_with_a_new_file_reads_it_again(
    editor_client, upload, django_capture_on_commit_callbacks
):
    upload(SATZUNG, "Gebührensatzung.pdf", title="Gebührensatzung")
    document = Document.objects.get(title="Gebührensatzung")
    new_version = files.pdf_with_text(["Geänderte Satzung über Gebühren"])

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("wagtaildocs:edit", args=[document.pk]),
            form_data(new_version, "Gebührensatzung-2024.pdf", title="Gebührensatzung"),
        )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.file.read() == new_version
    assert document.indexing_state == Document.IndexingState.INDEXED
    assert list(DocumentText.objects.filter(document=document).values_list("text", flat=True)) == [
        "Geänderte Satzung über Gebühren"
    ]
    assert document.indexed_checksum == document.checksum


def test_edit_without_a_new_file_keeps_the_text(
    editor_client, upload, django_capture_on_commit_callbacks
):
    upload(SATZUNG, "Gebührensatzung.pdf", title="Gebührensatzung")
    document = Document.objects.get(title="Gebührensatzung")
    data = form_data(SATZUNG, "x.pdf", title="Gebührensatzung (Fassung 2024)")
    del data["file"]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("wagtaildocs:edit", args=[document.pk]), data)

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Gebührensatzung (Fassung 2024)"
    assert document.indexing_state == Document.IndexingState.INDEXED
    assert document.pages.count() == 2


def test_edit_form_says_why_the_text_could_not_be_read(editor_client, document_factory):
    # given a document whose text could not be read
    document = document_factory(files.pdf_corrupt(), "Beschluss.pdf")
    document_index(document_id=document.pk)

    # when staff open it
    response = editor_client.get(reverse("wagtaildocs:edit", args=[document.pk]))

    # then the form names the state and the reason
    html = response.content.decode()
    document.refresh_from_db()
    assert document.indexing_state == Document.IndexingState.FAILED
    assert f"{document.get_indexing_state_display()}. {document.indexing_error}" in html
