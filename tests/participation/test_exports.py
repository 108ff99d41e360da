"""The exports: one row per response, one column per question, paper marked, nothing about a
person, small Ortschaften folded, and no cell a spreadsheet would run as a formula."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from participation.questions import QuestionKind
from participation.results import OTHER_GROUP

from .test_results import respond

pytestmark = pytest.mark.service("postgres")


@pytest.fixture
def survey_with_answers(survey_factory, ortschaften):
    now = timezone.now()
    survey = survey_factory(opens_at=now - timedelta(days=14), closes_at=now - timedelta(days=1))
    q = {question.kind: question for question in survey.question_list}
    multiple = q[QuestionKind.MULTIPLE_CHOICE]
    for n in range(5):
        respond(
            survey,
            {
                q[QuestionKind.SINGLE_CHOICE].id: q[QuestionKind.SINGLE_CHOICE].choices[0].id,
                # stored in the other order than the form shows them
                multiple.id: [multiple.choices[3].id, multiple.choices[1].id],
                q[QuestionKind.RATING].id: 4,
                q[QuestionKind.YES_NO].id: "no",
            },
            ortschaft=ortschaften["barleben"],
        )
    respond(
        survey,
        {
            q[QuestionKind.SINGLE_CHOICE].id: q[QuestionKind.SINGLE_CHOICE].choices[2].id,
            q[QuestionKind.FREE_TEXT].id: '=HYPERLINK("http://example.org")',
        },
        ortschaft=ortschaften["meitzendorf"],
        is_paper=True,
    )
    # with them, other/unknown has 5 and Barleben can be named
    for _ in range(4):
        respond(
            survey, {q[QuestionKind.SINGLE_CHOICE].id: q[QuestionKind.SINGLE_CHOICE].choices[1].id}
        )
    return survey


def labels() -> dict[str, str]:
    """What the admin (in German) writes for these, translated or not."""
    with translation.override("de"):
        return {
            "other": str(OTHER_GROUP),
            "paper": gettext("paper"),
            "online": gettext("online"),
            "no": gettext("No"),
        }


@pytest.fixture
def council_client(client, staff_member):
    client.force_login(staff_member("Gemeinderat"))
    return client


def _get(client, survey, file_format):
    response = client.get(reverse("participation_results_export", args=[survey.pk, file_format]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def test_csv_has_a_row_per_response_and_a_column_per_question(council_client, survey_with_answers):
    response, content = _get(council_client, survey_with_answers, "csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(header) == 3 + len(survey_with_answers.question_list)
    assert header[3] == "1. Wo soll der neue Spielplatz entstehen?"
    assert len(body) == 10
    assert sorted(int(row[0]) for row in body) == list(range(1, 11))
    barleben = [row for row in body if row[1] == "Barleben"]
    assert len(barleben) == 5
    assert barleben[0][3:8] == ["Am Mühlenberg", "Sandkasten; Bänke", "4", labels()["no"], ""]
    (paper,) = [row for row in body if row[2] == labels()["paper"]]
    # the one response from Meitzendorf: not named, and marked as paper
    assert paper[1] == labels()["other"]
    assert barleben[0][2] == labels()["online"]
    # a leading apostrophe keeps the spreadsheet from running the text as a formula
    assert paper[7] == '\'=HYPERLINK("http://example.org")'


def test_xlsx_holds_the_same_rows(council_client, survey_with_answers):
    response, content = _get(council_client, survey_with_answers, "xlsx")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 11
    assert rows[0][3] == "1. Wo soll der neue Spielplatz entstehen?"
    barleben = [row for row in rows[1:] if row[1] == "Barleben"]
    assert barleben[0][3:7] == ["Am Mühlenberg", "Sandkasten; Bänke", 4, labels()["no"]]
    (paper,) = [row for row in rows[1:] if row[2] == labels()["paper"]]
    assert paper[1] == labels()["other"]
    # stored as text, not as a formula
    assert paper[7] == '=HYPERLINK("http://example.org")'
    formula_cells = [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formula_cells == []


def test_export_names_nobody(council_client, survey_with_answers, citizen):
    _response, content = _get(council_client, survey_with_answers, "csv")

    text = content.decode()
    assert citizen.username not in text and citizen.email not in text
    for response in survey_with_answers.responses.all():
        assert str(response.pk) not in text
        assert response.submitted_on.isoformat() not in text


def test_unknown_format_is_not_found(council_client, survey_with_answers):
    url = reverse("participation_results_export", args=[survey_with_answers.pk, "pdf"])

    assert council_client.get(url).status_code == 404
