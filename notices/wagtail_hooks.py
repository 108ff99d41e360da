import logging

from django.contrib.auth.decorators import permission_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.models import Site
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .fanout import dispatch_statistics
from .models import Category, Delivery, Dispatch, NoticeDisplayRecord, NoticeKind, NoticePage
from .subscriptions import subscriber_counts, subscribers_csv_rows

logger = logging.getLogger(__name__)


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Staff with the view permission may read; nobody, superusers included, may write."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


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
    form_fields = ["notice_title"]


class DispatchIndexView(IndexView):
    """All dispatches with their figures; `?notice=<page id>` shows one notice's."""

    def get_base_queryset(self):
        # Counted per row of the page shown (correlated subqueries), not by grouping every
        # delivery of every dispatch before the page is cut.
        def count(status):
            deliveries = Delivery.objects.filter(dispatch=OuterRef("pk"), status=status)
            return Subquery(
                deliveries.order_by().values("dispatch").annotate(n=Count("pk")).values("n")
            )

        dispatches = (
            super()
            .get_base_queryset()
            .annotate(
                sent=Coalesce(count(Delivery.Status.SENT), 0),
                pending=Coalesce(count(Delivery.Status.PENDING), 0),
                failed=Coalesce(count(Delivery.Status.FAILED), 0),
            )
        )
        notice_id = self.request.GET.get("notice", "")
        if notice_id.isdigit():
            dispatches = dispatches.filter(
                source_type=ContentType.objects.get_for_model(NoticePage), source_id=notice_id
            )
        return dispatches


class DispatchInspectView(InspectView):
    """One dispatch: recipients, sent, pending, failed, and why deliveries failed."""

    template_name = "notices/admin/dispatch_inspect.html"

    def _local(self, value):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "–"

    def get_created_at_display_value(self):
        return self._local(self.object.created_at)

    def get_fanned_out_at_display_value(self):
        return self._local(self.object.fanned_out_at)

    def get_is_update_display_value(self):
        return _("Yes") if self.object.is_update else _("No")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statistics"] = dispatch_statistics(self.object)
        context["failure_reasons"] = (
            self.object.deliveries.filter(status=Delivery.Status.FAILED)
            .values("error")
            .annotate(count=Count("pk"))
            .order_by("-count")[:50]
        )
        context["retrying"] = (
            self.object.deliveries.filter(status=Delivery.Status.PENDING, attempts__gt=0)
            .values("error")
            .annotate(count=Count("pk"))
            .order_by("-count")[:50]
        )
        return context


class DispatchViewSet(ModelViewSet):
    """What was sent to subscribers for each notice: read-only, like every record of proof."""

    model = Dispatch
    icon = "mail"
    menu_label = _("Dispatches")
    add_to_admin_menu = True
    menu_order = 330
    index_view_class = DispatchIndexView
    inspect_view_class = DispatchInspectView
    inspect_view_enabled = True
    list_display = [
        "title",
        "label",
        "created_at",
        # annotated by DispatchIndexView
        Column("sent", label=_("Sent")),
        Column("pending", label=_("Pending")),
        Column("failed", label=_("Failed")),
    ]
    list_filter = ["is_update"]
    inspect_view_fields = ["title", "label", "url", "created_at", "fanned_out_at", "is_update"]
    form_fields = ["title"]


register_snippet(NoticeSettingsGroup)
register_permission_policy(NoticeDisplayRecord, ReadOnlyPermissionPolicy(NoticeDisplayRecord))
register_permission_policy(Dispatch, ReadOnlyPermissionPolicy(Dispatch))


@hooks.register("register_admin_viewset")
def register_display_record_viewset():
    return NoticeDisplayRecordViewSet("display_records")


@hooks.register("register_admin_viewset")
def register_dispatch_viewset():
    return DispatchViewSet("dispatches")


@hooks.register("register_page_header_buttons")
def dispatch_header_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, NoticePage) and user.has_perm("notices.view_dispatch"):
        url = reverse("dispatches:index") + f"?notice={page.pk}"
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
