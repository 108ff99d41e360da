"""The import of the service catalogue from an XZuFi 2.2 export (read in services/xzufi.py):
from a file (`manage.py import_xzufi`) or from the address the state's editorial system
offers (`SERVICES_IMPORT_URL`, on a Celery beat schedule).

A run is all or nothing: the export is read and checked completely before anything is
written, and written in one transaction, so a broken export leaves the last good catalogue
in place. Each run leaves a `CatalogueImport` row: what was new, changed or removed, or why
it failed. The rows are matched by their XZuFi ids, so a second run of the same export
changes nothing. What staff changed in an imported field stays (`Imported.imported_values`:
the field is only updated where it still holds what the last import wrote); what staff
added (a service, an office, an office's responsibility) is never touched. A service the
export no longer carries is marked removed, not deleted: its address says so (410).
"""

import logging
import tempfile
import urllib.request
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Model
from django.utils import timezone
from wagtail.search.backends import get_search_backends

from website.models import MunicipalitySettings, Ortschaft
from website.page_cache import pages_changed
from website.slugs import german_slugify

from .models import (
    CatalogueImport,
    LifeSituation,
    Office,
    OnlineService,
    OpeningHours,
    Service,
    ServiceResponsibility,
    field_value,
)
from .xzufi import Catalogue, CatalogueError, catalogue_read

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
DOWNLOAD_TIMEOUT = 60


def _size_limit() -> int:
    return settings.SERVICES_IMPORT_MAX_MB * 1024 * 1024


def _failed(run: CatalogueImport, problems: list[str]) -> CatalogueImport:
    run.state = "failed"
    run.errors = problems
    run.finished_at = timezone.now()
    run.save()
    logger.error("Import of the service catalogue from %s failed: %s", run.source, problems)
    return run


def catalogue_import(*, source: BinaryIO, source_name: str, size: int) -> CatalogueImport:
    """Import an XZuFi 2.2 export of `size` bytes; the run's report, done or failed."""
    run = CatalogueImport.objects.create(source=source_name[:1000])
    if size > _size_limit():
        megabytes = f"{size / (1024 * 1024):.1f}".replace(".", ",")
        return _failed(
            run,
            [
                f"Die Datei ist {megabytes} MB groß; eingelesen werden höchstens "
                f"{settings.SERVICES_IMPORT_MAX_MB} MB (SERVICES_IMPORT_MAX_MB)"
            ],
        )
    try:
        catalogue = catalogue_read(source)
    except CatalogueError as error:
        return _failed(run, error.problems)
    changes = _Changes()
    try:
        with transaction.atomic():
            _apply(catalogue, changes)
            run.created = changes.created
            run.changed = changes.changed
            run.removed = changes.removed
            run.errors = changes.notes
            run.state = "done"
            run.finished_at = timezone.now()
            run.save()
            if changes.created or changes.changed or changes.removed:
                pages_changed()
    except DatabaseError as error:
        # Rolled back: the last good catalogue stays, and the report says why.
        return _failed(run, [f"Der Katalog ließ sich nicht speichern: {error}"])
    _index(changes.to_index)
    logger.info(
        "Imported the service catalogue from %s: %d new, %d changed, %d removed",
        run.source,
        len(run.created),
        len(run.changed),
        len(run.removed),
    )
    return run


def catalogue_import_file(path: Path) -> CatalogueImport:
    with path.open("rb") as source:
        return catalogue_import(source=source, source_name=str(path), size=path.stat().st_size)


class DownloadError(Exception):
    pass


@contextmanager
def downloaded(url: str):
    """The export at `url` in a temporary file (at most SERVICES_IMPORT_MAX_MB)."""
    if not url.lower().startswith(("http://", "https://")):
        raise DownloadError(f"„{url}“ ist keine http(s)-Adresse")
    limit = _size_limit()
    with tempfile.TemporaryFile() as file:
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310 (http(s) only, checked above)
                while chunk := response.read(1024 * 1024):
                    file.write(chunk)
                    if file.tell() > limit:
                        raise DownloadError(
                            f"Die Datei unter {url} ist größer als "
                            f"{settings.SERVICES_IMPORT_MAX_MB} MB (SERVICES_IMPORT_MAX_MB)"
                        )
        except OSError as error:  # URLError, HTTPError and timeouts are OSErrors
            raise DownloadError(f"{url} war nicht abrufbar: {error}") from error
        size = file.tell()
        file.seek(0)
        yield file, size


def catalogue_import_url(url: str) -> CatalogueImport:
    try:
        with downloaded(url) as (file, size):
            return catalogue_import(source=file, source_name=url, size=size)
    except DownloadError as error:
        return _failed(CatalogueImport.objects.create(source=url[:1000]), [str(error)])


# --- writing ---------------------------------------------------------------------------


class _Changes:
    def __init__(self):
        self.created: list[list[str]] = []
        self.changed: list[list[str]] = []
        self.removed: list[list[str]] = []
        self.notes: list[str] = []  # what the run did not take, and why
        self.to_index: list[Service] = []


def _merged(row: Model, values: dict) -> tuple[bool, list[str]]:
    """Take the export's values into an imported row, except where staff changed the field
    since the last import: whether anything shown changed, and the fields whose new values
    in the export were not taken for that reason."""
    is_changed, kept = False, []
    for name, value in values.items():
        last = row.imported_values.get(name, value)
        if name in row.imported_values and field_value(row, name) != last:
            if value != last:
                kept.append(name)
            continue  # changed by staff: theirs stays
        if field_value(row, name) != value:
            setattr(row, name, value)
            is_changed = True
    row.imported_values = {**row.imported_values, **values}
    return is_changed, kept


def _sync(
    model, items: Iterable[tuple[str, dict]], fields: list[str], now, changes, new_extra=None
):
    """Create, update and mark removed the imported rows of `model` so that they follow the
    export: (rows by XZuFi id, created ids, changed ids, removed rows). `new_extra` gives
    new rows the values no import changes afterwards (a slug). Where staff's value of a field
    stays although the export changed it, the report says so."""
    existing = {row.xzufi_id: row for row in model.objects.filter(xzufi_id__isnull=False)}
    to_create, to_update, created, changed = [], [], [], []
    seen = set()
    for xzufi_id, values in items:
        seen.add(xzufi_id)
        row = existing.get(xzufi_id)
        if row is None:
            extra = new_extra(values) if new_extra else {}
            row = model(xzufi_id=xzufi_id, imported_values=values, **values, **extra)
            existing[xzufi_id] = row
            to_create.append(row)
            created.append(xzufi_id)
            continue
        last_imported = row.imported_values
        is_changed, kept = _merged(row, values)
        if kept:
            names = ", ".join(str(model._meta.get_field(name).verbose_name) for name in kept)
            changes.notes.append(
                f"{model._meta.verbose_name} „{row}“ ({xzufi_id}): im Export geändert, "
                f"aber hier geändert und beibehalten: {names}"
            )
        is_back = row.removed_at is not None
        if is_back:
            row.removed_at = None
            created.append(xzufi_id)  # back in the export: new again for citizens
        elif is_changed:
            changed.append(xzufi_id)
        if hasattr(row, "modified_at") and (is_changed or is_back):
            row.modified_at = now
        # Written only where something differs: a run of the same export writes nothing.
        if is_changed or is_back or row.imported_values != last_imported:
            to_update.append(row)
    removed = [
        row for xzufi_id, row in existing.items() if xzufi_id not in seen and not row.removed_at
    ]
    for row in removed:
        row.removed_at = now
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    update_fields = [*fields, "imported_values", "removed_at"]
    if hasattr(model, "modified_at"):
        update_fields.append("modified_at")
    model.objects.bulk_update([*to_update, *removed], update_fields, batch_size=BATCH_SIZE)
    return existing, set(created), set(changed), removed


def _life_situations(catalogue: Catalogue, now, changes) -> dict[str, LifeSituation]:
    named = {}
    for service in catalogue.services:
        for category_id, name in service.life_situations:
            named.setdefault(category_id, name)
    taken = set(LifeSituation.objects.values_list("slug", flat=True))

    def unique_slug(values: dict) -> dict:
        slug = base = german_slugify(values["name"])[:190] or "lebenslage"
        number = 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        return {"slug": slug}

    existing, *_ = _sync(
        LifeSituation,
        [(category_id, {"name": name}) for category_id, name in named.items()],
        ["name"],
        now,
        changes,
        new_extra=unique_slug,
    )
    return existing


def _area_keys() -> tuple[dict[str, int], set[str]]:
    """The areas of this municipality in exports: the Ortschaften's keys, and the
    municipality's AGS (also as part of a 12-digit regional key)."""
    ortschaften = {
        ortschaft.area_key: ortschaft.pk for ortschaft in Ortschaft.objects.exclude(area_key="")
    }
    municipalities = set(MunicipalitySettings.objects.exclude(ags="").values_list("ags", flat=True))
    return ortschaften, municipalities


def _area(key: str, ortschaften: dict[str, int], municipalities: set[str]):
    """(True, Ortschaft id or None for the whole municipality), or (False, None) for an area
    that is not this municipality's."""
    if key in ortschaften:
        return True, ortschaften[key]
    # A 12-digit regional key holds the AGS without the four digits of the Verband.
    as_ags = key[:5] + key[9:] if len(key) == 12 else key
    for ags in municipalities:
        # the municipality, or its state (2 digits), region (3) or county (5)
        if as_ags == ags or (len(key) in (2, 3, 5) and ags.startswith(key)):
            return True, None
    return False, None


def _apply(catalogue: Catalogue, changes: _Changes) -> None:
    now = timezone.now()
    life_situations = _life_situations(catalogue, now, changes)

    service_fields = ["leika_key", "name", "synonyms", *Service.TEXT_FIELDS]
    services, created, changed, removed = _sync(
        Service,
        [
            (
                item.xzufi_id,
                {
                    "leika_key": item.leika_key,
                    "name": item.name,
                    "synonyms": "\n".join(item.synonyms),
                    **{name: item.texts.get(name, "") for name in Service.TEXT_FIELDS},
                },
            )
            for item in catalogue.services
        ],
        service_fields,
        now,
        changes,
    )
    for item in catalogue.services:
        label = [item.xzufi_id, item.name]
        if item.xzufi_id in created:
            changes.created.append(label)
        elif item.xzufi_id in changed:
            changes.changed.append(label)
    changes.removed = [[row.xzufi_id, row.name] for row in removed]
    to_index = created | changed
    changes.to_index = [row for xzufi_id, row in services.items() if xzufi_id in to_index] + removed

    # The links to imported life situations follow the export.
    links = Service.life_situations.through
    imported_situations = {row.pk for row in life_situations.values()}
    wanted = {
        (services[item.xzufi_id].pk, life_situations[category_id].pk)
        for item in catalogue.services
        for category_id, _name in item.life_situations
    }
    _links_replace(
        links,
        "service_id",
        "lifesituation_id",
        wanted,
        # the links staff gave their own services stay theirs
        links.objects.filter(
            lifesituation_id__in=imported_situations, service__xzufi_id__isnull=False
        ),
    )

    offices, *_ = _sync(
        Office,
        [
            (
                item.xzufi_id,
                {
                    "name": item.name,
                    "street_address": item.street_address,
                    "postal_code": item.postal_code,
                    "city": item.city,
                    "phone": item.phone,
                    "email": item.email,
                    "website": item.website,
                },
            )
            for item in catalogue.offices
        ],
        ["name", "street_address", "postal_code", "city", "phone", "email", "website"],
        now,
        changes,
    )
    _opening_hours(catalogue, offices)

    ortschaften, municipalities = _area_keys()
    wanted_responsibilities = set()
    for item in catalogue.offices:
        for service_id, area_key in item.responsibilities:
            is_ours, ortschaft_id = _area(area_key, ortschaften, municipalities)
            service = services.get(service_id)
            if service is None:
                changes.notes.append(
                    f"organisationseinheit „{item.xzufi_id}“: zuständig für die leistung "
                    f"„{service_id}“, die nicht im Katalog ist"
                )
            elif is_ours:
                wanted_responsibilities.add((service.pk, offices[item.xzufi_id].pk, ortschaft_id))
    current = {
        (row.service_id, row.office_id, row.ortschaft_id): row.pk
        for row in ServiceResponsibility.objects.filter(is_imported=True)
    }
    ServiceResponsibility.objects.filter(
        pk__in=[pk for key, pk in current.items() if key not in wanted_responsibilities]
    ).delete()
    ServiceResponsibility.objects.bulk_create(
        [
            ServiceResponsibility(
                service_id=service_id,
                office_id=office_id,
                ortschaft_id=ortschaft_id,
                is_imported=True,
            )
            for service_id, office_id, ortschaft_id in wanted_responsibilities - current.keys()
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,  # staff added the same by hand: theirs stays
    )

    online_services, *_ = _sync(
        OnlineService,
        [
            (
                item.xzufi_id,
                {
                    "name": item.name,
                    "url": item.url,
                    "link_type": item.link_type,
                    "trust_level": item.trust_level,
                },
            )
            for item in catalogue.online_services
        ],
        ["name", "url", "link_type", "trust_level"],
        now,
        changes,
    )
    links = OnlineService.services.through
    wanted = set()
    for item in catalogue.online_services:
        for service_id in item.service_ids:
            if service_id in services:
                wanted.add((online_services[item.xzufi_id].pk, services[service_id].pk))
            else:
                changes.notes.append(
                    f"onlinedienst „{item.xzufi_id}“: für die leistung „{service_id}“, "
                    "die nicht im Katalog ist"
                )
    _links_replace(
        links,
        "onlineservice_id",
        "service_id",
        wanted,
        links.objects.filter(onlineservice_id__in=[row.pk for row in online_services.values()]),
    )


def _links_replace(through, first: str, second: str, wanted: set, current_links) -> None:
    """Make the links in `current_links` (those the export decides) the `wanted` pairs."""
    current = {
        (one, other): pk for pk, one, other in current_links.values_list("pk", first, second)
    }
    through.objects.filter(pk__in=[pk for key, pk in current.items() if key not in wanted]).delete()
    through.objects.bulk_create(
        [through(**{first: one, second: other}) for one, other in wanted - current.keys()],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


def _hours_value(hours: Iterable) -> list[list]:
    return sorted(
        [weekday, f"{opens:%H:%M}", f"{closes:%H:%M}"] for weekday, opens, closes in hours
    )


def _opening_hours(catalogue: Catalogue, offices: dict[str, Office]) -> None:
    """An office's hours follow the export unless staff changed them since the last import
    (kept in its `imported_values` as "opening_hours")."""
    current: dict[int, list] = {}
    for hours in OpeningHours.objects.filter(office__xzufi_id__isnull=False):
        current.setdefault(hours.office_id, []).append((hours.weekday, hours.opens, hours.closes))
    replaced, to_create, to_update = [], [], []
    for item in catalogue.offices:
        office = offices[item.xzufi_id]
        new = _hours_value(item.opening_hours)
        now_shown = _hours_value(current.get(office.pk, []))
        last_imported = office.imported_values.get("opening_hours")
        is_local = last_imported is not None and now_shown != last_imported
        if last_imported != new:
            office.imported_values["opening_hours"] = new
            to_update.append(office)
        if is_local or now_shown == new:
            continue
        replaced.append(office.pk)
        to_create += [
            OpeningHours(office=office, weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in item.opening_hours
        ]
    OpeningHours.objects.filter(office_id__in=replaced).delete()
    OpeningHours.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Office.objects.bulk_update(to_update, ["imported_values"], batch_size=BATCH_SIZE)


def _index(services: list[Service]) -> None:
    if not services:
        return
    for backend in get_search_backends(with_auto_update=True):
        for start in range(0, len(services), BATCH_SIZE):
            backend.add_bulk(Service, services[start : start + BATCH_SIZE])
