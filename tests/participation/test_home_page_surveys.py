"""The home page lists the surveys open now: live, public ones, with their closing time and
link, for the Ortschaft chosen; at a cost in queries that does not grow with them."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import PageViewRestriction

from participation.templatetags.survey_tags import HOME_SURVEYS

# The site and its root page (Wagtail's routing), the surveys, their Ortschaften and the
# Ortschaft in the address (view restrictions, settings and menus are kept in the cache per
# change, website/layout.py).
MAX_QUERIES = 5


def _titles(response) -> list[str]:
    """The titles in the home page's section of open surveys, in its order."""
    section = re.search(r'<section class="open-surveys".*?</section>', response.text, re.S)
    titles = re.findall(r"<h3><a [^>]*>([^<]*)</a></h3>", section.group(0)) if section else []
    return [unescape(title) for title in titles]


@pytest.mark.service("postgres")
def test_the_home_page_shows_the_open_surveys(survey_factory, client, home):
    # given
    now = timezone.now()
    soon = survey_factory(title="Schließt bald", closes_at=now + timedelta(days=1))
    later = survey_factory(title="Schließt später", closes_at=now + timedelta(days=20))
    survey_factory(title="Noch nicht offen", opens_at=now + timedelta(days=1))
    survey_factory(
        title="Schon beendet", opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1)
    )
    survey_factory(title="Entwurf").unpublish()
    restricted = survey_factory(title="Nur mit Anmeldung")
    PageViewRestriction.objects.create(page=restricted, restriction_type="login")

    # when
    response = client.get(home.url)

    # then: the open ones, the first to close first, each with its link and closing time
    assert response.status_code == 200
    assert _titles(response) == ["Schließt bald", "Schließt später"]
    html = response.content.decode()
    for survey in (soon, later):
        assert f'<a href="{survey.url}">{survey.title}</a>' in html
        closes = date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")
        assert closes in html
    assert 'aria-labelledby="open-surveys-heading"' in html
    for hidden in ("Noch nicht offen", "Schon beendet", "Entwurf", "Nur mit Anmeldung"):
        assert hidden not in html


@pytest.mark.service("postgres")
def test_without_open_surveys_the_section_is_left_out(survey_factory, client, home):
    now = timezone.now()
    survey_factory(opens_at=now + timedelta(days=1))

    response = client.get(home.url)

    assert "open-surveys-heading" not in response.content.decode()


@pytest.mark.service("postgres")
def test_for_a_chosen_ortschaft_its_surveys_and_those_for_everyone(
    survey_factory, client, home, ortschaften
):
    # given
    def survey_for(title: str, *slugs: str):
        survey = survey_factory(title=title)
        survey.ortschaften.set([ortschaften[slug] for slug in slugs])
        survey.save()

    survey_for("Für alle")
    survey_for("Für Ebendorf", "ebendorf")
    survey_for("Für Ebendorf und Meitzendorf", "ebendorf", "meitzendorf")
    survey_for("Für Barleben", "barleben")

    # when
    response = client.get(f"{home.url}?ortschaft=ebendorf")

    # then
    assert sorted(_titles(response)) == ["Für Ebendorf", "Für Ebendorf und Meitzendorf", "Für alle"]
    html = response.content.decode()
    assert "Ebendorf, Meitzendorf" in html


@pytest.mark.service("postgres")
@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("ortschaft", ["", "ebendorf"])
def test_the_home_page_queries_do_not_grow_with_the_surveys(
    survey_factory, client, home, ortschaften, django_assert_max_num_queries, ortschaft
):
    counts = []
    for count in (1, HOME_SURVEYS + 3):
        while len(home.get_children()) < count:
            survey = survey_factory()
            survey.ortschaften.set([ortschaften["ebendorf"], ortschaften["barleben"]])
            survey.save()
        client.get(home.url)  # the site's shared parts made again after the change
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{home.url}?ortschaft={ortschaft}")
        assert len(_titles(response)) == min(count, HOME_SURVEYS)
        counts.append(len(queries))

    assert counts[0] == counts[1], "\n".join(q["sql"] for q in queries.captured_queries)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(f"{home.url}?ortschaft={ortschaft}")
