from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from services.importing import catalogue_import


class Command(BaseCommand):
    help = (
        "Import the service catalogue from an XZuFi 2.2 export (a file); all or nothing, "
        "with a report of what is new, changed and removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The XZuFi 2.2 file.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, path: Path, no_progress: bool, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        size = path.stat().st_size
        with (
            path.open("rb") as file,
            tqdm.wrapattr(
                file,
                "read",
                total=size,
                desc="Reading",
                unit="B",
                unit_scale=True,
                disable=no_progress,
                file=self.stderr,
            ) as source,
        ):
            run = catalogue_import(source=source, source_name=str(path), size=size)
        if run.state == "failed":
            raise CommandError(
                "Nothing was imported; the catalogue is unchanged.\n"
                + "\n".join(f"- {problem}" for problem in run.errors)
            )
        for label, items in [
            ("New", run.created),
            ("Changed", run.changed),
            ("Removed", run.removed),
        ]:
            self.stdout.write(f"{label}: {len(items)}")
            for xzufi_id, name in items[:20]:
                self.stdout.write(f"  {name} ({xzufi_id})")
            if len(items) > 20:
                self.stdout.write(f"  … and {len(items) - 20} more")
        for note in run.errors:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))
        self.stdout.write(self.style.SUCCESS(f"Import {run.pk} done."))
