import logging

from django.contrib.auth.decorators import permission_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.models import Site
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from website.permissions import ReadOnlyPermissionPolicy

from .models import Category, NoticeDisplayRecord, NoticeKind, NoticePage
from .subscriptions import subscriber_counts, subscribers_csv_rows

logger = logging.getLogger(__name__)


class NoticeKindViewSet(SnippetViewSet):
    model = NoticeKind
    icon = "tag"
    list_display = ["name", "has_display_period", "is_event"]


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-inverse"
    list_display = ["name", "slug"]


class NoticeSettingsGroup(SnippetViewSetGroup):
    items = (NoticeKindViewSet, CategoryViewSet)
    menu_icon = "list-ul"
    menu_label = _("Notice board")
    menu_name = "notice-board"


class NoticeDisplayRecordViewSet(ModelViewSet):
    """The display record is proof: staff may read it, nobody may change it."""

    model = NoticeDisplayRecord
    icon = "history"
    menu_label = _("Display records")
    add_to_admin_menu = True
    menu_order = 320
    list_display = ["notice_title", "put_up_at", "taken_down_at"]
    list_filter = ["taken_down_at"]
    inspect_view_enabled = True
    # The record names its notice by title, which stays when the notice is deleted.
    inspect_view_fields = ["notice_title", "put_up_at", "taken_down_at"]
    form_fields = ["notice_title"]


register_snippet(NoticeSettingsGroup)
register_permission_policy(NoticeDisplayRecord, ReadOnlyPermissionPolicy(NoticeDisplayRecord))


@hooks.register("register_admin_viewset")
def register_display_record_viewset():
    return NoticeDisplayRecordViewSet("display_records")


@hooks.register("register_page_header_buttons")
def dispatch_header_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, NoticePage) and user.has_perm(
        "notifications.view_dispatch"
    ):
        url = reverse("dispatches:index") + f"?page={page.pk}"
        yield Button(_("Dispatch to subscribers"), url=url, icon_name="mail", priority=66)


def _site(request) -> Site:
    return Site.find_for_request(request) or Site.objects.get(is_default_site=True)


@permission_required("notices.view_subscription", raise_exception=True)
def subscriptions_overview(request):
    return render(
        request,
        "notices/admin/subscriptions.html",
        {
            "counts": subscriber_counts(site=_site(request)),
            "can_export": request.user.has_perm("notices.export_subscription"),
        },
    )


@permission_required("notices.export_subscription", raise_exception=True)
def subscriptions_export(request):
    site = _site(request)
    logger.info("Staff member %s exported the subscribers of site %s", request.user.pk, site.pk)
    filename = f"abonnements-{timezone.localdate():%Y-%m-%d}.csv"
    return StreamingHttpResponse(
        subscribers_csv_rows(site=site),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@hooks.register("register_admin_urls")
def register_subscription_urls():
    return [
        path("abonnements/", subscriptions_overview, name="notices_subscriptions"),
        path("abonnements/export/", subscriptions_export, name="notices_subscriptions_export"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_subscriptions_menu_item():
    return PermissionMenuItem(
        _("Subscriptions"),
        reverse("notices_subscriptions"),
        icon_name="group",
        order=340,
        permission="notices.view_subscription",
    )


# --- the dashboard ----------------------------------------------------------------------------


class OfficialNoticesPanel(Component):
    """The newest official notices, for everyone in the admin (the council above all, which
    cannot search pages): what the municipality made known, and until when it hangs."""

    name = "official_notices"
    template_name = "notices/admin/official_notices_panel.html"
    order = 60
    SHOWN = 5

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["notices"] = (
            NoticePage.objects.live()
            .filter(kind__has_display_period=True)
            .order_by("-first_published_at")
            .only("pk", "title", "url_path", "first_published_at", "display_from", "display_until")[
                : self.SHOWN
            ]
        )
        return context


@hooks.register("construct_homepage_panels")
def add_official_notices_panel(request, panels):
    panels.append(OfficialNoticesPanel())
