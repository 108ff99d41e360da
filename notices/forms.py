from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from website.models import Ortschaft
from website.page_cache import kept_for_generation
from website.page_form import PortalPageForm

PUBLISH_OFFICIAL_PERMISSION = "notices.publish_official_notice"


class NoticePageForm(PortalPageForm):
    """Admin form of a notice: official notices go live with their display period and
    only by the hand of someone allowed to approve them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Sending a change is a decision for this publication only, never carried over.
        self.initial["send_change"] = False

    def clean(self):
        cleaned_data = super().clean()
        kind = cleaned_data.get("kind")
        is_official = bool(kind and kind.has_display_period)
        # What is or was official (the live version, any revision) needs the approval too.
        needs_approval = is_official or (self.instance.pk and self.instance.is_or_was_official())
        if not needs_approval:
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
        if not is_official:
            return cleaned_data
        display_from = cleaned_data.get("display_from")
        # Not reachable before its display period starts: it goes live when it is put up.
        if display_from and display_from > timezone.now():
            cleaned_data["go_live_at"] = display_from
        return cleaned_data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def format_value(self, value):
        # A date input holds an ISO date or nothing (HTML): a rejected value typed into the
        # address is left out, and the field's message says what was wrong.
        formatted = super().format_value(value)
        try:
            date.fromisoformat(formatted or "")
        except ValueError:
            return None
        return formatted


class _ListedChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.objects:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.objects) + (self.field.empty_label is not None)


class ListedChoiceField(forms.ModelChoiceField):
    """One of a list of objects, by slug, the list made before (`objects`): no query to show
    the choices or to check one."""

    iterator = _ListedChoices

    def __init__(self, **kwargs):
        super().__init__(queryset=None, to_field_name="slug", required=False, **kwargs)
        self.objects: list = []
        self.error_messages["invalid_choice"] = _("There is no such choice; showing all instead.")

    def offer(self, objects: list) -> None:
        self.objects = objects
        self.widget.choices = self.choices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for obj in self.objects:
            if obj.slug == value:
                return obj
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


def filter_choices(request) -> dict[str, list]:
    """The Ortschaften, kinds and categories, the same for every visitor until something is
    saved: kept in the cache for the generation of the page cache."""
    from .models import Category, NoticeKind

    return kept_for_generation(
        request,
        "board filter choices",
        lambda: {
            "ortschaft": list(Ortschaft.objects.all()),
            "art": list(NoticeKind.objects.all()),
            "kategorie": list(Category.objects.all()),
        },
    )


class BoardFilterForm(forms.Form):
    """The board's filters, from the address of the request; every choice is in the URL so
    one cached page serves all who ask."""

    ortschaft = ListedChoiceField(label=_("Ortschaft"), empty_label=_("All Ortschaften"))
    art = ListedChoiceField(label=_("Kind"), empty_label=_("All kinds"))
    kategorie = ListedChoiceField(label=_("Category"), empty_label=_("All categories"))
    von = forms.DateField(label=_("Published from"), required=False, widget=DateInput())
    bis = forms.DateField(label=_("Published until"), required=False, widget=DateInput())
    sprache = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("All notices")), ("leicht", _("Only in Leichte Sprache"))],
        required=False,
    )

    def __init__(self, request):
        super().__init__(request.GET or None)
        for name, objects in filter_choices(request).items():
            self.fields[name].offer(objects)
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
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value and name not in self.errors
        }


class CalendarFilterForm(BoardFilterForm):
    def __init__(self, request):
        super().__init__(request)
        for name in ("art", "von", "bis", "sprache"):
            del self.fields[name]


class SubscriptionChoicesForm(forms.Form):
    """What a subscription receives; an empty choice means all."""

    ortschaften = forms.ModelMultipleChoiceField(
        label=_("For which Ortschaften?"),
        help_text=_("Choose none for all. Notices for the whole municipality always come."),
        queryset=Ortschaft.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kinds = forms.ModelMultipleChoiceField(
        label=_("Which kinds of notice?"),
        help_text=_("Choose none for all."),
        queryset=None,
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Which topics?"),
        help_text=_("Choose none for all, including notices without a topic."),
        queryset=None,
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    frequency = forms.ChoiceField(
        label=_("How often would you like an e-mail?"),
        choices=(),
        initial="immediately",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        from notifications.models import Frequency

        from .models import Category, NoticeKind

        super().__init__(*args, **kwargs)
        self.fields["kinds"].queryset = NoticeKind.objects.all()
        self.fields["categories"].queryset = Category.objects.all()
        self.fields["frequency"].choices = Frequency.choices
        for name in ("ortschaften", "kinds", "categories"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "There is no such choice; please choose from the list."
            )
            self.fields[name].error_messages["invalid_pk_value"] = _(
                "There is no such choice; please choose from the list."
            )
        self.fields["frequency"].error_messages["required"] = _("Please choose how often.")
        self.fields["frequency"].error_messages["invalid_choice"] = _("Please choose how often.")

    @classmethod
    def for_subscription(cls, subscription, data=None) -> "SubscriptionChoicesForm":
        """The form showing what this subscription receives now."""
        initial = {
            "ortschaften": list(subscription.ortschaften.all()),
            "kinds": list(subscription.kinds.all()),
            "categories": list(subscription.categories.all()),
            "frequency": subscription.frequency,
        }
        return cls(data, initial=initial)

    def choices(self) -> dict:
        """The cleaned choices, as the subscription services take them."""
        names = ("ortschaften", "kinds", "categories", "frequency")
        return {name: self.cleaned_data[name] for name in names}


def consent_field() -> forms.BooleanField:
    """The consent to e-mail notifications; its text's version is CONSENT_VERSION."""
    return forms.BooleanField(
        label=_(
            "I agree that the municipality stores my e-mail address and my choices to send "
            "me these e-mails, until I unsubscribe."
        ),
        help_text=_(
            "Every e-mail has a link to change or end the subscription. Unsubscribing deletes "
            "your address. Details are in the privacy statement."
        ),
        error_messages={"required": _("Please agree, so that we may send you e-mails.")},
    )


class SubscriptionSignUpForm(SubscriptionChoicesForm):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send you an e-mail to confirm that the address is yours."),
        max_length=254,
    )
    consent = consent_field()

    field_order = ["email", "ortschaften", "kinds", "categories", "frequency", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(autocomplete="email", spellcheck="false")
        self.fields["email"].error_messages.update(
            required=_("Please enter your e-mail address."),
            invalid=_("Please enter an e-mail address like name@example.de."),
        )


class AccountSubscriptionForm(SubscriptionChoicesForm):
    """Subscribing from the account page: the address is the account's verified one."""

    consent = consent_field()
