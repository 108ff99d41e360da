"""Settings from the environment: production refuses to start half-configured, passes
`check --deploy` when configured, and speaks German."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.utils import get_random_secret_key
from django.utils import translation
from django.utils.translation import gettext, ngettext, npgettext, pgettext

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
PUBLIC = "https://portal.example.org"


def run(args: list[str], tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """Run Python in the project with only the given variables (plus PATH).

    Nothing is inherited from the test's environment; `.env` is still read by the
    settings, so every variable it sets that matters here (DEBUG) is passed explicitly.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "VAR_DIR": str(tmp_path / "var"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "secret_key",
    [get_random_secret_key(), "$" + get_random_secret_key()[1:]],
    ids=["generated", "beginning-with-a-dollar-sign"],
)
def test_production_configuration_passes_the_deploy_check(tmp_path, secret_key):
    # given a production environment (a generated key begins with "$" once in 50)
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="portal.example.org",
        BASE_URL="https://portal.example.org",
    )

    # then Django finds nothing to warn about
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "variables, missing",
    [
        ({"ALLOWED_HOSTS": "portal.example.org", "BASE_URL": PUBLIC}, "SECRET_KEY"),
        ({"SECRET_KEY": get_random_secret_key(), "BASE_URL": PUBLIC}, "ALLOWED_HOSTS"),
        (
            {"SECRET_KEY": "", "ALLOWED_HOSTS": "portal.example.org", "BASE_URL": PUBLIC},
            "SECRET_KEY",
        ),
        (
            {"SECRET_KEY": get_random_secret_key(), "ALLOWED_HOSTS": "portal.example.org"},
            "BASE_URL",
        ),
    ],
    ids=["no-secret-key", "no-allowed-hosts", "empty-secret-key", "no-base-url"],
)
def test_production_refuses_to_start_without_required_variable(tmp_path, variables, missing):
    # when production starts without one of its required variables
    result = run(["manage.py", "check"], tmp_path, DEBUG="false", **variables)

    # then it stops and names the variable
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    "redis_url, is_eager, cache_backend",
    [
        ("", True, "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/0", False, "website.cache.PortalRedisCache"),
    ],
    ids=["without-redis", "with-redis"],
)
def test_eager_celery_follows_from_the_broker_url(tmp_path, redis_url, is_eager, cache_backend):
    script = (
        "import json; from barleben_portal import settings as s; "
        "print(json.dumps([s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND']]))"
    )

    result = run(["-c", script], tmp_path, DEBUG="true", REDIS_URL=redis_url)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [is_eager, redis_url, cache_backend]


SECURITY = (
    "import json; from barleben_portal import settings as s; "
    "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
    "s.CSRF_TRUSTED_ORIGINS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None)]))"
)


@pytest.mark.parametrize(
    "variables, expected",
    [
        pytest.param(
            {"BASE_URL": PUBLIC, "TRUSTED_PROXY": "true"},
            [True, True, True, [PUBLIC], ["HTTP_X_FORWARDED_PROTO", "https"]],
            id="public-behind-a-proxy",
        ),
        pytest.param(
            {"BASE_URL": PUBLIC},
            [True, True, True, [PUBLIC], None],
            id="public-without-a-proxy-believes-no-header",
        ),
        pytest.param(
            {"BASE_URL": "http://portal.lan:8000"},
            [False, False, False, ["http://portal.lan:8000"], None],
            id="test-machine-on-plain-http",
        ),
    ],
)
def test_cookies_and_https_follow_the_public_address_and_the_proxy(tmp_path, variables, expected):
    result = run(
        ["-c", SECURITY],
        tmp_path,
        DEBUG="false",
        SECRET_KEY=get_random_secret_key(),
        ALLOWED_HOSTS="portal.example.org,portal.lan",
        **variables,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_a_client_reaching_the_portal_directly_cannot_claim_https(rf):
    # given: no proxy named in the settings (TRUSTED_PROXY unset, as in the tests)
    request = rf.get("/", HTTP_X_FORWARDED_PROTO="https")

    # then: the request is plain http, whatever the header says
    assert not request.is_secure()


def test_portal_is_german_in_berlin():
    assert settings.LANGUAGE_CODE == "de"
    assert settings.TIME_ZONE == "Europe/Berlin"
    assert settings.USE_TZ is True


@pytest.mark.parametrize(
    "message", ["Skip to main content", "Citizen portal", "Report a barrier", "Technical fault"]
)
def test_compiled_catalogue_translates_to_german(message):
    with translation.override("de"):
        translated = gettext(message)

    assert translated != message


def _catalogue_entries(path: Path) -> list[dict]:
    """The entries of a .po file: enough of the format for msgfmt's output to compare."""
    entries: list[dict] = []
    entry: dict = {}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return [entry for entry in entries if entry.get("msgid")]


def test_every_catalogue_entry_is_translated_and_compiled():
    # given the German catalogue the translators edit
    entries = _catalogue_entries(CATALOGUE)
    assert entries

    # then every entry has a German text, and the compiled catalogue Django uses says the same
    untranslated, stale = [], []
    with translation.override("de"):
        for entry in entries:
            msgid, context = entry["msgid"], entry.get("msgctxt")
            if "msgid_plural" in entry:
                expected = entry.get("msgstr[0]", "")
                plural = entry["msgid_plural"]
                actual = (
                    npgettext(context, msgid, plural, 1) if context else ngettext(msgid, plural, 1)
                )
            else:
                expected = entry.get("msgstr", "")
                actual = pgettext(context, msgid) if context else gettext(msgid)
            if not expected or entry.get("fuzzy"):
                untranslated.append(msgid)
            elif actual != expected:
                stale.append(msgid)
    assert untranslated == [], "not translated in django.po"
    assert stale == [], "django.mo is older than django.po: run `manage.py compilemessages`"
