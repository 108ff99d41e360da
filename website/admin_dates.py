"""Dates and times in the admin as German staff type and read them: "08.12.2026 09:00".

Wagtail's pickers show and read the formats of the settings (WAGTAIL_DATE_FORMAT and its
siblings), whatever language a member of staff chose; the form fields read those formats and
ISO. The picker's script would replace what it cannot read with the current time when the
field loses focus (`validateOnBlur`); here it leaves the text alone, and the form refuses it
with a message: an Aushangfrist typed wrongly must not become "now".
"""

from django.conf import settings
from django.db import models
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput, AdminTimeInput


class _KeepsUnreadableText:
    def get_config(self):
        return {**super().get_config(), "validateOnBlur": False}


class DateInput(_KeepsUnreadableText, AdminDateInput):
    pass


class TimeInput(_KeepsUnreadableText, AdminTimeInput):
    pass


class DateTimeInput(_KeepsUnreadableText, AdminDateTimeInput):
    pass


def register_form_field_overrides() -> None:
    for field, widget, shown, iso in [
        (models.DateField, DateInput, settings.WAGTAIL_DATE_FORMAT, "%Y-%m-%d"),
        (models.TimeField, TimeInput, settings.WAGTAIL_TIME_FORMAT, "%H:%M:%S"),
        (
            models.DateTimeField,
            DateTimeInput,
            settings.WAGTAIL_DATETIME_FORMAT,
            "%Y-%m-%d %H:%M",
        ),
    ]:
        register_form_field_override(
            field, override={"widget": widget, "input_formats": [shown, iso]}
        )
