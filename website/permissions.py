"""Permission policies the admin of several apps shares."""

from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Staff with the view permission may read; nobody, superusers included, may write.

    For records of proof (a notice's display record, a dispatch and its figures)."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")
