from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Category, NoticeDisplayRecord, NoticeKind


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


register_snippet(NoticeSettingsGroup)
register_permission_policy(NoticeDisplayRecord, ReadOnlyPermissionPolicy(NoticeDisplayRecord))


@hooks.register("register_admin_viewset")
def register_display_record_viewset():
    return NoticeDisplayRecordViewSet("display_records")
