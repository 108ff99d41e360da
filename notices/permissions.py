from wagtail.models import PagePermissionTester

from .forms import PUBLISH_OFFICIAL_PERMISSION


class NoticePermissionTester(PagePermissionTester):
    """Whoever may publish pages may publish a notice, but an official notice only with the
    right to approve it: the four-eyes principle (Vier-Augen-Prinzip)."""

    def can_publish(self):
        if not super().can_publish():
            return False
        if self.page.kind_id and self.page.is_official:
            return self.user.has_perm(PUBLISH_OFFICIAL_PERMISSION)
        return True
