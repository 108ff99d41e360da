"""Benchmark of the open-data API: a full listing of the notices (10,000 notices and 2,000
events, the notice benchmark's data set) through `/api/v1/notices/`, page by page as a
client would follow the `next` links, over HTTP against gunicorn on loopback; with the SQL
queries of one list page, which must not grow with the page size.

    .venv/bin/python bench/api.py                      # SQLite under var/bench-notices/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/barleben_bench_notices \\
        .venv/bin/python bench/api.py

The notices are those of bench/notices.py (bulk-inserted on the first run of either, then
reused). Options: --page-size, --workers, --notices, --events.
"""

import argparse
import http.client
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

# Run as a script, Python puts bench/ first on the path; the project directory takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import bench_environment, gunicorn, portal_prepare  # noqa: E402
from bench.notices import BENCH_DIR, notices_bulk_load  # noqa: E402


def queries_per_page(page_size: int) -> dict[int, int]:
    """SQL queries of one list page, in this process, for a small and the measured size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for size in (10, page_size):
        client.get(f"/api/v1/notices/?page_size={size}", secure=True)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/notices/?page_size={size}", secure=True)
        counts[size] = len(captured)
        if response.status_code != 200:
            raise SystemExit(f"the API answered {response.status_code}")
    return counts


def full_listing(port: int, page_size: int) -> dict:
    """Follow the `next` links from the first page to the last, one connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = f"/api/v1/notices/?page_size={page_size}"
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    pages, items, seconds = 0, 0, []
    started = time.perf_counter()
    while path:
        requested = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        seconds.append(time.perf_counter() - requested)
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        data = json.loads(body)
        pages += 1
        items += len(data["results"])
        following = data["next"]
        path = None
        if following:
            parts = urlsplit(following)
            path = f"{parts.path}?{parts.query}"
    connection.close()
    return {
        "seconds": time.perf_counter() - started,
        "pages": pages,
        "items": items,
        "count": data["count"],
        "slowest": max(seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000)
    options = parser.parse_args()

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    environment = bench_environment(BENCH_DIR, settings_module="bench.settings")
    portal_prepare(environment)

    from notices.models import NoticeIndexPage

    board = NoticeIndexPage.objects.get()
    added = notices_bulk_load(board=board, notice_count=options.notices, event_count=options.events)
    print(f"data: {options.notices:,} notices and {options.events:,} events", end="")
    print(" inserted" if added else " already loaded")

    queries = queries_per_page(options.page_size)
    with gunicorn(environment, workers=options.workers) as port:
        full_listing(port, options.page_size)  # warm-up: templates, connections
        listing = full_listing(port, options.page_size)

    print(
        f"\nFull listing of /api/v1/notices/ over HTTP (gunicorn, {options.workers} workers, "
        f"{os.cpu_count()} cores), {options.page_size} per page\n"
    )
    print("| notices listed | pages | total | per page (mean) | slowest page | queries per page |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    sizes = ", ".join(f"{count} at {size}" for size, count in queries.items())
    print(
        f"| {listing['items']:,} of {listing['count']:,} | {listing['pages']} | "
        f"{listing['seconds']:.1f} s | {listing['seconds'] / listing['pages'] * 1000:.0f} ms | "
        f"{listing['slowest'] * 1000:.0f} ms | {sizes} |"
    )
    if listing["items"] != listing["count"]:
        raise SystemExit("the listing lost or repeated notices")


if __name__ == "__main__":
    main()
