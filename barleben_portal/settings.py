"""Settings for the Bürgerportal: one module, configured from the environment.

Every variable and its embedded default is listed in `.env.example`. Without any
variables set the portal runs on SQLite under `var/`, runs Celery tasks in-process,
caches in local memory and writes e-mail into `var/mail/`.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR / "barleben_portal"

env = environ.Env()
# A local `.env` (created from `.env.example` by `make run`) fills in what the real
# environment leaves unset; the real environment always wins.
environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)


def literal(name: str, default: str | None = None) -> str:
    """A variable as it is set: django-environ would take a value that begins with "$", as a
    generated key or secret may, for the name of another variable."""
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable")
    return value


if DEBUG:
    SECRET_KEY = literal("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    # Production refuses to start rather than run with a guessable key or any host.
    SECRET_KEY = literal("SECRET_KEY", "")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    # The public address decides the cookies' security and the redirect to https (below).
    BASE_URL = env("BASE_URL", default="")
    for name, value in [
        ("SECRET_KEY", SECRET_KEY),
        ("ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("BASE_URL", BASE_URL),
    ]:
        if not value:
            raise ImproperlyConfigured(
                f"Set the {name} environment variable (not empty). Production (DEBUG=false) "
                "needs SECRET_KEY, ALLOWED_HOSTS and BASE_URL; for local development copy "
                ".env.example to .env."
            )

BASE_URL = env("BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Served over https where the public address says so: then cookies are Secure and http is
# redirected. A test machine on plain http under a LAN name (BASE_URL=http://portal.lan:8000)
# gets cookies a browser keeps on http, or every form would answer 403.
PUBLIC_HTTPS = BASE_URL.startswith("https://")
WAGTAILADMIN_BASE_URL = BASE_URL
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[BASE_URL])

INSTALLED_APPS = [
    "barleben_portal",
    "website",
    "notices",
    "archive",
    "participation",
    "services",
    "notifications",
    "accounts",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    # allauth's list of a citizen's security keys needs its template tags
    "django.contrib.humanize",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # the templates of the sitemap index and files (barleben_portal/sitemaps.py)
    "django.contrib.sitemaps",
    # the widgets' own templates, for FORM_RENDERER
    "django.forms",
]

MIDDLEWARE = [
    # An ETag on every page, and 304 for a client that has the page already.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "website.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and everything after: a cached page skips them (the headers above
    # are still added to it).
    "website.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "website.security.PermissionDeniedLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.adapters.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "barleben_portal.urls"
WSGI_APPLICATION = "barleben_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "website.context_processors.portal",
            ],
        },
    },
]
# Widgets are rendered from these templates too, so that templates/wagtailadmin/widgets/
# can replace the inline scripts of Wagtail's date and time widgets.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the cache and the Celery broker when REDIS_URL is set; without it the
# portal caches in local memory and runs tasks in-process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "website.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What every page of a generation of the page cache shares and each process can make cheaply
# (settings, layout, the site root's children, the filters' choices and the fragments of the
# footer, breadcrumbs, filter forms and a notice's article; page_cache.kept_for_generation,
# `{% cache … using="generation" %}`): in each process's memory, under keys that name the
# generation, so a change (a new generation in the shared cache) leaves them unread; a copy
# for every read, so no request sees what another set on it.
CACHES["generation"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "generation",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# Anonymous public pages come from this cache for at most so many seconds, and go at once
# when what they show changes (website/page_cache.py); 0 switches the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = "Europe/Berlin"
# Bulk e-mail waits in a queue of its own, so a confirmation request need not wait behind a
# fan-out to thousands. A worker started without -Q consumes both queues.
# Archive documents are read on queues of their own, large files (scans, long plans) apart
# from small ones, each with a time limit, so that no file holds up the others.
CELERY_TASK_QUEUES = [
    Queue("celery"),
    Queue("mail-bulk"),
    Queue("archive"),
    Queue("archive-large"),
]
CELERY_TASK_ROUTES = {
    "notifications.tasks.delivery_send_batch_task": {"queue": "mail-bulk"},
    "archive.tasks.document_index_task": {"queue": "archive"},
    "archive.tasks.document_index_large_task": {"queue": "archive-large"},
    # A minute for a large export: beside the large files, never ahead of e-mail.
    "services.tasks.catalogue_import_task": {"queue": "catalogue"},
}
# The process that queues a task writes its time limits into the message, so web and workers
# must share these settings (as they do with one environment).
ARCHIVE_INDEXING_TIME_LIMIT = env.int("ARCHIVE_INDEXING_TIME_LIMIT", default=180)
ARCHIVE_LARGE_INDEXING_TIME_LIMIT = env.int("ARCHIVE_LARGE_INDEXING_TIME_LIMIT", default=1800)
CELERY_TASK_ANNOTATIONS = {
    "archive.tasks.document_index_task": {
        "soft_time_limit": ARCHIVE_INDEXING_TIME_LIMIT,
        "time_limit": ARCHIVE_INDEXING_TIME_LIMIT + 30,
    },
    "archive.tasks.document_index_large_task": {
        "soft_time_limit": ARCHIVE_LARGE_INDEXING_TIME_LIMIT,
        "time_limit": ARCHIVE_LARGE_INDEXING_TIME_LIMIT + 60,
    },
}
# Files above this size (bytes) go to the queue "archive-large".
ARCHIVE_LARGE_FILE_SIZE = env.int("ARCHIVE_LARGE_FILE_SIZE", default=5 * 1024 * 1024)
ARCHIVE_INDEXING_MAX_ATTEMPTS = env.int("ARCHIVE_INDEXING_MAX_ATTEMPTS", default=3)
# Waiting documents (not large ones) a reader takes along with the one it was queued for,
# stored in one transaction: an import or many uploads at once are read several times faster.
ARCHIVE_INDEXING_BATCH_SIZE = env.int("ARCHIVE_INDEXING_BATCH_SIZE", default=50)
ARCHIVE_INDEXING_SWEEP_AFTER = env.int("ARCHIVE_INDEXING_SWEEP_AFTER", default=900)
# Seconds tesseract may take for one scanned page; its language (Debian: tesseract-ocr-deu).
ARCHIVE_OCR_TIMEOUT = env.int("ARCHIVE_OCR_TIMEOUT", default=120)
ARCHIVE_OCR_LANGUAGE = env("ARCHIVE_OCR_LANGUAGE", default="deu")

# The notification service (notifications/).
NOTIFICATIONS_BATCH_SIZE = env.int("NOTIFICATIONS_BATCH_SIZE", default=100)
NOTIFICATIONS_CHUNK_SIZE = env.int("NOTIFICATIONS_CHUNK_SIZE", default=1000)
# 0: no limit; otherwise e-mails per second across all workers, to spare the mail server.
NOTIFICATIONS_MAX_PER_SECOND = env.float("NOTIFICATIONS_MAX_PER_SECOND", default=0)
NOTIFICATIONS_RETRY_DELAY = env.int("NOTIFICATIONS_RETRY_DELAY", default=60)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=10)
NOTIFICATIONS_PAUSE_AFTER_FAILURES = env.int("NOTIFICATIONS_PAUSE_AFTER_FAILURES", default=3)
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=600)
NOTIFICATIONS_SWEEP_AFTER = env.int("NOTIFICATIONS_SWEEP_AFTER", default=300)
NOTIFICATIONS_SWEEP_INTERVAL = env.int("NOTIFICATIONS_SWEEP_INTERVAL", default=60)
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
# 0 = Sunday … 6 = Saturday (crontab); Monday by default.
NOTIFICATIONS_DIGEST_WEEKDAY = env.int("NOTIFICATIONS_DIGEST_WEEKDAY", default=1)
# Sign-ups per IP address and hour; confirmation e-mails per address and hour.
SUBSCRIPTION_SIGN_UP_RATE = env("SUBSCRIPTION_SIGN_UP_RATE", default="10/h")
# Answers to open surveys (no account, no code) per IP address and hour (participation/).
SURVEY_ANSWER_RATE = env("SURVEY_ANSWER_RATE", default="20/h")
# Where rate limits find the client's address: behind a reverse proxy the request header it
# sets with the one client address, e.g. HTTP_X_REAL_IP; REMOTE_ADDR without a proxy.
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")

# The service catalogue (services/importing.py): the address of the state's XZuFi 2.2
# export, imported daily at SERVICES_IMPORT_HOUR (Europe/Berlin) when set; the largest file
# read, in MB.
SERVICES_IMPORT_URL = env("SERVICES_IMPORT_URL", default="")
SERVICES_IMPORT_HOUR = env.int("SERVICES_IMPORT_HOUR", default=2)
SERVICES_IMPORT_MAX_MB = env.int("SERVICES_IMPORT_MAX_MB", default=300)

CELERY_BEAT_SCHEDULE = {
    # Scheduled publication and the display periods of official notices, on time.
    "publish-scheduled": {"task": "notices.tasks.publish_scheduled_task", "schedule": 60},
    "barrier-report-sweep": {
        "task": "website.tasks.barrier_report_sweep_task",
        "schedule": 15 * 60,
    },
    "notifications-sweep": {
        "task": "notifications.tasks.notifications_sweep_task",
        "schedule": NOTIFICATIONS_SWEEP_INTERVAL,
    },
    "digests-daily": {
        "task": "notifications.tasks.digests_compose_task",
        "schedule": crontab(minute=0, hour=NOTIFICATIONS_DIGEST_HOUR),
        "args": ("daily",),
    },
    "digests-weekly": {
        "task": "notifications.tasks.digests_compose_task",
        "schedule": crontab(
            minute=0, hour=NOTIFICATIONS_DIGEST_HOUR, day_of_week=NOTIFICATIONS_DIGEST_WEEKDAY
        ),
        "args": ("weekly",),
    },
    "documents-index-sweep": {
        "task": "archive.tasks.documents_index_sweep_task",
        "schedule": 10 * 60,
    },
    # Sign-ups of every audience (subscriptions, saved searches) nobody confirmed.
    "recipients-unconfirmed-delete": {
        "task": "notifications.tasks.recipients_unconfirmed_delete_task",
        "schedule": crontab(minute=30, hour=3),
    },
    # Retention (accounts/privacy.py; the table is in the README's security section).
    "accounts-unverified-delete": {
        "task": "accounts.tasks.accounts_unverified_delete_task",
        "schedule": crontab(minute=50, hour=3),
    },
    "deliveries-anonymise": {
        "task": "accounts.tasks.deliveries_anonymise_task",
        "schedule": crontab(minute=10, hour=4),
    },
    "barrier-reports-expired-delete": {
        "task": "accounts.tasks.barrier_reports_expired_delete_task",
        "schedule": crontab(minute=20, hour=4),
    },
    "sessions-expired-delete": {
        "task": "accounts.tasks.sessions_expired_delete_task",
        "schedule": crontab(minute=30, hour=4),
    },
}
if SERVICES_IMPORT_URL:
    CELERY_BEAT_SCHEDULE["services-catalogue-import"] = {
        "task": "services.tasks.catalogue_import_task",
        "schedule": crontab(minute=15, hour=SERVICES_IMPORT_HOUR),
    }

# The open-data API (barleben_portal/api.py): JSON only, described by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bürgerportal: offene Daten",
    "DESCRIPTION": (
        "Notices, events, archive documents and published survey results of the "
        "municipality, as its portal shows them. Read-only; no authentication."
    ),
    "VERSION": "1",
    # 3.1, whose schemas are JSON Schema: a notice's `event` is an Event or null, which 3.0's
    # `nullable` beside `allOf` cannot say (validators take it as never null).
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "AUTHENTICATION_WHITELIST": [],
    "PREPROCESSING_HOOKS": ["barleben_portal.api.schema_endpoints"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "barleben_portal.api.schema_error_responses",
    ],
}

# Accounts (django-allauth): log-in by e-mail address, with a password or a one-time code
# sent by e-mail; an address must be verified before the account is used. Staff and council
# members log in the same way, through the same rate limits, and then with their second
# factor (allauth.mfa); the admin's own log-in forms only send them there (urls.py).
# allauth's backend alone: no log-in can go around its rate limits.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# A quarter of an hour, not allauth's three minutes: time to find the e-mail and type the
# code, for citizens who are not quick with either. Three wrong tries end the code (the
# e-mail with the code says so).
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# allauth names accounts by their user name, which it makes up for citizens (they sign up
# with their address only): the address it is.
ACCOUNT_USER_DISPLAY = "accounts.adapters.user_display"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Failed log-ins: 10 a minute from one address, and 5 in 5 minutes for one account, from
# wherever they come (allauth counts them in the shared cache). The message after too many
# says how long to wait: LOGIN_FAILED_WAIT_MINUTES.
LOGIN_FAILED_WAIT_MINUTES = 5
ACCOUNT_RATE_LIMITS = {"login_failed": f"10/m/ip,5/{LOGIN_FAILED_WAIT_MINUTES}m/key"}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_overview"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
# Passwords are changed and reset through the accounts, never in the admin.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False

# Second factor: an authenticator app (TOTP) with recovery codes, or a security key or
# passkey (WebAuthn, which browsers allow on HTTPS and on localhost only).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Citizen log-in through an external identity provider (such as a state's Servicekonto) by
# OpenID Connect; off unless OIDC_SERVER_URL is set. See the README, "Log-in by OpenID Connect".
SOCIALACCOUNT_PROVIDERS = {}
if env("OIDC_SERVER_URL", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env("OIDC_PROVIDER_ID", default="servicekonto"),
                "name": env("OIDC_PROVIDER_NAME", default="Servicekonto"),
                "client_id": env("OIDC_CLIENT_ID"),
                "secret": literal("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env("OIDC_SERVER_URL")},
            }
        ],
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch"))]
TIME_ZONE = "Europe/Berlin"
# The admin's date and time pickers show and read German formats (website/admin_dates.py).
WAGTAIL_DATE_FORMAT = "%d.%m.%Y"
WAGTAIL_DATETIME_FORMAT = "%d.%m.%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("de", "Deutsch"), ("en", "English")]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# The portal serves the public images under MEDIA_URL itself; false where the web server in
# front serves /media/images/ and /media/original_images/ from MEDIA_ROOT.
SERVE_MEDIA_IMAGES = env.bool("SERVE_MEDIA_IMAGES", default=True)
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail: files under var/mail/ unless EMAIL_URL names an SMTP server.
vars().update(env.email_url("EMAIL_URL", default="filemail://"))
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Bürgerportal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", default="Bürgerportal")
MFA_TOTP_ISSUER = WAGTAIL_SITE_NAME
WAGTAIL_I18N_ENABLED = False
# Addresses stay ASCII ("oeffentliche-sitzung", not "%C3%B6ffentliche"): they are printed for
# the Schaukasten and typed in by hand.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# The database's own full-text search (Wagtail's, see website/search_backend.py): on
# PostgreSQL with German stemming ("Bebauungspläne" finds "Bebauungsplan"), on SQLite FTS5.
# When one server is not enough, SEARCH_BACKEND names one of Wagtail's OpenSearch or
# Elasticsearch backends (e.g. wagtail.search.backends.opensearch2, with the opensearch-py
# package installed) and SEARCH_URLS its servers; then run `manage.py update_index` once.
SEARCH_BACKEND = env("SEARCH_BACKEND", default="website.search_backend")
if SEARCH_BACKEND in ("website.search_backend", "wagtail.search.backends.database"):
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": SEARCH_BACKEND, "SEARCH_CONFIG": "german"}}
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": SEARCH_BACKEND,
            "URLS": env.list("SEARCH_URLS"),
            "INDEX": env("SEARCH_INDEX", default="buergerportal"),
            "INDEX_SETTINGS": {
                "settings": {"index": {"analysis": {"analyzer": {"default": {"type": "german"}}}}}
            },
        }
    }
# The archive's document model is every document of the site, notice attachments included.
WAGTAILDOCS_DOCUMENT_MODEL = "archive.Document"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "archive.forms.DocumentForm"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx", "ods"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int("ARCHIVE_MAX_FILE_SIZE", default=50 * 1024 * 1024)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Security. With DEBUG=false and an https BASE_URL these pass `manage.py check --deploy`;
# SECURE_SSL_REDIRECT can be switched off for a stack that has no TLS in front.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PUBLIC_HTTPS and not DEBUG)
# X-Forwarded-Proto and the client's address are believed only from the reverse proxy the
# operator says is in front (it must overwrite them): anyone reaching the portal directly
# could claim https, or another address to escape the log-in limits.
TRUSTED_PROXY = env.bool("TRUSTED_PROXY", default=False)
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = PUBLIC_HTTPS
CSRF_COOKIE_SECURE = PUBLIC_HTTPS
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: forms carry the token, and so does the Wagtail
# admin (from its page, not from the cookie).
CSRF_COOKIE_HTTPONLY = True
# Pages may be framed nowhere; Wagtail's preview sets SAMEORIGIN on its own responses, which
# the admin shows in a frame.
X_FRAME_OPTIONS = "DENY"
# The admins' addresses: an operator may move them away from the "admin/" every scanner
# tries first.
ADMIN_PATH = env("ADMIN_PATH", default="admin/").strip("/") + "/"
DJANGO_ADMIN_PATH = env("DJANGO_ADMIN_PATH", default="django-admin/").strip("/") + "/"
# The staff's addresses would go to gravatar.com as hashes with every admin page, and the
# dashboard would ask releases.wagtail.org for news: the admin talks to no one else.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Content-Security-Policy (django-csp): the public site runs only its own scripts and styles
# from /static/, nothing inline. The Wagtail admin has inline scripts (panels, date pickers)
# and uses eval in its bundles, so the admin paths get a policy of their own with
# 'unsafe-inline' (website.security.ContentSecurityPolicyMiddleware); it is still
# limited to this origin, and the admin's pages are only for logged-in staff. Documents keep
# the stricter "default-src 'none'" their download view sets.
# The log-in by OpenID Connect is a form whose answer redirects to the identity provider;
# browsers hold that redirect to form-action as well.
FORM_ACTION_SOURCES = ["'self'"]
if env("OIDC_SERVER_URL", default=""):
    FORM_ACTION_SOURCES.append("{0.scheme}://{0.netloc}".format(urlsplit(env("OIDC_SERVER_URL"))))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": FORM_ACTION_SOURCES,
        "frame-ancestors": ["'none'"],
    }
}
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # Wagtail's inline scripts are started by static/js/admin-init.js instead; its
        # widgets set style attributes, which only style-src 'unsafe-inline' lets through.
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        # the preview of a page is a frame of the admin's own origin
        "frame-src": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# Browser features the portal never uses are off for it and anything it embeds; WebAuthn
# (publickey-credentials-*) stays allowed for the portal's own pages.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the operator of the domain, not for the code.
    "security.W021",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
