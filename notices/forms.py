from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from barleben_portal.models import Ortschaft

PUBLISH_OFFICIAL_PERMISSION = "notices.publish_official_notice"


class NoticePageForm(WagtailAdminPageForm):
    """Admin form of a notice: official notices go live with their display period and
    only by the hand of someone allowed to approve them."""

    def clean(self):
        cleaned_data = super().clean()
        kind = cleaned_data.get("kind")
        if not kind or not kind.has_display_period:
            return cleaned_data
        if "action-publish" in self.data and not self.for_user.has_perm(
            PUBLISH_OFFICIAL_PERMISSION
        ):
            raise forms.ValidationError(
                _(
                    "Official notices are published after approval by a second person. "
                    "Submit the notice for approval instead."
                )
            )
        display_from = cleaned_data.get("display_from")
        # Not reachable before its display period starts: it goes live when it is put up.
        if display_from and display_from > timezone.now():
            cleaned_data["go_live_at"] = display_from
        return cleaned_data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BoardFilterForm(forms.Form):
    """The board's filters; every choice is in the URL so one cached page serves all who ask."""

    ortschaft = forms.ModelChoiceField(
        label=_("Ortschaft"),
        queryset=Ortschaft.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All Ortschaften"),
    )
    art = forms.ModelChoiceField(
        label=_("Kind"),
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label=_("All kinds"),
    )
    kategorie = forms.ModelChoiceField(
        label=_("Category"),
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )
    von = forms.DateField(label=_("Published from"), required=False, widget=DateInput())
    bis = forms.DateField(label=_("Published until"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        from .models import Category, NoticeKind

        super().__init__(*args, **kwargs)
        self.fields["art"].queryset = NoticeKind.objects.all()
        self.fields["kategorie"].queryset = Category.objects.all()
        invalid_choice = _("There is no such choice; showing all instead.")
        for name in ("ortschaft", "art", "kategorie"):
            self.fields[name].error_messages["invalid_choice"] = invalid_choice
        for name in ("von", "bis"):
            self.fields[name].error_messages["invalid"] = _("Please enter a date like 31.12.2026.")

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("von"), cleaned_data.get("bis")
        if start and end and end < start:
            self.add_error("bis", _("The end must not be before the start."))
        return cleaned_data

    def valid_filters(self) -> dict:
        """The filters given and valid; an invalid one is shown as an error and ignored."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value and name not in self.errors
        }


class CalendarFilterForm(BoardFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("art", "von", "bis"):
            del self.fields[name]
