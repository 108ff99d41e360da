"""Staff make access codes for a number of households and download the letters as a PDF."""

import io
import re

import pypdfium2
import pytest

from participation.access_codes import (
    ALPHABET,
    CODE_LENGTH,
    access_code_digest,
    access_code_normalise,
)
from participation.models import AccessCode

URL = "/admin/umfragen/{}/zugangscodes/"
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


def _pages_text(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


@pytest.mark.parametrize("group", ["Redaktion", "Administration"])
def test_staff_download_one_letter_per_household(survey_factory, client, staff_member, group):
    # given
    survey = survey_factory(way_of_taking_part="code", title="Umfrage zum Spielplatz – 2027")
    client.force_login(staff_member(group))

    # when
    form = client.get(URL.format(survey.pk))
    response = client.post(URL.format(survey.pk), {"count": "3"})

    # then: one A4 page per code, each with the survey's address and its code
    assert form.status_code == 200
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="zugangscodes-')
    assert "no-store" in response["Cache-Control"]
    pages = _pages_text(response.content)
    assert len(pages) == 3
    codes = []
    for text in pages:
        assert "Gemeinde Barleben" in text
        assert "Umfrage zum Spielplatz - 2027" in text
        assert survey.full_url in text
        [code] = CODE.findall(text)
        codes.append(code)
    assert len(set(codes)) == 3
    # the codes exist, as HMACs only, unused
    assert AccessCode.objects.filter(survey=survey, is_used=False).count() == 3
    for code in codes:
        normalised = access_code_normalise(code)
        assert len(normalised) == CODE_LENGTH and set(normalised) <= set(ALPHABET)
        assert AccessCode.objects.filter(digest=access_code_digest(code)).exists()
        assert not AccessCode.objects.filter(digest__contains=normalised).exists()


def test_a4_pages(survey_factory, client, staff_member):
    survey = survey_factory(way_of_taking_part="code")
    client.force_login(staff_member("Redaktion"))

    pdf = client.post(URL.format(survey.pk), {"count": "2"}).content

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    width, height = document[0].get_size()
    document.close()
    assert (round(width), round(height)) == (595, 842)  # A4 in points


@pytest.mark.parametrize("group", ["Gemeinderat", "Freigabe"])
def test_others_may_not_make_codes(survey_factory, client, staff_member, group):
    survey = survey_factory(way_of_taking_part="code")
    client.force_login(staff_member(group))

    # the admin sends who may not to its start page with a message
    assert client.get(URL.format(survey.pk)).status_code in {302, 403}
    assert client.post(URL.format(survey.pk), {"count": "3"}).status_code in {302, 403}
    assert not AccessCode.objects.exists()


@pytest.mark.parametrize("count", ["0", "-1", "5001", "viele", ""])
def test_a_bad_number_of_households_makes_nothing(survey_factory, client, staff_member, count):
    survey = survey_factory(way_of_taking_part="code")
    client.force_login(staff_member("Redaktion"))

    response = client.post(URL.format(survey.pk), {"count": count})

    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert not AccessCode.objects.exists()


def test_a_survey_without_codes_makes_none(survey_factory, client, staff_member):
    survey = survey_factory(way_of_taking_part="account")
    client.force_login(staff_member("Redaktion"))

    response = client.post(URL.format(survey.pk), {"count": "3"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not AccessCode.objects.exists()


def test_the_survey_edit_page_links_to_the_letters(survey_factory, client, staff_member):
    survey = survey_factory(way_of_taking_part="code")
    client.force_login(staff_member("Redaktion"))

    html = client.get(f"/admin/pages/{survey.pk}/edit/").content.decode()

    assert URL.format(survey.pk) in html
