"""Staff views of the notification service: every dispatch with its figures, read-only."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page
from wagtail.permissions import register_permission_policy

from website.permissions import ReadOnlyPermissionPolicy

from .fanout import dispatch_statistics
from .models import Delivery, Dispatch


class DispatchIndexView(IndexView):
    """All dispatches with their figures; `?page=<page id>` shows one page's."""

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
        page_id = self.request.GET.get("page", "")
        if page_id.isdigit():
            page = Page.objects.filter(pk=page_id).values("content_type").first()
            dispatches = dispatches.filter(
                source_type=page and page["content_type"], source_id=page_id
            )
        return dispatches


class DispatchInspectView(InspectView):
    """One dispatch: recipients, sent, pending, failed, and why deliveries failed."""

    template_name = "notifications/admin/dispatch_inspect.html"

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


register_permission_policy(Dispatch, ReadOnlyPermissionPolicy(Dispatch))


@hooks.register("register_admin_viewset")
def register_dispatch_viewset():
    return DispatchViewSet("dispatches")
