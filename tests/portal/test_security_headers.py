"""Security headers: a strict Content-Security-Policy and the other headers on the public
site, one that also allows inline styles (never inline scripts) under the admin paths, safe
headers on document downloads, and a production configuration that passes `check --deploy`."""

import json
import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.base import ContentFile
from django.core.management.utils import get_random_secret_key
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.models import Collection, Page, Workflow

from archive.models import Document
from notices.models import NoticePage
from participation.models import SurveyPage
from website.models import StandardPage

from .test_settings import run

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": get_random_secret_key(),
    "ALLOWED_HOSTS": "portal.example.org",
    "BASE_URL": "https://portal.example.org",
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers and styles."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in attributes:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.found.append("<style>")
        # JSON data for a script (allauth, json_script) is not executed
        is_data = attributes.get("type") in ("application/json", "application/ld+json")
        self._in_inline_script = tag == "script" and "src" not in attributes and not is_data
        if self._in_inline_script:
            self.found.append("<script> without src")
        for name in ("href", "src", "action", "formaction"):
            if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def admin_client(admin_client, admin_user):
    """A superuser's client; the account has an authenticator app, as the admin requires."""
    Authenticator.objects.get_or_create(
        user=admin_user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DP"}}
    )
    return admin_client


@pytest.fixture
def public_paths(demo) -> list[str]:
    """Every live page of the demo site, plus the portal's own views."""
    pages = [page.url for page in Page.objects.live().public().specific() if page.url]
    return [
        *pages,
        reverse("search") + "?q=Bebauungsplan",
        reverse("account_login"),
        reverse("account_signup"),
        reverse("notices:subscription_sign_up"),
    ]


def test_public_pages_have_the_strict_policy_and_headers(client, public_paths):
    for path in public_paths:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path

        directives = policy(response)
        assert directives["script-src"] == ["'self'"], path
        assert directives["style-src"] == ["'self'"], path
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()", (path, feature)
        # WebAuthn (a second factor for staff) must stay possible
        assert "publickey-credentials-get" not in features


def test_public_pages_have_no_inline_code_the_policy_would_block(client, public_paths):
    blocked = {}
    for path in public_paths:
        found = inline_code(client.get(path, follow=True).content.decode())
        if found:
            blocked[path] = found

    assert blocked == {}


def test_published_survey_results_draw_their_bars_without_inline_styles():
    # given one question's results, as the survey page shows them once published
    result = {
        "number": 1,
        "question": {"id": "q1", "text": "Wie oft nutzen Sie die Bibliothek?"},
        "answered": 8,
        "rows": [{"label": "Oft", "count": 3, "percent": 37.5}],
        "mean": None,
    }

    rendered = render_to_string(
        "participation/includes/results_question.html",
        {"result": result, "level": "3", "public": True},
    )

    # then the bar's length is an attribute of an SVG shape, which the policy allows
    assert inline_code(rendered) == []
    assert 'width="37.5%"' in rendered


def test_inline_code_finder_finds_what_it_must():
    # the check above is only worth something if it can fail
    html = (
        '<p style="color:red" onclick="x()">a</p><script>alert(1)</script>'
        '<script type="application/json">{}</script><a href="javascript:alert(1)">b</a>'
    )

    assert inline_code(html) == [
        "<p style=…>",
        "<p onclick=…>",
        "<script> without src",
        "<a href=javascript:…>",
    ]


def test_admin_pages_have_the_admin_policy_and_no_inline_scripts(admin_client, demo):
    survey = SurveyPage.objects.live().first()
    notice = NoticePage.objects.filter(kind__has_display_period=True).first()
    paths = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_pages:edit", args=[survey.pk]),
        # date and time pickers
        reverse("wagtailadmin_pages:edit", args=[notice.pk]),
        # an inline panel of tasks, each with a chooser, and page choosers
        reverse("wagtailadmin_workflows:edit", args=[Workflow.objects.get().pk]),
        reverse("wagtaildocs:index"),
        reverse("admin:index"),
    ]
    for path in paths:
        response = admin_client.get(path)
        assert response.status_code == 200, path

        directives = policy(response)
        # scripts from the portal's own files only; Wagtail's widgets set style attributes
        assert directives["script-src"] == ["'self'"], path
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"], path
        scripts = [
            found for found in inline_code(response.content.decode()) if "style" not in found
        ]
        assert scripts == [], path
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'self'"]
        assert response["X-Frame-Options"] == "DENY"
        assert "gravatar" not in response.content.decode()


def test_admin_widgets_wagtail_starts_inline_carry_marks_for_the_admin_script(admin_client, demo):
    notice = NoticePage.objects.filter(kind__has_display_period=True).first()
    workflow = Workflow.objects.get()

    notice_edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[notice.pk]))
    workflow_edit = admin_client.get(reverse("wagtailadmin_workflows:edit", args=[workflow.pk]))

    # static/js/admin-init.js starts what Wagtail starts with inline scripts
    assert 'src="/static/js/admin-init.js' in notice_edit.content.decode()
    assert 'data-admin-init="initDateTimeChooser"' in notice_edit.content.decode()
    marks = re.findall(r'data-admin-init="(\w+)"', workflow_edit.content.decode())
    assert {"InlinePanel", "createTaskChooser", "PageChooser"} <= set(marks)


def test_admin_log_in_is_the_portals_log_in_with_the_strict_policy(client, db):
    response = client.get(reverse("wagtailadmin_home"), follow=True)

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("account_login")
    assert policy(response)["script-src"] == ["'self'"]


def test_page_preview_may_be_framed_by_the_admin_only(admin_client, demo):
    # given the preview Wagtail shows next to the editor, in a frame
    page = StandardPage.objects.get(slug="impressum")
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert preview_url in edit.content.decode()

    # when the editor's form is sent for preview and the preview is shown
    data = {
        "title": page.title,
        "slug": page.slug,
        "introduction": "Vorschau",
        "body": json.dumps({"blocks": [], "entityMap": {}}),
    }
    assert admin_client.post(preview_url, data).json()["is_valid"] is True
    response = admin_client.get(preview_url)

    # then the same origin may frame it, no other
    assert response.status_code == 200
    assert "Vorschau" in response.content.decode()
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert policy(response)["frame-ancestors"] == ["'self'"]


def test_document_downloads_keep_their_own_policy(client, db):
    # given a public text document (served as a download, not shown as a page)
    content = b"Tagesordnung\n<script>alert(1)</script>\n"
    document = Document(
        title="Tagesordnung",
        file=ContentFile(content, name="tagesordnung.txt"),
        collection=Collection.get_first_root_node(),
    )
    document._set_document_file_metadata()
    document.save()

    response = client.get(document.url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Frame-Options"] == "DENY"


def test_production_configuration_passes_the_deploy_check(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


@pytest.mark.service("postgres")
def test_production_sends_hsts_and_keeps_cookies_secure(tmp_path):
    # given the production configuration, asked over https (as the proxy tells it)
    script = (
        "import django, json; django.setup()\n"
        "from django.conf import settings as s\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz/', secure=True, HTTP_HOST='portal.example.org')\n"
        "plain = Client().get('/healthz/', HTTP_HOST='portal.example.org')\n"
        "print(json.dumps([response.status_code, response.get('Strict-Transport-Security'),"
        " plain.status_code, plain.get('Location'), s.SESSION_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY]))\n"
    )

    result = run(
        ["-c", script],
        tmp_path,
        DJANGO_SETTINGS_MODULE="barleben_portal.settings",
        DATABASE_URL=_database_url(),
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    status, hsts, plain_status, location, *cookie_flags = json.loads(result.stdout)
    assert status == 200
    assert re.fullmatch(r"max-age=31536000; includeSubDomains", hsts)
    # plain http is sent to https
    assert (plain_status, location) == (301, "https://portal.example.org/healthz/")
    assert cookie_flags == [True, True, True, True]


def test_admin_paths_are_configurable(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.urls import reverse\n"
        "from website.security import admin_path_prefixes\n"
        "print(reverse('wagtailadmin_home'), reverse('admin:index'), *admin_path_prefixes())\n"
    )

    result = run(
        ["-c", script],
        tmp_path,
        DJANGO_SETTINGS_MODULE="barleben_portal.settings",
        DEBUG="true",
        ADMIN_PATH="verwaltung",
        DJANGO_ADMIN_PATH="/technik/",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/verwaltung/", "/technik/", "/verwaltung/", "/technik/"]
