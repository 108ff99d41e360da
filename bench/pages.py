"""Benchmark of the public pages at the size of a municipality after 20 years: 10,000
notices, 2,000 events, 100,000 archive documents, 10,000 subscribers and a survey with
100,000 responses in one PostgreSQL database, served by the production setup (gunicorn with
3 workers × 2 threads as in the Dockerfile, PostgreSQL, Redis) on loopback and loaded by
wrk at 8 and at 32 connections: each page uncached (every request a new address, so no
cached copy can answer) and warm (the same address again and again), next to a trivial
Django view on the same gunicorn in the same run.

    make bench
    .venv/bin/python bench/pages.py --seconds 10

Needs PostgreSQL, Redis and wrk (Debian package `wrk`). DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/barleben_bench_pages, created if missing) keeps the data
between runs: the first run loads them (about 15 minutes, most of it the archive's search
index), later runs reuse them; drop the database to start afresh. REDIS_URL (default
redis://127.0.0.1:6379/8) is flushed at the start. Options: --seconds, --threads (wrk),
--workers and --worker-threads (gunicorn), --connections (a list, default 8 32),
--in-process (requests per page for the in-process figures), and the sizes --notices,
--events, --documents, --subscribers, --responses.

Side by side: `--compare-with DIR` serves another tree of the portal (an older commit, e.g.
`git worktree add /tmp/old-code <commit>`) by a second gunicorn on the same data, and loads
the two in turn, `--rounds` times (the cache flushed and each server warmed up before its
turn, so neither serves what the other made), with `--pages` to measure fewer pages (labels
that contain one of the words). The other tree runs with this tree's virtual environment;
where its migrations differ, on a copy of the database migrated back to them (by this
tree's migrations, which know how to reverse what came since).

Before the load, each page is also made in this process, one request at a time: its queries,
and its time made afresh and right after a change (when nothing made before counts).
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the path; the project directory takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.archive import corpus_build, issuing_bodies_add  # noqa: E402
from bench.common import (  # noqa: E402
    BASE_DIR,
    bench_environment,
    database_create_if_missing,
    database_for_tree,
    gunicorn,
    portal_prepare,
    wait_until_idle,
    warm_up,
)
from bench.fanout import (  # noqa: E402
    redis_flush,
    subscriptions_bulk_load,
)
from bench.notices import (  # noqa: E402
    BENCH_SLUG,
    MEASURED_NOTICE_SLUG,
    MEASURED_ORTSCHAFT,
    notices_bulk_load,
    planner_statistics_update,
    wrk,
)
from bench.participation import results_survey_load  # noqa: E402

BENCH_DIR = BASE_DIR / "var" / "bench-pages"
UNCACHED_SCRIPT = Path(__file__).resolve().parent / "uncached.lua"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/barleben_bench_pages"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
# The data set's size: options of the same names.
SIZES = {
    "notices": 10_000,
    "events": 2_000,
    "documents": 100_000,
    "subscribers": 10_000,
    "responses": 100_000,
}
SEARCHED = "Bebauungsplan"  # in 15 % of the documents


def notices_load(board, *, notices: int, events: int) -> None:
    """The notices and events, and their entries in the search index (the bulk insert makes
    none; the archive search measured here searches notices too)."""
    from wagtail.search.backends import get_search_backend

    from notices.models import NoticePage

    started = time.monotonic()
    if not notices_bulk_load(board=board, notice_count=notices, event_count=events):
        print(f"data: {notices:,} notices and {events:,} events already loaded")
        return
    backend = get_search_backend()
    loaded = NoticePage.objects.child_of(board).filter(slug__startswith=BENCH_SLUG).order_by("pk")
    ids = list(loaded.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        backend.add_bulk(NoticePage, list(loaded.filter(pk__in=ids[start : start + 500])))
    print(
        f"data: {notices:,} notices and {events:,} events loaded and indexed in "
        f"{time.monotonic() - started:.0f} s"
    )


def survey_load(home, *, responses: int):
    """The survey with its responses, closed, every question's results published."""
    from participation.models import ResultsPublication
    from participation.tallies import tally_recount

    survey, loaded = results_survey_load(home, responses=responses)
    if loaded:
        tally_recount(survey=survey)
    ResultsPublication.objects.update_or_create(
        survey=survey,
        defaults={"question_ids": [question.id for question in survey.question_list]},
    )
    print(f"data: a survey with {responses:,} responses {'loaded' if loaded else 'there'}")
    return survey


def subscribers_load(site, *, count: int) -> None:
    from notices.models import Subscription

    present = Subscription.objects.count()
    if present < count:
        subscriptions_bulk_load(site=site, count=count - present)
    print(f"data: {max(count, present):,} subscribers")


def paths_measured(survey) -> dict[str, str]:
    from archive.models import Document
    from notices.models import CalendarPage, NoticeIndexPage, NoticePage

    board = NoticeIndexPage.objects.get()
    notice = NoticePage.objects.child_of(board).get(slug=MEASURED_NOTICE_SLUG)
    document = Document.objects.public().indexed().order_by("pk").first()
    return {
        # First, while the server is fresh: the ceiling the pages are measured against.
        "trivial view": "/bench/trivial/",
        "home page": "/",
        f"board, {MEASURED_ORTSCHAFT.title()}": f"{board.url}?ortschaft={MEASURED_ORTSCHAFT}",
        "notice page": notice.url,
        "calendar": CalendarPage.objects.get().url,
        "RSS feed": f"{board.url}rss/",
        f"archive search ({SEARCHED})": f"/suche/?q={SEARCHED}",
        "document page": document.get_absolute_url(),
        "survey results": survey.url,
    }


def _milliseconds(client, address: str, *, change: bool) -> float:
    from website.page_cache import pages_forget

    if change:
        pages_forget()
    begun = time.perf_counter()
    response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    return (time.perf_counter() - begun) * 1000


def in_process(paths: dict[str, str], requests: int) -> dict[str, tuple[int, float, float]]:
    """Each page made in this process, `requests` times in each state: its queries, and the
    median milliseconds made afresh (a new address in the same generation of the page cache,
    as the uncached load asks) and right after a change (a new generation before each
    request: nothing made before counts, not the layout, the teasers or the numbers)."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    run = time.time_ns()
    figures = {}
    for label, path in paths.items():
        separator = "&" if "?" in path else "?"
        addresses = [f"{path}{separator}uncached=p{run}-{n}" for n in range(2 * requests + 2)]
        _milliseconds(client, addresses.pop(), change=True)  # templates compiled, connected
        with CaptureQueriesContext(connection) as queries:
            _milliseconds(client, addresses.pop(), change=False)
        query_count = len(queries)  # now: the next request empties the connection's log
        afresh = [_milliseconds(client, addresses.pop(), change=False) for _ in range(requests)]
        changed = [_milliseconds(client, addresses.pop(), change=True) for _ in range(requests)]
        figures[label] = (query_count, statistics.median(afresh), statistics.median(changed))
    return figures


def _measure(port: int, paths: dict[str, str], options) -> dict[tuple[str, int, str], dict]:
    """Each page under load on the gunicorn at `port`: uncached and warm, at each number of
    connections."""
    results = {}
    for connections in options.connections:
        for label, path in paths.items():
            for state, script in [("uncached", UNCACHED_SCRIPT), ("warm", None)]:
                wait_until_idle(port, workers=options.workers)
                results[label, connections, state] = wrk(
                    f"http://127.0.0.1:{port}{path}",
                    seconds=options.seconds,
                    connections=connections,
                    threads=options.threads,
                    script=script,
                )
    return results


def side_by_side(environment, paths: dict[str, str], options, redis_url: str) -> None:
    """This tree and the one in --compare-with, served by two gunicorns on the same data and
    loaded in turn; prints requests/s of each, round by round."""
    trees = {"old": Path(options.compare_with).resolve(), "new": BASE_DIR}
    results: dict[str, list[dict]] = {name: [] for name in trees}
    server = {"workers": options.workers, "threads": options.worker_threads}
    old_environment = database_for_tree(environment, trees["old"])
    with (
        gunicorn(old_environment, directory=trees["old"], **server) as old_port,
        gunicorn(environment, directory=trees["new"], **server) as new_port,
    ):
        ports = {"old": old_port, "new": new_port}
        for _round in range(options.rounds):
            for name, port in ports.items():
                redis_flush(redis_url)
                warm_up(port, list(paths.values()), workers=options.workers)
                results[name].append(_measure(port, paths, options))
    print(
        f"\nSide by side: old = {trees['old']}, new = {trees['new']}; {options.rounds} rounds, "
        f"each tree in turn; wrk {options.threads} threads, {options.seconds} s per "
        f"measurement; gunicorn {options.workers} workers × {options.worker_threads} threads "
        f"each; {os.cpu_count()} cores. Requests/s of each round (the warm pages' share of the "
        "trivial view's in the same round and state).\n"
    )
    print("| page | state | c | old | new |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, path in paths.items():
        for connections in options.connections:
            for state in ("uncached", "warm"):
                cells = []
                for name in trees:
                    figures = []
                    for measured in results[name]:
                        rate = measured[label, connections, state]["requests_per_second"]
                        ceiling = measured["trivial view", connections, state]
                        share = rate / ceiling["requests_per_second"]
                        figures.append(
                            f"{_rate(rate)}" + (f" ({share:.0%})" if state == "warm" else "")
                        )
                    cells.append(", ".join(figures))
                print(f"| {label} (`{path}`) | {state} | {connections} | " + " | ".join(cells))
    for name in trees:
        for measured in results[name]:
            _report_failures(measured, prefix=f"{name}: ")


def _report_failures(results: dict, *, prefix: str = "") -> None:
    for key, result in results.items():
        if result["failures"]:
            failed = result["failures"]
            print(f"{prefix}{key}: {failed} requests failed (error status or socket error)")
        if key[2] == "uncached" and result["page_cache_hits"]:
            print(f"{prefix}{key}: {result['page_cache_hits']} answers came from the page cache")


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per measurement")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--worker-threads", type=int, default=2, help="threads per worker")
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32])
    parser.add_argument(
        "--in-process", type=int, default=30, help="requests per page and state, in-process"
    )
    for name, size in SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=size, help="size of the data set")
    parser.add_argument("--compare-with", metavar="DIR", help="another tree, served side by side")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the side-by-side load")
    parser.add_argument("--pages", nargs="+", help="measure only pages whose labels contain one")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("This benchmark needs the HTTP load generator wrk: apt-get install wrk")
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("This benchmark needs PostgreSQL: DATABASE_URL=postgres://…")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database_create_if_missing(database_url)
    redis_flush(redis_url)
    environment = bench_environment(BENCH_DIR, settings_module="bench.settings")
    environment.update(DATABASE_URL=database_url, REDIS_URL=redis_url, CELERY_BROKER_URL="")
    portal_prepare(environment)

    from django.db import connection
    from wagtail.models import Site

    from notices.models import NoticeIndexPage
    from website.models import HomePage

    home = HomePage.objects.get()
    notices_load(NoticeIndexPage.objects.get(), notices=options.notices, events=options.events)
    issuing_bodies_add()
    corpus_build(target=options.documents)
    survey = survey_load(home, responses=options.responses)
    subscribers_load(Site.objects.get(is_default_site=True), count=options.subscribers)
    planner_statistics_update()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
    paths = paths_measured(survey)
    if options.pages:
        paths = {
            label: path
            for label, path in paths.items()
            if label == "trivial view" or any(word in label for word in options.pages)
        }
    if options.compare_with:
        connection.close()
        side_by_side(environment, paths, options, redis_url)
        return
    made = in_process(paths, options.in_process)
    connection.close()

    redis_flush(redis_url)
    with gunicorn(environment, workers=options.workers, threads=options.worker_threads) as port:
        warm_up(port, list(paths.values()), workers=options.workers)
        results = _measure(port, paths, options)

    print(
        f"\nwrk: {options.threads} threads, {options.seconds} s per measurement; gunicorn: "
        f"{options.workers} workers × {options.worker_threads} threads, production settings, "
        f"PostgreSQL and Redis; all on the same {os.cpu_count()} cores. Uncached: every "
        "request a new address; warm: the same address. Requests/s, p50 and p99 in ms, and "
        "the share of the trivial view's requests/s at the same connections.\n"
    )
    header = "| page |" + "".join(
        f" {state} c={connections} |"
        for connections in options.connections
        for state in ("uncached", "warm")
    )
    print(header)
    print("| --- |" + " ---: |" * (2 * len(options.connections)))
    for label, path in paths.items():
        cells = []
        for connections in options.connections:
            for state in ("uncached", "warm"):
                result = results[label, connections, state]
                ceiling = results["trivial view", connections, state]["requests_per_second"]
                share = result["requests_per_second"] / ceiling
                cells.append(
                    f"{_rate(result['requests_per_second'])}/s, {_ms(result['p50'])} / "
                    f"{_ms(result['p99'])} ms ({share:.0%})"
                )
        print(f"| {label} (`{path}`) | " + " | ".join(cells) + " |")
    print(
        "\nIn-process (one request at a time, no load): queries of a page made afresh, and the "
        "median ms made afresh (a new address, as the uncached load asks) and right after a "
        "change (a new generation before each request).\n"
    )
    print("| page | queries | made afresh | right after a change |")
    print("| --- | ---: | ---: | ---: |")
    for label, (queries, afresh, after_change) in made.items():
        print(f"| {label} | {queries} | {_ms(afresh)} ms | {_ms(after_change)} ms |")
    _report_failures(results)


if __name__ == "__main__":
    main()
