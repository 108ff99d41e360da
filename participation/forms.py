"""The citizen's questionnaire: one field per question, built from the survey's questions."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from website.models import Ortschaft

from .access_codes import access_code_check, access_code_format, access_code_normalise
from .answering import INVALID_CHOICE, REQUIRED, survey_answers_clean
from .models import SurveyPage, WayOfTakingPart
from .questions import Question, QuestionKind

FIELD_PREFIX = "question_"


class ChoiceGroup(forms.RadioSelect):
    # Django gives a group of options no id of its own; the error summary links to the
    # first option instead, so that following the link lands in the group.
    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class MultipleChoiceGroup(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


def field_name(question_id: str) -> str:
    return f"{FIELD_PREFIX}{question_id}"


def _help_text(question: Question) -> str:
    parts = [question.help_text] if question.help_text else []
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        if question.max_choices:
            parts.append(_("Choose up to %(max)s.") % {"max": question.max_choices})
        else:
            parts.append(_("Choose as many as apply."))
    elif question.kind == QuestionKind.FREE_TEXT:
        parts.append(_("At most %(max)s characters.") % {"max": question.max_length})
    return " ".join(str(part) for part in parts)


def question_field(question: Question) -> forms.Field:
    common = {
        "label": question.text,
        "help_text": _help_text(question),
        "required": question.is_required,
        "error_messages": {"required": REQUIRED, "invalid_choice": INVALID_CHOICE},
    }
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(choice.id, choice.label) for choice in question.choices],
            widget=MultipleChoiceGroup,
            **common,
        )
    if question.kind == QuestionKind.RATING:
        return forms.TypedChoiceField(
            choices=question.rating_choices(), coerce=int, widget=ChoiceGroup, **common
        )
    if question.kind == QuestionKind.FREE_TEXT:
        # The limit itself is checked with the others in SurveyForm.clean, with the count.
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 5, "maxlength": question.max_length}),
            **common,
        )
    return forms.ChoiceField(
        choices=[(choice.id, choice.label) for choice in question.choices],
        widget=ChoiceGroup,
        **common,
    )


@dataclass(frozen=True)
class ReviewRow:
    question: Question
    answers: list[str]
    field_id: str


class SurveyForm(forms.Form):
    """The access code (for surveys by letter), the questions, and the Ortschaft (optional)."""

    def __init__(self, survey: SurveyPage, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        if survey.way_of_taking_part == WayOfTakingPart.CODE:
            self.fields["access_code"] = forms.CharField(
                label=_("Access code"),
                help_text=_("It is in the letter from the municipality, e.g. K7QM-4XPR-9T3W."),
                max_length=40,
                error_messages={"required": _("Please enter the access code from your letter.")},
            )
        for question in survey.question_list:
            self.fields[field_name(question.id)] = question_field(question)
        audience = survey.ortschaften.all()
        self.fields["ortschaft"] = forms.ModelChoiceField(
            label=_("In which Ortschaft do you live?"),
            help_text=_(
                "Voluntary. It lets the council compare the Ortschaften; groups with fewer "
                "than five answers are never shown."
            ),
            queryset=audience if audience.exists() else Ortschaft.objects.all(),
            to_field_name="slug",
            required=False,
            empty_label=_("No answer"),
            error_messages={"invalid_choice": INVALID_CHOICE},
        )

    @classmethod
    def data_from_draft(cls, survey: SurveyPage, draft: dict) -> dict:
        """Form data that fills the form in as the draft (see `draft`) was."""
        data = {field_name(question_id): value for question_id, value in draft["answers"].items()}
        data["ortschaft"] = draft.get("ortschaft", "")
        if survey.way_of_taking_part == WayOfTakingPart.CODE:
            data["access_code"] = draft.get("access_code", "")
        return data

    def clean_access_code(self) -> str:
        code = self.cleaned_data["access_code"]
        try:
            access_code_check(survey=self.survey, code=code)
        except ValidationError as error:
            raise error.error_dict["access_code"][0] from None
        return access_code_format(access_code_normalise(code))

    def clean(self):
        cleaned_data = super().clean()
        try:
            survey_answers_clean(survey=self.survey, answers=self.answers())
        except ValidationError as error:
            for question_id, errors in error.error_dict.items():
                name = field_name(question_id)
                # A field Django already refused keeps its one message.
                if name not in self.errors:
                    self.add_error(name, errors)
        return cleaned_data

    def add_submission_error(self, error: ValidationError) -> None:
        """Show a refusal of the service: by the question, the code or above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            name = key if key in ("access_code", "ortschaft") else field_name(key)
            if name not in self.fields:
                name = None
            if name is None or name not in self.errors:
                self.add_error(name, errors)

    def answers(self) -> dict:
        """Question id → answer, for the questions whose field is valid and answered."""
        answers = {}
        for question in self.survey.question_list:
            value = self.cleaned_data.get(field_name(question.id))
            if value not in (None, "", []):
                answers[question.id] = value
        return answers

    def draft(self) -> dict:
        """What the review step carries to the submission (in a signed field, never stored)."""
        ortschaft = self.cleaned_data.get("ortschaft")
        return {
            "answers": self.answers(),
            "ortschaft": ortschaft.slug if ortschaft else "",
            "access_code": self.cleaned_data.get("access_code", ""),
        }

    def review_rows(self) -> list[ReviewRow]:
        answers = self.answers()
        rows = []
        for question in self.survey.question_list:
            value = answers.get(question.id)
            if question.kind == QuestionKind.FREE_TEXT:
                labels = [value] if value else []
            elif question.kind == QuestionKind.RATING:
                labels = [dict(question.rating_choices())[value]] if value is not None else []
            else:
                chosen = value if isinstance(value, list) else [value]
                labels = [choice.label for choice in question.choices if choice.id in chosen]
            field = self[field_name(question.id)]
            rows.append(ReviewRow(question=question, answers=labels, field_id=field.id_for_label))
        return rows
