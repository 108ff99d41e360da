"""Admin: the letters with access codes for a survey answered by letter, the entry of paper
forms, and the announcement of a survey to the subscribers."""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets import Button

from notifications.audiences import audience_for
from notifications.fanout import dispatch_statistics
from website.models import MunicipalitySettings

from . import admin_views as results_views
from .access_codes import MAX_CODES_PER_BATCH, access_codes_generate
from .announcing import (
    BOARD_AUDIENCE,
    announcement_permitted,
    survey_announce,
    survey_announcement,
    survey_announcement_summary,
    survey_check_announceable,
)
from .forms import SurveyForm
from .letters import access_code_letters_pdf
from .models import ResultsPublication, SurveyPage, WayOfTakingPart
from .paper import (
    PAPER_ANSWER_ACTION,
    PAPER_ENTRY_GRACE,
    paper_entry_ends_at,
    paper_entry_is_open,
    paper_entry_permitted,
    survey_paper_answer_enter,
)
from .results import (
    EXPORT_ACTION,
    PUBLISH_ACTION,
    REVIEW_ACTION,
    VIEW_ACTION,
    results_may_publish,
    results_may_view,
)

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


# --- Paper forms and the announcement (issue 6, points 6 and 7) ------------------------


class PaperAnswerForm(SurveyForm):
    """The citizen's questionnaire as staff type in a paper form: no access code (a paper
    form has none), and the Ortschaft as the form gives it."""

    def __init__(self, survey: SurveyPage, *args, **kwargs):
        super().__init__(survey, *args, **kwargs)
        self.fields.pop("access_code", None)
        self.fields["ortschaft"].label = _("Ortschaft given on the form")
        self.fields["ortschaft"].help_text = _("Leave at “No answer” if the form gives none.")


def _forbidden(request: HttpRequest, survey: SurveyPage, reason: str) -> HttpResponse:
    # A 403 that says why, in the admin's layout: Wagtail would turn PermissionDenied into
    # a redirect to the dashboard, which hides from a script or a test that nothing happened.
    return render(
        request,
        "participation/admin/forbidden.html",
        {"survey": survey, "reason": reason},
        status=403,
    )


@require_http_methods(["GET", "POST"])
def paper_answer_enter(request: HttpRequest, page_id: int) -> HttpResponse:
    """One paper form at a time: saving it shows an empty form for the next."""
    survey = get_object_or_404(SurveyPage, pk=page_id)
    if not paper_entry_permitted(user=request.user, survey=survey):
        return _forbidden(
            request,
            survey,
            _("Paper forms are entered by the Redaktion and the Administration."),
        )
    form = PaperAnswerForm(survey, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_paper_answer_enter(
                survey=survey,
                answers=form.answers(),
                ortschaft=form.cleaned_data["ortschaft"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_submission_error(error)
        else:
            messages.success(
                request, _("The paper form was saved and counts in the results. Next form:")
            )
            return redirect("participation_paper_answer", page_id=survey.pk)
    return render(
        request,
        "participation/admin/paper_answer.html",
        {
            "survey": survey,
            "form": form,
            "is_entry_open": paper_entry_is_open(survey=survey),
            "ends_at": paper_entry_ends_at(survey),
            "grace_days": PAPER_ENTRY_GRACE.days,
            "paper_count": survey.responses.filter(is_paper=True).count(),
        },
    )


def _announcement_preview(survey: SurveyPage) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "subject": f"{gettext('Survey')}: {survey.title}",
            "summary": survey_announcement_summary(survey=survey),
            "url": survey.get_full_url(),
            "ortschaften": list(survey.ortschaften.all()),
        }


@require_http_methods(["GET", "POST"])
def survey_announcement_send(request: HttpRequest, page_id: int) -> HttpResponse:
    """What the announcement will say and to how many; sending it (POST) once."""
    survey = get_object_or_404(SurveyPage, pk=page_id)
    if not announcement_permitted(user=request.user, survey=survey):
        return _forbidden(
            request,
            survey,
            _("A survey is announced by those who may publish it."),
        )
    if request.method == "POST":
        try:
            dispatch = survey_announce(survey=survey)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if dispatch is None:
                messages.warning(request, _("This survey was announced before; nothing was sent."))
            else:
                logger.info("Staff member %s announced survey %s", request.user.pk, survey.pk)
                messages.success(request, _("The announcement is on its way to the subscribers."))
        return redirect("participation_survey_announcement", page_id=survey.pk)
    dispatch = survey_announcement(survey=survey)
    context = {"survey": survey, "dispatch": dispatch}
    if dispatch is not None:
        if request.user.has_perm("notifications.view_dispatch"):
            context["statistics"] = dispatch_statistics(dispatch)
            context["dispatch_url"] = reverse("dispatches:inspect", args=[dispatch.pk])
    else:
        try:
            survey_check_announceable(survey=survey)
        except ValidationError as error:
            context["refusal"] = " ".join(error.messages)
        else:
            context["preview"] = _announcement_preview(survey)
            context["recipient_count"] = (
                audience_for(BOARD_AUDIENCE)
                .recipients_matching(
                    site_id=survey.get_site().pk,
                    source_id=survey.pk,
                    ortschaft_ids=[o.pk for o in context["preview"]["ortschaften"]],
                    criteria={},
                )
                .count()
            )
    return render(request, "participation/admin/survey_announcement.html", context)


@hooks.register("register_admin_urls")
def register_paper_and_announcement_urls():
    return [
        path(
            "umfragen/<int:page_id>/papierboegen/",
            paper_answer_enter,
            name="participation_paper_answer",
        ),
        path(
            "umfragen/<int:page_id>/ankuendigung/",
            survey_announcement_send,
            name="participation_survey_announcement",
        ),
    ]


@hooks.register("register_page_header_buttons")
def paper_and_announcement_buttons(page, user, view_name, next_url=None):
    survey = page.specific_deferred
    if not isinstance(survey, SurveyPage):
        return
    if paper_entry_permitted(user=user, survey=survey) and paper_entry_is_open(survey=survey):
        url = reverse("participation_paper_answer", args=[page.pk])
        yield Button(_("Enter paper forms"), url=url, icon_name="form", priority=68)
    if announcement_permitted(user=user, survey=survey):
        url = reverse("participation_survey_announcement", args=[page.pk])
        yield Button(_("Send announcement"), url=url, icon_name="mail", priority=69)


@hooks.register("register_log_actions")
def register_paper_log_action(actions):
    actions.register_action(
        PAPER_ANSWER_ACTION, _("Enter paper form"), _("Entered a paper form (answers not shown)")
    )


# --- results for the council -----------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_results_urls():
    return [
        path("umfrageergebnisse/", results_views.results_index, name="participation_results_index"),
        path(
            "umfragen/<int:page_id>/ergebnisse/",
            results_views.results,
            name="participation_results",
        ),
        path(
            "umfragen/<int:page_id>/ergebnisse/export.<str:file_format>",
            results_views.results_export,
            name="participation_results_export",
        ),
        path(
            "umfragen/<int:page_id>/ergebnisse/veroeffentlichung/",
            results_views.results_publication,
            name="participation_results_publication",
        ),
        path(
            "umfragen/<int:page_id>/ergebnisse/freitexte/<str:question_id>/",
            results_views.free_texts,
            name="participation_results_free_texts",
        ),
    ]


class ResultsMenuItem(MenuItem):
    def is_shown(self, request):
        return results_may_view(request.user)


@hooks.register("register_admin_menu_item")
def register_results_menu_item():
    return ResultsMenuItem(
        _("Survey results"),
        reverse("participation_results_index"),
        name="survey-results",
        icon_name="table",
        order=250,
    )


@hooks.register("register_page_header_buttons")
def results_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, SurveyPage) and results_may_view(user):
        url = reverse("participation_results", args=[page.pk])
        yield Button(_("Results"), url=url, icon_name="table", priority=66)


@hooks.register("register_log_actions")
def register_results_log_actions(actions):
    actions.register_action(VIEW_ACTION, _("View results"), _("Viewed the results"))
    actions.register_action(EXPORT_ACTION, _("Export results"), _("Exported the results"))
    actions.register_action(
        PUBLISH_ACTION, _("Choose published results"), _("Changed which results are published")
    )
    actions.register_action(
        REVIEW_ACTION, _("Review free texts"), _("Reviewed free-text answers for publication")
    )


# --- the dashboard ----------------------------------------------------------------------------


class SurveysPanel(Component):
    """What the council is there for: the surveys running now with their answers so far, and
    those that ended, with their results and whether these are published yet."""

    name = "surveys"
    template_name = "participation/admin/surveys_panel.html"
    order = 50
    CLOSED_SHOWN = 5

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        now = timezone.now()
        surveys = SurveyPage.objects.annotate(
            response_count=Count("responses", distinct=True),
            has_published_results=Exists(
                ResultsPublication.objects.filter(survey=OuterRef("pk")).exclude(question_ids=[])
            ),
        ).only("pk", "title", "opens_at", "closes_at", "results_visible_while_open")
        context.update(
            {
                "open_surveys": surveys.filter(opens_at__lte=now, closes_at__gt=now).order_by(
                    "closes_at"
                ),
                "closed_surveys": surveys.filter(closes_at__lte=now).order_by("-closes_at")[
                    : self.CLOSED_SHOWN
                ],
                "to_review": surveys.filter(
                    closes_at__lte=now, has_published_results=False
                ).count(),
                "may_publish": results_may_publish(parent_context["request"].user),
            }
        )
        return context


@hooks.register("construct_homepage_panels")
def add_surveys_panel(request, panels):
    if results_may_view(request.user):
        panels.append(SurveysPanel())
