import logging

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.documents import get_document_model
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .indexing import document_index_retry
from .models import Document, DocumentType, IssuingBody

logger = logging.getLogger(__name__)


class DocumentTypeViewSet(SnippetViewSet):
    model = DocumentType
    icon = "doc-full"
    list_display = ["name", "slug"]


class IssuingBodyViewSet(SnippetViewSet):
    model = IssuingBody
    icon = "group"
    list_display = ["name", "slug"]


class ArchiveSettingsGroup(SnippetViewSetGroup):
    items = (DocumentTypeViewSet, IssuingBodyViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Archive")
    menu_name = "archive"


register_snippet(ArchiveSettingsGroup)


def _policy():
    return policy_registry.get_by_type(get_document_model())


def _editable_documents(user):
    return _policy().instances_user_has_permission_for(user, "change")


def indexing_overview(request):
    """Documents whose text could not be read (with the reason) or still waits, to retry."""
    if not _policy().user_has_permission(request.user, "change"):
        raise PermissionDenied
    documents = _editable_documents(request.user)
    state = request.GET.get("state", Document.IndexingState.FAILED)
    if state not in Document.IndexingState.values:
        state = Document.IndexingState.FAILED
    counts = dict(documents.order_by().values_list("indexing_state").annotate(count=Count("pk")))
    listed = documents.filter(indexing_state=state).order_by("-indexing_requested_at", "-pk")
    page = Paginator(
        listed.only("pk", "title", "file", "indexing_error", "indexing_requested_at"), 50
    ).get_page(request.GET.get("p"))
    return render(
        request,
        "archive/admin/indexing.html",
        {
            "states": [
                (value, label, counts.get(value, 0))
                for value, label in Document.IndexingState.choices
            ],
            "state": state,
            "documents": page,
        },
    )


@require_POST
def indexing_retry(request):
    """Read again one document (`document`) or every failed one the user may edit (`all`)."""
    if not _policy().user_has_permission(request.user, "change"):
        raise PermissionDenied
    documents = _editable_documents(request.user)
    if request.POST.get("all"):
        ids = list(
            documents.filter(indexing_state=Document.IndexingState.FAILED).values_list(
                "pk", flat=True
            )
        )
    else:
        ids = [get_object_or_404(documents, pk=request.POST.get("document", "")).pk]
    retried = sum(document_index_retry(document_id=document_id) for document_id in ids)
    logger.info("Staff member %s queued %s documents to be read again", request.user.pk, retried)
    messages.success(
        request,
        ngettext(
            "%(count)s document will be read again.",
            "%(count)s documents will be read again.",
            retried,
        )
        % {"count": retried},
    )
    return redirect(reverse("archive_indexing") + "?state=waiting")


@hooks.register("register_admin_urls")
def register_indexing_urls():
    return [
        path("archiv/indexierung/", indexing_overview, name="archive_indexing"),
        path("archiv/indexierung/erneut/", indexing_retry, name="archive_indexing_retry"),
    ]


class IndexingMenuItem(MenuItem):
    def is_shown(self, request):
        return _policy().user_has_permission(request.user, "change")


@hooks.register("register_admin_menu_item")
def register_indexing_menu_item():
    return IndexingMenuItem(
        _("Text extraction"), reverse("archive_indexing"), icon_name="doc-full", order=410
    )


# --- the dashboard ----------------------------------------------------------------------------


class NewDocumentsPanel(Component):
    """The archive's newest public documents (minutes, statutes, plans), for everyone in the
    admin: the council finds what was decided without a search it may not use."""

    name = "new_documents"
    template_name = "archive/admin/new_documents_panel.html"
    order = 70
    SHOWN = 5

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["documents"] = (
            Document.objects.public()
            .indexed()
            .select_related("document_type", "issuing_body")
            .order_by("-date", "-pk")[: self.SHOWN]
        )
        return context


@hooks.register("construct_homepage_panels")
def add_new_documents_panel(request, panels):
    panels.append(NewDocumentsPanel())
