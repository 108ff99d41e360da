"""The demo's service catalogue: a small XZuFi 2.2 export (fictitious contents) imported
through the real import, so the demo shows what an import gives."""

from pathlib import Path

from .importing import catalogue_import_file
from .models import Service

DEMO_EXPORT = Path(__file__).with_name("demo_catalogue.xml")
# The most used services, in the order the home page shows them (by LeiKa key).
POPULAR = [
    "99102013001000",  # Personalausweis
    "99115001001000",  # Wohnsitz anmelden
    "99025003001000",  # Hund anmelden
    "99018001001000",  # Kita-Platz
    "99050012001000",  # Geburt anzeigen
    "99050001001000",  # Gewerbe anmelden
]


def services_seed_demo() -> None:
    run = catalogue_import_file(DEMO_EXPORT)
    if run.state != "done":
        raise RuntimeError(f"The demo catalogue did not import: {run.errors}")
    for place, leika_key in enumerate(POPULAR, start=1):
        Service.objects.filter(leika_key=leika_key, popularity__isnull=True).update(
            popularity=place
        )
