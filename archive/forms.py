"""The admin's document form: refuses what the archive cannot keep before it is stored."""

import hashlib

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from .extraction import ExtractionError, file_type_detect

HEAD_BYTES = 4096


def file_checksum(file) -> str:
    """SHA-512 (hex) of an open file, read in chunks; the file is left at its start."""
    digest = hashlib.sha512()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form, plus: the content must match the name, and a file that is
    already in the archive is not stored a second time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "date" in self.fields:
            # Wagtail's multiple upload sends only the file; the date is then today's.
            self.fields["date"].required = False
            self.fields["date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if self.instance.pk and "file" in self.fields:
            # Staff see on the document itself whether its text could be read, and why not.
            state = _("Text extraction: %(state)s.") % {
                "state": self.instance.get_indexing_state_display()
            }
            if self.instance.indexing_error:
                state = f"{state} {self.instance.indexing_error}"
            self.fields["file"].help_text = f"{self.fields['file'].help_text} {state}".strip()
        if "ortschaften" in self.fields:
            self.fields["ortschaften"].widget = forms.CheckboxSelectMultiple()
            self.fields["ortschaften"].queryset = self.fields["ortschaften"].queryset.order_by(
                "sort_order", "name"
            )

    def clean_date(self):
        return self.cleaned_data.get("date") or timezone.localdate()

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if not uploaded or "file" not in self.changed_data:
            return uploaded
        uploaded.seek(0)
        head = uploaded.read(HEAD_BYTES)
        try:
            file_type_detect(head=head, file_name=uploaded.name)
        except ExtractionError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        checksum = file_checksum(uploaded)
        duplicate = (
            type(self.instance)
            .objects.filter(checksum=checksum)
            .exclude(pk=self.instance.pk)
            .order_by("pk")
            .first()
        )
        if duplicate:
            raise forms.ValidationError(
                _(
                    "This file is already in the archive: “%(title)s” (no. %(pk)s), "
                    "uploaded on %(date)s. Edit that document instead of uploading it again."
                ),
                code="duplicate",
                params={
                    "title": duplicate.title,
                    "pk": duplicate.pk,
                    "date": date_format(timezone.localtime(duplicate.created_at)),
                },
            )
        self.instance.checksum = checksum
        # A new file is read again; until then the document waits.
        self.instance.indexing_restart()
        return uploaded
