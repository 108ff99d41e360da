from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from archive.importing import ImportReport, ManifestError, archive_import


class Command(BaseCommand):
    help = (
        "Import an existing archive from a CSV manifest (UTF-8 or Windows-1252, separated by "
        "';' or ','), one document a row, after a header row naming the columns in German or "
        "English: datei/path (the file, relative to the manifest's folder unless absolute), "
        "titel/title, typ/type (document type, slug or name), datum/date (YYYY-MM-DD or "
        "DD.MM.YYYY), ortschaft (slug or name; several separated by '|'; empty: the whole "
        "municipality), gremium/body (issuing body, slug or name; may be empty), and "
        "optionally beschreibung/description and schlagworte/tags (separated by '|'). "
        "A bad row is reported and changes nothing; files already in the archive (same "
        "content) are skipped, so the import can simply be run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path, help="The CSV manifest.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, store nothing."
        )

    def handle(self, *args, manifest: Path, dry_run: bool, **options):
        # The raw stream: Django's wrapper would add a newline and colour to each update.
        progress = partial(tqdm, file=self.stderr._out, unit=_("rows"), disable=None)
        try:
            report = archive_import(
                manifest_path=manifest.resolve(), is_dry_run=dry_run, progress=progress
            )
        except ManifestError as error:
            raise CommandError(str(error)) from None
        self._summary(report, is_dry_run=dry_run)
        if report.failed:
            raise CommandError(
                _("%(count)s row(s) failed; nothing was stored for them.")
                % {"count": len(report.failed)}
            )

    def _summary(self, report: ImportReport, *, is_dry_run: bool) -> None:
        if is_dry_run:
            self.stdout.write(_("Dry run: nothing was stored."))
            self.stdout.write(_("Would be imported: %(count)s") % {"count": len(report.imported)})
        else:
            self.stdout.write(_("Imported: %(count)s") % {"count": len(report.imported)})
        for title, results in (
            (_("Skipped (already in the archive): %(count)s"), report.skipped),
            (_("Failed: %(count)s"), report.failed),
        ):
            self.stdout.write(title % {"count": len(results)})
            for result in results:
                self.stdout.write(
                    "  "
                    + _("line %(line)s: %(path)s: %(reason)s")
                    % {"line": result.line, "path": result.path, "reason": result.reason}
                )
