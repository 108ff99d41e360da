"""The shared form include: every link of the error summary leads to a field that exists."""

import re

from django import forms
from django.template.loader import render_to_string


class ChoicesForm(forms.Form):
    email = forms.EmailField(label="E-Mail")
    frequency = forms.ChoiceField(
        label="Wie oft", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    topics = forms.MultipleChoiceField(
        label="Themen", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )


def test_every_error_link_leads_to_an_element_of_the_form():
    # given a form sent empty: a text field and two groups with errors
    form = ChoicesForm(data={})
    assert not form.is_valid()

    # when the include renders it
    html = render_to_string("includes/form_fields.html", {"form": form})

    # then each of the summary's three links points to an id on the page, a group's to its
    # first option
    targets = re.findall(r'<a href="#([^"]*)"', html)
    assert targets == ["id_email", "id_frequency_0", "id_topics_0"]
    for target in targets:
        assert f'id="{target}"' in html
