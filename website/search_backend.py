"""Wagtail's database search backend, with two changes for large archives on PostgreSQL.

- Ranking: with the RUM index of archive migration 0004, a search in relevance order takes
  its best matches from the index in rank order (`(title || body) <=> query`), where
  Wagtail's backend ranks every match with `ts_rank` and sorts them (1.4 s for a word in a
  third of 100,000 documents, 30 ms from the index; bench/archive.py). RUM ranks title and
  body as one vector with their weights, so a word in the title still counts most. Without
  the index the ranking is Wagtail's.
- Saving: Wagtail recomputes the average title length over the whole index on every save
  and then scans the index for the new entries (about 0.4 s per document with 100,000
  documents). Here the average comes from the cache (recomputed hourly) and the new entries
  are found by a partial index (archive migration 0003). With the RUM index nothing ranks by
  that norm, and it is not kept on saves at all: setting it wrote each new entry a second
  time, into every index of the table (no HOT update, as the partial index reads the
  column), 2 ms per document of the 5 ms it took to make a document searchable
  (bench/archive.py). `update_index` sets it for every entry, as Wagtail does.

- Matching without the index table: a model may name a column of its own table
  (`search_vector_column`, added by a migration on PostgreSQL) that gets a copy of each of
  its entries' vector as the entry is written; the archive counts its search's facets from it
  (archive migration 0008, archive/search.py).

Every other database gets Wagtail's backend unchanged.
"""

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, F, FloatField, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Length
from modelsearch.utils import get_content_type_pk
from wagtail.search.backends.database import SearchBackend as database_search_backend
from wagtail.search.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)

AVERAGE_TITLE_LENGTH_KEY = "search-average-title-length"
AVERAGE_TITLE_LENGTH_SECONDS = 3600
RANKING_INDEX = "search_indexentry_title_body_rum"

_ranking_index_present: dict[str, bool] = {}


def ranking_index_present() -> bool:
    """Whether the database has the RUM index (once per process and database)."""
    name = connection.settings_dict["NAME"]
    if name not in _ranking_index_present:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [RANKING_INDEX])
            _ranking_index_present[name] = cursor.fetchone() is not None
    return _ranking_index_present[name]


class IndexDistance(CombinedExpression):
    """RUM's distance of a vector to a query: the reciprocal of its rank."""

    def __init__(self, vector, query):
        super().__init__(vector, "<=>", query, output_field=FloatField())


class PortalPostgresSearchQueryCompiler(PostgresSearchQueryCompiler):
    def tsquery(self, backend):
        """The search's query as the tsquery it matches vectors with."""
        return self.build_tsquery(self.query, config=self.get_config(backend))

    def _build_rank_expression(self, vectors, config):
        # Searches in chosen fields match the model's own columns, which have no RUM index.
        if self.fields is not None or not ranking_index_present():
            return super()._build_rank_expression(vectors, config)
        vector = vectors[0][0]
        for other, _boost in vectors[1:]:
            vector = vector._combine(other, "||", False)
        return IndexDistance(vector, self.build_tsquery(self.query, config=config))

    def _apply_ordering_and_scoring(self, queryset, rank_expression, start, stop, score_field=None):
        if not isinstance(rank_expression, IndexDistance):
            return super()._apply_ordering_and_scoring(
                queryset, rank_expression, start, stop, score_field
            )
        score = Value(1.0) / rank_expression
        if self.order_by_relevance:
            # Ascending distance alone, exactly as the index is ordered, so that it is used
            # (PostgreSQL does not sort ties further on top of an index's distance order). Ties
            # keep the index's order, the same for every page of the results.
            queryset = queryset.order_by(rank_expression.asc())
        elif not queryset.query.order_by:
            queryset = queryset.order_by("-pk")
            score = F("pk")
        if score_field is not None:
            queryset = queryset.annotate(**{score_field: score})
        return queryset[start:stop]


class PortalPostgresIndex(PostgresIndex):
    def add_items(self, model, objs):
        objs = list(objs)
        super().add_items(model, objs)
        column = getattr(model, "search_vector_column", None)
        if not column or not objs:
            return
        # The vector Wagtail just wrote, exactly as the search matches it (`title || body`).
        # The names are the models' and the model's own attribute, not input.
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {model._meta.db_table} AS indexed
                SET {column} = entry.title || entry.body
                FROM {self.entries.model._meta.db_table} AS entry
                WHERE entry.content_type_id = %s AND entry.object_id = ANY(%s)
                  AND indexed.{model._meta.pk.column} = entry.object_id::integer
                """,  # noqa: S608
                [get_content_type_pk(model), [str(obj.pk) for obj in objs]],
            )

    def _refresh_title_norms(self, full=False):
        # A rebuild (update_index) recomputes every entry, as Wagtail does.
        if full:
            super()._refresh_title_norms(full=True)
            return
        if ranking_index_present():
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
    query_compiler_class = PortalPostgresSearchQueryCompiler
    index_class = PortalPostgresIndex


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks for in a backend module)
    if connection.vendor == "postgresql":
        return PortalPostgresSearchBackend(params)
    return database_search_backend(params)
