"""Benchmark of the service catalogue (issue 27): the import of an XZuFi 2.2 export of
10,000 services (first into an empty catalogue, the same file again, a file with 1 % of the
services changed and 1 % gone, and the first file once more), the citizens' pages of the
catalogue at two sizes (queries and median time), and the search page asked for services
with 10,000 of them in the index.

    createdb -h 127.0.0.1 -U postgres barleben_bench_services
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/barleben_bench_services \\
        REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/services.py

Needs PostgreSQL and Redis: DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/barleben_bench_services, created if missing) and REDIS_URL
(default redis://127.0.0.1:6379/12; that database is flushed at the start). The demo is
seeded into it (the site, the municipality's settings with its AGS 15083040, which the
export's offices are responsible for). The exports are written once under
var/bench-services/ (about 52 MB for 10,000 services; the same content on every run); the
catalogue is emptied before each size. Each import runs in a process of its own, so that its
peak RSS is its own. About 6 minutes on 2 cores, 3 more with the profile.

Options: --services (the large size, 10,000), --small (the small size, 100), --repeat
(requests per page and state, and runs per search), --show-queries (the SQL of each page),
--profile (cProfile of a first import, also done when it took longer than the target of
60 s), --qualified-codes (write the `code` of the XÖV code lists in the XZuFi namespace;
by default it is unqualified, as the schema declares it and the states' exports write it).

Prints, as Markdown tables: each import's seconds (wall and CPU of the importing process),
peak RSS and its report's counts; each page's queries made afresh and right after a change,
and its median and p95 milliseconds; the search page's median and p95 for three service
names next to the archive's target.
"""

import argparse
import cProfile
import hashlib
import io
import multiprocessing
import os
import pstats
import random
import resource
import signal
import statistics
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

# Run as a script, Python puts bench/ first on the path, where this very file would shadow
# the services app; the project directory takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import (  # noqa: E402
    BASE_DIR,
    bench_environment,
    database_create_if_missing,
    describe_backends,
    manage,
    percentile,
    setup_django,
)
from bench.fanout import redis_flush  # noqa: E402

BENCH_DIR = BASE_DIR / "var" / "bench-services"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/barleben_bench_services"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
NAMESPACE = "http://xoev.de/schemata/xzufi/2_2_0"
AGS = "15083040"  # Barleben's, as the demo's municipality settings have it
IMPORT_TARGET_SECONDS = 60
IMPORT_TIMEOUT_SECONDS = 900
# The archive's search target (bench/archive.py): p95 of the search page under 100 ms.
SEARCH_TARGET_MS = 100
SEARCHES = ["Personalausweis", "Hund anmelden", "Kita-Platz"]

# Names as citizens know them: what, what is done with it, and for whom or when. 30 × 12 ×
# 28 = 10,080 names; the first 360 have no qualifier.
OBJECTS = [
    "Personalausweis",
    "Reisepass",
    "Hund",
    "Gewerbe",
    "Kita-Platz",
    "Wohngeld",
    "Baugenehmigung",
    "Führerschein",
    "Kraftfahrzeug",
    "Wohnsitz",
    "Geburtsurkunde",
    "Eheschließung",
    "Sterbeurkunde",
    "Führungszeugnis",
    "Bewohnerparkausweis",
    "Sondernutzung öffentlicher Straßen",
    "Fischereischein",
    "Elterngeld",
    "Grundsteuer",
    "Hundesteuer",
    "Baumfällung",
    "Veranstaltung",
    "Gaststättenerlaubnis",
    "Schwerbehindertenausweis",
    "Wahlschein",
    "Meldebescheinigung",
    "Aufenthaltstitel",
    "Einbürgerung",
    "Abfallbehälter",
    "Feuerstätte",
]
ACTIONS = [
    "beantragen",
    "anmelden",
    "abmelden",
    "ummelden",
    "verlängern",
    "ändern",
    "Ersatz beantragen",
    "Auskunft erhalten",
    "Befreiung beantragen",
    "Erstattung beantragen",
    "Widerspruch einlegen",
    "Genehmigung beantragen",
]
QUALIFIERS = [
    "",
    " für Minderjährige",
    " für Unternehmen",
    " bei Verlust",
    " bei Umzug ins Ausland",
    " für Vereine",
    " für Menschen mit Behinderung",
    " für Landwirte",
    " für Studierende",
    " im Eilverfahren",
    " für Seniorinnen und Senioren",
    " für Alleinerziehende",
    " für Grenzpendler",
    " für Gewerbetreibende",
    " für Ehrenamtliche",
    " für Auszubildende",
    " bei Namensänderung",
    " bei Geburt",
    " nach Heirat",
    " nach Scheidung",
    " im Todesfall",
    " für Eigentümer",
    " für Mieter",
    " für Bauherren",
    " für Schulen",
    " für Kirchengemeinden",
    " für Stiftungen",
    " für Behörden",
]
LIFE_SITUATIONS = [
    "Umzug",
    "Geburt",
    "Heirat",
    "Todesfall",
    "Hund und Haustier",
    "Bauen und Wohnen",
    "Kinderbetreuung",
    "Schule",
    "Ausbildung und Studium",
    "Arbeit",
    "Arbeitslosigkeit",
    "Ruhestand",
    "Krankheit und Pflege",
    "Behinderung",
    "Unternehmensgründung",
    "Auto und Verkehr",
    "Reisen",
    "Ausweise und Dokumente",
    "Steuern",
    "Wahlen",
    "Ehrenamt",
    "Vereine",
    "Veranstaltungen",
    "Natur und Umwelt",
    "Abfall",
    "Sicherheit und Ordnung",
    "Einbürgerung und Zuwanderung",
    "Familie",
    "Finanzielle Hilfen",
    "Freizeit und Sport",
]
SENTENCES = [
    "Sie können den Antrag persönlich im Bürgerbüro oder online stellen.",
    "Bitte vereinbaren Sie vorab einen Termin, um Wartezeiten zu vermeiden.",
    "Die zuständige Stelle prüft Ihre Angaben und die eingereichten Unterlagen.",
    "Nach der Prüfung erhalten Sie einen schriftlichen Bescheid.",
    "Die Bearbeitung kann sich verzögern, wenn Unterlagen fehlen.",
    "In besonderen Fällen kann eine Vertreterin oder ein Vertreter den Antrag stellen.",
    "Dafür ist eine schriftliche Vollmacht und ein gültiges Ausweisdokument erforderlich.",
    "Die Gebühr ist bei Antragstellung in bar oder mit Karte zu zahlen.",
    "Änderungen müssen Sie der zuständigen Stelle unverzüglich mitteilen.",
    "Wer die Frist versäumt, handelt ordnungswidrig und muss mit einem Bußgeld rechnen.",
    "Für Rückfragen steht Ihnen die Sachbearbeitung während der Sprechzeiten zur Verfügung.",
    "Das Verfahren richtet sich nach den Vorschriften des Landes Sachsen-Anhalt.",
    "Bei Minderjährigen müssen beide sorgeberechtigten Elternteile zustimmen.",
    "Eine Bescheinigung über die Antragstellung erhalten Sie auf Wunsch sofort.",
]
DOCUMENTS = [
    "gültiger Personalausweis oder Reisepass",
    "aktuelles biometrisches Lichtbild",
    "Geburtsurkunde",
    "Meldebescheinigung",
    "Nachweis über die Zahlung der Gebühr",
    "Vollmacht der vertretenen Person",
    "Einkommensnachweise der letzten drei Monate",
    "Mietvertrag oder Wohnungsgeberbestätigung",
]
LAWS = ["PAuswG", "PassG", "BMG", "GewO", "KiFöG LSA", "WoGG", "BauO LSA", "FeV", "StVG"]
STREETS = ["Ernst-Thälmann-Straße", "Breiteweg", "Bahnhofstraße", "Magdeburger Straße"]


# --- the exports ------------------------------------------------------------------------


def service_name(number: int) -> str:
    object_, action = OBJECTS[number % 30], ACTIONS[(number // 30) % 12]
    return f"{object_} {action}{QUALIFIERS[(number // 360) % len(QUALIFIERS)]}"


def _paragraphs(generator: random.Random, count: int) -> str:
    return "".join(f"<p>{' '.join(generator.sample(SENTENCES, 3))}</p>" for _ in range(count))


class _Writer:
    """XML in the XZuFi 2.2 namespace (prefix xzufi), written as text: a tree of 10,000
    services would be the benchmark's own peak memory, not the import's."""

    def __init__(self, file, *, is_code_qualified: bool):
        self.file = file
        self.code_tag = "xzufi:code" if is_code_qualified else "code"

    def text(self, tag: str, value: str, **attributes: str) -> str:
        extra = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
        return f"<xzufi:{tag}{extra}>{escape(value)}</xzufi:{tag}>"

    def code(self, tag: str, value: str, list_uri: str) -> str:
        """An XÖV code-list value: <tag listURI=…><code>value</code></tag>."""
        return (
            f"<xzufi:{tag} listURI={quoteattr(list_uri)}>"
            f"<{self.code_tag}>{escape(value)}</{self.code_tag}></xzufi:{tag}>"
        )

    def german(self, tag: str, value: str) -> str:
        return self.text(tag, value, languageCode="de")


def _service(write: _Writer, number: int, *, is_changed: bool) -> str:
    generator = random.Random(number)
    name = service_name(number)
    short = f"{name}: {generator.choice(SENTENCES)}"
    full = _paragraphs(generator, generator.randint(3, 5)) + (
        "<ul>" + "".join(f"<li>{item}</li>" for item in generator.sample(DOCUMENTS, 3)) + "</ul>"
    )
    if is_changed:
        short += " Neu: Der Antrag ist jetzt auch online möglich."
        full += "<p>Seit diesem Jahr können Sie den Antrag auch online stellen.</p>"
    documents = (
        "<ul>"
        + "".join(
            f"<li>{item}</li>" for item in generator.sample(DOCUMENTS, generator.randint(2, 4))
        )
        + "</ul>"
    )
    prerequisites = _paragraphs(generator, 1)
    law = generator.choice(LAWS)
    legal = f'<p>§ {generator.randint(1, 60)} <a href="https://www.gesetze-im-internet.de/">{law}</a></p>'
    fee = f"<p>Gebühr: {generator.randint(0, 120)},00 Euro</p>"
    modules = [("03", name), ("05", short), ("06", full), ("08", documents)]
    modules += [("09", prerequisites), ("07", legal)]
    synonyms = generator.sample(
        [f"{OBJECTS[number % 30]} {word}" for word in ("Antrag", "Formular", "Amt", "online")]
        + ["Bürgerbüro", "Bürgeramt", "Einwohnermeldeamt", "Rathaus"],
        generator.randint(2, 4),
    )
    situations = sorted({number % len(LIFE_SITUATIONS), generator.randrange(len(LIFE_SITUATIONS))})[
        : generator.randint(1, 2)
    ]
    parts = [
        "<xzufi:leistung>",
        write.text("id", f"L100012.{number:06d}", schemeAgencyID="L100012"),
        write.code("referenzLeiKa", f"99{number:012d}", "urn:de:fim:leika:leistung"),
    ]
    for code, content in modules:
        parts.append(
            "<xzufi:modulText>"
            + write.german("inhalt", content)
            + write.code("leikaTextmodul", code, "urn:de:xzufi:codeliste:leistungstextmodulleika")
            + write.text("positionDarstellung", code)
            + "</xzufi:modulText>"
        )
    parts.append(f"<xzufi:modulKosten>{write.german('beschreibung', fee)}</xzufi:modulKosten>")
    parts.append(
        "<xzufi:modulBegriffImKontext>"
        + "".join(
            f"<xzufi:begriffImKontext>{write.german('begriff', term)}"
            + write.code("typ", "01", "urn:de:xzufi:codeliste:begriffimkontexttyp")
            + "</xzufi:begriffImKontext>"
            for term in synonyms
        )
        + "</xzufi:modulBegriffImKontext>"
    )
    for index in situations:
        parts.append(
            "<xzufi:kategorie>"
            + write.text("id", f"LL-{index + 1:02d}", schemeAgencyID="L100012")
            + write.german("bezeichnung", LIFE_SITUATIONS[index])
            + "</xzufi:kategorie>"
        )
    parts.append("</xzufi:leistung>\n")
    return "".join(parts)


def _office(write: _Writer, number: int, service_numbers: list[int]) -> str:
    generator = random.Random(-number)
    kind = ["Bürgerbüro", "Ordnungsamt", "Bauamt", "Standesamt", "Sozialamt", "Kita-Verwaltung"]
    hours = []
    for weekday in range(1, 6):
        periods = [("08:00:00", "12:00:00")]
        if weekday in (2, 4):
            periods.append(("13:00:00", "18:00:00"))
        hours.append(
            "<xzufi:tagesoeffnungszeiten>"
            + write.code("wochentag", str(weekday), "urn:xoev-de:fim:codeliste:wochentag")
            + "".join(
                f"<xzufi:zeitraum>{write.text('beginn', begin)}{write.text('ende', end)}"
                "</xzufi:zeitraum>"
                for begin, end in periods
            )
            + "</xzufi:tagesoeffnungszeiten>"
        )
    channels = [
        ("02", f"039203 {generator.randint(100, 999)}-{number}"),
        ("01", f"stelle{number}@barleben.de"),
        ("09", f"https://www.barleben.de/stellen/{number}"),
    ]
    return "".join(
        [
            "<xzufi:organisationseinheit>",
            write.text("id", f"L100012.OE.{number:04d}", schemeAgencyID="L100012"),
            f"<xzufi:name>{write.german('name', f'{kind[number % len(kind)]} {number}')}"
            "</xzufi:name>",
            "<xzufi:anschrift>",
            write.text("strasse", generator.choice(STREETS)),
            write.text("hausnummer", str(generator.randint(1, 120))),
            write.text("postleitzahl", "39179"),
            write.text("ort", "Barleben"),
            "</xzufi:anschrift>",
            *(
                "<xzufi:kommunikation>"
                + write.code("kanal", code, "urn:de:xoev:codeliste:erreichbarkeit")
                + write.text("kennung", value)
                + "</xzufi:kommunikation>"
                for code, value in channels
            ),
            f"<xzufi:oeffnungszeiten>{''.join(hours)}</xzufi:oeffnungszeiten>",
            *(
                "<xzufi:zustaendigkeit>"
                + write.text("leistungID", f"L100012.{service:06d}", schemeAgencyID="L100012")
                + write.text("gebietID", AGS, schemeAgencyID="BBSR")
                + "</xzufi:zustaendigkeit>"
                for service in service_numbers
            ),
            "</xzufi:organisationseinheit>\n",
        ]
    )


def _online_service(write: _Writer, number: int, service_numbers: list[int]) -> str:
    return "".join(
        [
            "<xzufi:onlinedienst>",
            write.text("id", f"L100012.OD.{number:05d}", schemeAgencyID="L100012"),
            write.german("bezeichnung", f"Online-Antrag {service_name(service_numbers[0])}"),
            "<xzufi:link>",
            write.text("link", f"https://antrag.sachsen-anhalt.de/dienst/{number}"),
            write.code("typ", "01", "urn:xoev-de:fim:codeliste:onlinedienstlinktyp"),
            "</xzufi:link>",
            write.code(
                "vertrauensniveau", "substanziell", "urn:xoev-de:fim:codeliste:vertrauensniveau"
            ),
            *(
                "<xzufi:zustaendigkeit>"
                + write.text("leistungID", f"L100012.{service:06d}", schemeAgencyID="L100012")
                + "</xzufi:zustaendigkeit>"
                for service in service_numbers
            ),
            "</xzufi:onlinedienst>\n",
        ]
    )


def export_write(path: Path, *, services: int, variant: str, is_code_qualified: bool) -> None:
    """An XZuFi 2.2 export of `services` services, services/50 offices (each responsible for
    its 50 services in the municipality) and services/5 online services (each for 5):
    `variant` "changed" has the services numbered 1 mod 100 changed and those numbered 2 mod
    100 gone (and the offices' and online services' references to them)."""
    if path.exists():
        return
    temporary = path.with_suffix(".part")
    is_gone = (lambda number: number % 100 == 2) if variant == "changed" else (lambda _: False)
    kept = [number for number in range(1, services + 1) if not is_gone(number)]
    with temporary.open("w", encoding="utf-8") as file:
        write = _Writer(file, is_code_qualified=is_code_qualified)
        file.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<xzufi:transfer.operation.040101 xmlns:xzufi="{NAMESPACE}" '
            'xzufiVersion="2.2.0" produkt="bench/services.py" produkthersteller="Barleben">\n'
            "<xzufi:nachrichtenkopf>"
            + write.text("nachrichtUUID", f"00000000-0000-4000-8000-{services:012d}")
            + write.text("erstellungszeitpunkt", "2026-12-08T02:00:00+01:00")
            + write.text("sender", "Redaktionssystem Sachsen-Anhalt")
            + "</xzufi:nachrichtenkopf>\n<xzufi:schreibe>\n"
        )
        for number in kept:
            file.write(
                _service(write, number, is_changed=variant == "changed" and number % 100 == 1)
            )
        for office in range(1, max(2, services // 50) + 1):
            responsible = [
                number for number in kept if number % max(2, services // 50) == office - 1
            ]
            file.write(_office(write, office, responsible))
        for online in range(1, services // 5 + 1):
            linked = [n for n in range((online - 1) * 5 + 1, online * 5 + 1) if not is_gone(n)]
            if linked:
                file.write(_online_service(write, online, linked))
        file.write("</xzufi:schreibe>\n</xzufi:transfer.operation.040101>\n")
    temporary.rename(path)


def exports_write(*, large: int, small: int, is_code_qualified: bool) -> dict[str, Path]:
    suffix = "" if is_code_qualified else "-unqualified"
    paths = {
        "small": BENCH_DIR / f"xzufi-{small}{suffix}.xml",
        "large": BENCH_DIR / f"xzufi-{large}{suffix}.xml",
        "changed": BENCH_DIR / f"xzufi-{large}-changed{suffix}.xml",
    }
    started = time.monotonic()
    for label, path in paths.items():
        export_write(
            path,
            services=small if label == "small" else large,
            variant="changed" if label == "changed" else "",
            is_code_qualified=is_code_qualified,
        )
    sizes = ", ".join(f"{path.name} {path.stat().st_size / 1e6:.1f} MB" for path in paths.values())
    print(f"exports: {sizes} ({time.monotonic() - started:.0f} s)")
    return paths


# --- the import -------------------------------------------------------------------------


def catalogue_empty() -> None:
    """No service, office, life situation, online service or import report, and no service
    in the search index: the catalogue before its first import."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from modelsearch.conf import get_app_config

    from services.models import CatalogueImport, LifeSituation, Office, OnlineService, Service

    tables = [model._meta.db_table for model in (Service, Office, LifeSituation, OnlineService)]
    tables.append(CatalogueImport._meta.db_table)
    with connection.cursor() as cursor:
        # CASCADE: the links, responsibilities and opening hours go with them.
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    get_app_config().get_model("IndexEntry").objects.filter(
        content_type=ContentType.objects.get_for_model(Service)
    ).delete()


def _import_child(environment: dict[str, str], path: str, pipe) -> None:
    """In a process of its own: Django set up, then catalogue_import_file; sends its
    seconds (wall and this process's CPU), the RSS before and the peak after, and the
    report, or the traceback of what went wrong."""
    import traceback

    try:
        setup_django(environment)
        from services.importing import catalogue_import_file

        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        run = catalogue_import_file(Path(path))
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    except BaseException:
        pipe.send({"traceback": traceback.format_exc()})
        raise
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    pipe.send(
        {
            "seconds": seconds,
            "cpu": cpu,
            "rss_before": before.ru_maxrss / 1024,  # KiB on Linux
            "rss_peak": after.ru_maxrss / 1024,
            "state": run.state,
            "created": len(run.created),
            "changed": len(run.changed),
            "removed": len(run.removed),
            "errors": run.errors,
        }
    )


def code_digest() -> str:
    """A short digest of the services app's code: which code an import ran, where the tree
    changes between runs (nothing of it is committed yet)."""
    digest = hashlib.sha256()
    for path in sorted((BASE_DIR / "services").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def import_measure(path: Path, environment: dict[str, str]) -> dict:
    """The import of `path` in a new process (so that its peak RSS is the import's own)."""
    code = code_digest()
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_import_child, args=(environment, str(path), sending))
    child.start()
    sending.close()
    try:
        if not receiving.poll(IMPORT_TIMEOUT_SECONDS):
            raise SystemExit(f"the import of {path.name} took more than {IMPORT_TIMEOUT_SECONDS} s")
        result = receiving.recv()
    except EOFError:
        raise SystemExit(f"the importing process ended with {child.exitcode}") from None
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
    if "traceback" in result:
        raise SystemExit(f"the import of {path.name} failed:\n{result['traceback']}")
    if result["state"] != "done":
        raise SystemExit(f"the import of {path.name} failed: {result['errors'][:5]}")
    result["code"] = code if code == code_digest() else f"{code}→{code_digest()}"
    return result


def import_profile(path: Path) -> None:
    """cProfile of the import into an empty catalogue in this process: where the time goes,
    and the SQL statements by what they do."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services.importing import catalogue_import_file

    catalogue_empty()
    profile = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        profile.runcall(catalogue_import_file, path)
    kinds: dict[str, list[float]] = {}
    for query in queries.captured_queries:
        sql = query["sql"].lstrip()
        words = sql.split(None, 4)
        table = next((word for word in words[1:] if word.startswith('"')), "")
        kinds.setdefault(f"{words[0]} {table}", []).append(float(query["time"]))
    print(f"\ncProfile of the import of {path.name} into an empty catalogue (in this process):")
    print(f"{len(queries)} SQL statements; by kind and table, seconds in the database driver:")
    for kind, times in sorted(kinds.items(), key=lambda item: -sum(item[1]))[:12]:
        print(f"  {sum(times):7.2f} s  {len(times):6,}×  {kind[:100]}")
    output = io.StringIO()
    stats = pstats.Stats(profile, stream=output)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    print(output.getvalue())


# --- the pages --------------------------------------------------------------------------


def paths_measured() -> dict[str, str]:
    """The A–Z list, the life situation with the most services, and the first service (with
    an office, an online service and its life situations)."""
    from django.db.models import Count

    from services.models import LifeSituation, Service

    situation = (
        LifeSituation.objects.annotate(count=Count("services")).order_by("-count", "pk").first()
    )
    service = Service.objects.current().order_by("xzufi_id").first()
    return {
        "A–Z list": "/leistungen/",
        f"life situation ({situation.name})": f"/leistungen/lebenslagen/{situation.slug}/",
        f"service page ({service.name})": f"/leistungen/{service.pk}/",
    }


def _milliseconds(client, address: str, *, change: bool) -> float:
    from website.page_cache import pages_forget

    if change:
        pages_forget()
    begun = time.perf_counter()
    response = client.get(address)
    if response.status_code != 200:
        raise SystemExit(f"{address} answered {response.status_code}, not 200")
    return (time.perf_counter() - begun) * 1000


def pages_measure(paths: dict[str, str], *, repeat: int, show_queries: bool) -> dict:
    """Each page made in this process, as bench/pages.py does: every request a new address,
    so the page cache never answers; its queries and milliseconds made afresh (the same
    generation of the page cache: what every page shares is kept) and right after a change
    (a new generation before each request: nothing made before counts)."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    run = time.time_ns()
    figures = {}
    for label, path in paths.items():
        addresses = [f"{path}?uncached=s{run}-{n}" for n in range(2 * repeat + 4)]
        _milliseconds(client, addresses.pop(), change=True)  # templates compiled, connected
        # Each request empties the connection's log (Django's reset_queries), which the
        # captured queries are a slice of: each capture starts empty and is read at once.
        captured = {}
        for state, change in [("changed", True), ("afresh", False)]:
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                _milliseconds(client, addresses.pop(), change=change)
            captured[state] = list(queries.captured_queries)
        if show_queries:
            print(f"\n{label} ({path}), made afresh: {len(captured['afresh'])} queries")
            for query in captured["afresh"]:
                print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:300]}")
        afresh = [_milliseconds(client, addresses.pop(), change=False) for _ in range(repeat)]
        changed = [_milliseconds(client, addresses.pop(), change=True) for _ in range(repeat)]
        figures[label] = {
            "path": path,
            "queries": len(captured["afresh"]),
            "queries_changed": len(captured["changed"]),
            "afresh": afresh,
            "changed": changed,
            "bytes": len(client.get(addresses.pop()).content),
        }
    return figures


def search_measure(*, repeat: int) -> dict:
    """GET /suche/?q=… in this process, each a new address (the page cache never answers):
    milliseconds of each run; also how many links to a service the page shows."""
    import re

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    run = time.time_ns()
    service_link = re.compile(rb'href="/leistungen/\d+/"')
    figures = {}
    client.get(f"/suche/?q={SEARCHES[0]}&uncached=w{run}")  # templates compiled, connected
    for query in SEARCHES:
        times = []
        for number in range(repeat):
            address = f"/suche/?q={query}&uncached=s{run}-{number}"
            begun = time.perf_counter()
            response = client.get(address)
            times.append((time.perf_counter() - begun) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{address} answered {response.status_code}, not 200")
        figures[query] = {"times": times, "links": len(service_link.findall(response.content))}
    return figures


def backend_search_measure(*, repeat: int) -> dict[str, tuple[list[float], int]]:
    """The catalogue's services in Wagtail's search backend, first 20 hits and their count,
    as a service search would ask it (not the search page): milliseconds and hits."""
    from services.models import Service

    figures = {}
    for query in SEARCHES:
        times = []
        for _ in range(repeat):
            begun = time.perf_counter()
            results = Service.objects.current().search(query)
            list(results[:20])
            count = results.count()
            times.append((time.perf_counter() - begun) * 1000)
        figures[query] = (times, count)
    return figures


# --- the report -------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def import_report(results: list[tuple[str, dict]]) -> None:
    print(
        "\nImports (services.importing.catalogue_import_file, each in a process of its own; "
        "CPU: that process's user and system time, the rest is PostgreSQL and waiting; "
        "RSS: before the import, after Django's setup, and the process's peak; code: a digest "
        "of services/*.py, two where it changed during the import):\n"
    )
    print(
        "| import | seconds | CPU s | RSS before | peak RSS | new | changed | removed | notes "
        "| code |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for label, result in results:
        print(
            f"| {label} | {result['seconds']:.1f} | {result['cpu']:.1f} | "
            f"{result['rss_before']:.0f} MiB | {result['rss_peak']:.0f} MiB | "
            f"{result['created']:,} | {result['changed']:,} | {result['removed']:,} | "
            f"{len(result['errors'])} | {result['code']} |"
        )


def pages_report(by_size: dict[str, dict]) -> None:
    print(
        "\nPages in this process, one request at a time, every request a new address: "
        "queries and median / p95 ms made afresh (same generation of the page cache) and "
        "right after a change (a new generation before each request).\n"
    )
    print("| size | page | queries afresh | after a change | afresh ms | after a change ms | KB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for size, figures in by_size.items():
        for label, page in figures.items():
            print(
                f"| {size} | {label} | {page['queries']} | {page['queries_changed']} | "
                f"{_ms(statistics.median(page['afresh']))} / "
                f"{_ms(percentile(page['afresh'], 0.95))} | "
                f"{_ms(statistics.median(page['changed']))} / "
                f"{_ms(percentile(page['changed'], 0.95))} | {page['bytes'] / 1024:.0f} |"
            )


def search_report(by_size: dict[str, tuple[dict, dict]]) -> None:
    print(
        "\nSearch: the page /suche/?q=… in this process (each run a new address), median / "
        f"p95 ms, and the links to services it shows; the archive's target: p95 under "
        f"{SEARCH_TARGET_MS} ms. Backend: Service.objects.current().search(q), first 20 hits "
        "and their count, as a search of services would ask Wagtail's backend.\n"
    )
    print("| size | query | search page ms | service links | backend ms | services found |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for size, (page, backend) in by_size.items():
        for query in SEARCHES:
            times, count = backend[query]
            print(
                f"| {size} | {query} | {_ms(statistics.median(page[query]['times']))} / "
                f"{_ms(percentile(page[query]['times'], 0.95))} | {page[query]['links']} | "
                f"{_ms(statistics.median(times))} / {_ms(percentile(times, 0.95))} | {count:,} |"
            )


def measure_size(label: str, options) -> tuple[dict, tuple[dict, dict]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
    pages = pages_measure(
        paths_measured(), repeat=options.repeat, show_queries=options.show_queries
    )
    search = search_measure(repeat=options.repeat), backend_search_measure(repeat=options.repeat)
    return pages, search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000, help="the large size")
    parser.add_argument("--small", type=int, default=100, help="the small size")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page and search")
    parser.add_argument("--show-queries", action="store_true", help="the SQL of each page")
    parser.add_argument("--profile", action="store_true", help="cProfile of a first import")
    parser.add_argument(
        "--qualified-codes", action="store_true", help="<code> in the XZuFi namespace"
    )
    options = parser.parse_args()
    # Stopped with kill as with Ctrl+C, it stops the importing process on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.1f} before the run; the cores are not ours alone")

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("This benchmark needs PostgreSQL: DATABASE_URL=postgres://…")
    database_create_if_missing(database_url)
    redis_flush(redis_url)
    environment = bench_environment(BENCH_DIR)
    environment.update(DATABASE_URL=database_url, REDIS_URL=redis_url, CELERY_BROKER_URL="")
    manage(environment, "migrate", "--noinput")
    manage({**environment, "EMAIL_URL": "memorymail://"}, "seed_demo", "--force")
    manage(environment, "collectstatic", "--noinput")
    setup_django(environment)
    print(describe_backends(environment))
    paths = exports_write(
        large=options.services,
        small=options.small,
        is_code_qualified=options.qualified_codes,
    )

    imports: list[tuple[str, dict]] = []
    pages: dict[str, dict] = {}
    searches: dict[str, tuple[dict, dict]] = {}
    catalogue_empty()
    small = f"{options.small:,} services"
    imports.append(
        (f"{small}, into an empty catalogue", import_measure(paths["small"], environment))
    )
    pages[small], searches[small] = measure_size(small, options)

    catalogue_empty()
    large = f"{options.services:,} services"
    for label, path in [
        ("into an empty catalogue", paths["large"]),
        ("the same file again", paths["large"]),
        ("1 % changed, 1 % gone", paths["changed"]),
        ("the first file again (1 % back, 1 % changed back)", paths["large"]),
    ]:
        imports.append((f"{large}, {label}", import_measure(path, environment)))
        print(f"  {imports[-1][0]}: {imports[-1][1]['seconds']:.1f} s", file=sys.stderr)
    pages[large], searches[large] = measure_size(large, options)

    print(
        f"\n{os.cpu_count()} cores; PostgreSQL, Redis and this script on the same machine; "
        f"exports under {BENCH_DIR.relative_to(BASE_DIR)}/"
    )
    import_report(imports)
    pages_report(pages)
    search_report(searches)
    first = imports[1][1]["seconds"]
    print(
        f"\nfirst import of {options.services:,} services: {first:.1f} s "
        f"(target: at most {IMPORT_TARGET_SECONDS} s)"
    )
    if options.profile or first > IMPORT_TARGET_SECONDS:
        import_profile(paths["large"])
    redis_flush(redis_url)


if __name__ == "__main__":
    main()
