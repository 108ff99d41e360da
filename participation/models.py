"""Surveys and their answers.

What a citizen answered (`Response`, `Answer`) is stored apart from the fact that somebody
took part (`Participation`, `AccessCode.is_used`): no column relates the two, nothing names
a person, and the only time kept is the day of the answer.
"""

import uuid
from datetime import datetime
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.forms import CheckboxSelectMultiple, RadioSelect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from website.models import RICH_TEXT_FEATURES, Ortschaft, ViewRestrictionsMixin
from website.page_form import PortalPageForm

from .blocks import QuestionsBlock
from .questions import Question, questions_from_stream

QUESTIONS_LOCKED = _(
    "This survey has answers already, so its questions and choices can no longer be changed: "
    "the answers would then count for questions that were not asked. Only help texts may "
    "still change. Undo the changes, or create a new survey."
)


class WayOfTakingPart(models.TextChoices):
    OPEN = "open", _("Open: anyone, one answer per browser (not representative)")
    ACCOUNT = "account", _("Citizen account: one answer per verified account")
    CODE = "code", _("Access code: one answer per code sent by letter")


class SurveyPage(ViewRestrictionsMixin, RoutablePageMixin, Page):
    base_form_class = PortalPageForm
    # When time changes what the survey's page and the home page show (page_cache.py).
    page_cache_moments = ("opens_at", "closes_at")

    introduction = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    ortschaften = ParentalManyToManyField(
        Ortschaft,
        verbose_name=_("Ortschaften"),
        blank=True,
        help_text=_("Leave empty when the survey addresses the whole municipality."),
    )
    way_of_taking_part = models.CharField(
        _("way of taking part"),
        max_length=10,
        choices=WayOfTakingPart.choices,
        default=WayOfTakingPart.ACCOUNT,
    )
    results_visible_while_open = models.BooleanField(
        _("results visible while the survey is open"),
        default=False,
        help_text=_(
            "Unticked, nobody sees results before the survey closes, so that early results "
            "cannot sway later answers."
        ),
    )
    questions = StreamField(QuestionsBlock(), verbose_name=_("questions"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("ortschaften", widget=CheckboxSelectMultiple),
                FieldPanel("way_of_taking_part", widget=RadioSelect),
                FieldPanel("results_visible_while_open"),
            ],
            heading=_("Who takes part, and when"),
        ),
        FieldPanel("questions"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    parent_page_types = ["website.HomePage"]
    subpage_types: list[str] = []
    # The link of the e-mail that announces the survey (participation/announcing.py).
    notification_link_text = _("Take part in the survey")

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        # Results are not page content: who may read them is no page permission, and an
        # editor who may change the survey may not see what citizens answered.
        permissions = [
            ("view_results", _("Can see the results of surveys")),
            ("publish_results", _("Can publish the results of surveys")),
        ]

    @cached_property
    def question_list(self) -> list[Question]:
        return questions_from_stream(self.questions)

    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.question_list}

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_opened(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.opens_at

    @property
    def is_representative(self) -> bool:
        return self.way_of_taking_part != WayOfTakingPart.OPEN

    def clean(self):
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The survey must close after it opens.")
        if self.pk and Response.objects.filter(survey_id=self.pk).exists():
            stored = SurveyPage.objects.get(pk=self.pk)
            if [q.meaning() for q in self.question_list] != [
                q.meaning() for q in stored.question_list
            ]:
                # A non-field error: the admin shows it above the form, where it is read first.
                errors["__all__"] = QUESTIONS_LOCKED
            if self.way_of_taking_part != stored.way_of_taking_part:
                errors["way_of_taking_part"] = _(
                    "This survey has answers already, so its way of taking part can no longer "
                    "be changed."
                )
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["survey"] = self
        return context

    @path("")
    def survey_form(self, request):
        from .views import survey_form_view

        return survey_form_view(request, self)

    @path("absenden/", name="submit")
    def survey_submit(self, request):
        from .views import survey_submit_view

        return survey_submit_view(request, self)

    @path("danke/", name="thanks")
    def survey_thanks(self, request):
        from .views import survey_thanks_view

        return survey_thanks_view(request, self)


class Response(models.Model):
    """One citizen's answers to a survey, without anything about the citizen.

    The primary key is random, so the order of the rows says nothing about the order of the
    answers; the day is the only time stored.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        SurveyPage, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    ortschaft = models.ForeignKey(
        Ortschaft,
        verbose_name=_("Ortschaft"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the citizen said they live, for the council's breakdown."),
    )
    is_paper = models.BooleanField(_("from a paper form"), default=False)
    submitted_on = models.DateField(_("submitted on"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return str(self.pk)

    def page_cache_is_shown(self) -> bool:
        """Whether a change of this answer changes a public page: once the results are out."""
        return ResultsPublication.objects.filter(survey_id=self.survey_id).exists()


class Answer(models.Model):
    """The answer to one question: a choice (one row per choice ticked), a number or a text.

    The results count them once, into `ResultCount`, as they are stored.
    """

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question_id = models.CharField(_("question"), max_length=36)
    # NULL, not "", for "no choice": COUNT(choice_id) then counts choices only, and the check
    # constraint below reads plainly.
    choice_id = models.CharField(_("choice"), max_length=36, null=True, blank=True)  # noqa: DJ001
    number = models.SmallIntegerField(_("rating"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    # Free texts only: shown on the survey page once a staff member has read and approved
    # this one. Who approved it and when is in the audit log, not here: the answer keeps
    # no trace of a person or a time.
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["question_id", "choice_id"]),
            # the few free texts approved for the survey page, among all the answers
            models.Index(
                fields=["question_id"],
                condition=Q(is_published=True),
                name="participation_answer_published",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="participation_answer_exactly_one_value",
                condition=Q(choice_id__isnull=False, number__isnull=True, text="")
                | Q(choice_id__isnull=True, number__isnull=False, text="")
                | (Q(choice_id__isnull=True, number__isnull=True) & ~Q(text="")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice_id or self.number or self.text[:40]}"


class ResultsPublication(models.Model):
    """Which questions' results staff published on the survey page.

    A model of its own, not a page field: the choice is made after the answers came in,
    when the survey's questions are locked, and publishing a revision of the page must not
    undo it.
    """

    survey = models.OneToOneField(
        SurveyPage,
        verbose_name=_("survey"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="results_publication",
    )
    question_ids = models.JSONField(_("published questions"), default=list, blank=True)

    class Meta:
        verbose_name = _("publication of results")
        verbose_name_plural = _("publications of results")

    def __str__(self) -> str:
        return str(self.survey_id)


class ResultCount(models.Model):
    """How many responses, or answers, of a survey have one combination of values (`key`, see
    participation/tallies.py): the results read these few rows instead of counting every
    answer. Kept in the transaction that stores a response, so they never disagree with the
    answers; `tally_recount` makes them afresh from the answers."""

    survey = models.ForeignKey(
        SurveyPage, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("combination"), max_length=120)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("result count")
        verbose_name_plural = _("result counts")
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="participation_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class Participation(models.Model):
    """That somebody took part in a survey: what stops a second answer.

    The key is an HMAC of the survey and the person (account, access code or browser) under
    a key derived from SECRET_KEY: without that secret it names nobody, and it has neither a
    time nor a link to the response given.
    """

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="participations")
    key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="participation_once_per_person")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class AccessCode(models.Model):
    """A single-use code from a letter to a household.

    Only an HMAC of the code is stored: a copy of the database does not let anyone answer,
    and a used code is known as used without any trace of the response it gave.
    """

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    survey = models.ForeignKey(
        SurveyPage, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="access_codes"
    )
    digest = models.CharField(max_length=64, editable=False)
    batch = models.UUIDField(_("batch"), editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    is_used = models.BooleanField(_("used"), default=False)

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        constraints = [
            models.UniqueConstraint(fields=["survey", "digest"], name="participation_code_unique")
        ]

    def __str__(self) -> str:
        return str(self.pk)
