"""`manage.py import_archive`: real files and manifests, text extraction run in-process."""

import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.utils import translation

from archive.importing import archive_import
from archive.models import Document

from . import files

HEADER = "datei;titel;typ;datum;ortschaft;gremium;beschreibung;schlagworte"


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English msgids, whatever translations are compiled.
    with translation.override("en"):
        yield


def manifest_write(folder: Path, lines: list[str], *, encoding: str = "utf-8") -> Path:
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding=encoding)
    return manifest


def pdf_write(path: Path, text: str) -> bytes:
    data = files.pdf_with_text([text])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """`run(manifest, *options)`: the command's output and its error (None if it succeeded).

    What the command queues on commit (text extraction) runs when it ends: the test's
    transaction, in which each row's transaction is a savepoint, never commits.
    """

    def run(manifest: Path, *options: str) -> tuple[str, str | None]:
        stdout, stderr = io.StringIO(), io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            try:
                call_command(
                    "import_archive", str(manifest), *options, stdout=stdout, stderr=stderr
                )
            except CommandError as error:
                return stdout.getvalue(), str(error)
        return stdout.getvalue(), None

    return run


class Added:
    """What the import added to the demo's archive: documents and stored files."""

    def __init__(self, media_root: Path) -> None:
        self.folder = media_root / "documents"
        self.existing_pks = set(Document.objects.values_list("pk", flat=True))
        self.existing_files = self._files()

    def _files(self) -> set[str]:
        return {path.name for path in self.folder.iterdir()} if self.folder.exists() else set()

    def documents(self):
        return Document.objects.exclude(pk__in=self.existing_pks)

    def titles(self) -> list[str]:
        return sorted(self.documents().values_list("title", flat=True))

    def files(self) -> list[str]:
        return sorted(self._files() - self.existing_files)


@pytest.fixture
def added(demo, celery_eager, settings) -> Added:
    """The demo site, text extraction in this process, and what a test adds to its archive."""
    return Added(Path(settings.MEDIA_ROOT))


def test_good_manifest_imports_every_row_and_the_text_is_indexed(added, tmp_path, run):
    # given
    protocol = pdf_write(tmp_path / "2019" / "Protokoll GR 07.pdf", "Straßenausbau in Ebendorf")
    statute = files.docx(["Satzung über die Benutzung der Friedhöfe"])
    statute_path = tmp_path / "elsewhere" / "friedhofssatzung.docx"
    statute_path.parent.mkdir()
    statute_path.write_bytes(statute)
    manifest = manifest_write(
        tmp_path,
        [
            HEADER,
            "2019/Protokoll GR 07.pdf;Niederschrift Gemeinderat Juli;sitzungsniederschrift;"
            "07.03.2019;Ebendorf|meitzendorf;Gemeinderat;Sitzung im Rathaus;Straßen|Bau",
            f"{statute_path};Friedhofssatzung;Satzung;2021-11-30;;;;",
        ],
    )

    # when
    output, error = run(manifest)

    # then
    assert error is None, output
    assert "Imported: 2" in output
    assert "Skipped (already in the archive): 0" in output
    assert "Failed: 0" in output
    protocol_document = added.documents().get(title="Niederschrift Gemeinderat Juli")
    assert protocol_document.document_type.slug == "sitzungsniederschrift"
    assert protocol_document.date == date(2019, 3, 7)
    assert protocol_document.issuing_body.slug == "gemeinderat"
    assert protocol_document.description == "Sitzung im Rathaus"
    assert sorted(protocol_document.ortschaften.values_list("slug", flat=True)) == [
        "ebendorf",
        "meitzendorf",
    ]
    assert sorted(protocol_document.tags.names()) == ["Bau", "Straßen"]
    assert protocol_document.collection.is_root()
    assert protocol_document.file.name == "documents/Protokoll_GR_07.pdf"
    assert protocol_document.file.read() == protocol
    assert protocol_document.file_size == len(protocol)
    assert protocol_document.checksum == hashlib.sha512(protocol).hexdigest()
    assert protocol_document.file_hash == hashlib.sha1(protocol).hexdigest()
    assert protocol_document.indexing_state == Document.IndexingState.INDEXED
    assert protocol_document.text == "Straßenausbau in Ebendorf"
    assert list(protocol_document.pages.values_list("page_number", "text")) == [
        (1, "Straßenausbau in Ebendorf")
    ]
    statute_document = added.documents().get(title="Friedhofssatzung")
    assert statute_document.document_type.slug == "satzung"
    assert statute_document.date == date(2021, 11, 30)
    assert statute_document.issuing_body is None
    assert not statute_document.ortschaften.exists()
    assert statute_document.checksum == hashlib.sha512(statute).hexdigest()
    assert statute_document.text == "Satzung über die Benutzung der Friedhöfe"
    assert added.files() == ["Protokoll_GR_07.pdf", "friedhofssatzung.docx"]


# A comma in the title: a semicolon manifest needs no quotes for it, a comma manifest does.
DIALECT_TITLE = "Änderung des Haushaltsplans 2020, Nachtrag"
SEMICOLON_ROW = f"a.pdf;{DIALECT_TITLE};Beschluss;2020-01-31;barleben;;;"


@pytest.mark.parametrize(
    ("header", "row", "encoding"),
    [
        (HEADER, SEMICOLON_ROW, "utf-8"),
        (HEADER, SEMICOLON_ROW, "utf-8-sig"),
        (HEADER, SEMICOLON_ROW, "cp1252"),
        (
            "path,title,type,date,ortschaft,body",
            f'a.pdf,"{DIALECT_TITLE}",beschluss,31.01.2020,Barleben,',
            "utf-8-sig",
        ),
        (
            "Path,Title,Type,Date,Ortschaft,Body,Tags",
            f'a.pdf,"{DIALECT_TITLE}",BESCHLUSS,2020-01-31,BARLEBEN,,Haushalt',
            "utf-8",
        ),
    ],
    ids=["semicolon", "semicolon-bom", "semicolon-cp1252", "comma-bom", "comma-english"],
)
def test_manifest_dialects(added, tmp_path, header, row, encoding, run):
    pdf_write(tmp_path / "a.pdf", "Haushaltssatzung")
    manifest = manifest_write(tmp_path, [header, row], encoding=encoding)

    output, error = run(manifest)

    assert error is None, output
    document = added.documents().get()
    assert document.title == DIALECT_TITLE
    assert document.document_type.slug == "beschluss"
    assert document.date == date(2020, 1, 31)
    assert list(document.ortschaften.values_list("slug", flat=True)) == ["barleben"]


def test_rerun_imports_nothing_and_reports_every_row_as_skipped(added, tmp_path, run):
    # given
    pdf_write(tmp_path / "eins.pdf", "Eins")
    pdf_write(tmp_path / "zwei.pdf", "Zwei")
    manifest = manifest_write(
        tmp_path,
        [HEADER, "eins.pdf;Eins;plan;2020-01-01;;;;", "zwei.pdf;Zwei;plan;2020-01-02;;;;"],
    )
    run(manifest)
    first = added.documents().get(title="Eins")

    # when
    output, error = run(manifest)

    # then
    assert error is None, output
    assert "Imported: 0" in output
    assert "Skipped (already in the archive): 2" in output
    assert f"line 2: eins.pdf: Already in the archive as “Eins” (no. {first.pk})." in output
    assert "line 3: zwei.pdf: Already in the archive as “Zwei”" in output
    assert added.documents().count() == 2


@pytest.mark.parametrize(
    ("options", "reason"),
    [((), "Already in the archive as “Original”"), (("--dry-run",), "The same file as in line 2.")],
)
def test_same_file_under_two_paths_is_one_document(added, tmp_path, options, reason, run):
    data = pdf_write(tmp_path / "original.pdf", "Einmal")
    (tmp_path / "kopie").mkdir()
    (tmp_path / "kopie" / "doppelt.pdf").write_bytes(data)
    manifest = manifest_write(
        tmp_path,
        [
            HEADER,
            "original.pdf;Original;plan;2020-01-01;;;;",
            "kopie/doppelt.pdf;Kopie;beschluss;2020-01-02;;;;",
        ],
    )

    output, error = run(manifest, *options)

    assert error is None, output
    assert "Skipped (already in the archive): 1" in output
    assert f"line 3: kopie/doppelt.pdf: {reason}" in output
    assert added.documents().count() == (0 if options else 1)


BAD_ROWS = [
    # (row, reason in the report)
    ("fehlt.pdf;Fehlt;plan;2020-01-01;;;;", "The file does not exist."),
    ("ordner;Ordner;plan;2020-01-01;;;;", "This is not a file."),
    ("web.pdf;Web;plan;2020-01-01;;;;", "The file is a web page (HTML)"),
    ("leer.pdf;Leer;plan;2020-01-01;;;;", "The file is empty."),
    ("programm.exe;Programm;plan;2020-01-01;;;;", "“programm.exe” cannot be archived"),
    ("b.pdf;B;Haushaltsplan;2020-01-01;;;;", "Unknown document type “Haushaltsplan”; known are: "),
    ("b.pdf;B;;2020-01-01;;;;", "The column “typ” is empty."),
    ("b.pdf;B;plan;2020-01-01;Barleben|Magdeburg;;;", "Unknown Ortschaft “Magdeburg”"),
    ("b.pdf;B;plan;2020-01-01;;Kreistag;;", "Unknown issuing body “Kreistag”"),
    ("b.pdf;B;plan;31.02.2020;;;;", "“31.02.2020” is not a date"),
    ("b.pdf;B;plan;2020/01/01;;;;", "“2020/01/01” is not a date"),
    ("b.pdf;B;plan;;;;;", "The column “datum” is empty."),
    ("b.pdf;;plan;2020-01-01;;;;", "Title: This field cannot be blank."),
    (f"b.pdf;{'T' * 256};plan;2020-01-01;;;;", "at most 255 characters (it has 256)"),
    ("b.pdf;B;plan;2020-01-01;;;;" + "S" * 101, "Tags may have at most 100 characters"),
    ("b.pdf;B;plan;2020-01-01", "as many values as the header has columns"),
    ("b.pdf;B;plan;2020-01-01;;;;;", "as many values as the header has columns"),
]


def test_bad_rows_are_reported_and_the_others_are_imported(added, tmp_path, run):
    # given: a good row first, in the middle and last; the bad ones between
    for name in ("erste", "mitte", "letzte", "b"):
        pdf_write(tmp_path / f"{name}.pdf", name)
    (tmp_path / "ordner").mkdir()
    (tmp_path / "web.pdf").write_bytes(files.html_named_pdf())
    (tmp_path / "leer.pdf").write_bytes(b"")
    (tmp_path / "programm.exe").write_bytes(files.pdf_with_text(["Programm"]))
    rows = [row for row, _ in BAD_ROWS]
    middle = len(rows) // 2
    rows[middle:middle] = ["mitte.pdf;Mitte;plan;2020-01-02;;;;"]
    manifest = manifest_write(
        tmp_path,
        [
            HEADER,
            "erste.pdf;Erste;plan;2020-01-01;;;;",
            *rows,
            "letzte.pdf;Letzte;plan;2020-01-03;;;;",
        ],
    )

    # when
    output, error = run(manifest)

    # then
    assert error == f"{len(BAD_ROWS)} row(s) failed; nothing was stored for them."
    assert "Imported: 3" in output
    assert f"Failed: {len(BAD_ROWS)}" in output
    reported = {
        line.split(":")[0].strip(): line.strip()
        for line in output.splitlines()
        if line.startswith("  line ")
    }
    lines = [number for number in range(3, len(rows) + 3) if number != middle + 3]
    for number, (row, reason) in zip(lines, BAD_ROWS, strict=True):
        assert reported[f"line {number}"].startswith(f"line {number}: {row.split(';')[0]}: ")
        assert reason in reported[f"line {number}"]
    assert added.titles() == ["Erste", "Letzte", "Mitte"]
    assert added.files() == ["erste.pdf", "letzte.pdf", "mitte.pdf"]


def test_too_large_file_is_refused(added, tmp_path, settings, run):
    small = pdf_write(tmp_path / "klein.pdf", "Klein")
    large = files.pdf_with_text([f"Seite {number} " * 50 for number in range(20)])
    (tmp_path / "gross.pdf").write_bytes(large)
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = len(small)
    manifest = manifest_write(
        tmp_path,
        [HEADER, "gross.pdf;Groß;plan;2020-01-01;;;;", "klein.pdf;Klein;plan;2020-01-01;;;;"],
    )

    output, error = run(manifest)

    assert error is not None
    assert "line 2: gross.pdf: The file has " in output
    assert f"more than the permitted {len(small)}" in output
    assert added.titles() == ["Klein"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"datei;titel;datum;ortschaft;gremium\nb.pdf;B;2020-01-01;;\n",
            "The header lacks the column(s) typ; required are datei, titel, typ, datum, "
            "ortschaft, gremium.",
        ),
        (
            b"datei;titel;typ;datum;ortschaft;gremium;bemerkung\nb.pdf;B;plan;2020-01-01;;;x\n",
            "Unknown column(s) in the header: bemerkung.",
        ),
        (
            b"datei;path;titel;typ;datum;ortschaft;gremium\nb.pdf;b.pdf;B;plan;2020-01-01;;\n",
            "Column(s) named more than once in the header: datei.",
        ),
        (b"", "The manifest is empty; it needs a header row."),
        (HEADER.encode("utf-16"), "The manifest is neither UTF-8 nor Windows-1252 text."),
        (HEADER.encode() + b"\nb.pdf;\x81;plan;2020-01-01;;;;\n", "neither UTF-8 nor"),
    ],
    ids=["missing-column", "unknown-column", "doubled-column", "empty", "utf-16", "undecodable"],
)
def test_unusable_manifest_is_refused_as_a_whole(added, tmp_path, content, message, run):
    pdf_write(tmp_path / "b.pdf", "B")
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(content)

    output, error = run(manifest)

    assert message in error
    assert output == ""
    assert not added.documents().exists()


def test_missing_manifest_is_refused(db, tmp_path, run):
    _, error = run(tmp_path / "fehlt.csv")

    assert "fehlt.csv cannot be read: No such file or directory" in error


def test_line_numbers_count_the_lines_of_the_file(added, tmp_path):
    # A quoted cell over two lines, and an empty row as spreadsheets write it.
    manifest = manifest_write(
        tmp_path,
        [
            HEADER,
            'a.pdf;"Zwei-\nzeilig";plan;2020-01-01;;;;',
            ";;;;;;;",
            "fehlt.pdf;Fehlt;plan;2020-01-01;;;;",
        ],
    )
    pdf_write(tmp_path / "a.pdf", "A")

    report = archive_import(manifest_path=manifest, is_dry_run=True)

    assert report.imported == [2]
    assert [(result.line, result.code) for result in report.failed] == [(5, "missing_file")]


def test_dry_run_checks_every_row_and_stores_nothing(added, tmp_path, run):
    pdf_write(tmp_path / "gut.pdf", "Gut")
    manifest = manifest_write(
        tmp_path,
        [HEADER, "gut.pdf;Gut;plan;2020-01-01;;;;", "gut.pdf;Gut;plan;kein Datum;;;;"],
    )

    output, error = run(manifest, "--dry-run")

    assert error == "1 row(s) failed; nothing was stored for them."
    assert "Dry run: nothing was stored." in output
    assert "Would be imported: 1" in output
    assert "line 3: gut.pdf: “kein Datum” is not a date" in output
    assert not added.documents().exists()
    assert added.files() == []


@pytest.mark.parametrize("failing", ["storage", "database"])
def test_interrupted_import_keeps_earlier_rows_and_a_rerun_completes(
    added, tmp_path, monkeypatch, failing, run
):
    # given: the second row's file cannot be stored, or its document cannot be saved
    for name in ("eins", "zwei", "drei"):
        pdf_write(tmp_path / f"{name}.pdf", name)
    manifest = manifest_write(
        tmp_path,
        [HEADER, *(f"{name}.pdf;{name};plan;2020-01-01;;;;" for name in ("eins", "zwei", "drei"))],
    )
    if failing == "storage":
        save = FileSystemStorage._save

        def failing_save(storage, name, content):
            if "zwei" in name:
                raise OSError(28, "No space left on device")
            return save(storage, name, content)

        monkeypatch.setattr(FileSystemStorage, "_save", failing_save)
    else:
        set_file_hash = Document._set_file_hash

        def failing_set_file_hash(document):
            if document.title == "zwei":
                raise ConnectionError("database gone")
            set_file_hash(document)

        monkeypatch.setattr(Document, "_set_file_hash", failing_set_file_hash)

    # when
    with pytest.raises((OSError, ConnectionError)):
        run(manifest)

    # then: the first row is in, nothing of the second, and no file without its document
    assert added.titles() == ["eins"]
    assert added.files() == ["eins.pdf"]

    # when: the cause is gone and the import runs again
    monkeypatch.undo()
    output, error = run(manifest)

    # then
    assert error is None, output
    assert "Imported: 2" in output
    assert "Skipped (already in the archive): 1" in output
    assert added.titles() == ["drei", "eins", "zwei"]
    assert added.documents().filter(indexing_state=Document.IndexingState.INDEXED).count() == 3
