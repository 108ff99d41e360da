"""Real documents made on the fly for the extraction tests, so no binary fixture is committed."""

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import docx as python_docx
from docx.enum.text import WD_BREAK
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

# Debian's fonts-dejavu-core; fpdf2 ships no TrueType font and Pillow's default bitmap font
# is too small for tesseract to read reliably.
SCAN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
    xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">
  <office:body><office:text>{paragraphs}</office:text></office:body>
</office:document-content>
"""
ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    manifest:version="1.3">
  <manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>
  <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
XLSX_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Override PartName="/xl/workbook.xml"
    ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
</Types>
"""
ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def _pdf(pages: list[str]) -> FPDF:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return pdf


def pdf_with_text(pages: list[str]) -> bytes:
    return bytes(_pdf(pages).output())


def _scan(text: str) -> Image.Image:
    """An A4 page at 300 dpi with `text` in large black letters, as a scanner would deliver."""
    image = Image.new("L", (2480, 3508), color=255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(SCAN_FONT), size=48)
    draw.multiline_text((200, 300), text, fill=0, font=font, spacing=24)
    return image


def pdf_scanned(text: str) -> bytes:
    buffer = io.BytesIO()
    _scan(text).save(buffer, "PDF", resolution=300)
    return buffer.getvalue()


def pdf_mixed(text: str, scanned_text: str) -> bytes:
    """Page 1 has a text layer, page 2 is only an image."""
    pdf = _pdf([text])
    pdf.add_page()
    pdf.image(_scan(scanned_text), x=0, y=0, w=pdf.w, h=pdf.h)
    return bytes(pdf.output())


def pdf_encrypted(text: str) -> bytes:
    pdf = _pdf([text])
    pdf.set_encryption(owner_password="eigentuemer", user_password="geheim")
    return bytes(pdf.output())


def pdf_corrupt() -> bytes:
    """A real PDF cut off in the middle, as an interrupted upload leaves it."""
    data = pdf_with_text(["Kaputt", "Noch kaputter"])
    return data[: len(data) // 2]


def docx(paragraphs: list[str], page_break_after: int | None = None) -> bytes:
    """`page_break_after` is the 0-based index of the paragraph that ends the first page."""
    document = python_docx.Document()
    for index, text in enumerate(paragraphs):
        paragraph = document.add_paragraph(text)
        if index == page_break_after:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with_table(rows: list[list[str]]) -> bytes:
    document = python_docx.Document()
    document.add_paragraph("Vor der Tabelle")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Nach der Tabelle")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt(
    paragraphs: list[str], *, mimetype: str = ODT_MIMETYPE, content: str | None = None
) -> bytes:
    """`content` replaces the generated `content.xml`, e.g. `ODT_CONTENT` with markup."""
    if content is None:
        content = ODT_CONTENT.format(
            paragraphs="".join(f"<text:p>{escape(text)}</text:p>" for text in paragraphs)
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # ODF requires `mimetype` first and stored uncompressed, so it can be sniffed.
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", ODT_MANIFEST.format(mimetype=mimetype))
    return buffer.getvalue()


def zip_bomb(*, member: str, size: int, mimetype: str | None = None) -> bytes:
    """A ZIP whose `member` inflates to `size` bytes of spaces from a few hundred kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        with archive.open(member, "w", force_zip64=True) as stream:
            chunk = b" " * (1 << 20)
            for _ in range(size // len(chunk)):
                stream.write(chunk)
    return buffer.getvalue()


def xlsx() -> bytes:
    """The package skeleton of a workbook: enough for the type check, which is all we do."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", XLSX_CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def zip_other(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "Inhalt")
    return buffer.getvalue()


def html_named_pdf() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>%PDF-1.7</title></head><body></body></html>\n"


def elf_program() -> bytes:
    # An ELF header followed by junk that still contains a PDF signature, as a disguise would.
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"%PDF-1.7\n"
