"""What an uploaded archive document says, page by page, for the search index.

Plain functions on a file path, no models, so the indexing task and the upload form share
them. The type is decided by the content, never by the name alone; PDF pages without a
text layer (scans) are rendered and read by tesseract.
"""

import codecs
import io
import logging
import pathlib
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import docx
import pypdfium2
import pypdfium2.raw as pdfium_c
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from lxml import etree

logger = logging.getLogger(__name__)

FILE_TYPES = ("pdf", "docx", "odt", "txt", "csv", "xlsx", "ods")
HEAD_SIZE = 1024  # what `file_type_detect` needs to see of a file
OOXML_MAIN_TYPES = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
PROGRAM_SIGNATURES = (b"\x7fELF", b"MZ", b"#!")
HTML_SIGNATURE = re.compile(rb"<!doctype html|<html|<script", re.IGNORECASE)
# Zip bombs: a few kilobytes may inflate to gigabytes, and lxml needs a multiple of that.
MAX_XML_SIZE = 50 * 1024 * 1024
MAX_UNPACKED_SIZE = 256 * 1024 * 1024
OCR_DPI = 300
# At 300 dpi an A0 poster is 140 megapixels, and a hostile PDF page may be 200 inches square.
MAX_OCR_PIXELS = 40_000_000
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
# PostgreSQL refuses NUL; lone surrogates cannot be encoded; the rest is noise in a search index.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
BLANK_LINES = re.compile(r"\n\s*\n")
ODF_WHITESPACE = re.compile(r"[ \t\r\n]+")
# Malformed archives make zipfile, zlib, lxml and python-docx raise all of these.
MALFORMED_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    RuntimeError,
    etree.LxmlError,
)
# Control characters other than tab and newlines are not allowed in XML 1.0, so a form feed
# can mark the page breaks in the text collected from DOCX and ODT.
PAGE_BREAK = "\f"

WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
# Deleted text of tracked changes and comments are not what the document says.
ODF_SKIPPED = {f"{TEXT}tracked-changes", f"{OFFICE}annotation"}


def _interpolate_now(message: Promise, params: dict[str, object]) -> str:
    return message % params


# The message is translated when it is shown, in the language active then; a named
# function, not a lambda, so the error pickles (Celery results).
_interpolate = lazy(_interpolate_now, str)


@dataclass(frozen=True)
class ExtractedPage:
    number: int
    text: str
    is_ocr: bool


@dataclass(frozen=True)
class Extraction:
    file_type: str
    pages: list[ExtractedPage]
    page_count: int | None

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)


class ExtractionError(Exception):
    """The file cannot be read; `code` for programs, `message` (German, gettext_lazy) for staff."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def _error(code: str, message: Promise, **params: object) -> ExtractionError:
    return ExtractionError(code, _interpolate(message, params) if params else message)


def _corrupt(file_type: str) -> ExtractionError:
    message = _("The file is damaged and cannot be read as %(format)s.")
    return _error("corrupt", message, format=file_type.upper())


def _mismatch(extension: str) -> ExtractionError:
    message = _("The content is not %(format)s, although the file name ends in .%(extension)s.")
    return _error("type_mismatch", message, format=extension.upper(), extension=extension)


def _odf_mimetype(head: bytes) -> bytes | None:
    """The stored `mimetype` member that ODF requires to be the ZIP's first, as a signature."""
    if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
        return None
    method, size, name_length, extra_length = struct.unpack_from("<8xH8xI4xHH", head)
    start = 30 + name_length + extra_length
    if method != zipfile.ZIP_STORED or head[30 : 30 + name_length] != b"mimetype":
        return None
    return head[start : start + size]


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # Not final: the head may end inside a UTF-8 sequence.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def file_type_detect(*, head: bytes, file_name: str) -> str:
    """The type by the file's content (magic bytes), checked against its extension.

    `head` is the file's first HEAD_SIZE bytes. For DOCX and XLSX it shows only a ZIP;
    `text_extract` confirms their main document from `[Content_Types].xml`.
    """
    if not head:
        raise _error("empty", _("The file is empty."))
    extension = pathlib.PurePath(file_name).suffix.lower().removeprefix(".")
    if extension not in FILE_TYPES:
        message = _("“%(name)s” cannot be archived; permitted are files ending in %(permitted)s.")
        permitted = ", ".join(f".{file_type}" for file_type in FILE_TYPES)
        raise _error("unsupported", message, name=file_name, permitted=permitted)
    if head.startswith(PROGRAM_SIGNATURES):
        message = _("The file is a program, although its name ends in .%(extension)s.")
        raise _error("type_mismatch", message, extension=extension)
    if HTML_SIGNATURE.search(head[:HEAD_SIZE]):
        message = _("The file is a web page (HTML), although its name ends in .%(extension)s.")
        raise _error("type_mismatch", message, extension=extension)
    match extension:
        case "pdf":
            is_match = b"%PDF-" in head[:1024]
        case "odt" | "ods":
            is_match = _odf_mimetype(head) == ODF_MIMETYPES[extension]
        case "docx" | "xlsx":
            is_match = head.startswith(b"PK\x03\x04")
        case _:  # txt, csv
            is_match = _is_text(head)
    if not is_match:
        raise _mismatch(extension)
    return extension


def text_extract(
    *,
    path: pathlib.Path,
    file_name: str,
    max_size: int | None = None,
    ocr_language: str = "deu",
    ocr_timeout: float = 120,
) -> Extraction:
    """Read the file at `path` (its original name `file_name` gives the extension)."""
    size = path.stat().st_size
    if max_size is not None and size > max_size:
        message = _("The file is larger than the permitted %(limit)s.")
        raise _error("too_large", message, limit=lazy(filesizeformat, str)(max_size))
    with path.open("rb") as stream:
        file_type = file_type_detect(head=stream.read(HEAD_SIZE), file_name=file_name)
    if file_type == "pdf":
        pages, page_count = _pdf_pages(path=path, language=ocr_language, timeout=ocr_timeout)
        return Extraction(file_type=file_type, pages=pages, page_count=page_count)
    if file_type in ("txt", "csv"):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise _mismatch(file_type) from None
        return Extraction(file_type=file_type, pages=_text_pages([text]), page_count=None)
    try:
        with zipfile.ZipFile(path) as archive:
            _archive_check(archive=archive, file_type=file_type)
            if file_type == "odt":
                content = _archive_read(archive=archive, name="content.xml")
                pieces = _odt_pieces(etree.fromstring(content, XML_PARSER))
            elif file_type == "docx":
                pieces = _docx_pieces(docx.Document(str(path)).element.body)
            else:
                # Spreadsheets are stored, not indexed.
                return Extraction(file_type=file_type, pages=[], page_count=None)
            texts = "".join(pieces).split(PAGE_BREAK)
    except MALFORMED_ARCHIVE_ERRORS as error:
        logger.warning("Cannot read %s as %s: %r", file_name, file_type, error)
        raise _corrupt(file_type) from error
    return Extraction(file_type=file_type, pages=_text_pages(texts), page_count=len(texts))


def _normalise(text: str) -> str:
    text = CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return BLANK_LINES.sub("\n\n", text).strip()


def _text_pages(texts: list[str]) -> list[ExtractedPage]:
    pages = (ExtractedPage(number, _normalise(text), False) for number, text in enumerate(texts, 1))
    return [page for page in pages if page.text]


def _pdf_pages(
    *, path: pathlib.Path, language: str, timeout: float
) -> tuple[list[ExtractedPage], int]:
    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        logger.warning("Cannot open PDF %s: %s", path, error)
        if error.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            message = _("The PDF file is password-protected; please upload an unprotected copy.")
            raise _error("encrypted", message) from error
        raise _corrupt("pdf") from error
    pages = []
    try:
        for number, page in enumerate(document, 1):
            try:
                text_page = page.get_textpage()
                text = _normalise(text_page.get_text_range())
                text_page.close()
                is_ocr = not text
                if is_ocr:
                    text = _normalise(_ocr(page=page, language=language, timeout=timeout))
            finally:
                page.close()  # closes its text page too, should reading it have failed
            if text:
                pages.append(ExtractedPage(number=number, text=text, is_ocr=is_ocr))
        return pages, len(document)
    except pypdfium2.PdfiumError as error:
        logger.warning("Cannot read PDF %s: %s", path, error)
        raise _corrupt("pdf") from error
    finally:
        document.close()


def _ocr(*, page: pypdfium2.PdfPage, language: str, timeout: float) -> str:
    width, height = page.get_size()
    scale = min(OCR_DPI / 72, (MAX_OCR_PIXELS / max(width * height, 1)) ** 0.5)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        png = io.BytesIO()
        bitmap.to_pil().save(png, "PNG")
    finally:
        bitmap.close()
    executable = shutil.which("tesseract")
    failed = _("Text recognition failed: %(reason)s")
    if executable is None:
        raise _error("ocr_failed", failed, reason=_("the program tesseract is not installed"))
    try:
        # Our own arguments, no shell: nothing from the upload reaches the command line.
        result = subprocess.run(  # noqa: S603
            [executable, "stdin", "stdout", "-l", language],
            input=png.getvalue(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        message = _("Text recognition took longer than %(seconds)s seconds and was stopped.")
        raise _error("timeout", message, seconds=timeout) from error
    if result.returncode != 0:
        errors = result.stderr.decode(errors="replace").strip().splitlines()
        reason = errors[-1] if errors else f"exit code {result.returncode}"
        logger.warning("tesseract failed with %s: %s", result.returncode, errors)
        raise _error("ocr_failed", failed, reason=reason)
    return result.stdout.decode("utf-8", errors="replace")


def _archive_check(*, archive: zipfile.ZipFile, file_type: str) -> None:
    """Refuse zip bombs among the types we unpack, and OOXML of the wrong kind."""
    members = archive.infolist()
    # python-docx loads every part into memory; for ODT we read only content.xml, bounded.
    if file_type == "docx" and (
        sum(member.file_size for member in members) > MAX_UNPACKED_SIZE
        or any(member.file_size > MAX_XML_SIZE for member in members if ".xml" in member.filename)
    ):
        logger.warning("Refusing a DOCX that unpacks to more than the limits")
        raise _corrupt(file_type)
    if file_type in OOXML_MAIN_TYPES:
        try:
            content_types = _archive_read(archive=archive, name="[Content_Types].xml")
        except KeyError:
            raise _mismatch(file_type) from None
        if OOXML_MAIN_TYPES[file_type] not in content_types:
            raise _mismatch(file_type)


def _archive_read(*, archive: zipfile.ZipFile, name: str) -> bytes:
    # Read at most the limit, whatever size the member claims.
    with archive.open(name) as member:
        data = member.read(MAX_XML_SIZE + 1)
    if len(data) > MAX_XML_SIZE:
        raise ValueError(f"{name} unpacks to more than {MAX_XML_SIZE} bytes")
    return data


def _docx_pieces(element: etree._Element) -> Iterator[str]:
    # Text lives only in w:t; w:delText (deleted) and w:instrText (field codes) are left out.
    for child in element:
        if child.tag == f"{WORD}t":
            yield child.text or ""
        elif child.tag == f"{WORD}tab":
            yield "\t"
        elif child.tag == f"{WORD}br" and child.get(f"{WORD}type") == "page":
            yield PAGE_BREAK
        elif child.tag in (f"{WORD}br", f"{WORD}cr"):
            yield "\n"
        elif child.tag != FALLBACK:  # a fallback repeats its alternative's content
            yield from _docx_pieces(child)
            if child.tag == f"{WORD}p":
                yield "\n"


def _odt_pieces(element: etree._Element, *, is_text: bool = False) -> Iterator[str]:
    # ODF collapses whitespace runs in text to one space; outside paragraphs it is layout.
    if is_text and element.text:
        yield ODF_WHITESPACE.sub(" ", element.text)
    for child in element:
        if child.tag == f"{TEXT}s":
            yield " "  # its count is layout, and a hostile one could be in the billions
        elif child.tag == f"{TEXT}tab":
            yield "\t"
        elif child.tag == f"{TEXT}line-break":
            yield "\n"
        elif child.tag == f"{TEXT}soft-page-break":
            yield PAGE_BREAK
        elif child.tag not in ODF_SKIPPED:
            is_paragraph = child.tag in (f"{TEXT}p", f"{TEXT}h")
            yield from _odt_pieces(child, is_text=is_text or is_paragraph)
            if is_paragraph:
                yield "\n"
        if is_text and child.tail:
            yield ODF_WHITESPACE.sub(" ", child.tail)
