"""Admin: the letters with access codes for a survey answered by letter."""

import logging

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.widgets import Button

from barleben_portal.models import MunicipalitySettings

from .access_codes import MAX_CODES_PER_BATCH, access_codes_generate
from .letters import access_code_letters_pdf
from .models import SurveyPage, WayOfTakingPart

logger = logging.getLogger(__name__)

GENERATE_PERMISSION = "participation.add_accesscode"


class AccessCodeLettersForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of households"),
        min_value=1,
        max_value=MAX_CODES_PER_BATCH,
        help_text=_("One letter with its own code for each household; at most %(max)s at a time.")
        % {"max": MAX_CODES_PER_BATCH},
    )


def _may_generate(user, survey: SurveyPage) -> bool:
    return user.has_perm(GENERATE_PERMISSION) and survey.permissions_for_user(user).can_edit()


@require_http_methods(["GET", "POST"])
def access_code_letters(request: HttpRequest, page_id: int) -> HttpResponse:
    """A form for the number of households; sending it creates the codes and returns the PDF."""
    survey = get_object_or_404(SurveyPage, pk=page_id)
    if not _may_generate(request.user, survey):
        raise PermissionDenied
    form = AccessCodeLettersForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The codes exist only if their letters were made: a failure creates none.
            with transaction.atomic():
                codes = access_codes_generate(survey=survey, count=form.cleaned_data["count"])
                pdf = access_code_letters_pdf(
                    survey=survey,
                    codes=codes,
                    municipality=MunicipalitySettings.for_site(survey.get_site()),
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logger.info(
                "Staff member %s made %s code letters for survey %s",
                request.user.pk,
                len(codes),
                survey.pk,
            )
            filename = f"zugangscodes-{survey.slug}-{timezone.localdate():%Y-%m-%d}.pdf"
            return HttpResponse(
                pdf,
                content_type="application/pdf",
                headers={
                    "Content-Disposition": f'attachment; filename="{filename}"',
                    # The only copy of these codes: no cache may keep one.
                    "Cache-Control": "no-store",
                },
            )
    counts = survey.access_codes.aggregate(
        total=Count("pk"), used=Count("pk", filter=Q(is_used=True))
    )
    return render(
        request,
        "participation/admin/access_code_letters.html",
        {
            "survey": survey,
            "form": form,
            "counts": counts,
            "is_code_survey": survey.way_of_taking_part == WayOfTakingPart.CODE,
        },
    )


@hooks.register("register_admin_urls")
def register_access_code_urls():
    return [
        path(
            "umfragen/<int:page_id>/zugangscodes/",
            access_code_letters,
            name="participation_access_code_letters",
        )
    ]


@hooks.register("register_page_header_buttons")
def access_code_letters_button(page, user, view_name, next_url=None):
    survey = page.specific_deferred
    if (
        isinstance(survey, SurveyPage)
        and survey.way_of_taking_part == WayOfTakingPart.CODE
        and _may_generate(user, survey)
    ):
        url = reverse("participation_access_code_letters", args=[page.pk])
        yield Button(_("Letters with access codes"), url=url, icon_name="mail", priority=67)
