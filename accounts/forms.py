from django import forms
from django.utils.translation import gettext_lazy as _


class CitizenProfileForm(forms.Form):
    """The citizen's name and Ortschaft on the account page."""

    name = forms.CharField(
        label=_("Your name (optional)"),
        help_text=_("How we may address you, e.g. in answers to your messages."),
        max_length=150,
        required=False,
    )
    ortschaft = forms.ModelChoiceField(
        label=_("Your Ortschaft (optional)"),
        help_text=_("Where you live. The portal then shows you first what concerns it."),
        queryset=None,
        required=False,
        empty_label=_("No Ortschaft chosen"),
    )

    def __init__(self, *args, **kwargs):
        from .models import Ortschaft

        super().__init__(*args, **kwargs)
        self.fields["ortschaft"].queryset = Ortschaft.objects.all()
        self.fields["ortschaft"].error_messages["invalid_choice"] = _(
            "Please choose an Ortschaft from the list."
        )
        self.fields["name"].widget.attrs["autocomplete"] = "name"


class AccountDeleteForm(forms.Form):
    """Confirmation of an account's deletion: a tick, and the password if it has one."""

    is_confirmed = forms.BooleanField(
        label=_("Yes, delete my account and all my data for good."),
        required=False,
    )
    password = forms.CharField(
        label=_("Your password"),
        help_text=_("To make sure it is you who deletes the account."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
        strip=False,
        # Hashing is slow by design: a password of megabytes would keep a worker busy.
        max_length=1000,
    )

    def __init__(self, *args, has_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_password:
            # Accounts that log in by a code sent by e-mail have no password to ask for.
            del self.fields["password"]
