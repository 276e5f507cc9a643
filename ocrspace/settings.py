"""Django settings for ocrspace, read from the environment.

Embedded default (no variables set): SQLite under ``var/``, the django-q2 ORM
broker and an in-process channel layer, so the platform runs with no other
service. ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` moves the
queue broker and the channel layer to Redis.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ

from ocrspace.config import database_from_url, load_secret_key, redis_url_or_none

BASE_DIR = Path(__file__).resolve().parent.parent
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
DATABASES = {
    "default": database_from_url(env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")),
}
# Test databases: one per test run (two runs at once must not share one), and
# for SQLite a file rather than memory, so end-to-end tests can share it with
# the server and worker processes they start.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REDIS_URL = redis_url_or_none(env.str("REDIS_URL", default=""))

# Throttle counters and other cached state must be shared by every web
# process: Redis when there is one, else this process's memory.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# --- Auth ------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
OCRSPACE_SIGNUP_ENABLED = env.bool("OCRSPACE_SIGNUP_ENABLED", default=True)
OCRSPACE_INVITATION_DAYS = env.int("OCRSPACE_INVITATION_DAYS", default=7)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ocrspace@localhost")
# With EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend invitations
# bound to an address are mailed through this server.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

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

# --- Queue (django-q2) -----------------------------------------------------
OCRSPACE_WORKERS = env.int("OCRSPACE_WORKERS", default=1)
OCRSPACE_TORCH_THREADS = env.int("OCRSPACE_TORCH_THREADS", default=max(1, (os.cpu_count() or 1) // OCRSPACE_WORKERS))
Q_CLUSTER = {
    "name": "ocrspace",
    "workers": OCRSPACE_WORKERS,
    # A task may run this long before the worker is killed ...
    "timeout": env.int("OCRSPACE_TASK_TIMEOUT", default=300),
    # ... and is handed out again only after this long, which must exceed
    # the timeout or a slow task would be re-delivered while it still runs.
    "retry": env.int("OCRSPACE_TASK_RETRY", default=360),
    "max_attempts": 3,
    "ack_failures": True,
    # Loading the models costs seconds: recycle rarely, and on memory growth.
    "recycle": 1000,
    "max_rss": 1_500_000,
    "save_limit": 1000,
    "catch_up": False,
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.2

# --- Live feed (Channels) --------------------------------------------------
if REDIS_URL:
    # Each socket waits for its messages with a blocking BZPOPMIN of 5 s
    # (channels-redis's brpop_timeout); redis-py 8 reads with a default
    # socket timeout of 5 s too, so an idle socket's read timed out first, the
    # consumer died and every websocket closed with 1011 after 5 quiet
    # seconds. The socket timeout must exceed the blocking wait.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- REST API ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's, refusing the access tokens of logged-out sessions.
        "teams.tokens.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ocrspace.api_errors.exception_handler",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("OCRSPACE_JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("OCRSPACE_JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ocrspace API",
    "DESCRIPTION": "Team OCR: uploads, results, search and export.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Rate limits (DRF throttles, per user and per anonymous IP; 429 + Retry-After).
# The token endpoints get a tighter scope against password guessing.
# DRF's own classes, except that they let requests through while the cache
# holding the counters (Redis) is unreachable (see ocrspace/throttling.py).
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "ocrspace.throttling.AnonRateThrottle",
    "ocrspace.throttling.UserRateThrottle",
    "ocrspace.throttling.ScopedRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": env.str("OCRSPACE_THROTTLE_ANON", default="60/min"),
    "user": env.str("OCRSPACE_THROTTLE_USER", default="1200/min"),
    "auth": env.str("OCRSPACE_THROTTLE_AUTH", default="10/min"),
    "upload": env.str("OCRSPACE_THROTTLE_UPLOAD", default="120/min"),
    "recognize": env.str("OCRSPACE_THROTTLE_RECOGNIZE", default="120/min"),
}
SPECTACULAR_SETTINGS["COMPONENT_SPLIT_REQUEST"] = True
# A PATCH body is the update serializer as it is (its required fields stay
# required), not an all-optional copy: the schema says what the API refuses.
SPECTACULAR_SETTINGS["COMPONENT_SPLIT_PATCH"] = False
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "ocrspace.api_input.schema_min_properties",
    "recognition.api.schema.add_recognize",
    "recognition.api.schema.add_standard_errors",
]
# POST /ocr/recognize waits this long for the worker before answering 202.
OCRSPACE_RECOGNIZE_WAIT_SECONDS = env.float("OCRSPACE_RECOGNIZE_WAIT_SECONDS", default=30.0)
# ZIP import limits: files per archive and bytes after decompression.
OCRSPACE_ZIP_MAX_ENTRIES = env.int("OCRSPACE_ZIP_MAX_ENTRIES", default=1000)
OCRSPACE_ZIP_MAX_TOTAL_BYTES = env.int("OCRSPACE_ZIP_MAX_TOTAL_BYTES", default=500 * 1024 * 1024)

# --- Security ----------------------------------------------------------------
# Behind HTTPS set OCRSPACE_HTTPS=1: secure cookies, HSTS and the redirect.
OCRSPACE_HTTPS = env.bool("OCRSPACE_HTTPS", default=PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=OCRSPACE_HTTPS)
SESSION_COOKIE_SECURE = OCRSPACE_HTTPS
CSRF_COOKIE_SECURE = OCRSPACE_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if OCRSPACE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = OCRSPACE_HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=OCRSPACE_HTTPS)
if env.bool("OCRSPACE_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Pages load scripts only from our own static files (no inline script, so
# text injected into a page cannot run) and may not be framed. Inline style
# attributes stay allowed: the admin uses them, and they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True


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

# --- Integrations (hot folder, bulk import, webhooks) ----------------------------
# Absolute address of this server, for the links inside webhook payloads.
# ``manage.py serve`` sets it for its processes from the address it serves;
# elsewhere set it (start-up warns in production when it is not).
OCRSPACE_BASE_URL = env.str("OCRSPACE_BASE_URL", default="http://localhost:8000").rstrip("/")
# Webhook URLs resolving to loopback, private, link-local or reserved addresses
# are refused (SSRF); switch on only for receivers on a trusted local network.
OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = env.bool("OCRSPACE_WEBHOOKS_ALLOW_PRIVATE", default=False)
OCRSPACE_WEBHOOK_CONNECT_TIMEOUT = env.float("OCRSPACE_WEBHOOK_CONNECT_TIMEOUT", default=5.0)
OCRSPACE_WEBHOOK_READ_TIMEOUT = env.float("OCRSPACE_WEBHOOK_READ_TIMEOUT", default=10.0)
# Attempts per event (first try included); retry n waits RETRY_BASE * 2**(n-1) seconds.
OCRSPACE_WEBHOOK_MAX_ATTEMPTS = env.int("OCRSPACE_WEBHOOK_MAX_ATTEMPTS", default=6)
OCRSPACE_WEBHOOK_RETRY_BASE_SECONDS = env.int("OCRSPACE_WEBHOOK_RETRY_BASE_SECONDS", default=30)
# A webhook is switched off after this many failed attempts in a row.
OCRSPACE_WEBHOOK_MAX_FAILURES = env.int("OCRSPACE_WEBHOOK_MAX_FAILURES", default=10)
# Delivery log rows kept per webhook (older ones are pruned).
OCRSPACE_WEBHOOK_LOG_KEEP = env.int("OCRSPACE_WEBHOOK_LOG_KEEP", default=500)

# --- Login brute-force limits (django-axes) ------------------------------------
# Every password check (browser login, admin login, POST /api/auth/token/) goes
# through ``authenticate(request=...)``, which the axes backend guards: after
# AXES_FAILURE_LIMIT failures for one username, or from one client address,
# further attempts are refused (even with the right password) until the
# cool-off has passed. A successful login clears that account's failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("OCRSPACE_LOCKOUT_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("OCRSPACE_LOCKOUT_FAILURES", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("OCRSPACE_LOCKOUT_MINUTES", default=15))
# Two independent counters: per account and per client address.
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# JSON for the API, a page for the browser (see ocrspace/lockout.py).
AXES_LOCKOUT_CALLABLE = "ocrspace.lockout.lockout_response"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# simplejwt checks passwords without Django's login signal; this serializer
# sends it, so a successful token request also clears the failures.
SIMPLE_JWT["TOKEN_OBTAIN_SERIALIZER"] = "ocrspace.lockout.TokenObtainPairSerializer"
# The client address comes from X-Forwarded-For only behind our own proxy
# (the hop it appended, the last one); otherwise anyone could claim a fresh
# address per attempt. DRF's throttles trust X-Forwarded-For unless
# NUM_PROXIES is set, so they get the same rule.
OCRSPACE_BEHIND_PROXY = env.bool("OCRSPACE_BEHIND_PROXY", default=False)
AXES_CLIENT_IP_CALLABLE = "ocrspace.lockout.client_ip"
REST_FRAMEWORK["NUM_PROXIES"] = 1 if OCRSPACE_BEHIND_PROXY else 0
