"""Core Django settings: paths, apps, middleware, templates, data stores,
languages, files and upload limits, logging."""

from __future__ import annotations

import os
from pathlib import Path

import environ

from ocrspace.config import database_from_url, load_secret_key, media_storage, quota, redis_url_or_none

BASE_DIR = Path(__file__).resolve().parents[2]
env = environ.Env()

VAR_DIR = Path(env.str("OCRSPACE_VAR_DIR", default=str(BASE_DIR / "var")))
PRODUCTION = env.bool("OCRSPACE_PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = load_secret_key(env.str("SECRET_KEY", default=""), VAR_DIR, PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # OpenID Connect sign-in (social sign-in only; the login page, lockout,
    # two-factor and audit stay ours: teams.sign_on).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "ocrspace",
    "teams",
    "recognition",
    "integrations",
    # After ``recognition``, whose ``qcluster`` command wraps django-q2's
    # (management commands of earlier apps win).
    "django_q",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Two-factor sign-in: whether the session entered a code, and sending
    # those who must enter (or set up) one to its page.
    "django_otp.middleware.OTPMiddleware",
    "teams.web.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it sees a view's exception first: domain errors a page did not
    # handle become 404/403 pages (or JSON under /api/), never a 500.
    "ocrspace.errors.web.DomainErrorMiddleware",
]

ROOT_URLCONF = "ocrspace.urls"
WSGI_APPLICATION = "ocrspace.wsgi.application"
ASGI_APPLICATION = "ocrspace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "teams.context_processors.current_team",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------
# PostgreSQL gets a connection pool per process (OCRSPACE_DB_POOL: its size,
# 0 for none; ``config.database_pool``); SQLite never has one.
_database = database_from_url(env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
                              env.str("OCRSPACE_DB_POOL", default=""))
# Test databases: one per test run (two runs at once must not share one), and
# for SQLite a file rather than memory, so end-to-end tests can share it with
# the server and worker processes they start.
_test_database = (
    str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3") if _database["ENGINE"].endswith("sqlite3")
    else f"test_{_database['NAME']}_{os.getpid()}"
)
DATABASES = {"default": {**_database, "TEST": {"NAME": _test_database}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REDIS_URL = redis_url_or_none(env.str("REDIS_URL", default=""))

# Throttle counters and other cached state must be shared by every web
# process: Redis when there is one, else this process's memory.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded images are never served from a public URL: there is deliberately no
# MEDIA_URL route. Files go out only through permission-checked views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    # The images: under MEDIA_ROOT, or in an S3-compatible bucket
    # (OCRSPACE_STORAGE=s3, see ``config.media_storage``).
    "default": media_storage(env),
    # Hashed, compressed names need ``collectstatic`` (``serve`` runs it);
    # in DEBUG files are served straight from static/.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

OCRSPACE_MAX_UPLOAD_BYTES = env.int("OCRSPACE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
OCRSPACE_MAX_IMAGE_PIXELS = env.int("OCRSPACE_MAX_IMAGE_PIXELS", default=40_000_000)
OCRSPACE_RETENTION_DAYS = env.int("OCRSPACE_RETENTION_DAYS", default=7)
# Team quotas (recognition.quotas), 0: unlimited; a team's own fields
# override them. Queued: uploads waiting or being read at once, ten ZIP
# imports' worth, so one team cannot bury the queue; stored: the sum of its
# upload file sizes, unlimited (the disk is the deployment's to size).
OCRSPACE_TEAM_MAX_QUEUED = quota("OCRSPACE_TEAM_MAX_QUEUED", env.str("OCRSPACE_TEAM_MAX_QUEUED", default=""), 10_000)
OCRSPACE_TEAM_MAX_STORED_BYTES = quota(
    "OCRSPACE_TEAM_MAX_STORED_BYTES", env.str("OCRSPACE_TEAM_MAX_STORED_BYTES", default=""), 0)
# Requests may carry a few images (batch upload, ZIP); Django buffers files
# over this size to disk rather than memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = OCRSPACE_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
# ZIP import limits: files per archive and bytes after decompression.
OCRSPACE_ZIP_MAX_ENTRIES = env.int("OCRSPACE_ZIP_MAX_ENTRIES", default=1000)
OCRSPACE_ZIP_MAX_TOTAL_BYTES = env.int("OCRSPACE_ZIP_MAX_TOTAL_BYTES", default=500 * 1024 * 1024)
# PDF documents (recognition.documents): pages per document, the DPI pages
# without a text layer are rendered at for OCR (each page must stay within
# OCRSPACE_MAX_IMAGE_PIXELS at it, the file within OCRSPACE_MAX_UPLOAD_BYTES),
# and the characters a page's text layer needs to be used instead of OCR.
OCRSPACE_PDF_MAX_PAGES = env.int("OCRSPACE_PDF_MAX_PAGES", default=100)
OCRSPACE_PDF_DPI = env.int("OCRSPACE_PDF_DPI", default=150)
OCRSPACE_PDF_TEXT_MIN_CHARS = env.int("OCRSPACE_PDF_TEXT_MIN_CHARS", default=10)
# Searchable PDF export: at most this many uploads (or PDF pages) per file,
# which is built in memory; the font of its invisible text layer for text
# beyond Latin-1 (a TrueType file or collection; empty: the first of
# recognition.searchable_pdf.FONT_CANDIDATES that exists).
OCRSPACE_SEARCHABLE_PDF_MAX_PAGES = env.int("OCRSPACE_SEARCHABLE_PDF_MAX_PAGES", default=200)
OCRSPACE_SEARCHABLE_PDF_FONT = env.str("OCRSPACE_SEARCHABLE_PDF_FONT", default="")

# --- Logging -------------------------------------------------------------------
def _command_verbosity(argv: list[str]) -> tuple[str | None, int]:
    """The ``manage.py`` command being run and its ``-v`` level (1 if none)."""
    if len(argv) < 2 or Path(argv[0]).name != "manage.py":
        return None, 1
    level = 1
    for n, arg in enumerate(argv[2:], start=2):
        value = None
        if arg in ("-v", "--verbosity") and n + 1 < len(argv):
            value = argv[n + 1]
        elif arg.startswith("--verbosity="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-v") and arg[2:].isdigit():
            value = arg[2:]
        if value is not None and value.isdigit():
            level = int(value)
    return argv[1], level


COMMAND, COMMAND_VERBOSITY = _command_verbosity(__import__("sys").argv)
# One-off management commands (ocr_import, check, migrate, createsuperuser …)
# print only their own output: no axes start-up line, no queue INFO lines over
# a progress bar. ``-v 2`` shows them. The long-running services (qcluster,
# watch_folder) and the web server log at LOG_LEVEL as before.
QUIET_COMMAND = COMMAND not in (None, "qcluster", "watch_folder", "runserver") and COMMAND_VERBOSITY < 2
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING" if QUIET_COMMAND else env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # "AXES: BEGIN …" on every start: shown with -v 2 only.
        "axes.apps": {"level": "INFO" if COMMAND_VERBOSITY >= 2 else "WARNING"},
    },
}
