"""Text extraction from real files made on the fly; tesseract must be installed (CI has it)."""

import pathlib
from collections.abc import Callable

import pytest

from archive.extraction import Extraction, ExtractionError, file_type_detect, text_extract

from . import files

SCANNED_TEXT = "Bebauungsplan Mühlenberg\nOrtschaftsrat"


@pytest.fixture
def extract(tmp_path: pathlib.Path) -> Callable[..., Extraction]:
    def extract(data: bytes, file_name: str, **options) -> Extraction:
        # The upload lands under a neutral name; only `file_name` tells the extension.
        path = tmp_path / "upload"
        path.write_bytes(data)
        return text_extract(path=path, file_name=file_name, **options)

    return extract


def page_texts(extraction: Extraction) -> list[tuple[int, str, bool]]:
    return [(page.number, page.text, page.is_ocr) for page in extraction.pages]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Erste Seite"], [(1, "Erste Seite", False)]),
        (
            ["Bekanntmachung", "Straße über Äcker, Öl, Übung"],
            [(1, "Bekanntmachung", False), (2, "Straße über Äcker, Öl, Übung", False)],
        ),
        # The empty page is also tried by OCR, finds nothing and is left out, but counted.
        (["Eins", "", "Drei"], [(1, "Eins", False), (3, "Drei", False)]),
    ],
)
def test_pdf_text_layer_gives_numbered_pages(extract, texts, expected):
    extraction = extract(files.pdf_with_text(texts), "Satzung.PDF")

    assert extraction.file_type == "pdf"
    assert extraction.page_count == len(texts)
    assert page_texts(extraction) == expected
    assert extraction.text == "\n\n".join(text for _, text, _ in expected)


def test_pdf_text_layer_loses_control_characters(extract):
    extraction = extract(files.pdf_with_text(["Gemeinde\x01rat\x07 Bar\x1bleben"]), "a.pdf")

    assert extraction.text == "Gemeinderat Barleben"


def test_scanned_pdf_page_is_read_by_ocr(extract):
    extraction = extract(files.pdf_scanned(SCANNED_TEXT), "Scan.pdf")

    assert extraction.page_count == 1
    [page] = extraction.pages
    assert page.number == 1
    assert page.is_ocr
    for word in SCANNED_TEXT.split():
        assert word.lower() in page.text.lower()


def test_mixed_pdf_reads_text_layer_and_scan(extract):
    extraction = extract(files.pdf_mixed("Seite mit Text", SCANNED_TEXT), "gemischt.pdf")

    assert extraction.page_count == 2
    first, second = extraction.pages
    assert (first.number, first.text, first.is_ocr) == (1, "Seite mit Text", False)
    assert (second.number, second.is_ocr) == (2, True)
    assert "mühlenberg" in second.text.lower()


@pytest.mark.parametrize(
    ("page_break_after", "expected"),
    [
        (None, [(1, "Einladung\nTagesordnung\nAnlagen", False)]),
        (1, [(1, "Einladung\nTagesordnung", False), (2, "Anlagen", False)]),
    ],
)
def test_docx_pages_split_at_explicit_page_breaks(extract, page_break_after, expected):
    data = files.docx(["Einladung", "Tagesordnung", "Anlagen"], page_break_after=page_break_after)

    extraction = extract(data, "Einladung.docx")

    assert extraction.file_type == "docx"
    assert extraction.page_count == len(expected)
    assert page_texts(extraction) == expected


def test_docx_table_cells_come_in_document_order(extract):
    data = files.docx_with_table([["Ortsteil", "Einwohner"], ["Ebendorf", "3000"]])

    extraction = extract(data, "Tabelle.docx")

    assert (
        extraction.text == "Vor der Tabelle\nOrtsteil\nEinwohner\nEbendorf\n3000\nNach der Tabelle"
    )


def test_odt_paragraphs(extract):
    extraction = extract(files.odt(["Niederschrift", "Beschluss Nr. 7 & 8"]), "Protokoll.odt")

    assert extraction.file_type == "odt"
    assert extraction.page_count == 1
    assert page_texts(extraction) == [(1, "Niederschrift\nBeschluss Nr. 7 & 8", False)]


def test_odt_markup_spaces_breaks_and_pages(extract):
    content = files.ODT_CONTENT.format(
        paragraphs="""
        <text:h>Satzung</text:h>
        <text:p>§ 1<text:tab/>Name,<text:s text:c="4000000000"/>Sitz
          <text:span>und</text:span><text:line-break/>Wappen</text:p>
        <text:tracked-changes><text:changed-region><text:deletion>
          <text:p>Gestrichen</text:p>
        </text:deletion></text:changed-region></text:tracked-changes>
        <text:soft-page-break/>
        <text:p>§ 2 Inkrafttreten</text:p>
        """
    )

    extraction = extract(files.odt([], content=content), "Satzung.odt")

    assert extraction.page_count == 2
    assert page_texts(extraction) == [
        (1, "Satzung\n§ 1\tName, Sitz und\nWappen", False),
        (2, "§ 2 Inkrafttreten", False),
    ]


def test_odt_does_not_resolve_entities(extract):
    content = files.ODT_CONTENT.format(paragraphs="<text:p>Vorher &geheim; nachher</text:p>")
    content = content.replace(
        "<office:document-content",
        '<!DOCTYPE office:document-content [<!ENTITY geheim SYSTEM "file:///etc/passwd">]>'
        "<office:document-content",
        1,
    )

    extraction = extract(files.odt([], content=content), "a.odt")

    assert "root" not in extraction.text
    assert extraction.text.startswith("Vorher")


@pytest.mark.parametrize(
    ("data", "file_name"),
    [
        ("Grüße aus Barleben\r\n\r\n\r\n\r\nZweiter Absatz\r\n".encode(), "Brief.txt"),
        ("Grüße aus Barleben\n\n\nZweiter Absatz".encode("cp1252"), "Brief.txt"),
        ("\ufeffGrüße aus Barleben\x0c\n \n\t\nZweiter Absatz".encode(), "brief.TXT"),
        ("Grüße aus Barleben\n\nZweiter Absatz".encode("cp1252"), "Liste.csv"),
    ],
)
def test_text_files_are_one_normalised_page(extract, data, file_name):
    extraction = extract(data, file_name)

    assert extraction.file_type == file_name.rsplit(".", 1)[1].lower()
    assert extraction.page_count is None
    assert page_texts(extraction) == [(1, "Grüße aus Barleben\n\nZweiter Absatz", False)]


@pytest.mark.parametrize(
    ("data", "file_name"),
    [(files.xlsx(), "Haushalt.xlsx"), (files.odt([], mimetype=files.ODS_MIMETYPE), "Haushalt.ods")],
)
def test_spreadsheets_are_accepted_but_not_read(extract, data, file_name):
    extraction = extract(data, file_name)

    assert extraction.file_type == file_name.rsplit(".", 1)[1]
    assert (extraction.pages, extraction.page_count) == ([], None)


BAD_INPUTS = {
    "empty": (b"", "leer.pdf", {}, "empty"),
    "too large": (b"x" * 2_000_001, "gross.txt", {"max_size": 2_000_000}, "too_large"),
    "unknown extension": (b"MZ\x90\x00", "setup.exe", {}, "unsupported"),
    "no extension": (b"Hallo", "LIESMICH", {}, "unsupported"),
    "HTML named .pdf": (files.html_named_pdf(), "Satzung.pdf", {}, "type_mismatch"),
    "HTML named .txt": (b"\n  <SCRIPT>alert(1)</SCRIPT>", "notiz.txt", {}, "type_mismatch"),
    "ELF named .pdf": (files.elf_program(), "Satzung.pdf", {}, "type_mismatch"),
    "script named .txt": (b"#!/bin/sh\nrm -rf /\n", "notiz.txt", {}, "type_mismatch"),
    "PDF named .docx": (files.pdf_with_text(["x"]), "brief.docx", {}, "type_mismatch"),
    "binary named .txt": (b"\x89PNG\r\n\x1a\n\x00\x00", "bild.txt", {}, "type_mismatch"),
    "NUL in .csv": (b"Ort;Name\n\x00\x00;x\n", "liste.csv", {}, "type_mismatch"),
    "corrupt PDF": (files.pdf_corrupt(), "kaputt.pdf", {}, "corrupt"),
    "encrypted PDF": (files.pdf_encrypted("Geheim"), "geheim.pdf", {}, "encrypted"),
    "ZIP named .docx": (files.zip_other(["a.txt"]), "brief.docx", {}, "type_mismatch"),
    "ODT named .docx": (files.odt(["x"]), "brief.docx", {}, "type_mismatch"),
    "DOCX named .odt": (files.docx(["x"]), "brief.odt", {}, "type_mismatch"),
    "ODS named .odt": (files.odt([], mimetype=files.ODS_MIMETYPE), "a.odt", {}, "type_mismatch"),
    "XLSX named .docx": (files.xlsx(), "brief.docx", {}, "type_mismatch"),
    "truncated DOCX": (files.docx(["x"])[:3000], "brief.docx", {}, "corrupt"),
    "broken ODT XML": (files.odt([], content="<office:document-content"), "a.odt", {}, "corrupt"),
    "OCR timeout": (files.pdf_scanned(SCANNED_TEXT), "scan.pdf", {"ocr_timeout": 0.001}, "timeout"),
    "OCR language missing": (
        files.pdf_scanned(SCANNED_TEXT),
        "scan.pdf",
        {"ocr_language": "xyz"},
        "ocr_failed",
    ),
}


@pytest.mark.parametrize(
    ("data", "file_name", "options", "code"), BAD_INPUTS.values(), ids=BAD_INPUTS
)
def test_bad_input_raises_extraction_error(extract, data, file_name, options, code):
    with pytest.raises(ExtractionError) as raised:
        extract(data, file_name, **options)

    assert raised.value.code == code
    assert str(raised.value.message).strip()


@pytest.mark.parametrize(
    ("data", "file_name"),
    [
        (files.zip_bomb(member="word/document.xml", size=60 * 2**20), "bombe.docx"),
        (
            files.zip_bomb(member="content.xml", size=60 * 2**20, mimetype=files.ODT_MIMETYPE),
            "bombe.odt",
        ),
    ],
)
def test_zip_bomb_is_refused_before_unpacking(extract, caplog, data, file_name):
    with pytest.raises(ExtractionError) as raised:
        extract(data, file_name)

    assert raised.value.code == "corrupt"
    assert "unpacks to more than" in caplog.text


def test_message_names_the_extension(extract):
    with pytest.raises(ExtractionError) as raised:
        extract(files.zip_other(["a.txt"]), "Brief.DOCX")

    assert ".docx" in str(raised.value.message)


def test_missing_tesseract_is_ocr_failed(extract, monkeypatch):
    monkeypatch.setenv("PATH", "")

    with pytest.raises(ExtractionError) as raised:
        extract(files.pdf_scanned(SCANNED_TEXT), "scan.pdf")

    assert raised.value.code == "ocr_failed"
    assert "tesseract" in str(raised.value.message)


@pytest.mark.parametrize(
    ("head", "file_name", "expected"),
    [
        (b"\n\n%PDF-1.4\n", "a.pdf", "pdf"),
        (files.odt(["x"])[:1024], "a.odt", "odt"),
        (files.docx(["x"])[:1024], "a.docx", "docx"),
        # the head may end in the middle of a UTF-8 sequence
        ("Grüße".encode()[:-3], "a.txt", "txt"),
        ("Mühle;Ort".encode("cp1252"), "a.csv", "csv"),
    ],
)
def test_file_type_detect_by_content(head, file_name, expected):
    assert file_type_detect(head=head, file_name=file_name) == expected
