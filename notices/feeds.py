"""RSS 2.0 and Atom feeds of the board, for all notices, per Ortschaft and per kind, and of
its notices in Leichte Sprache (`?sprache=leicht`). A version in Leichte Sprache carries the
category "Leichte Sprache" and, in Atom, a link to the notice it explains (rel="related")."""

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from website.models import MunicipalitySettings

from .forms import BoardFilterForm

FEED_SIZE = 50


class BoardRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def __init__(self, *, board):
        super().__init__()
        self.board = board

    def get_object(self, request: HttpRequest, *args, **kwargs) -> dict:
        filters = BoardFilterForm(request).valid_filters()
        self.request = request
        return {
            key: value for key, value in filters.items() if key in ("ortschaft", "art", "sprache")
        }

    def title(self, filters: dict) -> str:
        parts = [self.board.title]
        if "ortschaft" in filters:
            parts.append(filters["ortschaft"].name)
        if "art" in filters:
            parts.append(filters["art"].name)
        if "sprache" in filters:
            parts.append(_("Leichte Sprache"))
        return " – ".join(parts)

    def link(self, filters: dict) -> str:
        return self.board.get_full_url(self.request)

    # The municipality is the author of every notice (required in Atom, RFC 4287 4.1.1).
    def author_name(self, filters: dict) -> str:
        return MunicipalitySettings.for_request(self.request).name

    def author_email(self, filters: dict) -> str | None:
        return MunicipalitySettings.for_request(self.request).email or None

    def author_link(self, filters: dict) -> str:
        return self.request.build_absolute_uri("/")

    def description(self, filters: dict) -> str:
        return self.board.introduction or _("Current notices of the municipality")

    def items(self, filters: dict):
        return self.board.filtered_notices(filters).select_related("easy_language_original")[
            :FEED_SIZE
        ]

    def item_title(self, notice) -> str:
        return notice.title

    def item_description(self, notice) -> str:
        return notice.teaser

    def item_link(self, notice) -> str:
        return notice.get_full_url(self.request)

    def item_guid(self, notice) -> str:
        return notice.get_full_url(self.request)

    def item_pubdate(self, notice):
        return notice.first_published_at

    def item_updateddate(self, notice):
        return notice.last_published_at

    def item_categories(self, notice) -> list[str]:
        return [
            notice.kind.name,
            *([_("Leichte Sprache")] if notice.easy_language_original_id else []),
            *(o.name for o in notice.ortschaften.all()),
            *(c.name for c in notice.categories.all()),
        ]

    def item_extra_kwargs(self, notice) -> dict:
        original = notice.easy_language_original
        if original is None or not original.live:
            return {}
        return {"related": original.get_full_url(self.request)}


class AtomWithRelated(Atom1Feed):
    """Atom, with a link to the notice a version in Leichte Sprache explains (RFC 4287
    4.2.7.2: rel="related")."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("related"):
            handler.addQuickElement("link", "", {"rel": "related", "href": item["related"]})


class BoardAtomFeed(BoardRssFeed):
    feed_type = AtomWithRelated
    subtitle = BoardRssFeed.description
