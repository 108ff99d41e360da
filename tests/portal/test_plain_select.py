"""The filters' select made in Python gives what Django's template-made select gives."""

import re

import pytest
from django import forms
from django.test.html import Element, parse_html
from django.utils.translation import gettext_lazy

from barleben_portal.forms import PlainSelect

CHOICES = [
    ("", "Alle"),
    ("bauen", gettext_lazy("Bauen & Wohnen")),
    ("x", '<b>"fett"</b>'),
    ("bauen", "Doppelt"),
    (3, "Drei"),
]


class FilterForm(forms.Form):
    django = forms.ChoiceField(label="Django", choices=CHOICES, required=False)
    plain = forms.ChoiceField(label="Plain", choices=CHOICES, required=False, widget=PlainSelect)
    required_plain = forms.ChoiceField(label="Pflicht", choices=CHOICES, widget=PlainSelect)
    required_django = forms.ChoiceField(label="Pflicht", choices=CHOICES)


def _rendered(form: forms.Form, name: str) -> Element:
    # The same name and ids, and no white space between the tags: the elements, their
    # attributes (in any order) and texts are compared.
    return parse_html(re.sub(r">\s+<", "><", str(form[name])).replace(name, "field"))


@pytest.mark.parametrize("value", [None, "", "bauen", "x", "3", "nichts"])
def test_plain_select_is_the_same_html_as_djangos(value):
    # given a form bound to a value (the first of two options with it is the one selected),
    # and one with errors (aria-invalid)
    data = {"django": value, "plain": value} if value is not None else None
    bound = FilterForm(data)
    bound.is_valid()

    # then each select is Django's, option by option, escaped alike
    assert _rendered(bound, "plain") == _rendered(bound, "django")
    assert _rendered(bound, "required_plain") == _rendered(bound, "required_django")
    assert "&lt;b&gt;&quot;fett&quot;&lt;/b&gt;" in str(bound["plain"])
