"""Wagtail's database search backend, with one change for large archives.

On PostgreSQL, Wagtail recomputes the average title length over the whole search index on
every save and then scans the index for the new entries (about 0.4 s per document with
100,000 documents, bench/archive.py). Here the average comes from the cache (recomputed
hourly) and the new entries are found by a partial index (archive migration 0003). Every
other database gets Wagtail's backend unchanged.
"""

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, F
from django.db.models.functions import Length
from wagtail.search.backends.database import SearchBackend as database_search_backend
from wagtail.search.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
)

AVERAGE_TITLE_LENGTH_KEY = "search-average-title-length"
AVERAGE_TITLE_LENGTH_SECONDS = 3600


class PortalPostgresIndex(PostgresIndex):
    def _refresh_title_norms(self, full=False):
        # A rebuild (update_index) recomputes every entry, as Wagtail does.
        if full:
            super()._refresh_title_norms(full=True)
            return
        average = cache.get(AVERAGE_TITLE_LENGTH_KEY)
        if average is None:
            average = (
                self.entries.annotate(title_length=Length("title"))
                .filter(title_length__gt=0)
                .aggregate(Avg("title_length"))["title_length__avg"]
            )
            cache.set(AVERAGE_TITLE_LENGTH_KEY, average, AVERAGE_TITLE_LENGTH_SECONDS)
        if average is None:
            return
        # New entries have the norm 1.0 (Wagtail's default for them).
        self.entries.filter(title_norm=1.0).annotate(title_length=Length("title")).filter(
            title_length__gt=0
        ).update(title_norm=average / F("title_length"))


class PortalPostgresSearchBackend(PostgresSearchBackend):
    index_class = PortalPostgresIndex


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks for in a backend module)
    if connection.vendor == "postgresql":
        return PortalPostgresSearchBackend(params)
    return database_search_backend(params)
