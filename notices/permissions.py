from functools import cached_property

from wagtail.models import PagePermissionTester

from .forms import PUBLISH_OFFICIAL_PERMISSION


class NoticePermissionTester(PagePermissionTester):
    """Whoever may publish pages may publish a notice, but an official notice only with the
    right to approve it: the four-eyes principle (Vier-Augen-Prinzip).

    A notice counts as official when it is one in the version at hand, its live version or
    a revision since (`NoticePage.is_or_was_official`): so an editor can neither make an
    approved notice a Neuigkeit and publish that, nor take an official notice down, delete,
    move or copy it: each needs the approver's right as well.
    """

    @cached_property
    def _may_act_on_official(self) -> bool:
        return self.user.has_perm(PUBLISH_OFFICIAL_PERMISSION) or not (
            self.page.is_or_was_official()
        )

    def can_publish(self):
        return super().can_publish() and self._may_act_on_official

    def can_unpublish(self):
        return super().can_unpublish() and self._may_act_on_official

    def can_delete(self, ignore_bulk=False):
        # Moving is checked as deleting (PagePermissionTester.can_move), and so held here too.
        return super().can_delete(ignore_bulk=ignore_bulk) and self._may_act_on_official

    def can_copy(self):
        # A copy may be published at once (the copy view's "publish copies").
        return super().can_copy() and self._may_act_on_official
