"""A survey's responses as a table for the council's own analysis: CSV and XLSX.

One row per response, one column per question, and before them the response's number in the
file, its Ortschaft and whether it came from a paper form. Nothing about a person: no
account, no code, no day (the days are counted on the results screen). Ortschaften with
fewer than 5 responses appear as "other/unknown", by the rule of the results' breakdown,
so the file cannot pick out anybody the screen does not. The rows are in the order of the
responses' random ids: the order says nothing about when anybody answered.

Call `survey_results_export_check` (participation.results) first: it checks the permission
and the embargo and writes the audit log entry.
"""

import csv
from collections import defaultdict
from collections.abc import Iterator
from typing import BinaryIO

from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Answer, Response, SurveyPage
from .questions import Question, QuestionKind
from .results import OTHER_GROUP, ortschaft_groups

CHUNK_SIZE = 5000
# A spreadsheet runs a cell that starts so as a formula (CSV injection): the CSV gets a
# leading apostrophe there, which spreadsheets read as "this is text"; in the XLSX each
# value is written as a string cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_header(survey: SurveyPage) -> list[str]:
    return [
        _("No."),
        _("Ortschaft"),
        _("Source"),
        *[
            f"{number}. {question.text}"
            for number, question in enumerate(survey.question_list, start=1)
        ],
    ]


def _labels(question: Question) -> dict[str, str]:
    return {choice.id: str(choice.label) for choice in question.choices}


def _cell(question: Question, values: list, labels: dict[str, str]) -> object:
    if not values:
        return ""
    if question.kind in (QuestionKind.RATING, QuestionKind.FREE_TEXT):
        return values[0]
    # in the order of the choices on the form, not of the stored rows
    order = list(labels)
    chosen = sorted(values, key=lambda choice: order.index(choice) if choice in order else 0)
    return "; ".join(labels.get(choice, choice) for choice in chosen)


def export_rows(survey: SurveyPage) -> Iterator[list]:
    """The rows below the header, read from the database chunk by chunk."""
    per_ortschaft = dict(
        Response.objects.filter(survey=survey)
        .values_list("ortschaft_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    group_of = {pk: label for label, members in ortschaft_groups(per_ortschaft) for pk in members}
    questions = survey.question_list
    labels = {question.id: _labels(question) for question in questions}
    sources = {False: _("online"), True: _("paper")}
    responses = (
        Response.objects.filter(survey=survey)
        .order_by("id")
        .values_list("id", "ortschaft_id", "is_paper")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    # Both in the order of the response's id, so the answers of each response are read
    # alongside it: two cursors instead of a query per response.
    answers = (
        Answer.objects.filter(response__survey=survey)
        .order_by("response_id")
        .values_list("response_id", "question_id", "choice_id", "number", "text")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    pending = next(answers, None)
    for number, (response_id, ortschaft_id, is_paper) in enumerate(responses, start=1):
        values: dict[str, list] = defaultdict(list)
        while pending is not None and pending[0] == response_id:
            _response, question_id, choice_id, rating, text = pending
            values[question_id].append(
                choice_id if choice_id is not None else rating if rating is not None else text
            )
            pending = next(answers, None)
        yield [
            number,
            group_of.get(ortschaft_id, str(OTHER_GROUP)),
            sources[is_paper],
            *[_cell(q, values.get(q.id, []), labels[q.id]) for q in questions],
        ]


def _csv_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv_lines(survey: SurveyPage) -> Iterator[str]:
    """The CSV, line by line, for a streaming response.

    Semicolons and a byte order mark: what a spreadsheet set to German opens correctly
    with a double click.
    """
    # A streaming response is read after the view returned, when the request's language is
    # no longer active: the lines are written in the language of the request.
    language = translation.get_language()

    def lines() -> Iterator[str]:
        with translation.override(language):
            writer = csv.writer(_Echo(), delimiter=";")
            yield "\ufeff"
            yield writer.writerow(export_header(survey))
            for row in export_rows(survey):
                yield writer.writerow([_csv_safe(value) for value in row])

    return lines()


def export_xlsx(survey: SurveyPage, output: BinaryIO) -> None:
    """Write the XLSX to `output` (a seekable binary file)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    # write-only: the rows go to disk as they come, whatever the number of responses
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Responses"))

    def cells(row: list) -> list:
        written = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            written.append(cell)
        return written

    sheet.append(cells(export_header(survey)))
    for row in export_rows(survey):
        sheet.append(cells(row))
    workbook.save(output)
