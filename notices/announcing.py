"""Announcing a notice to the board's subscribers through the notification service."""

from django.utils.translation import gettext as _

from notifications.fanout import dispatch_create
from notifications.models import Dispatch

from .models import NoticePage
from .subscriptions import AUDIENCE


def notice_announce(*, notice: NoticePage) -> Dispatch | None:
    """Announce a notice's first publication, or a change its editor chose to send."""
    is_first_publication = notice.first_published_at == notice.last_published_at
    if not notice.live or not (is_first_publication or notice.send_change):
        return None
    if notice.send_change:
        NoticePage.objects.filter(pk=notice.pk).update(send_change=False)
    if notice.get_view_restrictions().exists():
        return None
    label = notice.kind.name
    if not is_first_publication:
        label = _("Changed: %(kind)s") % {"kind": label}
    return dispatch_create(
        audience=AUDIENCE,
        source=notice,
        site=notice.get_site(),
        label=label,
        title=notice.title,
        summary=notice.teaser,
        url=notice.get_full_url(),
        ortschaften=notice.ortschaften.all(),
        criteria={
            "kind": notice.kind_id,
            "categories": list(notice.categories.values_list("pk", flat=True)),
        },
        is_update=not is_first_publication,
        # A revision published again (after unpublishing, say) announces its change once.
        source_version=str(notice.live_revision_id or ""),
    )
