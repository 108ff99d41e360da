"""Whole public pages from the shared cache (website/page_cache.py), against the real
Redis: one copy per address for every anonymous visitor, gone at once when what the page
shows changes or its time runs out, and never someone else's page for anybody."""

import logging
import re
import signal
import subprocess
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import redis
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from notices.models import NoticeIndexPage, NoticePage
from participation.models import SurveyPage
from tests.factories import NoticePageFactory, SubscriptionFactory
from website import cache as portal_cache
from website.models import MunicipalitySettings, Ortschaft, StandardPage
from website.ortschaft import COOKIE_NAME as ORTSCHAFT_COOKIE

pytestmark = [pytest.mark.django_db, pytest.mark.service("redis")]

BOARD = "/bekanntmachungen/?ortschaft=ebendorf"


@pytest.fixture
def board(demo) -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


def cache_state(response) -> str | None:
    return response.get("X-Page-Cache")


def test_a_second_visitor_gets_the_cached_copy_without_a_query(
    client, board, django_assert_num_queries
):
    first = client.get(BOARD)
    assert (first.status_code, cache_state(first)) == (200, "miss")

    with django_assert_num_queries(0):
        second = client.get(BOARD)

    assert cache_state(second) == "hit"
    assert second.content == first.content
    # the headers of the outer middleware are there on the cached copy too
    assert "script-src 'self'" in second["Content-Security-Policy"]


def test_a_client_with_the_page_gets_a_304(client, board):
    first = client.get(BOARD)
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"

    again = client.get(BOARD, headers={"If-None-Match": first["ETag"]})

    assert (again.status_code, again.content) == (304, b"")


def test_each_address_has_its_own_copy(client, board):
    ebendorf = NoticePageFactory(
        parent=board,
        title="Nur für Ebendorf",
        ortschaften=[Ortschaft.objects.get(slug="ebendorf")],
    )
    client.get(BOARD)

    barleben = client.get("/bekanntmachungen/?ortschaft=barleben")

    assert cache_state(barleben) == "miss"
    assert ebendorf.title not in barleben.content.decode()
    assert ebendorf.title in client.get(BOARD).content.decode()


def test_a_published_notice_is_on_the_cached_board_at_once(
    client, board, django_capture_on_commit_callbacks
):
    assert cache_state(client.get(BOARD)) == "miss"

    with django_capture_on_commit_callbacks(execute=True):
        NoticePageFactory(parent=board, title="Wasserrohrbruch in der Breiteweg")

    response = client.get(BOARD)
    assert cache_state(response) == "miss"
    assert "Wasserrohrbruch in der Breiteweg" in response.content.decode()


def test_an_unpublished_notice_leaves_the_cached_board_at_once(client, board):
    notice = NoticePageFactory(parent=board, title="Straßensperrung am Markt")
    assert notice.title in client.get(BOARD).content.decode()

    notice.unpublish()

    assert notice.title not in client.get(BOARD).content.decode()


def test_an_unpublished_or_draft_notice_has_no_page(client, board):
    # given a notice whose page was served (and cached), and a draft that was never published
    notice = NoticePageFactory(parent=board, title="Straßensperrung am Markt")
    assert client.get(notice.url).status_code == 200
    draft = NoticePageFactory(parent=board, title="Noch nicht freigegeben", draft=True)

    # when the notice is unpublished
    notice.unpublish()

    # then neither address shows a notice
    assert client.get(notice.url).status_code == 404
    assert client.get(draft.url).status_code == 404


def test_an_edited_notice_shows_on_the_board_and_its_page_at_once(client, board):
    # given the board and the notice page, cached, and a new page of the board (its teasers
    # and the layout come from what was made for them before)
    notice = NoticePageFactory(parent=board, title="Sprechstunde des Bürgermeisters")
    client.get(BOARD)
    client.get(notice.url)

    # when an editor corrects the title and publishes it
    notice.title = "Sprechstunde des Bürgermeisters entfällt"
    notice.save_revision().publish()

    # then every page shows the new title, whether it was cached or not
    for address in (BOARD, notice.url, f"{BOARD}&seite=1"):
        assert "Sprechstunde des Bürgermeisters entfällt" in client.get(address).content.decode()


def test_an_official_notice_leaves_the_cached_board_when_its_period_ends(client, board):
    # given an official notice on the board for two more seconds
    now = timezone.now()
    notice = NoticePageFactory(
        parent=board,
        title="Öffentliche Auslegung des Bebauungsplans",
        official=True,
        display_from=now - timedelta(days=14),
        display_until=now + timedelta(seconds=2),
    )
    response = client.get(BOARD)
    assert cache_state(response) == "miss"
    assert notice.title in response.content.decode()

    # when the period is over
    with time_machine.travel(notice.display_until + timedelta(seconds=1)):
        # then the board no longer shows it, without anybody saving anything
        assert notice.title not in client.get(BOARD).content.decode()


def test_the_board_counts_and_lists_once_for_every_address_and_follows_each_change(client, board):
    def visit(number: int) -> tuple[int, str]:
        # another address each time (the page cache keeps none of them), the same notices
        html = client.get(f"{BOARD}&besuch={number}").content.decode()
        return int(re.search(r"(\d+) Meldung", html).group(1)), html

    # given the number and the first page's notices, found for one address of the board
    before, _html = visit(1)

    # then another address of the same notices shows them without asking for notices again
    with CaptureQueriesContext(connection) as queries:
        assert visit(2)[0] == before
    assert not [query for query in queries if "notices_noticepage" in query["sql"]]

    # when an official notice goes up for two seconds, the number and the page have it at once
    now = timezone.now()
    notice = NoticePageFactory(
        parent=board,
        title="Aushang für zwei Sekunden",
        official=True,
        display_from=now - timedelta(days=1),
        display_until=now + timedelta(seconds=2),
    )
    number, html = visit(3)
    assert number == before + 1
    assert notice.title in html

    # and when its period is over, both are what they were
    with time_machine.travel(notice.display_until + timedelta(seconds=1)):
        number, html = visit(4)
        assert number == before
        assert notice.title not in html


def test_a_page_made_private_is_closed_to_visitors_at_once(client, board):
    # given the cached imprint and a notice on the cached board
    notice = NoticePageFactory(parent=board, title="Protokoll der Ratssitzung")
    for _ in range(2):
        assert client.get("/impressum/").status_code == 200
        assert notice.title in client.get(BOARD).content.decode()

    # when staff restrict both to logged-in visitors
    restrictions = [
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
        for page in (StandardPage.objects.get(slug="impressum"), notice)
    ]

    # then an anonymous visitor is asked to log in, and the board no longer lists the notice
    assert client.get("/impressum/").status_code == 302
    assert client.get(notice.url).status_code == 302
    assert notice.title not in client.get(BOARD).content.decode()

    # and when the restrictions go, both are public again
    for restriction in restrictions:
        restriction.delete()
    assert client.get("/impressum/").status_code == 200
    assert notice.title in client.get(BOARD).content.decode()


def test_a_page_is_found_at_its_new_address_at_once(client, demo):
    assert client.get("/impressum/").status_code == 200

    imprint = StandardPage.objects.get(slug="impressum")
    imprint.slug = "rechtliches"
    imprint.save_revision().publish()

    assert client.get("/impressum/").status_code == 404
    assert client.get("/rechtliches/").status_code == 200


def test_a_site_setting_shows_at_once(client, demo):
    client.get("/")
    municipality = MunicipalitySettings.for_site(demo.get_site())
    municipality.phone = "039203 565 999"
    municipality.save()

    assert "039203 565 999" in client.get("/").content.decode()


def test_the_footer_made_once_follows_each_change_on_every_page(client, demo):
    # given the footer, made for one page (and kept for every page until the next change)
    assert "Sprechzeiten" in client.get("/?besuch=1").content.decode()
    pages = ["/?besuch=2", f"{BOARD}&besuch=2", "/impressum/?besuch=2"]

    # when the opening hours change, then every page shows them at once
    municipality = MunicipalitySettings.for_site(demo.get_site())
    municipality.opening_hours = "Mittwochs geschlossen"
    municipality.save()
    for page in pages:
        assert "Mittwochs geschlossen" in client.get(page).content.decode(), page

    # and when a page joins the footer, every page links to it at once
    demo.add_child(instance=StandardPage(title="Barrierefreiheit", slug="bf", show_in_footer=True))
    for page in pages:
        html = client.get(f"{page}&nach-seite=1").content.decode()
        assert '<li><a href="/bf/">Barrierefreiheit</a></li>' in html, page


def test_private_data_leave_the_cached_pages_alone(client, board):
    client.get(BOARD)

    SubscriptionFactory()

    assert cache_state(client.get(BOARD)) == "hit"


def test_a_logged_in_citizen_never_gets_or_leaves_a_cached_page(client, board):
    # given the cached board of anonymous visitors
    client.get(BOARD)
    citizen = get_user_model().objects.create_user(
        username="erika", email="erika@example.org", password="Lindenblüte-im-Juni-7"
    )
    client.force_login(citizen)

    # when the citizen opens it, then it is made for them and not kept
    mine = client.get(BOARD)
    assert cache_state(mine) is None
    assert 'href="/konto/"' in mine.content.decode()

    client.logout()
    anonymous = client.get(BOARD)
    assert cache_state(anonymous) in ("hit", "miss")
    assert "erika" not in anonymous.content.decode()


def test_a_page_with_a_form_token_is_never_cached(client, demo):
    # the accessibility statement with its form to report a barrier (a CSRF token)
    for _ in range(2):
        response = client.get("/barrierefreiheit/")
        assert response.status_code == 200
        assert 'name="csrfmiddlewaretoken"' in response.content.decode()
        assert cache_state(response) is None


def test_a_survey_form_is_never_cached(client, demo):
    now = timezone.now()
    survey = SurveyPage.objects.live().get(opens_at__lte=now, closes_at__gt=now)

    for _ in range(2):
        response = client.get(survey.url)
        assert response.status_code == 200
        assert cache_state(response) is None


def test_published_results_are_shared_and_follow_their_publication(client, demo):
    # given the closed survey with published results, cached
    survey = SurveyPage.objects.get(results_publication__isnull=False)
    first = client.get(survey.url)
    assert (first.status_code, cache_state(first)) == (200, "miss")
    assert cache_state(client.get(survey.url)) == "hit"
    shown = first.content.decode().count('class="results-question"')
    assert shown

    # when staff take one question's results back
    publication = survey.results_publication
    publication.question_ids = publication.question_ids[1:]
    publication.save()

    # then the page shows one question less at once
    assert client.get(survey.url).content.decode().count('class="results-question"') == shown - 1


def test_the_remembered_ortschaft_still_redirects_and_preselects(client, board):
    client.get("/bekanntmachungen/")
    plain = client.get("/impressum/")
    client.cookies[ORTSCHAFT_COOKIE] = "meitzendorf"

    board_response = client.get("/bekanntmachungen/")
    remembered = client.get("/impressum/")

    assert board_response.status_code == 302
    assert board_response["Location"].endswith("?ortschaft=meitzendorf")
    # a copy for those who chose Meitzendorf, the switcher preselected, and one for the rest
    assert cache_state(remembered) == "miss"
    assert remembered.context["chosen_ortschaft"]["slug"] == "meitzendorf"
    del client.cookies[ORTSCHAFT_COOKIE]
    assert client.get("/impressum/").content == plain.content


@pytest.fixture
def own_redis(closed_port):
    """A Redis server of this test's own (the test stops it, which no other may notice)."""
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(closed_port), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    location = f"redis://127.0.0.1:{closed_port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(location).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield server, location
    server.send_signal(signal.SIGCONT)
    server.kill()
    server.wait()


def test_pages_are_served_while_redis_does_not_answer_and_made_afresh_when_it_does(
    client, board, settings, caplog, own_redis, monkeypatch
):
    # given the cached board, from a Redis that is given half a second to answer
    server, location = own_redis
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            **settings.CACHES["default"],
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    client.get(BOARD)
    assert cache_state(client.get(BOARD)) == "hit"

    # when Redis stops answering (as when it hangs, or is cut off), and meanwhile a notice is
    # published
    server.send_signal(signal.SIGSTOP)
    with caplog.at_level(logging.ERROR, logger="website.cache"):
        notice = NoticePageFactory(parent=board, title="Stromausfall in Ebendorf")
        response = client.get(BOARD)

    # then the board is made afresh, with the notice, and not kept; the log says why
    assert response.status_code == 200
    assert notice.title in response.content.decode()
    assert cache_state(response) is None
    assert "Redis cannot be reached" in caplog.text

    # and when it answers again, no copy from before is served: the notice is there
    server.send_signal(signal.SIGCONT)
    # the cache asks again after RETRY_SECONDS on its monotonic clock, which time_machine
    # does not move
    later = time.monotonic() + portal_cache.RETRY_SECONDS + 0.5
    monkeypatch.setattr(portal_cache, "time", SimpleNamespace(monotonic=lambda: later))
    response = client.get(BOARD)
    assert cache_state(response) == "miss"
    assert notice.title in response.content.decode()


def test_a_preview_neither_shows_nor_leaves_the_kept_article_of_a_notice(client, board):
    # given a notice whose article is kept for the current generation
    notice = NoticePageFactory(parent=board, teaser="Die Sprechstunde findet statt.")
    assert "findet statt" in client.get(f"{notice.url}?besuch=1").content.decode()

    # when an editor previews a change that is not published (no new generation)
    draft = NoticePage.objects.get(pk=notice.pk)
    draft.teaser = "Die Sprechstunde entfällt."
    preview = draft.make_preview_request()
    if not getattr(preview, "is_rendered", True):
        preview.render()

    # then the preview shows the change, and citizens still the published article
    assert "entfällt" in preview.content.decode()
    assert "findet statt" in client.get(f"{notice.url}?besuch=2").content.decode()
