"""Reading documents into the archive (`archive.indexing`), on real files, with tesseract.

Tasks run in this process (`celery_eager`); the indexing task is queued on commit, so tests
that go through the queue run the captured callbacks.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive.indexing import document_index, documents_index_sweep
from archive.models import Document, DocumentText
from archive.tasks import document_index_task

from . import files

pytestmark = pytest.mark.usefixtures("celery_eager")

Waiting = Document.IndexingState.WAITING
Indexed = Document.IndexingState.INDEXED
Failed = Document.IndexingState.FAILED


def pages_of(document: Document) -> list[tuple[int, str, bool]]:
    return list(
        DocumentText.objects.filter(document=document)
        .order_by("page_number")
        .values_list("page_number", "text", "is_ocr")
    )


def indexed(document: Document) -> Document:
    document_index(document_id=document.pk)
    document.refresh_from_db()
    return document


def file_replace(document: Document, content: bytes, name: str) -> None:
    """What the admin's edit form does with a new file: the document waits to be read again."""
    document.file = ContentFile(content, name=name)
    document._set_document_file_metadata()
    document.indexing_restart()
    document.save()


def test_text_pdf_is_stored_page_by_page(document_factory):
    document = document_factory(
        files.pdf_with_text(["Niederschrift der Sitzung", "", "Beschluss Nr. 12/2024"]),
        "Niederschrift.pdf",
    )
    assert document.indexing_state == Waiting

    document = indexed(document)

    # the empty second page is counted, but has no text to store
    assert pages_of(document) == [
        (1, "Niederschrift der Sitzung", False),
        (3, "Beschluss Nr. 12/2024", False),
    ]
    assert document.page_count == 3
    assert document.text == "Niederschrift der Sitzung\n\nBeschluss Nr. 12/2024"
    assert document.indexing_state == Indexed
    assert document.indexing_error == ""
    assert document.indexed_checksum == document.checksum != ""
    assert document.indexed_at is not None
    assert document.indexing_attempts == 0


def test_scanned_page_is_read_by_ocr(document_factory):
    document = indexed(document_factory(files.pdf_scanned("Bebauungsplan Mühlenberg"), "Scan.pdf"))

    assert document.indexing_state == Indexed
    [(number, text, is_ocr)] = pages_of(document)
    assert (number, is_ocr) == (1, True)
    assert "Bebauungsplan" in text
    assert "Mühlenberg" in text
    assert document.page_count == 1


@pytest.mark.parametrize(
    ("content", "name", "expected_pages"),
    [
        (
            files.docx(["Satzung über Gebühren", "§ 1 Geltung", "§ 2 Höhe"], page_break_after=1),
            "Satzung.docx",
            [(1, "Satzung über Gebühren\n§ 1 Geltung", False), (2, "§ 2 Höhe", False)],
        ),
        (
            files.odt(["Einladung zur Ortschaftsratssitzung", "Tagesordnung"]),
            "Einladung.odt",
            [(1, "Einladung zur Ortschaftsratssitzung\nTagesordnung", False)],
        ),
    ],
)
def test_office_documents_are_stored(document_factory, content, name, expected_pages):
    document = indexed(document_factory(content, name))

    assert document.indexing_state == Indexed
    assert pages_of(document) == expected_pages
    assert document.page_count == len(expected_pages)


def test_rerun_does_not_rewrite_the_pages(document_factory):
    document = indexed(document_factory(files.pdf_with_text(["Amtsblatt 3/2024"]), "a.pdf"))
    indexed_at = document.indexed_at
    stored = list(DocumentText.objects.filter(document=document).values_list("pk", flat=True))
    # a changed row shows whether the rerun stored the pages again
    DocumentText.objects.filter(document=document).update(text="unverändert")

    document = indexed(document)

    assert document.indexing_state == Indexed
    assert document.indexed_at == indexed_at
    assert pages_of(document) == [(1, "unverändert", False)]
    assert list(DocumentText.objects.filter(document=document).values_list("pk", flat=True)) == (
        stored
    )


# --- A reader takes other waiting documents along (`documents_claim`) -------------------


def waiting_pdfs(document_factory, count: int, **fields) -> list[Document]:
    return [
        document_factory(
            files.pdf_with_text([f"Amtsblatt {number}/2024"]), f"{number}.pdf", **fields
        )
        for number in range(1, count + 1)
    ]


def test_reader_takes_other_waiting_documents_along(document_factory, settings):
    settings.ARCHIVE_LARGE_FILE_SIZE = 10_000
    # given waiting documents, a large one, one another reader has, and one read before
    first, second, third = waiting_pdfs(document_factory, 3)
    large = document_factory(files.pdf_scanned("Bebauungsplan"), "Plan.pdf")
    assert large.file_size > settings.ARCHIVE_LARGE_FILE_SIZE
    taken = document_factory(files.pdf_with_text(["Genommen"]), "genommen.pdf")
    Document.objects.filter(pk=taken.pk).update(
        indexing_claimed_until=timezone.now() + timedelta(minutes=3), indexing_attempts=1
    )
    done = indexed(document_factory(files.pdf_with_text(["Gelesen"]), "gelesen.pdf"))

    # when the reader of the first is queued for it, taking up to ten
    document_index(document_id=first.pk, batch_size=10)

    # then the small waiting ones are read with it, each with its own text
    for document, number in [(first, 1), (second, 2), (third, 3)]:
        document.refresh_from_db()
        assert document.indexing_state == Indexed
        assert document.text == f"Amtsblatt {number}/2024"
        assert (document.indexing_attempts, document.indexing_claimed_until) == (0, None)
        assert pages_of(document) == [(1, f"Amtsblatt {number}/2024", False)]
    # the large one waits for its own queue, the taken one for its reader
    for document in (large, taken):
        document.refresh_from_db()
        assert document.indexing_state == Waiting
    assert taken.indexing_attempts == 1
    assert Document.objects.get(pk=done.pk).indexed_at == done.indexed_at


def test_document_whose_reading_never_finished_is_read_alone(document_factory):
    # given a document whose reader died (a file that crashes it, say), and fresh ones
    crashed = document_factory(files.pdf_with_text(["Absturz"]), "absturz.pdf")
    Document.objects.filter(pk=crashed.pk).update(indexing_attempts=1)
    first, second = waiting_pdfs(document_factory, 2)

    # then no other reader takes it along
    document_index(document_id=first.pk, batch_size=10)
    crashed.refresh_from_db()
    second.refresh_from_db()
    assert (crashed.indexing_state, second.indexing_state) == (Waiting, Indexed)

    # and its own reader takes no other along
    third = document_factory(files.pdf_with_text(["Dritte"]), "dritte.pdf")
    document_index(document_id=crashed.pk, batch_size=10)
    crashed.refresh_from_db()
    third.refresh_from_db()
    assert (crashed.indexing_state, third.indexing_state) == (Indexed, Waiting)


def test_document_another_reader_has_is_left_alone_until_its_time_limit(document_factory):
    document = document_factory(files.pdf_with_text(["Satzung"]), "Satzung.pdf")
    Document.objects.filter(pk=document.pk).update(
        indexing_claimed_until=timezone.now() + timedelta(seconds=30)
    )

    # while the other reader may still be at it, a second task does nothing
    document_index(document_id=document.pk)
    document.refresh_from_db()
    assert (document.indexing_state, document.indexing_attempts) == (Waiting, 0)

    # once its time limit has passed, the reader is gone and the document is read
    Document.objects.filter(pk=document.pk).update(
        indexing_claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert indexed(document).indexing_state == Indexed


def test_bad_file_in_a_batch_fails_alone(document_factory):
    first, second = waiting_pdfs(document_factory, 2)
    empty = document_factory(b"", "leer.pdf")

    document_index(document_id=empty.pk, batch_size=10)

    empty.refresh_from_db()
    assert (empty.indexing_state, empty.indexing_error) == (Failed, "Die Datei ist leer.")
    for document in (first, second):
        document.refresh_from_db()
        assert document.indexing_state == Indexed


def test_batch_stops_taking_documents_after_its_time(
    document_factory, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("archive.indexing.BATCH_SECONDS", 0)
    first, second, third = waiting_pdfs(document_factory, 3)

    with django_capture_on_commit_callbacks() as callbacks:
        document_index(document_id=first.pk, batch_size=10)

    # the first is read; the others are given back, as untouched as before, to their tasks
    first.refresh_from_db()
    assert first.indexing_state == Indexed
    for document in (second, third):
        document.refresh_from_db()
        assert document.indexing_state == Waiting
        assert (document.indexing_attempts, document.indexing_claimed_until) == (0, None)
    for callback in callbacks:
        callback()
    for document in (second, third):
        document.refresh_from_db()
        assert document.indexing_state == Indexed


def test_batch_whose_storing_fails_gives_the_others_back(
    document_factory, monkeypatch, django_capture_on_commit_callbacks
):
    first, second, third = waiting_pdfs(document_factory, 3)

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("archive.indexing.tombstones_follow", database_gone)

    # when storing the batch fails, the task retries (a system error) with its own document
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(OperationalError):
        document_index(document_id=first.pk, batch_size=10)

    # and the others are free and queued again at once, as untouched as before
    for document in (first, second, third):
        document.refresh_from_db()
        assert document.indexing_state == Waiting
    assert first.indexing_attempts == 1
    for document in (second, third):
        assert (document.indexing_attempts, document.indexing_claimed_until) == (0, None)
    assert len(callbacks) == 2


# Wagtail's SQLite backend (the embedded default) writes each index entry on its own.
@pytest.mark.service("postgres")
def test_a_batch_costs_the_same_queries_for_few_and_many_documents(document_factory):
    def queries_to_read(count: int) -> int:
        documents = waiting_pdfs(document_factory, count)
        with CaptureQueriesContext(connection) as queries:
            document_index(document_id=documents[0].pk, batch_size=count)
        assert set(
            Document.objects.filter(pk__in=[d.pk for d in documents]).values_list(
                "indexing_state", flat=True
            )
        ) == {Indexed}
        return len(queries)

    few, many = queries_to_read(2), queries_to_read(12)

    assert few == many, f"{few} statements for 2 documents, {many} for 12"


def test_retried_task_reads_its_document_alone(document_factory, settings):
    settings.ARCHIVE_INDEXING_BATCH_SIZE = 10
    first, second = waiting_pdfs(document_factory, 2)

    # a retry (a database or storage error before) risks no other document
    document_index_task.apply(args=[first.pk], retries=1)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.indexing_state, second.indexing_state) == (Indexed, Waiting)

    document_index_task.apply(args=[second.pk])
    second.refresh_from_db()
    assert second.indexing_state == Indexed


def test_new_file_replaces_the_text(document_factory):
    document = indexed(
        document_factory(files.pdf_with_text(["Alte Fassung", "Anlage"]), "Satzung.pdf")
    )

    file_replace(document, files.pdf_with_text(["Neue Fassung"]), "Satzung-neu.pdf")
    document.refresh_from_db()
    assert document.indexing_state == Waiting

    document = indexed(document)
    assert document.indexing_state == Indexed
    assert pages_of(document) == [(1, "Neue Fassung", False)]
    assert document.text == "Neue Fassung"
    assert document.page_count == 1
    assert document.indexed_checksum == document.checksum


def test_bad_new_file_leaves_no_old_text(document_factory):
    document = indexed(document_factory(files.pdf_with_text(["Alte Fassung"]), "Satzung.pdf"))

    file_replace(document, files.pdf_corrupt(), "Satzung-neu.pdf")
    document = indexed(document)

    assert document.indexing_state == Failed
    assert pages_of(document) == []
    assert (document.text, document.page_count, document.indexed_checksum) == ("", None, "")


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (
            files.pdf_corrupt(),
            "kaputt.pdf",
            "Die Datei ist beschädigt und lässt sich nicht als PDF lesen.",
        ),
        (
            files.pdf_encrypted("Geheim"),
            "geschuetzt.pdf",
            "Die PDF-Datei ist mit einem Kennwort geschützt; bitte laden Sie eine Fassung ohne "
            "Kennwortschutz hoch.",
        ),
        (b"", "leer.pdf", "Die Datei ist leer."),
        (
            files.html_named_pdf(),
            "seite.pdf",
            "Die Datei ist eine Webseite (HTML), obwohl ihr Name auf .pdf endet.",
        ),
        (
            files.elf_program(),
            "programm.pdf",
            "Die Datei ist ein Programm, obwohl ihr Name auf .pdf endet.",
        ),
    ],
    ids=["corrupt", "encrypted", "empty", "html", "program"],
)
def test_bad_file_fails_with_the_reason(document_factory, content, name, reason):
    document = indexed(document_factory(content, name))

    assert document.indexing_state == Failed
    assert document.indexing_error == reason
    assert pages_of(document) == []
    assert (document.text, document.page_count, document.indexed_checksum) == ("", None, "")
    assert document.indexed_at is None
    assert document.indexing_attempts == 0


def test_file_over_the_limit_fails_with_the_reason(document_factory, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1000
    content = files.pdf_with_text(["Flächennutzungsplan " * 200])
    assert len(content) > 1000

    document = indexed(document_factory(content, "Plan.pdf"))

    assert document.indexing_state == Failed
    assert document.indexing_error == "Die Datei ist größer als die erlaubten 1000\xa0Bytes."
    assert pages_of(document) == []


def test_task_for_a_deleted_document_returns_quietly(document_factory):
    document = document_factory(files.pdf_with_text(["Weg"]), "weg.pdf")
    document_id = document.pk
    document.delete()

    document_index_task.delay(document_id)

    assert not Document.objects.filter(pk=document_id).exists()
    assert not DocumentText.objects.filter(document_id=document_id).exists()


def test_reading_is_given_up_after_the_attempts(document_factory, settings):
    settings.ARCHIVE_INDEXING_MAX_ATTEMPTS = 3
    content = files.pdf_with_text(["Haushaltsplan"])
    # given readers that died twice, and one that died three times
    last_chance = document_factory(content, "a.pdf", indexing_attempts=2)
    given_up = document_factory(files.pdf_with_text(["Haushaltsplan 2"]), "b.pdf")
    Document.objects.filter(pk=given_up.pk).update(indexing_attempts=3)

    # then the third start still reads, the fourth gives up with the reason
    last_chance = indexed(last_chance)
    assert (last_chance.indexing_state, last_chance.indexing_attempts) == (Indexed, 0)
    given_up = indexed(given_up)
    assert given_up.indexing_state == Failed
    assert given_up.indexing_error == ("Das Lesen der Datei wurde 3-mal begonnen und nie beendet.")
    assert given_up.indexing_attempts == 0
    assert pages_of(given_up) == []


def test_sweep_queues_what_waited_too_long(
    document_factory, settings, django_capture_on_commit_callbacks
):
    settings.ARCHIVE_INDEXING_SWEEP_AFTER = 900
    # each task reads its own document only, so that what was queued shows
    settings.ARCHIVE_INDEXING_BATCH_SIZE = 1
    long_ago = timezone.now() - timedelta(seconds=901)
    content = files.pdf_with_text(["Bekanntmachung"])
    stale = document_factory(content, "alt.pdf", indexing_requested_at=long_ago)
    recent = document_factory(files.pdf_with_text(["Neu"]), "neu.pdf")
    failed = document_factory(b"", "leer.pdf")
    document_index(document_id=failed.pk)
    Document.objects.filter(pk=failed.pk).update(indexing_requested_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        count = documents_index_sweep()

    assert count == 1
    stale.refresh_from_db()
    assert stale.indexing_state == Indexed
    assert stale.indexing_requested_at > long_ago
    recent.refresh_from_db()
    assert recent.indexing_state == Waiting
    failed.refresh_from_db()
    assert failed.indexing_state == Failed


def test_saved_document_is_queued_and_read(document_factory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_factory(files.pdf_with_text(["Amtsblatt"]), "Amtsblatt.pdf")

    document.refresh_from_db()
    assert document.indexing_state == Indexed
    assert document.text == "Amtsblatt"


@pytest.mark.service("postgres")
def test_search_finds_a_word_only_in_the_text(document_factory, django_capture_on_commit_callbacks):
    document = document_factory(
        files.pdf_with_text(["Der Bebauungsplan Mühlenberg wird geändert."]),
        "Vorlage-17.pdf",
        title="Vorlage 17",
    )
    other = document_factory(files.pdf_with_text(["Haushaltssatzung"]), "Vorlage-18.pdf")
    assert list(Document.objects.search("Bebauungsplan")) == []

    with django_capture_on_commit_callbacks(execute=True):
        document_index(document_id=document.pk)
        document_index(document_id=other.pk)

    assert list(Document.objects.search("Bebauungsplan")) == [document]


# --- The admin's overview and retry (/admin/archiv/indexierung/) -----------------------


def test_overview_lists_failed_documents_with_their_reason(editor_client, document_factory):
    failed = indexed(document_factory(b"", "leer.pdf", title="Leeres Protokoll"))
    indexed(document_factory(files.pdf_with_text(["Gelesen"]), "gut.pdf", title="Gutes Protokoll"))

    response = editor_client.get(reverse("archive_indexing"))

    assert response.status_code == 200
    assert list(response.context["documents"]) == [failed]
    content = response.content.decode()
    assert "Leeres Protokoll" in content
    assert "Die Datei ist leer." in content
    assert "Gutes Protokoll" not in content


@pytest.fixture
def failed_by_the_limit(document_factory, settings):
    """Two documents that failed because the size limit was too low; it is raised then."""
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 100
    documents = [
        indexed(document_factory(files.pdf_with_text([text]), f"{text}.pdf"))
        for text in ("Erstens", "Zweitens")
    ]
    assert {document.indexing_state for document in documents} == {Failed}
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
    return documents


@pytest.mark.parametrize("is_all", [False, True], ids=["one", "all"])
def test_retry_reads_failed_documents_again(
    editor_client, failed_by_the_limit, django_capture_on_commit_callbacks, is_all
):
    first, second = failed_by_the_limit
    data = {"all": "1"} if is_all else {"document": first.pk}

    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post(reverse("archive_indexing_retry"), data)

    assert response.status_code == 302
    retried = [first, second] if is_all else [first]
    for document in retried:
        document.refresh_from_db()
        assert (document.indexing_state, document.indexing_error) == (Waiting, "")
    # the queued tasks run (in this process)
    for callback in callbacks:
        callback()
    for document in retried:
        document.refresh_from_db()
        assert document.indexing_state == Indexed
    second.refresh_from_db()
    assert second.indexing_state == (Indexed if is_all else Failed)


def test_retry_is_refused_as_get(editor_client, failed_by_the_limit):
    response = editor_client.get(
        reverse("archive_indexing_retry"), {"document": failed_by_the_limit[0].pk}
    )

    assert response.status_code == 405
    failed_by_the_limit[0].refresh_from_db()
    assert failed_by_the_limit[0].indexing_state == Failed


@pytest.mark.parametrize("is_all", [False, True], ids=["one", "all"])
def test_council_member_may_not_retry(client, staff_member, failed_by_the_limit, is_all):
    client.force_login(staff_member("Gemeinderat"))
    document = failed_by_the_limit[0]
    data = {"all": "1"} if is_all else {"document": document.pk}
    # Wagtail's admin answers a refusal with the way back to the dashboard and a message.
    refused = reverse("wagtailadmin_home")

    assert client.get(reverse("archive_indexing")).url == refused
    response = client.post(reverse("archive_indexing_retry"), data)

    assert (response.status_code, response.url) == (302, refused)
    document.refresh_from_db()
    assert document.indexing_state == Failed
