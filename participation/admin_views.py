"""Admin screens of survey results: the list of surveys, one survey's results, their export,
and the publication on the survey page (which questions; which free texts).

The views are thin: who may see what, and when, is decided by participation.results, which
also writes the audit log.
"""

import tempfile
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from .exports import export_csv_lines, export_xlsx
from .models import Answer, SurveyPage
from .questions import QuestionKind
from .results import (
    ResultsEmbargoed,
    free_texts_review,
    published_question_ids,
    results_are_embargoed,
    results_may_publish,
    results_may_view,
    results_publication_set,
    survey_free_texts,
    survey_results_export_check,
    survey_results_open,
)

FREE_TEXTS_PER_PAGE = 50
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _survey(page_id: int) -> SurveyPage:
    return get_object_or_404(SurveyPage, pk=page_id)


def _embargoed_page(request: HttpRequest, survey: SurveyPage, error: ResultsEmbargoed):
    return render(
        request,
        "participation/admin/results_embargoed.html",
        {"survey": survey, "closes_at": error.closes_at},
    )


@require_GET
def results_index(request: HttpRequest) -> HttpResponse:
    """Every survey, with its state and number of responses, linking to its results."""
    if not results_may_view(request.user):
        raise PermissionDenied
    now = timezone.now()
    surveys = SurveyPage.objects.annotate(response_count=Count("responses")).order_by(
        "-closes_at", "title"
    )
    rows = [
        {
            "survey": survey,
            "is_embargoed": results_are_embargoed(survey=survey, now=now),
            "is_open": survey.is_open(now),
        }
        for survey in surveys
    ]
    return render(
        request,
        "participation/admin/results_index.html",
        {"rows": rows, "may_publish": results_may_publish(request.user)},
    )


@require_GET
def results(request: HttpRequest, page_id: int) -> HttpResponse:
    survey = _survey(page_id)
    try:
        survey_results = survey_results_open(survey=survey, user=request.user)
    except ResultsEmbargoed as error:
        return _embargoed_page(request, survey, error)
    return render(
        request,
        "participation/admin/results.html",
        {
            "survey": survey,
            "results": survey_results,
            "may_publish": results_may_publish(request.user),
        },
    )


@require_GET
def results_export(request: HttpRequest, page_id: int, file_format: str) -> HttpResponse:
    if file_format not in EXPORT_FORMATS:
        raise Http404
    survey = _survey(page_id)
    try:
        survey_results_export_check(survey=survey, user=request.user, file_format=file_format)
    except ResultsEmbargoed as error:
        return _embargoed_page(request, survey, error)
    filename = f"ergebnisse-{survey.slug}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        # Answers of citizens: no shared cache may keep a copy.
        "Cache-Control": "no-store",
    }
    if file_format == "csv":
        return StreamingHttpResponse(
            export_csv_lines(survey), content_type=EXPORT_FORMATS["csv"], headers=headers
        )
    # A temporary file, not memory: a workbook of 100,000 rows is tens of megabytes.
    # FileResponse closes it (and so removes it) when it has been sent.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    export_xlsx(survey, output)
    output.seek(0)
    return FileResponse(output, content_type=EXPORT_FORMATS["xlsx"], headers=headers)


class PublicationForm(forms.Form):
    question_ids = forms.MultipleChoiceField(
        label=_("Questions whose results are published"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The survey page shows the counts and percentages of these questions once the "
            "survey has closed. Of free-text questions it shows only the answers approved "
            "one by one."
        ),
    )

    def __init__(self, *args, survey: SurveyPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_ids"].choices = [
            (question.id, f"{number}. {question.text}")
            for number, question in enumerate(survey.question_list, start=1)
        ]


@require_http_methods(["GET", "POST"])
def results_publication(request: HttpRequest, page_id: int) -> HttpResponse:
    survey = _survey(page_id)
    if not results_may_publish(request.user):
        raise PermissionDenied
    form = PublicationForm(
        request.POST or None,
        survey=survey,
        initial={"question_ids": published_question_ids(survey)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            results_publication_set(
                survey=survey, user=request.user, question_ids=form.cleaned_data["question_ids"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The choice of published results has been saved."))
            return redirect("participation_results_publication", page_id=survey.pk)
    free_text_questions = [
        question for question in survey.question_list if question.kind == QuestionKind.FREE_TEXT
    ]
    published_texts = dict(
        Answer.objects.filter(
            response__survey=survey,
            question_id__in=[question.id for question in free_text_questions],
            is_published=True,
        )
        .values_list("question_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return render(
        request,
        "participation/admin/results_publication.html",
        {
            "survey": survey,
            "form": form,
            "free_text_questions": [
                {"question": question, "published": published_texts.get(question.id, 0)}
                for question in free_text_questions
            ],
            "is_embargoed": results_are_embargoed(survey=survey),
        },
    )


def _uuids(values: list[str]) -> list[uuid.UUID] | None:
    try:
        return [uuid.UUID(value) for value in values]
    except ValueError:
        return None


class FreeTextReviewForm(forms.Form):
    published = forms.MultipleChoiceField(
        label=_("Approved for the survey page"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        self.fields["published"].choices = [
            (str(answer.pk), answer.text) for answer in self.answers
        ]
        self.fields["published"].initial = [
            str(answer.pk) for answer in self.answers if answer.is_published
        ]


@require_http_methods(["GET", "POST"])
def free_texts(request: HttpRequest, page_id: int, question_id: str) -> HttpResponse:
    """One question's free texts, page by page, each with a box to approve it for the page."""
    survey = _survey(page_id)
    if not results_may_publish(request.user):
        raise PermissionDenied
    try:
        answers = survey_free_texts(survey=survey, user=request.user, question_id=question_id)
    except ResultsEmbargoed as error:
        return _embargoed_page(request, survey, error)
    except ValidationError:
        raise Http404 from None
    paginator = Paginator(answers, FREE_TEXTS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("seite"))
    if request.method == "POST":
        # The answers the form showed, not those on that page now: new answers move the rest.
        shown = _uuids(request.POST.getlist("shown")) or []
        form = FreeTextReviewForm(request.POST, answers=answers.filter(pk__in=shown))
        if not form.answers:
            form.add_error(
                None, _("The answers shown could not be found. Nothing has been changed.")
            )
        elif form.is_valid():
            published = free_texts_review(
                survey=survey,
                user=request.user,
                question_id=question_id,
                reviewed_ids=[answer.pk for answer in form.answers],
                published_ids=form.cleaned_data["published"],
            )
            messages.success(
                request,
                ngettext(
                    "Your review has been saved: %(count)s answer to this question is approved "
                    "for the survey page.",
                    "Your review has been saved: %(count)s answers to this question are approved "
                    "for the survey page.",
                    published,
                )
                % {"count": published},
            )
            url = reverse("participation_results_free_texts", args=[survey.pk, question_id])
            return redirect(f"{url}?seite={page_obj.number}")
    else:
        form = FreeTextReviewForm(answers=page_obj.object_list)
    return render(
        request,
        "participation/admin/results_free_texts.html",
        {
            "survey": survey,
            "question": survey.questions_by_id[question_id],
            "form": form,
            "page_obj": page_obj,
        },
    )
