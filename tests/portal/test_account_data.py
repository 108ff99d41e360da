"""The account page (name, Ortschaft, the overview of what the account holds) and the download
of all data the portal holds about an account."""

import json

import pytest
from allauth.account.models import EmailAddress

from accounts.models import CitizenProfile
from notifications.models import Delivery
from participation.answering import survey_answer_submit
from participation.models import Answer
from tests.factories import BarrierReportFactory, SavedSearchFactory, SubscriptionFactory
from tests.participation.conftest import valid_answers
from tests.participation.factories import CitizenFactory, SurveyPageFactory
from website.models import BarrierReport, Ortschaft

pytestmark = [pytest.mark.service("postgres", "redis"), pytest.mark.django_db]

URL = "/konto/"
DOWNLOAD_URL = "/konto/meine-daten/"


@pytest.fixture
def citizen(home):
    user = CitizenFactory(email="anna@example.org")
    user.set_password("Kraniche-ziehen-im-Herbst")
    user.save()
    return user


@pytest.fixture
def other_citizen(home):
    return CitizenFactory(email="bernd@example.org")


def test_account_page_needs_a_login(home, client):
    for url in (URL, DOWNLOAD_URL):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith("/konto/login/")


def test_overview_lists_subscriptions_saved_searches_and_surveys_of_this_account(
    home, citizen, other_citizen, client
):
    # given: a subscription made by e-mail before the account existed (other case), a saved
    # search, an answered survey, and the same for another citizen
    SubscriptionFactory(email="Anna@Example.org", frequency="weekly")
    SavedSearchFactory(email=citizen.email, query="Bebauungsplan Ebendorf")
    answered = SurveyPageFactory(parent=home, title="Spielplatz", way_of_taking_part="account")
    not_answered = SurveyPageFactory(parent=home, title="Radweg", way_of_taking_part="account")
    survey_answer_submit(survey=answered, answers=valid_answers(answered), user=citizen)
    SubscriptionFactory(email=other_citizen.email)
    SavedSearchFactory(email=other_citizen.email, query="Haushaltssatzung")
    survey_answer_submit(
        survey=not_answered, answers=valid_answers(not_answered), user=other_citizen
    )
    client.force_login(citizen)

    # when
    page = client.get(URL).content.decode()

    # then
    assert "Anna@Example.org" in page
    assert "wöchentlich" in page
    assert "Bebauungsplan Ebendorf" in page
    assert answered.title in page
    assert not_answered.title not in page
    assert "Haushaltssatzung" not in page
    assert other_citizen.email not in page


def test_overview_says_when_there_is_nothing_yet(citizen, client):
    client.force_login(citizen)

    page = client.get(URL).content.decode()

    assert "Sie haben keine E-Mail-Benachrichtigungen bestellt." in page
    assert "Sie haben keine Suchaufträge." in page
    assert "Sie haben mit Ihrem Konto noch an keiner Umfrage teilgenommen." in page


def test_overview_costs_the_same_queries_for_many_entries(
    home, citizen, client, django_assert_max_num_queries
):
    for number in range(30):
        SavedSearchFactory(email=citizen.email, query=f"Suche {number}")
    for number in range(15):
        survey = SurveyPageFactory(parent=home, way_of_taking_part="account")
        survey_answer_submit(survey=survey, answers=valid_answers(survey), user=citizen)
    client.force_login(citizen)

    with django_assert_max_num_queries(20):
        page = client.get(URL).content.decode()

    assert "Suche 29" in page
    assert page.count('href="/umfrage-zum-spielplatz') == 15


def test_citizen_saves_name_and_ortschaft(citizen, other_citizen, client):
    # given
    ebendorf = Ortschaft.objects.get(slug="ebendorf")
    client.force_login(citizen)

    # when
    response = client.post(URL, {"name": "  Anna Schulze ", "ortschaft": str(ebendorf.pk)})

    # then
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Ihre Angaben sind gespeichert." in page
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.name == "Anna Schulze"
    assert profile.ortschaft == ebendorf
    assert 'value="Anna Schulze"' in page
    assert not CitizenProfile.objects.filter(user=other_citizen).exists()


def test_citizen_removes_name_and_ortschaft_again(citizen, client):
    CitizenProfile.objects.create(user=citizen, name="Anna", ortschaft=None)
    client.force_login(citizen)

    response = client.post(URL, {"name": "", "ortschaft": ""})

    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.name == ""
    assert profile.ortschaft is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Anna", "ortschaft": "999999"}, "Bitte wählen Sie eine Ortschaft aus der Liste."),
        (
            {"name": "Anna", "ortschaft": "<script>"},
            "Bitte wählen Sie eine Ortschaft aus der Liste.",
        ),
        ({"name": "A" * 151, "ortschaft": ""}, "höchstens 150 Zeichen"),
    ],
)
def test_bad_profile_input_changes_nothing(citizen, client, data, message):
    # given
    CitizenProfile.objects.create(user=citizen, name="Anna Schulze")
    client.force_login(citizen)

    # when
    response = client.post(URL, data)

    # then: the page again with the German message; the profile as it was
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "<script>" not in page
    assert CitizenProfile.objects.get(user=citizen).name == "Anna Schulze"


def test_download_holds_all_data_of_the_account(home, citizen, client):
    # given: everything the portal can hold about an account
    ebendorf = Ortschaft.objects.get(slug="ebendorf")
    CitizenProfile.objects.create(user=citizen, name="Anna Schulze", ortschaft=ebendorf)
    EmailAddress.objects.create(user=citizen, email="anna.alt@example.org", verified=False)
    subscription = SubscriptionFactory(email=citizen.email, frequency="daily")
    subscription.ortschaften.set([ebendorf])
    SavedSearchFactory(email=citizen.email, query="Bebauungsplan", ortschaft=ebendorf, year=2026)
    survey = SurveyPageFactory(parent=home, title="Spielplatz", way_of_taking_part="account")
    survey_answer_submit(survey=survey, answers=valid_answers(survey), user=citizen)
    BarrierReportFactory(email="ANNA@example.org", message="Der Knopf hat keine Beschriftung.")
    Delivery.objects.create(
        kind=Delivery.Kind.REMINDER, audience="board", recipient_id=subscription.pk
    )
    client.force_login(citizen)

    # when
    response = client.get(DOWNLOAD_URL)

    # then: a JSON file to save, not cached
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="buergerportal-daten-')
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "anna@example.org"
    assert data["account"]["has_password"] is True
    assert {(a["email"], a["verified"]) for a in data["email_addresses"]} == {
        ("anna@example.org", True),
        ("anna.alt@example.org", False),
    }
    assert data["profile"] == {"name": "Anna Schulze", "ortschaft": "Ebendorf"}
    (exported_subscription,) = data["subscriptions"]
    assert exported_subscription["frequency"] == "daily"
    assert exported_subscription["ortschaften"] == ["Ebendorf"]
    assert exported_subscription["consent_version"] == subscription.consent_version
    assert exported_subscription["confirmed_at"]
    (exported_search,) = data["saved_searches"]
    assert exported_search["query"] == "Bebauungsplan"
    assert exported_search["ortschaft"] == "Ebendorf"
    assert exported_search["year"] == 2026
    assert [entry["survey"] for entry in data["survey_participations"]] == ["Spielplatz"]
    (report,) = data["barrier_reports"]
    assert report["message"] == "Der Knopf hat keine Beschriftung."
    (pending,) = data["pending_emails"]
    assert pending == {
        "to": "anna@example.org",
        "kind": "reminder",
        "about": None,
        "created_at": pending["created_at"],
    }
    # The links' secrets and the answers are not in it.
    text = response.content.decode()
    assert subscription.token not in text
    assert "Bitte mit Schatten." not in text
    assert Answer.objects.filter(text="Bitte mit Schatten.").exists()


def test_download_holds_nothing_of_another_citizen(home, citizen, other_citizen, client):
    # given: another citizen's data, and an address of theirs added to this account unverified
    EmailAddress.objects.create(user=citizen, email="bernd@example.org", verified=False)
    CitizenProfile.objects.create(user=other_citizen, name="Bernd Meier")
    SubscriptionFactory(email=other_citizen.email)
    SavedSearchFactory(email=other_citizen.email, query="Haushaltssatzung")
    survey = SurveyPageFactory(parent=home, title="Radweg", way_of_taking_part="account")
    survey_answer_submit(survey=survey, answers=valid_answers(survey), user=other_citizen)
    BarrierReportFactory(email=other_citizen.email, name="Bernd Meier")
    client.force_login(citizen)

    # when
    data = json.loads(client.get(DOWNLOAD_URL).content)

    # then: the unverified address is listed as one of the account, nothing held under it
    assert data["profile"] is None
    assert data["subscriptions"] == []
    assert data["saved_searches"] == []
    assert data["survey_participations"] == []
    assert data["barrier_reports"] == []
    assert data["pending_emails"] == []
    assert "Bernd Meier" not in json.dumps(data)
    assert BarrierReport.objects.filter(name="Bernd Meier").exists()


def test_download_is_only_read(citizen, client):
    client.force_login(citizen)

    response = client.post(DOWNLOAD_URL)

    assert response.status_code == 405
