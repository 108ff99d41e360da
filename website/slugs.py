"""Slugs the German way: "Neue Sitzbänke" becomes "neue-sitzbaenke", "Straße" "strasse".

Addresses stay ASCII (WAGTAIL_ALLOW_UNICODE_SLUGS is off), and the admin's slug field then
dropped the umlauts' dots ("neue-sitzbanke"); German custom writes them out. Wagtail's slug
field (its `w-slug` controller) replaces these letters before it makes a slug of a page's
title or of what staff type in: `SlugInput`'s formatters, Wagtail's way to adapt it.
"""

from django.utils.text import slugify
from wagtail.admin.widgets import SlugInput

GERMAN_LETTERS = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "Ä": "Ae",
    "Ö": "Oe",
    "Ü": "Ue",
    "ß": "ss",
    "ẞ": "SS",
    "&": "und",
}


def german_slugify(text: str) -> str:
    """The slug the admin's field makes of a title, made on the server."""
    return slugify(text.translate(str.maketrans(GERMAN_LETTERS)))


class GermanSlugInput(SlugInput):
    def __init__(self, attrs=None):
        super().__init__(attrs, formatters=list(GERMAN_LETTERS.items()))
