"""Benchmark of the knowledge archive with 100,000 documents of about 2 KB of German text:
search latency (p50/p95 of 20 typical queries with filters, as the search page runs them,
in-process and over HTTP) next to the bare SQL full-text query on the same data (the
ceiling); and indexing throughput, from upload to searchable with Celery workers, next to
the bare text extraction of the same files in as many processes (the ceiling).

    make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/barleben_bench_archive_10k \\
        .venv/bin/python bench/archive.py --documents 10000 --index-count 500 --repeat 5

Needs PostgreSQL and Redis: DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/barleben_bench_archive, created if missing) and REDIS_URL
(default redis://127.0.0.1:6379/6; that database is flushed at the start). The documents are
inserted and added to the search index on the first run (about 20 minutes for 100,000) and
reused by the next; drop the database to start afresh. The uploaded PDF files are made once
under var/bench-archive/uploads/; the documents made from them are deleted after each run.
The workers are `celery worker --pool=solo` processes with production settings. Options:
--documents, --index-count, --workers, --repeat, --explain (the SQL and EXPLAIN ANALYZE of
the slowest search), --profile (cProfile of indexing one document in this process).
"""

import argparse
import cProfile
import hashlib
import http.client
import multiprocessing
import os
import pstats
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

# Run as a script, Python puts bench/ first on the path, where this very file would shadow
# the archive app; the project directory takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.archive_corpus import (  # noqa: E402
    ISSUING_BODIES,
    GeneratedDocument,
    document_generate,
    pdf_render,
)
from bench.common import (  # noqa: E402
    BASE_DIR,
    bench_environment,
    celery_workers,
    database_create_if_missing,  # noqa: E402
    gunicorn,
    manage,
    percentile,
    setup_django,
)
from bench.fanout import redis_flush  # noqa: E402

BENCH_DIR = BASE_DIR / "var" / "bench-archive"
UPLOAD_DIR = BENCH_DIR / "uploads"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/barleben_bench_archive"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
# The corpus's documents have file names starting so (no file is stored for them); the
# uploaded ones are stored under Wagtail's documents/ with names starting so.
CORPUS_FILE = "archiv/bench-"
UPLOAD_FILE = "bench-upload-"
# The uploaded documents' texts come from numbers the corpus never reaches.
UPLOAD_NUMBERS = 10_000_000
CHUNK = 2_000
STALL_SECONDS = 120
# A query is run again only while the runs so far took less than this, so that a slow search
# makes the run shorter in repetitions, not hours long; every query runs at least once.
QUERY_SECONDS = 15
# gunicorn ends a worker whose request takes longer than 30 s (its default timeout); a search
# that slow in-process is not requested over HTTP.
HTTP_LIMIT_SECONDS = 20

# What citizens type, with the filters of the search page (parameters as in the address).
QUERIES = [
    {"q": "Gemeinderat"},
    {"q": "Sitzung"},
    {"q": "Bebauungsplan"},
    {"q": "Haushaltssatzung"},
    {"q": "Kindertagesstätte"},
    {"q": "Storchenhorst"},
    {"q": "Glockenstuhl Dorfkirche"},
    {"q": "Feuerwehr Ebendorf"},
    {"q": "Straßenbeleuchtung LED"},
    {"q": '"Freiwillige Feuerwehr"'},
    # A plural that only stemming finds in the singular of most texts.
    {"q": "Grundstücke"},
    {"q": "Satzungen", "typ": "satzung"},
    {"q": "Haushalt", "jahr": "2019"},
    {"q": "Bebauungsplan", "typ": "plan", "ortschaft": "meitzendorf"},
    {"q": "Sitzung", "gremium": "gemeinderat", "jahr": "2023"},
    {"q": "Feuerwehr", "ortschaft": "ebendorf"},
    {"q": "Winterdienst", "ortschaft": "barleben", "typ": "bekanntmachung"},
    {"q": "Kita Gebühren"},
    {"q": "Technologiepark Ostfalen", "gremium": "finanzausschuss"},
    {"q": "Schmutzwasserkanal", "jahr": "2012"},
]


# --- the corpus -------------------------------------------------------------------------


def issuing_bodies_add() -> None:
    from archive.models import IssuingBody

    for order, (name, slug) in enumerate(ISSUING_BODIES):
        IssuingBody.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})


def corpus_count() -> int:
    from archive.models import Document

    return Document.objects.filter(file__startswith=CORPUS_FILE).count()


def _document(
    generated: GeneratedDocument, *, number: int, types, bodies, ortschaften, collection, now
):
    from archive.models import Document, ortschaft_key

    text = "\n\n".join(generated.pages)
    checksum = hashlib.sha512(text.encode()).hexdigest()
    return Document(
        title=generated.title,
        file=f"{CORPUS_FILE}{number:06d}.pdf",
        file_size=len(text) + 1500,
        collection=collection,
        document_type=types[generated.document_type],
        issuing_body=bodies[generated.issuing_body],
        date=generated.date,
        page_count=len(generated.pages),
        checksum=checksum,
        indexed_checksum=checksum,
        indexing_state=Document.IndexingState.INDEXED,
        indexed_at=now,
        text=text,
        # the links themselves are inserted in bulk, without the signal that keeps this
        ortschaft_key=ortschaft_key(ortschaften[name].pk for name in generated.ortschaften),
    )


def corpus_build(*, target: int) -> None:
    """Insert documents until there are `target`, in chunks of one transaction each (an
    interrupted build goes on where it stopped), each chunk added to the search index with
    the backend's bulk API, as `update_index` does."""
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Collection
    from wagtail.search.backends import get_search_backend

    from archive.models import Document, DocumentText, DocumentType, IssuingBody
    from website.models import Ortschaft

    present = corpus_count()
    if present > target:
        raise SystemExit(
            f"The database holds {present:,} benchmark documents, more than --documents "
            f"{target:,}; drop it or ask for {present:,}."
        )
    if present == target:
        print(f"data: {target:,} documents already loaded")
        return
    types = {item.slug: item for item in DocumentType.objects.all()}
    bodies = {item.slug: item for item in IssuingBody.objects.all()}
    ortschaften = {item.name: item for item in Ortschaft.objects.all()}
    collection = Collection.get_first_root_node()
    backend = get_search_backend()
    Link = Document.ortschaften.through
    generating = inserting = indexing = 0.0
    started = time.monotonic()
    for start in range(present + 1, target + 1, CHUNK):
        numbers = range(start, min(start + CHUNK, target + 1))
        began = time.monotonic()
        generated = [document_generate(number) for number in numbers]
        now = timezone.now()
        documents = [
            _document(
                item,
                number=number,
                types=types,
                bodies=bodies,
                ortschaften=ortschaften,
                collection=collection,
                now=now,
            )
            for number, item in zip(numbers, generated, strict=True)
        ]
        generating += time.monotonic() - began
        with transaction.atomic():
            began = time.monotonic()
            Document.objects.bulk_create(documents, batch_size=500)
            DocumentText.objects.bulk_create(
                (
                    DocumentText(document=document, page_number=page_number, text=text)
                    for document, item in zip(documents, generated, strict=True)
                    for page_number, text in enumerate(item.pages, start=1)
                ),
                batch_size=1000,
            )
            Link.objects.bulk_create(
                (
                    Link(document_id=document.pk, ortschaft_id=ortschaften[name].pk)
                    for document, item in zip(documents, generated, strict=True)
                    for name in item.ortschaften
                ),
                batch_size=2000,
            )
            inserting += time.monotonic() - began
            began = time.monotonic()
            indexed = Document.get_indexed_objects().filter(pk__in=[d.pk for d in documents])
            for batch_start in range(0, len(documents), 500):
                backend.add_bulk(
                    Document, list(indexed.order_by("pk")[batch_start : batch_start + 500])
                )
            indexing += time.monotonic() - began
        done = numbers[-1]
        elapsed = time.monotonic() - started
        print(f"\r  {done:,} of {target:,} documents, {elapsed:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)
    print(
        f"data: {target - present:,} documents made in {generating:.0f} s, inserted (with "
        f"their page texts and Ortschaften) in {inserting:.0f} s, added to the search index in "
        f"{indexing:.0f} s ({(target - present) / indexing:.0f} documents/s)"
    )


# --- search latency ---------------------------------------------------------------------


def query_label(params: dict[str, str]) -> str:
    filters = ", ".join(f"{name}={value}" for name, value in params.items() if name != "q")
    return f"{params['q']}" + (f" ({filters})" if filters else "")


def search_filters(params: dict[str, str]):
    from archive.models import DocumentType, IssuingBody
    from archive.search import SearchFilters
    from website.models import Ortschaft

    return SearchFilters(
        document_type=DocumentType.objects.get(slug=params["typ"]) if "typ" in params else None,
        issuing_body=IssuingBody.objects.get(slug=params["gremium"])
        if "gremium" in params
        else None,
        ortschaft=Ortschaft.objects.get(slug=params["ortschaft"])
        if "ortschaft" in params
        else None,
        year=int(params["jahr"]) if "jahr" in params else None,
    )


def search_page_run(params: dict[str, str]) -> tuple[float, float, int]:
    """What the search view computes for these parameters: seconds for the hits, seconds for
    the matches the counts and facets come from and the facets, and the number of documents
    found."""
    from archive.search import query_clean, search_facets, search_matches, site_search

    # The view's form looks the filters up too; part of what a search costs.
    started = time.perf_counter()
    query = query_clean(params["q"])
    filters = search_filters(params)
    matches = search_matches(query=query, filters=filters)
    search_facets(filters=filters, matches=matches)
    counted = time.perf_counter()
    hits, total, counts = site_search(
        query=query, filters=filters, matches=matches, is_newest_first=False, page_number=1
    )
    return time.perf_counter() - counted, counted - started, counts.get("dokumente", 0)


def ceiling_sql(params: dict[str, str]) -> tuple[str, list]:
    """The bare ranked full-text query over the same index table with the same filters."""
    from django.contrib.contenttypes.models import ContentType
    from modelsearch.conf import get_app_config

    from archive.models import Document, DocumentType, IssuingBody
    from website.models import Ortschaft

    entries = get_app_config().get_model("IndexEntry")._meta.db_table

    conditions, arguments = [], [params["q"], ContentType.objects.get_for_model(Document).pk]
    if "typ" in params:
        conditions.append("document.document_type_id = %s")
        arguments.append(DocumentType.objects.get(slug=params["typ"]).pk)
    if "gremium" in params:
        conditions.append("document.issuing_body_id = %s")
        arguments.append(IssuingBody.objects.get(slug=params["gremium"]).pk)
    if "jahr" in params:
        conditions.append("document.year = %s")
        arguments.append(int(params["jahr"]))
    if "ortschaft" in params:
        # Documents for this Ortschaft and those for the whole municipality, as the search.
        conditions.append(
            "(EXISTS (SELECT 1 FROM archive_document_ortschaften AS link WHERE "
            "link.document_id = document.id AND link.ortschaft_id = %s) OR NOT EXISTS "
            "(SELECT 1 FROM archive_document_ortschaften AS link WHERE "
            "link.document_id = document.id))"
        )
        arguments.append(Ortschaft.objects.get(slug=params["ortschaft"]).pk)
    where = "".join(f"\n  AND {condition}" for condition in conditions)
    sql = (
        "SELECT document.id, ts_rank(entry.title || entry.body, query) AS rank\n"
        f"FROM {entries} AS entry, websearch_to_tsquery('german', %s) AS query,\n"
        "     archive_document AS document\n"
        "WHERE entry.content_type_id = %s AND (entry.title @@ query OR entry.body @@ query)\n"
        "  AND document.id = entry.object_id::integer"
        f"{where}\nORDER BY rank DESC LIMIT 20"
    )
    return sql, arguments


def ceiling_run(sql: str, arguments: list) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        cursor.fetchall()
    return time.perf_counter() - started


def http_get(port: int, path: str) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}, not 200")
    return time.perf_counter() - started


def search_measure(
    *, repeat: int, port: int
) -> tuple[dict[str, dict[str, list[float]]], dict[str, int]]:
    """Seconds per query and way of running it, repeated; the ways alternate within each
    repetition, so that a busy moment of the machine falls on all of them alike. Also the
    number of documents each query finds."""
    found = {}
    samples = {
        query_label(params): {"hits": [], "facets": [], "page": [], "ceiling": [], "http": []}
        for params in QUERIES
    }
    ceilings = [ceiling_sql(params) for params in QUERIES]
    # Once, unmeasured: the first search loads code, templates and the tables' pages.
    search_page_run(QUERIES[0])
    ceiling_run(*ceilings[0])
    http_get(port, f"/suche/?{urlencode(QUERIES[0])}")
    for _round in range(repeat):
        for params, (sql, arguments) in zip(QUERIES, ceilings, strict=True):
            figures = samples[query_label(params)]
            if figures["page"] and sum(figures["page"]) + sum(figures["http"]) > QUERY_SECONDS:
                continue
            hits, facets, found[query_label(params)] = search_page_run(params)
            figures["hits"].append(hits)
            figures["facets"].append(facets)
            figures["page"].append(hits + facets)
            figures["ceiling"].append(ceiling_run(sql, arguments))
            if max(figures["page"]) < HTTP_LIMIT_SECONDS:
                figures["http"].append(http_get(port, f"/suche/?{urlencode(params)}"))
    return samples, found


# --- indexing throughput ----------------------------------------------------------------


def _upload_path(number: int) -> Path:
    return UPLOAD_DIR / f"{UPLOAD_FILE}{number:05d}.pdf"


def _pdf_write(number: int) -> None:
    _upload_path(number).write_bytes(pdf_render(document_generate(UPLOAD_NUMBERS + number)))


def upload_files_make(count: int) -> list[Path]:
    """The PDF files to upload, made once (fpdf2 needs some 60 ms for each)."""
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    missing = [number for number in range(1, count + 1) if not _upload_path(number).exists()]
    if missing:
        started = time.monotonic()
        with multiprocessing.get_context("spawn").Pool(os.cpu_count()) as pool:
            pool.map(_pdf_write, missing, chunksize=20)
        print(f"files: {len(missing):,} PDF files made in {time.monotonic() - started:.0f} s")
    return [_upload_path(number) for number in range(1, count + 1)]


def uploads_delete() -> int:
    """Delete the documents an earlier upload made (their index entries and files go too)."""
    from archive.models import Document

    uploaded = Document.objects.filter(file__startswith=f"documents/{UPLOAD_FILE}")
    count = 0
    for document in uploaded.iterator():
        document.delete()
        count += 1
    return count


def document_upload(path: Path, *, types, bodies, ortschaften, collection) -> None:
    """What the admin's upload form does with a file: store it with its checksum, waiting;
    the save queues the reading (archive's signal handler) once the transaction commits."""
    from django.core.files import File
    from django.db import transaction
    from django.utils import timezone

    from archive.forms import file_checksum
    from archive.models import Document

    generated = document_generate(UPLOAD_NUMBERS + int(path.stem.removeprefix(UPLOAD_FILE)))
    with path.open("rb") as file, transaction.atomic():
        document = Document(
            title=generated.title,
            file=File(file, name=path.name),
            collection=collection,
            document_type=types[generated.document_type],
            issuing_body=bodies[generated.issuing_body],
            date=generated.date,
            checksum=file_checksum(file),
            indexing_state=Document.IndexingState.WAITING,
            indexing_requested_at=timezone.now(),
        )
        document._set_document_file_metadata()
        document.save()
        document.ortschaften.set([ortschaften[name] for name in generated.ortschaften])


def uploader():
    """A function that uploads one file, with the lookups done once."""
    from wagtail.models import Collection

    from archive.models import DocumentType, IssuingBody
    from website.models import Ortschaft

    lookups = {
        "types": {item.slug: item for item in DocumentType.objects.all()},
        "bodies": {item.slug: item for item in IssuingBody.objects.all()},
        "ortschaften": {item.name: item for item in Ortschaft.objects.all()},
        "collection": Collection.get_first_root_node(),
    }
    return lambda path: document_upload(path, **lookups)


def indexing_measure(paths: list[Path], *, workers: list[str]) -> dict[str, float]:
    """Upload the files one after the other, as fast as one client can; then let the workers,
    idle until then, take the queue: seconds of the uploads, and from the workers' start
    until every document is searchable. Apart, so that the upload (one client here, many
    staff members on a live site) is not mistaken for the workers' pace."""
    from archive.models import Document
    from barleben_portal.celery import app

    upload = uploader()
    uploaded = Document.objects.filter(file__startswith=f"documents/{UPLOAD_FILE}")
    started = time.monotonic()
    for path in paths:
        upload(path)
    uploads_done = time.monotonic() - started
    started = time.monotonic()
    app.control.add_consumer("archive", destination=workers, reply=True, timeout=10)
    last_count, last_progress = -1, time.monotonic()
    waiting = uploaded.filter(indexing_state=Document.IndexingState.WAITING)
    while count := waiting.count():
        if count != last_count:
            last_count, last_progress = count, time.monotonic()
        elif time.monotonic() - last_progress > STALL_SECONDS:
            raise SystemExit(
                f"nothing indexed for {STALL_SECONDS} s with {count:,} of {len(paths):,} "
                f"waiting; see {BENCH_DIR}/worker-*.log"
            )
        time.sleep(0.05)
    indexing = time.monotonic() - started
    failed = list(
        uploaded.filter(indexing_state=Document.IndexingState.FAILED).values_list(
            "title", "indexing_error"
        )[:5]
    )
    if failed:
        raise SystemExit(f"documents failed to index: {failed}")
    return {"uploads": uploads_done, "indexing": indexing}


def _extract(path: Path) -> int:
    from archive.extraction import text_extract

    return len(text_extract(path=path, file_name=path.name).text)


def _extraction_process_setup(environment: dict[str, str]) -> None:
    setup_django(environment)


def extraction_measure(paths: list[Path], *, processes: int, environment) -> tuple[float, int]:
    """Seconds for `text_extract` of every file in `processes` processes, and the characters."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, _extraction_process_setup, (environment,)) as pool:
        pool.map(_extract, paths[:processes], chunksize=1)  # every process loads its libraries
        started = time.monotonic()
        characters = sum(pool.map(_extract, paths, chunksize=10))
        return time.monotonic() - started, characters


def index_write_seconds(document_ids: list[int]) -> float:
    """Seconds of the bare SQL that makes these documents' stored texts searchable: their
    entries in the search index table (with its RUM and GIN indexes) written again in one
    statement, the text vectors made by PostgreSQL as Wagtail's backend has them made; in a
    transaction that is rolled back."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from modelsearch.conf import get_app_config

    from archive.models import Document

    entries = get_app_config().get_model("IndexEntry")._meta.db_table
    sql = f"""
        INSERT INTO {entries} (content_type_id, object_id, title, autocomplete, body,
                               title_norm, title_text, body_text)
        SELECT %s, document.id::text,
               setweight(to_tsvector('german', document.title), 'A'),
               setweight(to_tsvector('simple', document.title), 'D'),
               setweight(to_tsvector('german', document.text), 'D'),
               1.0, document.title, document.text
        FROM archive_document AS document WHERE document.id = ANY(%s)
        ON CONFLICT (content_type_id, object_id) DO UPDATE SET
            title = EXCLUDED.title, autocomplete = EXCLUDED.autocomplete,
            body = EXCLUDED.body, title_norm = 1.0, title_text = EXCLUDED.title_text,
            body_text = EXCLUDED.body_text
    """  # noqa: S608 (the table name is the model's)
    content_type = ContentType.objects.get_for_model(Document).pk
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [content_type, document_ids])
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def profile_indexing(paths: list[Path]) -> None:
    """Upload a few more files and read them in this process: timed, the slowest SQL of one,
    and cProfile of another. The tasks the uploads queue are flushed afterwards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from archive.indexing import document_index
    from archive.models import Document

    upload = uploader()
    for path in paths:
        upload(path)
    ids = list(
        Document.objects.filter(
            file__startswith=f"documents/{UPLOAD_FILE}", indexing_state="waiting"
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    document_index(document_id=ids[0])  # loads pdfium and the translations
    started = time.perf_counter()
    for document_id in ids[1:-2]:
        document_index(document_id=document_id)
    each = (time.perf_counter() - started) / len(ids[1:-2])
    with CaptureQueriesContext(connection) as queries:
        document_index(document_id=ids[-2])
    print(
        f"\nin-process, document_index of one uploaded document: {each * 1000:.0f} ms each; "
        f"{len(queries)} SQL statements, the slowest:"
    )
    for query in sorted(queries.captured_queries, key=lambda item: -float(item["time"]))[:5]:
        print(f"  {float(query['time']) * 1000:6.1f} ms  {' '.join(query['sql'].split())[:200]}")
    profile = cProfile.Profile()
    profile.runcall(document_index, document_id=ids[-1])
    print("cProfile of one document_index (wall-clock time):")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


def explain_slowest(params: dict[str, str]) -> None:
    """The SQL of the search page for these parameters, slowest statement first, and the
    plan of the slowest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        search_page_run(params)
    captured = sorted(queries.captured_queries, key=lambda item: -float(item["time"]))
    print(f"\nthe search page for {query_label(params)}: {len(captured)} SQL statements")
    for query in captured:
        print(f"  {float(query['time']) * 1000:6.1f} ms  {' '.join(query['sql'].split())[:160]}")
    slowest = captured[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"\nthe slowest:\n{slowest}\n\n{plan}")


# --- the report -------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    milliseconds = seconds * 1000
    return f"{milliseconds:.0f}" if milliseconds >= 10 else f"{milliseconds:.1f}"


def _quantiles(values: list[float]) -> str:
    if not values:
        return "– | –"
    return f"{_ms(percentile(values, 0.5))} | {_ms(percentile(values, 0.95))}"


def search_report(samples: dict[str, dict[str, list[float]]], found: dict[str, int]) -> str:
    """The table of the search figures; returns the label of the slowest query."""
    print(
        "\n| query (filters) | documents found | runs | search page p50 | p95 | of which "
        "counts and facets p50 | HTTP p50 | p95 | ceiling p50 | p95 | p95 / ceiling |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    pooled = {way: [] for way in ("page", "facets", "http", "ceiling")}
    for label, figures in [*samples.items(), ("all queries", None)]:
        if figures is None:
            figures, count = pooled, ""
        else:
            for way in pooled:
                pooled[way] += figures[way]
            count = f"{found[label]:,}"
        ratio = percentile(figures["page"], 0.95) / percentile(figures["ceiling"], 0.95)
        print(
            f"| {label} | {count} | {len(figures['page'])} | {_quantiles(figures['page'])} | "
            f"{_ms(percentile(figures['facets'], 0.5))} | {_quantiles(figures['http'])} | "
            f"{_quantiles(figures['ceiling'])} | {ratio:.1f} |"
        )
    page_p95 = percentile(pooled["page"], 0.95)
    ratio = page_p95 / percentile(pooled["ceiling"], 0.95)
    print(
        f"\nall queries: search page p95 {_ms(page_p95)} ms (target: under 100 ms), "
        f"{ratio:.1f} times the ceiling's (target: at most 2)"
    )
    if any(not figures["http"] for figures in samples.values()):
        print(
            f"–: not requested over HTTP, as the search took more than {HTTP_LIMIT_SECONDS} s "
            "in-process and gunicorn would end the worker after 30 s"
        )
    return max(samples, key=lambda label: percentile(samples[label]["page"], 0.95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000, help="size of the corpus")
    parser.add_argument("--index-count", type=int, default=500, help="files uploaded")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query")
    parser.add_argument("--explain", action="store_true", help="plan of the slowest search")
    parser.add_argument("--profile", action="store_true", help="cProfile of one indexing")
    options = parser.parse_args()
    # Stopped with kill as with Ctrl+C, it stops its workers and gunicorn on the way out.
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
    environment.update(DATABASE_URL=database_url, REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url)
    manage(environment, "migrate", "--noinput")
    # Without a broker the demo's own publications are handled in-process.
    manage(
        {**environment, "REDIS_URL": "", "CELERY_BROKER_URL": "", "EMAIL_URL": "memorymail://"},
        "seed_demo",
        "--force",
    )
    manage(environment, "collectstatic", "--noinput")
    setup_django(environment)
    from django.db import connection

    issuing_bodies_add()
    uploads_delete()  # an interrupted run's
    corpus_build(target=options.documents)
    # What autovacuum does after a bulk insert on a live server (PostgreSQL 13 and newer
    # vacuum a table after inserts too): statistics, and the visibility map without which no
    # index-only scan (the search's counts and facets) is one.
    with connection.cursor() as cursor:  # Django's autocommit: no transaction around it
        cursor.execute("VACUUM ANALYZE")
    # The search page itself, not the page cache (which would answer a repeated address).
    with gunicorn({**environment, "PAGE_CACHE_SECONDS": "0"}, workers=2) as port:
        samples, found = search_measure(repeat=options.repeat, port=port)
    print(
        f"\n{options.documents:,} documents; {len(QUERIES)} queries, up to {options.repeat} runs "
        f"each (fewer once a query has taken {QUERY_SECONDS} s), one at a time; milliseconds. "
        "Search page: search_matches, search_facets and site_search in-process, as the view "
        "calls them; "
        "HTTP: the page /suche/ from gunicorn (2 workers); ceiling: one ranked SQL full-text "
        "query over the same index table with the same filters, first 20 hits."
    )
    slowest = search_report(samples, found)

    paths = upload_files_make(options.index_count + (6 if options.profile else 0))
    measured, profiled = paths[: options.index_count], paths[options.index_count :]
    redis_flush(redis_url)
    # The workers wait on the large files' queue, empty here, until the measurement hands
    # them the archive's queue (indexing_measure).
    with celery_workers(
        environment,
        count=options.workers,
        queues="archive-large",
        prefix="bench-archive",
        log_dir=BENCH_DIR,
    ) as workers:
        indexing = indexing_measure(measured, workers=list(workers))
    extraction, characters = extraction_measure(
        measured, processes=options.workers, environment=environment
    )
    from archive.models import Document

    stored = sum(
        len(text)
        for text in Document.objects.filter(
            file__startswith=f"documents/{UPLOAD_FILE}"
        ).values_list("text", flat=True)
    )
    if stored != characters:
        raise SystemExit(
            f"the workers stored {stored:,} characters, extraction read {characters:,}"
        )
    uploaded_ids = list(
        Document.objects.filter(file__startswith=f"documents/{UPLOAD_FILE}").values_list(
            "pk", flat=True
        )
    )
    index_write = index_write_seconds(uploaded_ids)
    count = options.index_count
    indexing_rate, extraction_rate = count / indexing["indexing"], count / extraction
    both = indexing["uploads"] + indexing["indexing"]
    print(
        f"\n{count:,} PDF files with a text layer (1–2 pages, about 2 KB of text each), "
        f"{options.workers} Celery workers (--pool=solo), into the index of "
        f"{options.documents:,} documents; PostgreSQL, Redis, the workers and this script "
        f"on the same {os.cpu_count()} cores\n"
    )
    print("| run | time | documents/s |")
    print("| --- | ---: | ---: |")
    for label, seconds in [
        (
            "upload: the admin form's work, one client, one file after the other",
            indexing["uploads"],
        ),
        (f"indexing: queued to searchable, {options.workers} workers", indexing["indexing"]),
        ("upload and indexing, one after the other", both),
        (f"ceiling: text extraction, {options.workers} processes", extraction),
        ("bare SQL index write of the same texts, one statement, one process", index_write),
    ]:
        print(f"| {label} | {seconds:.1f} s | {count / seconds:.1f} |")
    # Per document and core: reading it, and writing its index entry. On cores that
    # PostgreSQL shares with the readers, no pipeline reads faster than doing both.
    extraction_each = options.workers * extraction / count
    write_each = index_write / count
    print(
        f"\nbare extraction {extraction_each * 1000:.2f} ms and bare index write "
        f"{write_each * 1000:.2f} ms per document and core: even without any other work, "
        f"reading and indexing on the same cores reaches at most "
        f"{extraction_each / (extraction_each + write_each):.2f} of the extraction's rate"
    )
    print(
        f"\nratio {indexing_rate / extraction_rate:.3f} (target: at least 0.70); upload and "
        f"indexing {count / both / extraction_rate:.3f}. Per document: upload "
        f"{indexing['uploads'] / count * 1000:.0f} ms, a worker "
        f"{options.workers * indexing['indexing'] / count * 1000:.0f} ms, extraction "
        f"{options.workers * extraction / count * 1000:.0f} ms."
    )

    if options.explain:
        explain_slowest(next(params for params in QUERIES if query_label(params) == slowest))
    if options.profile:
        profile_indexing(profiled)
    uploads_delete()
    redis_flush(redis_url)


if __name__ == "__main__":
    main()
