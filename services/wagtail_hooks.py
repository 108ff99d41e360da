"""The service catalogue in the admin: services, offices, online services and life
situations as snippets in one menu, and the import reports, which nobody may change."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from website.permissions import ReadOnlyPermissionPolicy

from .models import CatalogueImport, LifeSituation, Office, OnlineService, Service


class ServiceViewSet(SnippetViewSet):
    model = Service
    icon = "form"
    list_display = ["name", "leika_key", "popularity", "modified_at", "removed_at"]
    list_filter = ["life_situations"]
    search_fields = ["name", "synonyms"]
    ordering = ["name"]


class OfficeViewSet(SnippetViewSet):
    model = Office
    icon = "home"
    list_display = ["name", "city", "phone", "removed_at"]
    search_fields = ["name"]


class OnlineServiceViewSet(SnippetViewSet):
    model = OnlineService
    icon = "link"
    list_display = ["name", "url", "trust_level", "removed_at"]
    search_fields = ["name"]


class LifeSituationViewSet(SnippetViewSet):
    model = LifeSituation
    icon = "group"
    list_display = ["name", "slug", "sort_order"]


class ServicesGroup(SnippetViewSetGroup):
    items = (ServiceViewSet, OfficeViewSet, OnlineServiceViewSet, LifeSituationViewSet)
    menu_icon = "form"
    menu_label = _("Administrative services")
    menu_name = "services"
    menu_order = 250


class CatalogueImportViewSet(ModelViewSet):
    """What each import did or why it failed: a record, read by staff, changed by nobody."""

    model = CatalogueImport
    icon = "download"
    menu_label = _("Catalogue imports")
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["source", "state", "started_at", "finished_at"]
    list_filter = ["state"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "source",
        "state",
        "started_at",
        "finished_at",
        "errors",
        "created",
        "changed",
        "removed",
    ]
    form_fields = ["source"]


register_snippet(ServicesGroup)
register_permission_policy(CatalogueImport, ReadOnlyPermissionPolicy(CatalogueImport))


@hooks.register("register_admin_viewset")
def register_catalogue_import_viewset():
    return CatalogueImportViewSet("catalogue_imports")
