"""What the survey page costs in SQL queries: the same for 3 questions as for 40."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participation.demo import question

SIZES = [3, 40]


def _questions(count: int) -> list[dict]:
    kinds = [
        lambda n: question("single_choice", f"Frage {n}", choices=["A", "B", "C"]),
        lambda n: question("multiple_choice", f"Frage {n}", choices=["A", "B", "C"], max_choices=2),
        lambda n: question(
            "rating", f"Frage {n}", min_value=1, max_value=5, min_label="", max_label=""
        ),
        lambda n: question("yes_no", f"Frage {n}"),
        lambda n: question("free_text", f"Frage {n}", max_length=500),
    ]
    return [kinds[n % len(kinds)](n) for n in range(count)]


# The account adds its session, user, verified address and participation.
@pytest.mark.parametrize("way, most", [("open", 11), ("account", 15), ("code", 11)])
def test_survey_page_queries_do_not_grow_with_the_questions(
    survey_factory, client, citizen, ortschaften, way, most
):
    counts = []
    client.force_login(citizen)
    for size in SIZES:
        survey = survey_factory(way_of_taking_part=way, questions=_questions(size))
        survey.ortschaften.set([ortschaften["ebendorf"], ortschaften["barleben"]])
        survey.save()
        client.get(survey.url)  # warm Wagtail's site and settings caches alike for both
        with CaptureQueriesContext(connection) as queries:
            response = client.get(survey.url)
        assert response.status_code == 200
        assert response.content.decode().count('class="field') >= size
        counts.append(len(queries))

    assert counts[0] == counts[1], "\n".join(q["sql"] for q in queries.captured_queries)
    assert counts[1] <= most, "\n".join(q["sql"] for q in queries.captured_queries)
