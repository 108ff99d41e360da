"""The portal's one search: archive documents, notices and pages, through Wagtail's search
backend (PostgreSQL by default, OpenSearch/Elasticsearch by setting).

Each kind is searched on its own and the kinds are merged by score or date, so every kind
keeps its own filters. Snippets with the page they were found on come from the stored page
texts (`DocumentText`) of the documents shown, in one query.
"""

import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from heapq import merge
from itertools import islice

from django.contrib.postgres.search import SearchVectorField
from django.db import connection, transaction
from django.db.models import Count, F
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail.search.query import And, MatchAll, Not, Phrase, PlainText, SearchQuery

from notices.models import NoticePage
from services.models import Service
from website.models import Ortschaft

from .models import Document, DocumentText, DocumentType, IssuingBody

RESULTS_PER_PAGE = 20
# Administrative services shown above the results: what citizens most often look for.
SERVICES_SHOWN = 3
# Deeper pages are not offered: nobody reads them, and each costs more than the last.
MAX_PAGES = 50
MAX_QUERY_LENGTH = 200
SNIPPETS_PER_DOCUMENT = 2

KINDS = {
    "dokumente": _("Archive documents"),
    "bekanntmachungen": _("Notices"),
    "seiten": _("Pages"),
}
# Control characters and the characters the snippet markers use never reach the backend.
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
MARK_START, MARK_END = "\x02", "\x03"
PHRASE = re.compile(r'"([^"]*)"')
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchFilters:
    kind: str = ""
    document_type: DocumentType | None = None
    issuing_body: IssuingBody | None = None
    ortschaft: Ortschaft | None = None
    year: int | None = None

    @property
    def documents_only(self) -> bool:
        return bool(self.document_type or self.issuing_body) or self.kind == "dokumente"

    def searches(self, kind: str) -> bool:
        if self.kind:
            return kind == self.kind
        if self.documents_only:
            return kind == "dokumente"
        # Pages have neither an Ortschaft nor a year.
        return not (kind == "seiten" and (self.ortschaft or self.year))


@dataclass
class Snippet:
    page_number: int | None
    html: str


@dataclass
class Hit:
    kind: str
    object: object
    score: float
    date: date | None
    snippets: list[Snippet] = field(default_factory=list)


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    is_chosen: bool = False
    url: str = ""  # set by the view


@dataclass
class Facet:
    name: str  # the parameter in the address
    label: str
    options: list[FacetOption]
    remove_url: str = ""  # set by the view


def query_clean(raw: str) -> str:
    """The query as typed, without control characters, at most MAX_QUERY_LENGTH long."""
    return " ".join(UNSAFE_CHARACTERS.sub(" ", raw).split())[:MAX_QUERY_LENGTH]


def _words(text: str) -> str:
    return " ".join(WORD.findall(text))


def _parsed(query: str) -> SearchQuery:
    """Words (all must occur) and "phrases in quotes", built from word characters only:
    whatever else a citizen types (operators, brackets, stray quotes) is no syntax to any
    backend, and every backend gets the same meaning."""
    phrases = [_words(phrase) for phrase in PHRASE.findall(query)]
    parts: list[SearchQuery] = [Phrase(phrase) for phrase in phrases if phrase]
    words = _words(PHRASE.sub(" ", query))
    if words:
        parts.insert(0, PlainText(words, operator="and"))
    if not parts:
        return Not(MatchAll())
    return parts[0] if len(parts) == 1 else And(parts)


def query_for_snippets(query: str) -> str:
    """The same words and phrases, for PostgreSQL's websearch_to_tsquery."""
    phrases = [f'"{_words(phrase)}"' for phrase in PHRASE.findall(query) if _words(phrase)]
    return " ".join([_words(PHRASE.sub(" ", query)), *phrases]).strip()


def _documents(filters: SearchFilters):
    documents = (
        Document.objects.public().select_related("document_type", "issuing_body").defer("text")
    )
    if filters.document_type:
        documents = documents.filter(document_type=filters.document_type)
    if filters.issuing_body:
        documents = documents.filter(issuing_body=filters.issuing_body)
    if filters.year:
        documents = documents.filter(year=filters.year)
    if filters.ortschaft:
        documents = documents.for_ortschaft(filters.ortschaft)
    return documents


def _notices(filters: SearchFilters):
    notices = NoticePage.objects.live().public().select_related("kind")
    if filters.year:
        notices = notices.filter(
            publication_date__gte=date(filters.year, 1, 1),
            publication_date__lt=date(filters.year + 1, 1, 1),
        )
    if filters.ortschaft:
        # Wagtail's search filters on the page's own fields only: the Ortschaft as ids.
        notices = notices.filter(
            pk__in=NoticePage.objects.for_ortschaft(filters.ortschaft).values("pk")
        )
    return notices


def _pages(filters: SearchFilters):
    return Page.objects.live().public().not_type(NoticePage).exclude(depth=1).specific()


SOURCES = {
    "dokumente": (_documents, "-date", lambda document: document.date),
    "bekanntmachungen": (_notices, "-publication_date", lambda notice: notice.publication_date),
    "seiten": (
        _pages,
        "-first_published_at",
        lambda page: page.first_published_at.date() if page.first_published_at else None,
    ),
}


def _search(kind: str, query: str, filters: SearchFilters, is_newest_first: bool):
    queryset_for, newest_first, _date = SOURCES[kind]
    queryset = queryset_for(filters)
    if is_newest_first:
        return queryset.order_by(newest_first).search(_parsed(query), order_by_relevance=False)
    return queryset.search(_parsed(query)).annotate_score("_score")


def services_found(query: str) -> list[Service]:
    """The administrative services that best match the query (name, search terms, texts),
    shown before everything else: someone who types "Personalausweis" wants to apply."""
    return list(Service.objects.current().search(_parsed(query))[:SERVICES_SHOWN])


def _by_date(hit: Hit) -> date:
    return hit.date or date.min


def _by_score(hit: Hit) -> float:
    return hit.score


def site_search(
    *,
    query: str,
    filters: SearchFilters,
    matches: "Matches",
    is_newest_first: bool,
    page_number: int,
) -> tuple[list[Hit], int, dict[str, int]]:
    """One page of hits over every kind the filters allow, the total, and the count per kind.

    The counts of documents and notices come from their matches (`search_matches`), where
    those are complete; only pages, and every kind on other search engines, are counted by
    the backend.
    """
    page_number = max(1, min(page_number, MAX_PAGES))
    searches = {
        kind: _search(kind, query, filters, is_newest_first)
        for kind in SOURCES
        if filters.searches(kind)
    }
    counts = {
        kind: matches.count(kind, filters)
        if matches.is_complete and kind in matches.kinds
        else results.count()
        for kind, results in searches.items()
    }
    end = page_number * RESULTS_PER_PAGE

    def hits(kind, results):
        date_of = SOURCES[kind][2]
        # only as many of each kind as the merged pages up to this one can need
        for item in results[:end]:
            yield Hit(
                kind=kind, object=item, score=getattr(item, "_score", 0.0), date=date_of(item)
            )

    merged = merge(
        *(hits(kind, results) for kind, results in searches.items() if counts[kind]),
        key=_by_date if is_newest_first else _by_score,
        reverse=True,
    )
    page = list(islice(merged, end - RESULTS_PER_PAGE, end))
    _attach_snippets([hit for hit in page if hit.kind == "dokumente"], query)
    return page, sum(counts.values()), counts


# Search engines other than the database count their facets over this many first matches.
FACET_SCAN_LIMIT = 10_000


@dataclass(frozen=True)
class _Match:
    """What the facets need to know of matching documents or notices: one combination of
    kind, type, body, year and Ortschaften, and how many matches have it."""

    kind: str
    document_type_id: int | None
    issuing_body_id: int | None
    year: int | None
    ortschaft_ids: frozenset[int]  # empty: the whole municipality
    count: int

    def fits(self, filters: SearchFilters) -> bool:
        """Whether the filters let this combination through, its kind aside (`Matches.fitting`)."""
        return (
            (not filters.document_type or self.document_type_id == filters.document_type.pk)
            and (not filters.issuing_body or self.issuing_body_id == filters.issuing_body.pk)
            and (not filters.year or self.year == filters.year)
            and (
                not filters.ortschaft
                or not self.ortschaft_ids
                or filters.ortschaft.pk in self.ortschaft_ids
            )
        )


@dataclass
class Matches:
    """The documents and notices a query finds, public but otherwise unfiltered."""

    kinds: list[str]
    items: list[_Match]
    # False where a search engine gave only its first FACET_SCAN_LIMIT matches.
    is_complete: bool

    def fitting(self, filters: SearchFilters):
        """The combinations the filters let through (thousands for a common word)."""
        kinds = {kind for kind in self.kinds if filters.searches(kind)}
        return (match for match in self.items if match.kind in kinds and match.fits(filters))

    def count(self, kind: str, filters: SearchFilters) -> int:
        return sum(match.count for match in self.fitting(filters) if match.kind == kind)


def _kind_matches(query: str, kind: str) -> tuple[list[_Match], bool]:
    """One statement, whatever the number of matches: the matches counted by what the facets
    count, type, body, year and Ortschaften (a few thousand combinations, where there are
    tens of thousands of matches)."""
    model = Document if kind == "dokumente" else NoticePage
    public = SOURCES[kind][0](SearchFilters())
    parsed = _parsed(query)
    results = public.search(parsed, order_by_relevance=False)
    by_vector = _matching_by_vector(public, parsed, results)
    if by_vector is not None:
        matching, is_complete = by_vector, True
    elif hasattr(results, "get_queryset"):
        # The database's backend: the search itself, without its ordering.
        matching = results.get_queryset().order_by()
        is_complete = True
    else:
        ids = [item.pk for item in results[:FACET_SCAN_LIMIT]]
        matching = model.objects.filter(pk__in=ids)
        is_complete = len(ids) < FACET_SCAN_LIMIT
    if matching.query.is_empty():  # a query of no words finds nothing
        return [], is_complete
    if kind == "dokumente":
        combinations = _document_combinations(matching, is_by_vector=by_vector is not None)
    else:
        combinations = _notice_combinations(matching)
    # a few lists of Ortschaften, for thousands of combinations
    ortschaft_sets = {
        ids: frozenset(int(pk) for pk in ids.split(",")) if ids else frozenset()
        for ids in {combination[3] for combination in combinations}
    }
    return [
        _Match(kind, type_id, body_id, year, ortschaft_sets[ortschaft_ids], count)
        for type_id, body_id, year, ortschaft_ids, count in combinations
    ], is_complete


def _matching_by_vector(public, parsed: SearchQuery, results):
    """On PostgreSQL, the same tsquery matched against the copy of the documents' vectors in
    their own rows (archive migration 0008), beside what the facets count: no join of tens
    of thousands of matches in the index table to the documents. None where that does not
    apply: another model or backend, a query of no words, or a phrase, which stays with the
    index table (its RUM index knows the words' positions; a GIN index makes PostgreSQL read
    every candidate's vector again)."""
    model = public.model
    column = getattr(model, "search_vector_column", None)
    compiler = getattr(results, "query_compiler", None)
    parts = getattr(parsed, "subqueries", [parsed])
    if (
        not column
        or not hasattr(compiler, "tsquery")
        or isinstance(parsed, Not)
        or any(isinstance(part, Phrase) for part in parts)
    ):
        return None
    column_sql = f'"{model._meta.db_table}"."{column}"'
    vector = RawSQL(column_sql, [], SearchVectorField())  # noqa: S611 (the model's names)
    return public.alias(_vector=vector).filter(_vector=compiler.tsquery(results.backend))


def _document_combinations(matching, *, is_by_vector: bool) -> list[tuple]:
    # Every column in the covering index of archive migration 0006: on PostgreSQL the
    # matches are joined to it alone, never to the documents' rows with their texts; or,
    # matched by the documents' own vectors, in the rows' narrow part.
    combinations = (
        matching.order_by()
        .values_list("document_type_id", "issuing_body_id", "year", "ortschaft_key")
        .annotate(count=Count("pk"))
        .values_list("document_type_id", "issuing_body_id", "year", "ortschaft_key", "count")
    )
    if not is_by_vector:
        return list(combinations)
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner counts a match as one operator call, but each is a read of a vector
        # stored out of line: a sequential scan reads all of them (450 ms for a common word
        # of 100,000 documents, 26 ms through the GIN index, which needs none). The setting
        # ends with the transaction: this one, or the request's or task's around it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        return list(combinations)


def _notice_combinations(matching) -> list[tuple]:
    # Each match's Ortschaften as one list, then the matches by their combination. The inner
    # statement is the ORM's; the names are its aliases.
    rows = matching.annotate(
        match_year=ExtractYear("publication_date"), match_ortschaft=F("ortschaften__id")
    ).values_list("pk", "match_year", "match_ortschaft")
    sql, params = rows.query.sql_with_params()
    if connection.vendor == "postgresql":
        ortschaft_list = "string_agg(match_ortschaft::text, ',' ORDER BY match_ortschaft)"
    else:
        ortschaft_list = "group_concat(match_ortschaft)"
    grouped = f"""
        SELECT NULL, NULL, match_year, ortschaft_ids, count(*)
        FROM (
            SELECT pk, match_year, {ortschaft_list} AS ortschaft_ids
            FROM ({sql}) AS match_row
            GROUP BY pk, match_year
        ) AS found
        GROUP BY match_year, ortschaft_ids
    """  # noqa: S608 (the ORM's statement, with its parameters)
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        return cursor.fetchall()


def search_matches(*, query: str, filters: SearchFilters) -> Matches:
    """What the counts and facets of a search are counted from: read once, for every kind
    with Ortschaften and years, whatever the filters (each facet counts as if its own choice
    were not made)."""
    kinds = [
        kind
        for kind in ("dokumente", "bekanntmachungen")
        if not filters.kind or kind == filters.kind
    ]
    items, is_complete = [], True
    for kind in kinds:
        found, is_kind_complete = _kind_matches(query, kind)
        items.extend(found)
        is_complete = is_complete and is_kind_complete
    return Matches(kinds=kinds, items=items, is_complete=is_complete)


def search_facets(*, filters: SearchFilters, matches: Matches) -> list[Facet]:
    """Counts per document type, issuing body, Ortschaft and year, for the query and filters.

    Each facet counts as if its own choice were not made, so every option stays visible.
    The matches are read once and counted here, not searched again for every facet.
    """

    def counts(field_name: str, value_of) -> Counter:
        others = replace(filters, **{field_name: None})
        counted: Counter = Counter()
        for match in matches.fitting(others):
            for value in value_of(match):
                counted[value] += match.count
        return counted

    facets = []
    if filters.kind in ("", "dokumente"):
        for name, label, field_name, model in [
            ("typ", _("Document type"), "document_type", DocumentType),
            ("gremium", _("Issuing body"), "issuing_body", IssuingBody),
        ]:
            found = counts(field_name, lambda match, f=field_name: [getattr(match, f"{f}_id")])
            chosen = getattr(filters, field_name)
            facets.append(
                Facet(
                    name=name,
                    label=label,
                    options=[
                        FacetOption(item.slug, item.name, found[item.pk], is_chosen=item == chosen)
                        for item in model.objects.filter(pk__in=[pk for pk in found if pk])
                    ],
                )
            )
    ortschaften = list(Ortschaft.objects.all())
    everywhere = [ortschaft.pk for ortschaft in ortschaften]
    found = counts("ortschaft", lambda match: match.ortschaft_ids or everywhere)
    facets.append(
        Facet(
            name="ortschaft",
            label=_("Ortschaft"),
            options=[
                FacetOption(
                    ortschaft.slug,
                    ortschaft.name,
                    found[ortschaft.pk],
                    is_chosen=ortschaft == filters.ortschaft,
                )
                for ortschaft in ortschaften
            ],
        )
    )
    years = counts("year", lambda match: [match.year])
    facets.append(
        Facet(
            name="jahr",
            label=_("Year"),
            options=[
                FacetOption(str(year), str(year), count, is_chosen=year == filters.year)
                for year, count in sorted(years.items(), reverse=True)
                if year
            ],
        )
    )
    return facets


def _attach_snippets(hits: list[Hit], query: str) -> None:
    if not hits:
        return
    by_document = {hit.object.pk: hit for hit in hits}
    if connection.vendor == "postgresql":
        found = _snippets_postgres(list(by_document), query)
    else:
        found = _snippets_plain(list(by_document), query)
    for document_id, snippets in found.items():
        by_document[document_id].snippets = snippets


def _marked(text: str) -> str:
    """Escape the text, then turn the markers ts_headline set into <mark> elements."""
    return html.escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def _snippets_postgres(document_ids: list[int], query: str) -> dict[int, list[Snippet]]:
    # The best pages of each document by rank, each with its highlighted passage (made for
    # those pages only: ts_headline is the costly part). The text was cleaned of control
    # characters when it was stored, so the markers are unambiguous.
    # The table name is the model's, not input.
    sql = f"""
        SELECT document_id, page_number,
               ts_headline('german', text, query,
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) ||
                   ', MaxWords=35, MinWords=15, MaxFragments=1')
        FROM (
            SELECT page.document_id, page.page_number, page.text, query,
                   row_number() OVER (
                       PARTITION BY page.document_id
                       ORDER BY ts_rank(vector, query) DESC, page.page_number
                   ) AS position
            FROM {DocumentText._meta.db_table} AS page
            CROSS JOIN websearch_to_tsquery('german', %s) AS query
            CROSS JOIN LATERAL to_tsvector('german', page.text) AS vector
            WHERE page.document_id = ANY(%s) AND vector @@ query
        ) AS ranked
        WHERE position <= %s
        ORDER BY document_id, position
    """  # noqa: S608
    snippets: dict[int, list[Snippet]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [query_for_snippets(query), document_ids, SNIPPETS_PER_DOCUMENT])
        for document_id, page_number, headline in cursor.fetchall():
            snippets.setdefault(document_id, []).append(
                Snippet(page_number=page_number, html=_marked(headline))
            )
    return snippets


def _snippets_plain(document_ids: list[int], query: str) -> dict[int, list[Snippet]]:
    """The embedded default (SQLite): the first pages that contain a word of the query."""
    words = [word.casefold() for word in re.findall(r"\w{3,}", query)]
    if not words:
        return {}
    # A crude stem (the word without its last two letters) finds "Pläne" for "Plan" no
    # better than SQLite itself, but marks whole words.
    stems = "|".join(re.escape(word[: max(3, len(word) - 2)]) for word in words)
    pattern = re.compile(rf"\b(?:{stems})\w*", re.I)
    snippets: dict[int, list[Snippet]] = {}
    pages = DocumentText.objects.filter(document_id__in=document_ids).order_by(
        "document_id", "page_number"
    )
    for page in pages.iterator():
        found = snippets.setdefault(page.document_id, [])
        if len(found) >= SNIPPETS_PER_DOCUMENT:
            continue
        match = pattern.search(page.text)
        if match:
            # about 120 characters either side, cut at spaces, never inside a word
            start = page.text.rfind(" ", 0, max(0, match.start() - 120)) + 1
            end = page.text.find(" ", match.end() + 120)
            end = len(page.text) if end < 0 else end
            passage = page.text[start:end]
            marked = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", passage)
            prefix = "… " if start else ""
            suffix = " …" if end < len(page.text) else ""
            found.append(
                Snippet(page_number=page.page_number, html=_marked(prefix + marked + suffix))
            )
    return {document_id: found for document_id, found in snippets.items() if found}
