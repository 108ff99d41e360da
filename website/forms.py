from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _


def form_values(form: forms.Form, data: QueryDict) -> str:
    """The values a filter form was given, as the key of its fragment in the cache: what it
    shows depends on them alone and on its choices (templates/notices/includes/filter_form.html)."""
    return urlencode([(name, data.get(name, "")) for name in form.fields])


class BarrierReportForm(forms.Form):
    message = forms.CharField(
        label=_("What is the barrier?"),
        help_text=_("Describe what you could not use or read, and how you tried."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    location = forms.CharField(
        label=_("Where did you find it? (optional)"),
        help_text=_("The address of the page or the name of the document."),
        max_length=500,
        required=False,
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        help_text=_("Only if you would like an answer."),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        for field in self.fields.values():
            field.error_messages["required"] = _("Please fill in this field.")
