"""Browsing the archive: documents and expired Amtliche Bekanntmachungen, newest first, by
year, type, Ortschaft and issuing body, with the count of each choice."""

from collections import Counter

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, Value
from django.db.models.functions import ExtractYear
from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _

from notices.models import NoticePage
from website.forms import form_values
from website.models import Ortschaft

from .models import Document, DocumentType, IssuingBody

ENTRIES_PER_PAGE = 20
# Expired official notices are listed under this document type (and under no other).
NOTICE_TYPE_SLUG = "bekanntmachung"
DOCUMENT, NOTICE = 1, 2


class BrowseForm(forms.Form):
    jahr = forms.IntegerField(label=_("Year"), min_value=1800, max_value=2200, required=False)
    typ = forms.ModelChoiceField(
        label=_("Document type"),
        queryset=DocumentType.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All types"),
    )
    gremium = forms.ModelChoiceField(
        label=_("Issuing body"),
        queryset=IssuingBody.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All issuing bodies"),
    )
    ortschaft = forms.ModelChoiceField(
        label=_("Ortschaft"),
        queryset=Ortschaft.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All Ortschaften"),
    )


def _documents(choices: dict, *, with_year: bool = True):
    documents = Document.objects.public()
    if choices.get("typ"):
        documents = documents.filter(document_type=choices["typ"])
    if choices.get("gremium"):
        documents = documents.filter(issuing_body=choices["gremium"])
    if choices.get("ortschaft"):
        documents = documents.for_ortschaft(choices["ortschaft"])
    if with_year and choices.get("jahr"):
        documents = documents.filter(year=choices["jahr"])
    return documents


def _notices(choices: dict, *, with_year: bool = True):
    typ = choices.get("typ")
    notices = NoticePage.objects.expired()
    if choices.get("gremium") or (typ and typ.slug != NOTICE_TYPE_SLUG):
        notices = notices.none()
    if choices.get("ortschaft"):
        notices = notices.for_ortschaft(choices["ortschaft"]).distinct()
    notices = notices.annotate(year=ExtractYear("publication_date"))
    if with_year and choices.get("jahr"):
        notices = notices.filter(year=choices["jahr"])
    return notices


def _entries(documents, notices):
    """One ordered list of (kind, pk) over both, paginated in the database."""
    as_entries = {"entry_kind": Value(DOCUMENT, output_field=IntegerField())}
    document_entries = documents.order_by().annotate(entry_date=F("date"), **as_entries)
    notice_entries = notices.order_by().annotate(
        entry_date=F("publication_date"),
        entry_kind=Value(NOTICE, output_field=IntegerField()),
    )
    return (
        document_entries.values_list("entry_date", "pk", "entry_kind")
        .union(notice_entries.values_list("entry_date", "pk", "entry_kind"), all=True)
        .order_by("-entry_date", "-pk")
    )


def archive_browse(params: QueryDict) -> dict:
    """The context of the archive page for the choices in its address."""
    form = BrowseForm(params)
    form.is_valid()
    choices = {name: value for name, value in form.cleaned_data.items() if value}
    documents, notices = _documents(choices), _notices(choices)
    paginator = Paginator(_entries(documents, notices), ENTRIES_PER_PAGE)
    try:
        page = paginator.page(params.get("seite", 1))
    except Exception:  # not a number or out of range
        if params.get("seite") in (None, "", "1"):
            page = paginator.page(1)
        else:
            raise Http404("No such page of the archive") from None
    ids = {DOCUMENT: [], NOTICE: []}
    for _date, pk, kind in page.object_list:
        ids[kind].append(pk)
    objects = {
        (DOCUMENT, item.pk): item
        for item in Document.objects.for_listing().filter(pk__in=ids[DOCUMENT])
    } | {
        (NOTICE, item.pk): item
        for item in NoticePage.objects.for_listing().filter(pk__in=ids[NOTICE])
    }
    entries = [
        {"kind": "document" if kind == DOCUMENT else "notice", "object": objects[kind, pk]}
        for _date, pk, kind in page.object_list
        if (kind, pk) in objects
    ]
    year_counts = Counter(
        dict(
            _documents(choices, with_year=False)
            .order_by()
            .values_list("year")
            .annotate(count=Count("pk"))
        )
    ) + Counter(
        dict(
            _notices(choices, with_year=False)
            .order_by()
            .values_list("year")
            .annotate(count=Count("pk"))
        )
    )
    return {
        "form": form,
        "form_values": form_values(form, params),
        "choices": choices,
        "entries": entries,
        "page_obj": page,
        "years": sorted(year_counts.items(), reverse=True),
    }
