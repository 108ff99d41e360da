from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.staticfiles import versioned_static
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import BarrierReport, Ortschaft


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
