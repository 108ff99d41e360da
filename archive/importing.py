"""Bulk import of an existing archive from a CSV manifest (`manage.py import_archive`).

Every row is checked completely before anything is stored for it, and each good row is
stored in a transaction of its own: a bad row changes nothing, an interruption loses at
most the row in progress, and a rerun skips what is there already (same file, same SHA-512).
Saving a document queues the reading of its text (signal handler), as an upload does.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.models import Collection

from website.models import Ortschaft

from .extraction import ExtractionError, file_type_detect
from .forms import HEAD_BYTES, file_checksum
from .models import Document, DocumentType, IssuingBody

# German names are canonical (the staff's spreadsheets); the English ones are accepted too.
COLUMNS = ("datei", "titel", "typ", "datum", "ortschaft", "gremium", "beschreibung", "schlagworte")
REQUIRED_COLUMNS = COLUMNS[:6]
ENGLISH_COLUMNS = {
    "path": "datei",
    "title": "titel",
    "type": "typ",
    "date": "datum",
    "body": "gremium",
    "description": "beschreibung",
    "tags": "schlagworte",
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
SEPARATOR = "|"


class ManifestError(Exception):
    """The manifest as a whole cannot be read; no row is imported."""


@dataclass(frozen=True)
class ManifestRow:
    line: int
    values: dict[str, str]  # canonical column name → value, stripped
    is_complete: bool = True  # as many cells as the header has columns

    @property
    def path(self) -> str:
        return self.values["datei"]


@dataclass(frozen=True)
class RowResult:
    """A row that was skipped or failed: `code` for programs, `reason` for the operator."""

    line: int
    path: str
    code: str
    reason: str


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)  # line numbers; in a dry run: importable
    skipped: list[RowResult] = field(default_factory=list)
    failed: list[RowResult] = field(default_factory=list)


class _RowError(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason


@dataclass
class _ValidRow:
    document: Document  # unsaved, without its file
    source: Path
    ortschaften: list[Ortschaft]
    tags: list[str]


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" is UTF-16, full of NUL bytes that cp1252 would happily accept.
    if b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                # What older spreadsheet programs on Windows write as "CSV".
                return data.decode("cp1252")
            except UnicodeDecodeError:
                pass
    raise ManifestError(
        _(
            "The manifest is neither UTF-8 nor Windows-1252 text. "
            "Save it from the spreadsheet program as “CSV UTF-8”."
        )
    )


def _header_columns(header: list[str]) -> list[str]:
    columns = [ENGLISH_COLUMNS.get(name.strip().lower(), name.strip().lower()) for name in header]
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        raise ManifestError(
            _("Unknown column(s) in the header: %(unknown)s. Known columns: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )
    doubled = sorted({name for name in columns if columns.count(name) > 1})
    if doubled:
        raise ManifestError(
            _("Column(s) named more than once in the header: %(columns)s.")
            % {"columns": ", ".join(doubled)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ManifestError(
            _("The header lacks the column(s) %(missing)s; required are %(required)s.")
            % {"missing": ", ".join(missing), "required": ", ".join(REQUIRED_COLUMNS)}
        )
    return columns


def manifest_read(*, path: Path) -> list[ManifestRow]:
    """The rows of a manifest, with their line numbers; ManifestError if it cannot be used."""
    try:
        text = _decode(path.read_bytes())
    except OSError as error:
        raise ManifestError(
            _("The manifest %(path)s cannot be read: %(error)s")
            % {"path": path, "error": error.strerror or error}
        ) from None
    # The header decides: German spreadsheet programs separate with ";", others with ",",
    # and a column name contains neither (a title in a data row may well contain a comma).
    first_line = text.partition("\n")[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[ManifestRow] = []
    columns: list[str] | None = None
    try:
        while True:
            line = reader.line_num + 1  # where the record starts; a quoted cell may span lines
            cells = next(reader, None)
            if cells is None:
                break
            # Spreadsheet programs write empty rows as a line of delimiters.
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _header_columns(cells)
            else:
                values = dict.fromkeys(COLUMNS, "")  # optional columns may be absent
                values.update(
                    (name, cell.strip()) for name, cell in zip(columns, cells, strict=False)
                )
                is_complete = len(cells) == len(columns)
                rows.append(ManifestRow(line=line, values=values, is_complete=is_complete))
    except csv.Error as error:
        raise ManifestError(
            _("Line %(line)s of the manifest is not valid CSV: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    if columns is None:
        raise ManifestError(_("The manifest is empty; it needs a header row."))
    return rows


def _by_slug_and_name(model: type[models.Model]) -> dict[str, models.Model]:
    found = {}
    for instance in model.objects.all():
        found[instance.name.casefold()] = instance
        found[instance.slug.casefold()] = instance
    return found


def _known(lookup: dict[str, models.Model], value: str, *, code: str, message: str):
    instance = lookup.get(value.casefold())
    if instance is None:
        known = ", ".join(sorted({str(instance) for instance in lookup.values()}))
        raise _RowError(code, message % {"value": value, "known": known})
    return instance


def _date_parse(value: str) -> date:
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(value, date_format).date()
        except ValueError:
            pass
    raise _RowError(
        "bad_date",
        _("“%(value)s” is not a date; write YYYY-MM-DD or DD.MM.YYYY.") % {"value": value},
    )


def _file_check(source: Path) -> None:
    """The checks of an upload: the file is there, readable, not too large, what it is named."""
    try:
        size = source.stat().st_size
        if not source.is_file():
            raise _RowError("not_a_file", _("This is not a file."))
        if size == 0:
            raise _RowError("empty", _("The file is empty."))
        if size > settings.WAGTAILDOCS_MAX_UPLOAD_SIZE:
            raise _RowError(
                "too_large",
                _("The file has %(size)s, more than the permitted %(limit)s.")
                % {
                    "size": filesizeformat(size),
                    "limit": filesizeformat(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE),
                },
            )
        with source.open("rb") as stream:
            file_type_detect(head=stream.read(HEAD_BYTES), file_name=source.name)
    except FileNotFoundError:
        raise _RowError("missing_file", _("The file does not exist.")) from None
    except OSError as error:
        raise _RowError(
            "unreadable", _("The file cannot be read: %(error)s") % {"error": error.strerror}
        ) from None
    except ExtractionError as error:
        raise _RowError(error.code, str(error.message)) from None


def _validation_reason(error: ValidationError) -> str:
    """The model's messages, each after the name of its field, as in “Title: …”."""
    reasons = []
    for name, messages in error.message_dict.items():
        if name != NON_FIELD_ERRORS:
            messages = [f"{capfirst(Document._meta.get_field(name).verbose_name)}:", *messages]
        reasons.append(" ".join(messages))
    return " ".join(reasons)


def _row_validate(*, row: ManifestRow, base: Path, lookups: dict) -> _ValidRow:
    values = row.values
    if not row.is_complete:
        raise _RowError(
            "bad_row", _("The row does not have as many values as the header has columns.")
        )
    if not row.path:
        raise _RowError("missing_path", _("The column “datei” is empty."))
    source = base / row.path  # an absolute path stays what it is
    _file_check(source)
    if not values["typ"]:
        raise _RowError("missing_type", _("The column “typ” is empty."))
    document_type = _known(
        lookups["types"],
        values["typ"],
        code="unknown_type",
        message=_("Unknown document type “%(value)s”; known are: %(known)s."),
    )
    issuing_body = None
    if values["gremium"]:
        issuing_body = _known(
            lookups["bodies"],
            values["gremium"],
            code="unknown_body",
            message=_("Unknown issuing body “%(value)s”; known are: %(known)s."),
        )
    ortschaften = [
        _known(
            lookups["ortschaften"],
            name.strip(),
            code="unknown_ortschaft",
            message=_("Unknown Ortschaft “%(value)s”; known are: %(known)s."),
        )
        for name in values["ortschaft"].split(SEPARATOR)
        if name.strip()
    ]
    if not values["datum"]:
        raise _RowError("missing_date", _("The column “datum” is empty."))
    tags = [
        tag
        for tag in dict.fromkeys(name.strip() for name in values["schlagworte"].split(SEPARATOR))
        if tag
    ]
    tag_length = Tag._meta.get_field("name").max_length
    if long_tags := [tag for tag in tags if len(tag) > tag_length]:
        raise _RowError(
            "long_tag",
            _("Tags may have at most %(limit)s characters: %(tags)s")
            % {"limit": tag_length, "tags": ", ".join(long_tags)},
        )
    document = Document(
        title=values["titel"],
        file=source.name,  # for the check of the extension; the copy gets the stored name
        collection=lookups["collection"],
        document_type=document_type,
        date=_date_parse(values["datum"]),
        issuing_body=issuing_body,
        description=values["beschreibung"],
        file_size=source.stat().st_size,
    )
    try:
        # Not the file field's length limit: the storage shortens a long name when it copies.
        document.full_clean(exclude=["file"])
    except ValidationError as error:
        raise _RowError("invalid", _validation_reason(error)) from None
    with source.open("rb") as stream:
        document.checksum = file_checksum(stream)
    return _ValidRow(document=document, source=source, ortschaften=ortschaften, tags=tags)


def _document_store(*, valid: _ValidRow) -> None:
    document = valid.document
    with valid.source.open("rb") as stream:
        # Stored under its original name, as an upload is (the storage adds a suffix if taken).
        document.file.save(valid.source.name, File(stream), save=False)
    try:
        with transaction.atomic():
            document._set_file_hash()
            # A new document waits for its text: the save queues the reading on commit.
            document.save()
            document.ortschaften.set(valid.ortschaften)
            document.tags.set(valid.tags)
    except BaseException:
        # Interrupted (also by Ctrl+C): no file without its document is left in the storage.
        document.file.delete(save=False)
        raise


def archive_import(
    *,
    manifest_path: Path,
    is_dry_run: bool = False,
    progress: Callable[[list[ManifestRow]], Iterable[ManifestRow]] = iter,
) -> ImportReport:
    """Import the documents a manifest lists; `progress` wraps the rows, e.g. with tqdm."""
    rows = manifest_read(path=manifest_path)
    lookups = {
        "types": _by_slug_and_name(DocumentType),
        "bodies": _by_slug_and_name(IssuingBody),
        "ortschaften": _by_slug_and_name(Ortschaft),
        "collection": Collection.get_first_root_node(),
    }
    report = ImportReport()
    first_line_of_file: dict[str, int] = {}
    for row in progress(rows):
        try:
            valid = _row_validate(row=row, base=manifest_path.parent, lookups=lookups)
        except _RowError as error:
            report.failed.append(RowResult(row.line, row.path, error.code, error.reason))
            continue
        checksum = valid.document.checksum
        existing = Document.objects.filter(checksum=checksum).order_by("pk").first()
        if existing is not None:
            reason = _("Already in the archive as “%(title)s” (no. %(pk)s).") % {
                "title": existing.title,
                "pk": existing.pk,
            }
            report.skipped.append(RowResult(row.line, row.path, "exists", reason))
            continue
        if checksum in first_line_of_file:  # only in a dry run; otherwise it exists by now
            reason = _("The same file as in line %(line)s.") % {
                "line": first_line_of_file[checksum]
            }
            report.skipped.append(RowResult(row.line, row.path, "exists", reason))
            continue
        first_line_of_file[checksum] = row.line
        if not is_dry_run:
            _document_store(valid=valid)
        report.imported.append(row.line)
    return report
