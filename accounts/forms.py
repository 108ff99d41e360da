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
    """Confirmation of an account's deletion: a tick, and the password if it has one, or the
    code sent by e-mail instead."""

    is_confirmed = forms.BooleanField(
        label=_("Yes, delete my account and all my data for good."),
        required=False,
    )
    password = forms.CharField(
        label=_("Your password"),
        help_text=_(
            "To make sure it is you who deletes the account. You log in with a code and have "
            "no password at hand? Have a code sent to you below."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
        strip=False,
        # Hashing is slow by design: a password of megabytes would keep a worker busy.
        max_length=1000,
    )
    code = forms.CharField(
        label=_("The code from the e-mail"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        required=False,
        max_length=20,
    )

    def __init__(self, *args, has_password: bool = True, has_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_code:
            # A code was sent: it confirms instead of the password.
            del self.fields["password"]
            self.fields["code"].help_text = _("We sent it to your e-mail address.")
            return
        del self.fields["code"]
        if not has_password:
            # An account that logs in through another service has no password to ask for.
            del self.fields["password"]
