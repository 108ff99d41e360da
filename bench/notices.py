"""Benchmark of the notice board with 10,000 notices and 2,000 events: SQL queries per page
in-process, then requests/s and p50/p99 latency from wrk against gunicorn on loopback, with
a trivial Django view on the same server in the same run as the floor.

    make bench                      # SQLite under var/bench-notices/
    createdb -h 127.0.0.1 -U postgres barleben_bench_notices
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/barleben_bench_notices \\
        REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/notices.py

The notices are bulk-inserted on the first run and reused by the next (delete
var/bench-notices/ or drop the database to start afresh). Needs wrk (Debian package `wrk`).
Options: --seconds, --connections, --threads (wrk), --workers (gunicorn), --notices,
--events, --show-queries.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where this very file would shadow
# the notices app; the project directory takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import (  # noqa: E402
    BASE_DIR,
    bench_environment,
    gunicorn,
    manage,
    portal_prepare,
    wait_until_idle,
    warm_up,
)

BENCH_DIR = BASE_DIR / "var" / "bench-notices"
# Every page this benchmark adds has a slug starting so: that is how a rerun finds them.
BENCH_SLUG = "bench-"
NOTICE_SLUG = f"{BENCH_SLUG}notice-"
EVENT_SLUG = f"{BENCH_SLUG}event-"
# The notice page measured: the first one loaded, made official, current, for Ebendorf,
# and with every kind of body block.
MEASURED_NOTICE_SLUG = f"{NOTICE_SLUG}00001"
MEASURED_ORTSCHAFT = "ebendorf"

TOPICS = [
    "Straßenreinigung",
    "Sitzung des Bauausschusses",
    "Sperrmüllabfuhr",
    "Anmeldung in der Kita",
    "Wechsel der Wasserzähler",
    "Baumpflanzaktion",
    "Übung der Freiwilligen Feuerwehr",
    "Ferienprogramm",
    "Sprechstunde des Bürgermeisters",
    "Wahlbekanntmachung",
    "Friedhofssatzung",
    "Sanierung des Gehwegs",
    "Arbeiten am Kanal",
    "Förderung der Vereine",
    "Grünschnittannahme",
    "Hundesteuer",
]
PLACES = ["Barleben", "Ebendorf", "Meitzendorf", "im Technologiepark", "in der Ortsmitte"]
TEASERS = [
    "Die Gemeinde informiert über Termine, Fristen und Ansprechpartner.",
    "Bitte beachten Sie die geänderten Zeiten und die Hinweise der Verwaltung.",
    "Einzelheiten und Unterlagen finden Sie in dieser Bekanntmachung.",
    "Bürgerinnen und Bürger können sich bis zum Ende der Frist äußern.",
    "Für Rückfragen steht Ihnen das Bürgerbüro gern zur Verfügung.",
]
EVENT_TOPICS = [
    "Konzert",
    "Flohmarkt",
    "Lesung",
    "Sportfest",
    "Kinderfest",
    "Vortrag",
    "Wanderung",
    "Theaterabend",
    "Blutspende",
    "Seniorennachmittag",
]
VENUES = [
    ("Bürgerhaus Barleben", "Breiteweg 40, 39179 Barleben"),
    ("Mittellandhalle", "Ebendorfer Straße, 39179 Barleben"),
    ("Dorfplatz Meitzendorf", "Dorfstraße 1, 39179 Barleben OT Meitzendorf"),
    ("Festwiese Ebendorf", ""),
    ("Gemeindebibliothek", "Breiteweg 40, 39179 Barleben"),
]


def _at(day: date, at: clock) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, at))


def _body(rng: random.Random, teaser: str, document_id: int | None, *, is_rich: bool) -> list:
    body: list[dict] = [{"type": "paragraph", "value": f"<p>{teaser}</p>"}]
    if is_rich or rng.random() < 0.3:
        body.append({"type": "heading", "value": {"text": "Einzelheiten", "level": "h2"}})
        body.append(
            {
                "type": "paragraph",
                "value": "<p>Die Unterlagen liegen im Rathaus, Zimmer 12, zur Einsicht aus. "
                "<b>Stellungnahmen</b> nimmt die Verwaltung schriftlich entgegen.</p>",
            }
        )
    if is_rich or rng.random() < 0.1:
        body.append(
            {
                "type": "table",
                "value": {
                    "data": [["Tag", "Uhrzeit", "Ort"], ["Dienstag", "9–12 Uhr", "Rathaus"]]
                    + [["Donnerstag", "14–16 Uhr", "Bürgerbüro"]],
                    "first_row_is_table_header": True,
                    "first_col_is_header": False,
                    "table_caption": "Sprechzeiten",
                },
            }
        )
    if document_id and (is_rich or rng.random() < 0.05):
        body.append({"type": "attachment", "value": {"document": document_id, "title": ""}})
    if is_rich or rng.random() < 0.1:
        body.append(
            {
                "type": "link",
                "value": {
                    "text": "Landkreis Börde",
                    "page": None,
                    "url": "https://www.boerdekreis.de/",
                },
            }
        )
    return body


def _some(rng: random.Random, items: list, weights: tuple[float, ...]) -> list:
    """None, one, two … of `items`, with these probabilities for each count."""
    count = rng.choices(range(len(weights)), weights)[0]
    return rng.sample(items, count)


def notices_bulk_load(*, board, notice_count: int, event_count: int) -> int:
    """Add the benchmark's notices and events below `board` with bulk inserts; returns how
    many pages were added (0 when they are there already).

    `add_child` and `save_revision().publish()` take about 150 ms a page (tree path,
    revision, signals, search index): half an hour for 12,000. Here the tree fields are
    computed as treebeard would and the rows inserted a thousand at a time. The pages are
    live but have no revisions, are not in the reference index, and reach the search index
    only by `update_index`.
    """
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone
    from wagtail.documents.models import Document
    from wagtail.models import Page

    from notices.models import Category, NoticeDisplayRecord, NoticeKind, NoticePage
    from website.models import Ortschaft

    wanted = notice_count + event_count
    found = NoticePage.objects.child_of(board).filter(slug__startswith=BENCH_SLUG).count()
    if found == wanted:
        return 0
    if found:
        raise SystemExit(
            f"The benchmark database holds {found} benchmark notices, not {wanted}: "
            "delete var/bench-notices/ (SQLite) or drop and create the database."
        )

    rng = random.Random(2026)  # the same data on every machine
    now = timezone.now()
    today = timezone.localdate()
    kinds = list(NoticeKind.objects.all())
    official_kind = next(kind for kind in kinds if kind.has_display_period)
    event_kind = next(kind for kind in kinds if kind.is_event)
    other_kinds = [kind for kind in kinds if not kind.has_display_period and not kind.is_event]
    ortschaften = list(Ortschaft.objects.all())
    measured_ortschaft = next(o for o in ortschaften if o.slug == MEASURED_ORTSCHAFT)
    categories = list(Category.objects.all())
    document = Document.objects.order_by("pk").first()
    document_id = document.pk if document else None

    notices: list[NoticePage] = []
    ortschaften_of: list[list] = []
    categories_of: list[list] = []
    for number in range(1, notice_count + 1):
        is_measured = number == 1
        kind = (
            official_kind
            if is_measured or rng.random() < 0.3
            else rng.choice(other_kinds or [official_kind])
        )
        teaser = rng.choice(TEASERS)
        notice = NoticePage(
            title=f"{rng.choice(TOPICS)} {rng.choice(PLACES)}",
            slug=f"{NOTICE_SLUG}{number:05d}",
            kind=kind,
            teaser=teaser,
            body=_body(rng, teaser, document_id, is_rich=is_measured),
            publication_date=today - timedelta(days=rng.randrange(3 * 365)),
            contact_department="Bürgerdienste",
            contact_person=rng.choice(["", "Frau Schulze", "Herr Becker"]),
            contact_phone="039203 565-0",
            contact_email="info@barleben.de",
        )
        if kind.has_display_period:
            if is_measured or rng.random() < 0.4:  # current (put up yesterday at the latest)
                start = today - timedelta(days=1 + rng.randrange(20))
                end = today + timedelta(days=1 + rng.randrange(30))
            else:  # over: in the archive
                start = today - timedelta(days=30 + rng.randrange(3 * 365))
                end = start + timedelta(days=14 + rng.randrange(17))
            notice.display_from, notice.display_until = _at(start, clock(8)), _at(end, clock(18))
            notice.publication_date = start
        notices.append(notice)
        ortschaften_of.append(
            [measured_ortschaft] if is_measured else _some(rng, ortschaften, (30, 55, 15))
        )
        categories_of.append(_some(rng, categories, (20, 60, 20)))

    for number in range(1, event_count + 1):
        day = today + timedelta(days=1 + rng.randrange(365))
        is_all_day = rng.random() < 0.15
        starts = clock(0) if is_all_day else clock(9 + rng.randrange(12), rng.choice((0, 30)))
        venue_name, venue_address = rng.choice(VENUES)
        teaser = rng.choice(TEASERS)
        event = NoticePage(
            title=f"{rng.choice(EVENT_TOPICS)} {rng.choice(PLACES)}",
            slug=f"{EVENT_SLUG}{number:05d}",
            kind=event_kind,
            teaser=teaser,
            body=_body(rng, teaser, document_id, is_rich=False),
            publication_date=today - timedelta(days=rng.randrange(60)),
            event_start=_at(day, starts),
            is_all_day=is_all_day,
            location_name=venue_name,
            location_address=venue_address,
            organiser=rng.choice(["Gemeinde Barleben", "Heimatverein Ebendorf", "SV Meitzendorf"]),
            contact_department="Kultur und Freizeit",
            contact_email="kultur@barleben.de",
        )
        if is_all_day:
            event.event_end = _at(day + timedelta(days=rng.choice((0, 0, 1, 2))), clock(0))
        else:
            event.event_end = event.event_start + timedelta(hours=1 + rng.randrange(4))
        if rng.random() < 0.2:
            event.latitude, event.longitude = Decimal("52.2036"), Decimal("11.6301")
        if rng.random() < 0.2:
            event.registration_url = "https://www.barleben.de/anmeldung/"
        notices.append(event)
        ortschaften_of.append(_some(rng, ortschaften, (30, 55, 15)))
        categories_of.append(_some(rng, categories, (20, 60, 20)))

    with transaction.atomic():
        board = Page.objects.select_for_update().get(pk=board.pk)
        last_child = board.get_last_child()
        first_step = Page._str2int(last_child.path[-Page.steplen :]) + 1 if last_child else 1
        for step, notice in enumerate(notices, start=first_step):
            # What add_child and Page.save would set: the tree position, the address, the
            # state of a page published once.
            notice.path = Page._get_path(board.path, board.depth + 1, step)
            notice.depth = board.depth + 1
            notice.numchild = 0
            notice.url_path = f"{board.url_path}{notice.slug}/"
            notice.draft_title = notice.title
            notice.locale_id = board.locale_id
            notice.live = True
            notice.has_unpublished_changes = False
            published = _at(notice.publication_date, clock(7))
            notice.first_published_at = notice.last_published_at = min(published, now)

        # Django refuses bulk_create for multi-table inheritance, so the two tables are filled
        # one after the other, as Model.save_base does for a single page.
        page_fields = [field.attname for field in Page._meta.concrete_fields if field.name != "id"]
        pages = [
            Page(**{name: getattr(notice, name) for name in page_fields}) for notice in notices
        ]
        Page.objects.bulk_create(pages, batch_size=1000)
        for notice, page in zip(notices, pages, strict=True):
            notice.id = notice.page_ptr_id = page.pk
        notice_fields = NoticePage._meta.local_concrete_fields
        batch_size = min(connection.ops.bulk_batch_size(notice_fields, notices), 1000)
        for start in range(0, len(notices), batch_size):
            batch = notices[start : start + batch_size]
            NoticePage._base_manager._insert(batch, fields=notice_fields, raw=True)
        Page.objects.filter(pk=board.pk).update(numchild=F("numchild") + len(notices))

        OrtschaftLink = NoticePage.ortschaften.through
        OrtschaftLink.objects.bulk_create(
            [
                OrtschaftLink(noticepage_id=notice.pk, ortschaft_id=ortschaft.pk)
                for notice, chosen in zip(notices, ortschaften_of, strict=True)
                for ortschaft in chosen
            ],
            batch_size=1000,
        )
        CategoryLink = NoticePage.categories.through
        CategoryLink.objects.bulk_create(
            [
                CategoryLink(noticepage_id=notice.pk, category_id=category.pk)
                for notice, chosen in zip(notices, categories_of, strict=True)
                for category in chosen
            ],
            batch_size=1000,
        )
        # What the display sync would have written had it watched these notices all along.
        NoticeDisplayRecord.objects.bulk_create(
            [
                NoticeDisplayRecord(
                    notice_id=notice.pk,
                    notice_title=notice.title,
                    put_up_at=notice.display_from,
                    taken_down_at=notice.display_until if notice.display_until <= now else None,
                )
                for notice in notices
                if notice.display_from
            ],
            batch_size=1000,
        )
    return len(notices)


def tree_check(board) -> None:
    """What `manage.py fixtree` would find wrong with the board's part of the page tree.

    treebeard's `find_problems`, which fixtree runs, takes two queries per page (half a
    minute here); these set-wise checks cover the same for a board whose children are leaves.
    """
    from django.db.models import F
    from django.db.models.functions import Length
    from wagtail.models import Page

    from notices.models import NoticePage

    board = Page.objects.get(pk=board.pk)
    subtree = Page.objects.filter(path__startswith=board.path)
    children = Page.objects.child_of(board)
    problems = {
        "depth that does not match the path": subtree.annotate(length=Length("path"))
        .exclude(length=F("depth") * Page.steplen)
        .count(),
        "pages below a notice": subtree.filter(depth__gt=board.depth + 1).count(),
        "notices with children": children.exclude(numchild=0).count(),
        "children the board does not count": children.count() - board.numchild,
        "pages without a notice row": children.count() - NoticePage.objects.child_of(board).count(),
    }
    problems = {name: number for name, number in problems.items() if number}
    if problems:
        raise SystemExit(f"The page tree below the board is inconsistent: {problems}")


def planner_statistics_update() -> None:
    """Give PostgreSQL's planner statistics of the loaded tables, as autovacuum does on a
    live server a minute after a bulk insert: without them it joins all 12,000 notices in
    nested loops and sorts them, where with them it walks the index on publication date."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure_queries(paths: dict[str, str], *, show_queries: bool) -> dict[str, int]:
    """SQL queries of each page, counted in-process on a warm second request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for label, path in paths.items():
        client.get(path)  # warm up templates, the site's cache and the connection
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}, not 200")
        # Read now: the next request resets the connection's query log.
        counts[label] = len(queries)
        if show_queries:
            print(f"\n{label} ({path}): {len(queries)} queries")
            for query in queries.captured_queries:
                # The column lists say little and hide the tables and conditions.
                sql = re.sub(r"^SELECT .+? FROM ", "SELECT … FROM ", query["sql"], count=1)
                print(f"  {query['time']}s  {sql[:240]}")
    return counts


def check_pages_render(board) -> None:
    """Each kind of loaded page, and the archive that takes the expired ones, renders."""
    from django.test import Client

    from notices.models import NoticeKind, NoticePage

    client = Client(HTTP_HOST="127.0.0.1")
    loaded = NoticePage.objects.child_of(board).filter(slug__startswith=BENCH_SLUG)
    samples = [loaded.filter(kind=kind).last() for kind in NoticeKind.objects.all()]
    for url in [page.url for page in samples if page] + [f"{board.url}archiv/"]:
        status = client.get(url).status_code
        if status != 200:
            raise SystemExit(f"{url} answered {status}, not 200")


UNITS_IN_MILLISECONDS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * UNITS_IN_MILLISECONDS[match[2]]


def wrk(
    url: str, *, seconds: int, connections: int, threads: int, script: Path | None = None
) -> dict:
    """Load `url` with wrk (and a Lua `script` that makes its requests, if given);
    requests/s, median and 99th percentile latency, failures, and the answers from the page
    cache where the script counts them."""
    result = subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=30s",
            "--latency",
            *([f"--script={script}"] if script else []),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    output = result.stdout
    failures = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        failures += int(match[1])
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    if match := re.search(socket_errors, output):
        failures += sum(int(count) for count in match.groups())
    hits = re.search(r"^Page cache hits: (\d+)", output, re.M)  # printed by uncached.lua
    return {
        "requests_per_second": float(re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)[1]),
        "p50": _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M)[1]),
        "p99": _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M)[1]),
        "failures": failures,
        "page_cache_hits": int(hits[1]) if hits else 0,
    }


def _format_rate(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _format_milliseconds(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--show-queries", action="store_true", help="list each page's SQL")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit(
            "This benchmark needs the HTTP load generator wrk: apt-get install wrk "
            "(Debian/Ubuntu package `wrk`)."
        )

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    environment = bench_environment(BENCH_DIR, settings_module="bench.settings")
    portal_prepare(environment)

    from notices.models import CalendarPage, NoticeIndexPage, NoticePage

    board = NoticeIndexPage.objects.get()
    calendar = CalendarPage.objects.get()
    started = time.perf_counter()
    added = notices_bulk_load(board=board, notice_count=options.notices, event_count=options.events)
    if added:
        loaded = time.perf_counter()
        manage(environment, "update_index")
        print(
            f"data: {options.notices:,} notices and {options.events:,} events inserted in "
            f"{loaded - started:.1f} s, search index rebuilt in "
            f"{time.perf_counter() - loaded:.1f} s (the pages have no revisions)"
        )
    else:
        print(f"data: {options.notices:,} notices and {options.events:,} events already loaded")
    tree_check(board)
    planner_statistics_update()
    check_pages_render(board)

    notice = NoticePage.objects.child_of(board).get(slug=MEASURED_NOTICE_SLUG)
    paths = {
        # First, while the server is fresh: the floor the pages are measured against.
        "trivial view": "/bench/trivial/",
        f"board, {MEASURED_ORTSCHAFT.title()}": f"{board.url}?ortschaft={MEASURED_ORTSCHAFT}",
        "notice": notice.url,
        "calendar": calendar.url,
        "RSS feed": f"{board.url}rss/",
        "Atom feed": f"{board.url}atom/",
        "iCal feed": f"{calendar.url}ical/",
    }
    queries = measure_queries(paths, show_queries=options.show_queries)

    results = {}
    with gunicorn(environment, workers=options.workers) as port:
        warm_up(port, list(paths.values()), workers=options.workers)
        for label, path in paths.items():
            wait_until_idle(port, workers=options.workers)
            results[label] = wrk(
                f"http://127.0.0.1:{port}{path}",
                seconds=options.seconds,
                connections=options.connections,
                threads=options.threads,
            )

    print(
        f"\nwrk: {options.threads} threads, {options.connections} connections, "
        f"{options.seconds} s per page; gunicorn: {options.workers} workers; "
        f"both on the same {os.cpu_count()} cores\n"
    )
    print("| page | queries | requests/s | p50 | p99 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, path in paths.items():
        result = results[label]
        print(
            f"| {label} (`{path}`) | {queries[label]} | "
            f"{_format_rate(result['requests_per_second'])} | "
            f"{_format_milliseconds(result['p50'])} | {_format_milliseconds(result['p99'])} |"
        )
    for label, result in results.items():
        if result["failures"]:
            print(f"{label}: {result['failures']} requests failed (error status or socket error)")


if __name__ == "__main__":
    main()
