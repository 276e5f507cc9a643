"""Core Django settings: paths, apps, middleware, templates, data stores,
languages, files and upload limits, logging."""

from __future__ import annotations

import os
from pathlib import Path

import environ

from ocrspace.config import database_from_url, load_secret_key, redis_url_or_none

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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
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
_database = database_from_url(env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))
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
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
# Requests may carry a few images (batch upload, ZIP); Django buffers files
# over this size to disk rather than memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = OCRSPACE_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
# ZIP import limits: files per archive and bytes after decompression.
OCRSPACE_ZIP_MAX_ENTRIES = env.int("OCRSPACE_ZIP_MAX_ENTRIES", default=1000)
OCRSPACE_ZIP_MAX_TOTAL_BYTES = env.int("OCRSPACE_ZIP_MAX_TOTAL_BYTES", default=500 * 1024 * 1024)

# --- Logging -------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
