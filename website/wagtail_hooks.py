from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.staticfiles import versioned_static
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import BarrierReport, Ortschaft
from .slugs import GermanSlugInput

# Before any admin form is built: Wagtail imports this module with the admin's URLs.
register_form_field_override(models.SlugField, override={"widget": GermanSlugInput})


class OrtschaftViewSet(SnippetViewSet):
    model = Ortschaft
    icon = "site"
    menu_label = _("Ortschaften")
    list_display = ["name", "slug", "sort_order"]
    add_to_admin_menu = True
    menu_order = 300


class BarrierReportViewSet(SnippetViewSet):
    model = BarrierReport
    icon = "warning"
    menu_label = _("Barrier reports")
    list_display = ["__str__", "created_at", "notified_at", "is_resolved"]
    list_filter = ["is_resolved"]
    add_to_admin_menu = True
    menu_order = 310
    # Reports come from citizens; staff only mark them resolved.
    inspect_view_enabled = True


register_snippet(OrtschaftViewSet)
register_snippet(BarrierReportViewSet)


@hooks.register("insert_global_admin_js")
def admin_init_script():
    """Starts the widgets Wagtail starts with inline scripts, which the admin's CSP blocks."""
    return format_html('<script src="{}"></script>', versioned_static("js/admin-init.js"))


@hooks.register("construct_help_menu")
def remove_english_guides(request, menu_items):
    """Wagtail's "What's new" and editor guide are in English only; the shortcuts stay."""
    menu_items[:] = [
        item
        for item in menu_items
        if item.name != "editor-guide" and not item.name.startswith("whats-new-in-wagtail")
    ]
