"""The admin form every page of the portal is edited with.

A page in Leichte Sprache names the page it explains (`easy_language_original`, where a page
type has it): never itself, and never another version, so that each version leads to the
text in standard language in one step.

Wagtail's autosave makes a draft page of a new page as soon as it has a title; a form left
unsent leaves that draft behind, and the next page with the same title then clashes on the
address (slug) with a message staff cannot act on. Here the message names the page that
holds the address and says what to do.
"""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


class PortalPageForm(WagtailAdminPageForm):
    def clean_easy_language_original(self):
        original = self.cleaned_data.get("easy_language_original")
        if original is None:
            return original
        if self.instance.pk and original.pk == self.instance.pk:
            raise ValidationError(_("A page cannot be its own Leichte Sprache version."))
        if original.easy_language_original_id:
            raise ValidationError(
                _(
                    "„%(title)s“ is itself a Leichte Sprache version. Choose the page in "
                    "standard language it explains."
                )
                % {"title": original.title}
            )
        return original

    def clean(self):
        cleaned_data = super().clean()
        # Wagtail found the address taken (a clash is rare: the page is looked up only then).
        if self.has_error("slug") and self.parent_page is not None:
            holder = (
                self.parent_page.get_children()
                .filter(slug=self["slug"].value())
                .exclude(pk=self.instance.pk)
                .first()
            )
            if holder is not None:
                self.errors["slug"] = self.error_class([_slug_taken_message(holder)])
        return cleaned_data


def _slug_taken_message(holder) -> str:
    edited = holder.latest_revision_created_at or holder.first_published_at
    link = format_html(
        '<a href="{}">{}</a>', reverse("wagtailadmin_pages:edit", args=[holder.pk]), holder.title
    )
    if not holder.live and holder.first_published_at is None:
        state = _("a draft that was never published, last changed on %(date)s") % {
            "date": date_format(localtime(edited), "SHORT_DATETIME_FORMAT") if edited else "–"
        }
    else:
        state = _("a published page")
    return format_html(
        "{} {}",
        format_html(
            _("The page “{page}” ({state}) already has this address."), page=link, state=state
        ),
        _(
            "Open it to go on working there, or delete it if it is left over from an earlier "
            "attempt; or give this page another address under “Slug” here."
        ),
    )
