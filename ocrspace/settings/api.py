"""The REST API: authentication, tokens, OpenAPI, rate limits, and how long
``POST /ocr/recognize`` waits."""

from __future__ import annotations

from datetime import timedelta

from ocrspace.settings.core import env
from ocrspace.settings.security import OCRSPACE_BEHIND_PROXY

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Personal access tokens (``Token ocs_…``, or ``Bearer ocs_…``).
        "teams.access_tokens.AccessTokenAuthentication",
        # simplejwt's, refusing the access tokens of logged-out sessions.
        "teams.tokens.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        # An access token's scopes (reads need ``read``; see teams.access_tokens).
        "teams.access_tokens.TokenScopes",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ocrspace.errors.api.exception_handler",
    # Rate limits (per user and per anonymous IP; 429 + Retry-After). The
    # token endpoints get a tighter scope against password guessing. DRF's
    # own classes, except that they let requests through while the cache
    # holding the counters (Redis) is unreachable (see ocrspace/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "ocrspace.throttling.AnonRateThrottle",
        "ocrspace.throttling.UserRateThrottle",
        "ocrspace.throttling.ScopedRateThrottle",
        "ocrspace.throttling.AccessTokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("OCRSPACE_THROTTLE_ANON", default="60/min"),
        "user": env.str("OCRSPACE_THROTTLE_USER", default="1200/min"),
        "auth": env.str("OCRSPACE_THROTTLE_AUTH", default="10/min"),
        "upload": env.str("OCRSPACE_THROTTLE_UPLOAD", default="120/min"),
        "recognize": env.str("OCRSPACE_THROTTLE_RECOGNIZE", default="120/min"),
        "access_token": env.str("OCRSPACE_THROTTLE_TOKEN", default="600/min"),
    },
    # The client address for the throttles: see OCRSPACE_BEHIND_PROXY.
    "NUM_PROXIES": 1 if OCRSPACE_BEHIND_PROXY else 0,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("OCRSPACE_JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("OCRSPACE_JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # simplejwt checks passwords without Django's login signal; this
    # serializer sends it, so a successful token request also clears the
    # login failures (django-axes, see ``security``).
    "TOKEN_OBTAIN_SERIALIZER": "ocrspace.lockout.TokenObtainPairSerializer",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ocrspace API",
    "DESCRIPTION": "Team OCR: uploads, results, search and export.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"EngineProfileEnum": "ocrspace.settings.OCRSPACE_PROFILES",
                            # Two models have a "status": the uploads' keeps its name.
                            "StatusEnum": "recognition.models.UploadStatus.choices",
                            "TeamModelStatusEnum": "recognition.models.TeamModelStatus.choices"},
    "COMPONENT_SPLIT_REQUEST": True,
    # A PATCH body is the update serializer as it is (its required fields stay
    # required), not an all-optional copy: the schema says what the API refuses.
    "COMPONENT_SPLIT_PATCH": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ocrspace.api_input.schema_min_properties",
        "recognition.api.schema.add_recognize",
        "ocrspace.errors.schema.add_standard_errors",
    ],
}
# POST /ocr/recognize waits this long for the worker before answering 202.
OCRSPACE_RECOGNIZE_WAIT_SECONDS = env.float("OCRSPACE_RECOGNIZE_WAIT_SECONDS", default=30.0)
