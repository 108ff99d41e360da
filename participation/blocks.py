"""The question types of a survey.

A question's id is the id of its block in the stream, a choice's id the id of its item in the
list of choices: Wagtail keeps both across edits, so stored answers keep pointing at the
question and the choice they were given for, whatever is reordered around them.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

MAX_CHOICES = 30
MAX_FREE_TEXT_LENGTH = 5000
MAX_RATING_STEPS = 11


class QuestionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("question"), max_length=500)
    help_text = blocks.CharBlock(
        label=_("help text"),
        required=False,
        max_length=500,
        help_text=_("An explanation shown below the question, e.g. what is meant by a term."),
    )
    is_required = blocks.BooleanBlock(label=_("answer required"), required=False, default=True)


def choices_block() -> blocks.ListBlock:
    return blocks.ListBlock(
        blocks.CharBlock(label=_("choice"), max_length=200),
        label=_("choices"),
        min_num=2,
        max_num=MAX_CHOICES,
    )


class SingleChoiceBlock(QuestionBlock):
    choices = choices_block()

    class Meta:
        icon = "radio-full"
        label = _("Single choice")


class MultipleChoiceBlock(QuestionBlock):
    choices = choices_block()
    max_choices = blocks.IntegerBlock(
        label=_("at most this many choices"),
        required=False,
        min_value=1,
        max_value=MAX_CHOICES,
        help_text=_("Empty: citizens may choose any number."),
    )

    class Meta:
        icon = "tick-inverse"
        label = _("Multiple choice")

    def clean(self, value):
        value = super().clean(value)
        if value["max_choices"] and value["max_choices"] > len(value["choices"]):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "max_choices": ValidationError(
                        _("The maximum cannot be larger than the number of choices.")
                    )
                }
            )
        return value


class RatingBlock(QuestionBlock):
    min_value = blocks.IntegerBlock(label=_("lowest value"), default=1, min_value=0, max_value=10)
    max_value = blocks.IntegerBlock(label=_("highest value"), default=5, min_value=1, max_value=10)
    min_label = blocks.CharBlock(
        label=_("label of the lowest value"),
        required=False,
        max_length=100,
        help_text=_("e.g. “very dissatisfied”"),
    )
    max_label = blocks.CharBlock(
        label=_("label of the highest value"),
        required=False,
        max_length=100,
        help_text=_("e.g. “very satisfied”"),
    )

    class Meta:
        icon = "pick"
        label = _("Rating scale")

    def clean(self, value):
        value = super().clean(value)
        steps = value["max_value"] - value["min_value"] + 1
        if steps < 2 or steps > MAX_RATING_STEPS:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "max_value": ValidationError(
                        _(
                            "The highest value must be above the lowest, with at most "
                            "%(steps)s values on the scale."
                        )
                        % {"steps": MAX_RATING_STEPS}
                    )
                }
            )
        return value


class YesNoBlock(QuestionBlock):
    class Meta:
        icon = "help"
        label = _("Yes or no")


class FreeTextBlock(QuestionBlock):
    max_length = blocks.IntegerBlock(
        label=_("maximum length (characters)"),
        default=1000,
        min_value=1,
        max_value=MAX_FREE_TEXT_LENGTH,
    )

    class Meta:
        icon = "edit"
        label = _("Free text")


class QuestionsBlock(blocks.StreamBlock):
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    rating = RatingBlock()
    yes_no = YesNoBlock()
    free_text = FreeTextBlock()

    class Meta:
        min_num = 1
