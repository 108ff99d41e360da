"""Letters with access codes: one A4 page per household, to print and post.

The PDF uses the core fonts every PDF reader has (Helvetica, Courier), so the server needs no
font files; they cover Latin-1, German included. Typographic punctuation outside it is
replaced by its plain form.
"""

import unicodedata
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from website.models import MunicipalitySettings

from .models import SurveyPage

PLAIN_FORMS = str.maketrans(
    {
        "„": '"',
        "“": '"',
        "”": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "€": "EUR",
        "\u00a0": " ",
    }
)
MARGIN = 25  # mm
TEXT_SIZE = 12
CODE_SIZE = 30


def _latin1(text: str) -> str:
    text = str(text).translate(PLAIN_FORMS)
    if all(ord(character) < 256 for character in text):
        return text
    # Letters with accents outside Latin-1 (ł, ő …) keep their base letter.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if ord(c) < 256 and not unicodedata.combining(c))


class _Letter(FPDF):
    def __init__(self):
        super().__init__(format="A4", unit="mm")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=False)

    def write_paragraph(self, text: str, *, size=TEXT_SIZE, style="", gap=4) -> None:
        self.set_font("Helvetica", style=style, size=size)
        self.multi_cell(0, size * 0.5, _latin1(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)


def access_code_letters_pdf(
    *, survey: SurveyPage, codes: Sequence[str], municipality: MunicipalitySettings
) -> bytes:
    """One page per code: who writes, the survey, its address, the code, until when."""
    # For the citizens who get the letter, whatever language the staff member's admin uses.
    with translation.override(settings.LANGUAGE_CODE):
        closes = date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")
        contact = ", ".join(
            part
            for part in (
                municipality.street_address,
                f"{municipality.postal_code} {municipality.city}".strip(),
                municipality.phone,
                municipality.email,
            )
            if part
        )
        pdf = _Letter()
        pdf.set_title(_latin1(_("Access codes: %(title)s") % {"title": survey.title}))
        pdf.set_author(_latin1(municipality.name))
        for code in codes:
            pdf.add_page()
            pdf.write_paragraph(municipality.name, size=16, style="B", gap=1)
            if contact:
                pdf.write_paragraph(contact, size=11, gap=12)
            pdf.write_paragraph(_("Your invitation to the survey"), size=11, gap=1)
            pdf.write_paragraph(survey.title, size=18, style="B", gap=6)
            pdf.write_paragraph(
                _(
                    "Dear citizens, the municipality would like to know your opinion. Please "
                    "take part in the survey online, at this address:"
                ),
                gap=3,
            )
            pdf.write_paragraph(survey.full_url, size=13, style="B", gap=6)
            pdf.write_paragraph(_("Enter this access code there:"), gap=3)
            pdf.set_font("Courier", style="B", size=CODE_SIZE)
            pdf.cell(0, CODE_SIZE * 0.55, code, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(8)
            pdf.write_paragraph(
                _(
                    "The code is good for one answer from your household. Your answers are "
                    "stored without the code and without your name or address: nobody can see "
                    "what you answered."
                )
            )
            pdf.write_paragraph(
                _("You can answer until %(closes)s.") % {"closes": closes}, style="B"
            )
            pdf.write_paragraph(
                _("Questions about the survey? Please contact the municipality (address above)."),
                size=11,
            )
        return bytes(pdf.output())
