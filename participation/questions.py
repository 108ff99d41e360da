"""A survey's questions as plain values: what the form, the checks of a submission and the
review step read, instead of each walking the StreamField."""

from dataclasses import dataclass, replace
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class QuestionKind(StrEnum):
    # the block names in SurveyPage.questions
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RATING = "rating"
    YES_NO = "yes_no"
    FREE_TEXT = "free_text"


# A yes/no answer is stored as a choice like any other, so one GROUP BY counts all choices.
YES = "yes"
NO = "no"


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    help_text: str
    is_required: bool
    choices: tuple[Choice, ...] = ()
    max_choices: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    min_label: str = ""
    max_label: str = ""
    max_length: int | None = None

    @property
    def choice_ids(self) -> set[str]:
        return {choice.id for choice in self.choices}

    def rating_choices(self) -> list[tuple[int, str]]:
        """The values of a rating scale with their labels; the ends carry the labels given."""
        values = range(self.min_value, self.max_value + 1)
        labels = {self.min_value: self.min_label, self.max_value: self.max_label}
        return [
            (value, f"{value} ({labels[value]})" if labels.get(value) else str(value))
            for value in values
        ]

    def meaning(self) -> "Question":
        """The question without what may change once answers exist (the help text)."""
        return replace(self, help_text="")


def questions_from_stream(stream) -> list[Question]:
    questions = []
    for child in stream:
        value = child.value
        kind = QuestionKind(child.block_type)
        fields = {
            "id": child.id,
            "kind": kind,
            "text": value["text"],
            "help_text": value["help_text"],
            "is_required": value["is_required"],
        }
        if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            fields["choices"] = tuple(
                Choice(id=item.id, label=item.value) for item in value["choices"].bound_blocks
            )
        if kind == QuestionKind.MULTIPLE_CHOICE:
            fields["max_choices"] = value["max_choices"]
        elif kind == QuestionKind.RATING:
            fields.update(
                min_value=value["min_value"],
                max_value=value["max_value"],
                min_label=value["min_label"],
                max_label=value["max_label"],
            )
        elif kind == QuestionKind.YES_NO:
            fields["choices"] = (Choice(id=YES, label=_("Yes")), Choice(id=NO, label=_("No")))
        elif kind == QuestionKind.FREE_TEXT:
            fields["max_length"] = value["max_length"]
        questions.append(Question(**fields))
    return questions
