"""The admin form of imported rows.

A field staff saved without changing it keeps exactly the value the import wrote, so that
the next import still updates it: the rich text editor writes its own form of the same HTML
(block keys, `<b>` for `<strong>`), and a browser sends a text area's line breaks as CR LF,
which would otherwise make every text look changed by staff after the first save.

The form also names the fields staff changed since the last import, and can give them back
to the export ("reset_to_export").
"""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')


class ImportedRowForm(WagtailAdminModelForm):
    reset_to_export = forms.BooleanField(
        label=_("Take the export's values again"),
        required=False,
        help_text=_("Nothing was changed here since the last import."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is None or not instance.is_imported:
            del self.fields["reset_to_export"]
            return
        changed = [
            str(instance._meta.get_field(name).verbose_name)
            for name in instance.locally_changed_fields()
        ]
        if changed:
            self.fields["reset_to_export"].help_text = _(
                "Changed here since the last import, and kept by every import: %(fields)s. "
                "Tick to replace them with the values of the last import."
            ) % {"fields": ", ".join(changed)}

    def _unchanged(self, name: str, initial, value) -> bool:
        if not isinstance(initial, str) or not isinstance(value, str):
            return initial == value
        # Imported here: the editor's module needs the models, and the models need this form.
        from wagtail.admin.rich_text import DraftailRichTextArea

        widget = self.fields[name].widget
        if isinstance(widget, DraftailRichTextArea):
            # The stored HTML as the editor would send it back untouched.
            initial = widget.value_from_datadict({name: widget.format_value(initial)}, {}, name)
            return BLOCK_KEY.sub("", initial) == BLOCK_KEY.sub("", value)
        return initial.replace("\r\n", "\n") == value.replace("\r\n", "\n")

    def clean(self):
        cleaned_data = super().clean()
        instance = self.instance
        if instance.pk is None or not instance.is_imported:
            return cleaned_data
        for name, imported in instance.imported_values.items():
            if name not in cleaned_data or name not in self.initial:
                continue
            if cleaned_data.get("reset_to_export"):
                cleaned_data[name] = imported
            elif self._unchanged(name, self.initial[name], cleaned_data[name]):
                cleaned_data[name] = self.initial[name]
        return cleaned_data

    def save(self, commit=True):
        if hasattr(self.instance, "modified_at"):
            self.instance.modified_at = timezone.now()  # the API's modified_since sees it
        return super().save(commit=commit)
