"""The citizens' search over the whole portal, and the page of each archive document."""

from django import forms
from django.db.models import Case, IntegerField, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from website.models import Ortschaft

from .models import ArchiveIndexPage, Document, DocumentType, IssuingBody
from .search import (
    KINDS,
    MAX_PAGES,
    RESULTS_PER_PAGE,
    SearchFilters,
    query_clean,
    search_facets,
    search_matches,
    services_found,
    site_search,
)

PREVIEW_CHARACTERS = 3000
RELATED_DOCUMENTS = 5


class SearchForm(forms.Form):
    """Every choice is in the address, so a search can be bookmarked, shared and cached."""

    q = forms.CharField(label=_("Search term"), required=False)
    art = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Everything")), *KINDS.items()], required=False
    )
    typ = forms.ModelChoiceField(
        label=_("Document type"), queryset=None, to_field_name="slug", required=False
    )
    gremium = forms.ModelChoiceField(
        label=_("Issuing body"), queryset=None, to_field_name="slug", required=False
    )
    ortschaft = forms.ModelChoiceField(
        label=_("Ortschaft"), queryset=None, to_field_name="slug", required=False
    )
    jahr = forms.IntegerField(label=_("Year"), min_value=1800, max_value=2200, required=False)
    sortierung = forms.ChoiceField(
        label=_("Order"),
        choices=[("", _("Best match first")), ("neueste", _("Newest first"))],
        required=False,
    )
    seite = forms.IntegerField(min_value=1, max_value=MAX_PAGES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typ"].queryset = DocumentType.objects.all()
        self.fields["gremium"].queryset = IssuingBody.objects.all()
        self.fields["ortschaft"].queryset = Ortschaft.objects.all()

    def clean_q(self):
        return query_clean(self.cleaned_data["q"])

    def valid_data(self) -> dict:
        """The valid choices; an invalid one is dropped (and named in `errors`)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def filters(self) -> SearchFilters:
        """The valid filters of the address."""
        data = self.valid_data()
        return SearchFilters(
            kind=data.get("art", ""),
            document_type=data.get("typ"),
            issuing_body=data.get("gremium"),
            ortschaft=data.get("ortschaft"),
            year=data.get("jahr"),
        )


def _address(request: HttpRequest, **changes: str | None) -> str:
    """This page's address with some parameters changed (None: removed)."""
    params = request.GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = value
    return f"?{params.urlencode()}"


def _chosen_filters(filters: SearchFilters) -> list[str]:
    """What the results are narrowed to, named as the facets name it."""
    labels = [KINDS[filters.kind]] if filters.kind else []
    chosen = (filters.document_type, filters.issuing_body, filters.ortschaft)
    labels += [item.name for item in chosen if item]
    if filters.year:
        labels.append(str(filters.year))
    return labels


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search archive documents, notices and pages; filters with counts; pages of 20."""
    form = SearchForm(request.GET)
    data = form.valid_data()
    query = data.get("q", "")
    context = {"form": form, "query": query, "kinds": KINDS}
    if query:
        filters = form.filters()
        page_number = data.get("seite", 1)
        matches = search_matches(query=query, filters=filters)
        hits, total, counts = site_search(
            query=query,
            filters=filters,
            matches=matches,
            is_newest_first=data.get("sortierung") == "neueste",
            page_number=page_number,
        )
        if page_number > 1 and not hits:
            raise Http404("No results on this page")
        facets = search_facets(filters=filters, matches=matches)
        if page_number == 1 and filters == SearchFilters():
            context["services"] = services_found(query)
        for facet in facets:
            facet.remove_url = _address(request, **{facet.name: None, "seite": None})
            for option in facet.options:
                option.url = _address(request, **{facet.name: option.value, "seite": None})
        context.update(
            hits=hits,
            total=total,
            kind_counts=[(kind, KINDS[kind], counts.get(kind)) for kind in KINDS],
            facets=facets,
            filters=filters,
            chosen_filters=_chosen_filters(filters),
            page_number=page_number,
            has_next=page_number * RESULTS_PER_PAGE < total and page_number < MAX_PAGES,
            first_number=(page_number - 1) * RESULTS_PER_PAGE + 1,
        )
    return render(request, "archive/search.html", context)


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A document's own page: what it is, the download, a text preview, related documents."""
    document = get_object_or_404(
        Document.objects.public().select_related("document_type", "issuing_body"), pk=pk
    )
    pages = list(document.pages.order_by("page_number")[:3])
    preview = "\n\n".join(page.text for page in pages)[:PREVIEW_CHARACTERS]
    # Of the same type, those of the same issuing body first (the other minutes of a
    # council), then the newest.
    related = (
        Document.objects.public()
        .for_listing()
        .exclude(pk=document.pk)
        .filter(document_type=document.document_type)
        .annotate(
            is_same_body=Case(
                When(issuing_body=document.issuing_body_id, then=1),
                default=0,
                output_field=IntegerField(),
            )
        )
        .order_by("-is_same_body", "-date", "-pk")[:RELATED_DOCUMENTS]
        if document.document_type_id
        else Document.objects.none()
    )
    return render(
        request,
        "archive/document_detail.html",
        {
            "document": document,
            "ortschaften": list(document.ortschaften.all()),
            "preview": preview,
            "is_preview_cut": len(preview) < len(document.text),
            "related": related,
            "archive_page": ArchiveIndexPage.objects.live().public().first(),
        },
    )
