"""Accounts and their protection: sign-up, passwords, login limits, HTTPS,
security headers and the reverse proxy."""

from __future__ import annotations

from datetime import timedelta

from ocrspace.settings.core import PRODUCTION, env
from ocrspace.settings.sign_on import OCRSPACE_LDAP_ENABLED, OCRSPACE_LOCAL_LOGIN, OCRSPACE_OIDC_PROVIDERS, origin_of

# --- Accounts ----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-up makes local password accounts: off with OCRSPACE_LOCAL_LOGIN=0.
OCRSPACE_SIGNUP_ENABLED = env.bool("OCRSPACE_SIGNUP_ENABLED", default=True) and OCRSPACE_LOCAL_LOGIN
# Staff must sign in with a second factor to use the admin console.
OCRSPACE_ADMIN_REQUIRE_2FA = env.bool("OCRSPACE_ADMIN_REQUIRE_2FA", default=False)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env.str("OCRSPACE_TOTP_ISSUER", default="ocrspace")
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

# --- Login brute-force limits (django-axes) ------------------------------------
# Every password check (browser login, admin login, POST /api/auth/token/) goes
# through ``authenticate(request=...)``, which the axes backend guards: after
# AXES_FAILURE_LIMIT failures for one username, or from one client address,
# further attempts are refused (even with the right password) until the
# cool-off has passed. A successful login clears that account's failures
# (for tokens too: see SIMPLE_JWT's TOKEN_OBTAIN_SERIALIZER in ``api``).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend; with OCRSPACE_LOCAL_LOGIN=0 it checks only
    # superusers' passwords (break-glass), see teams.sign_on.backends.
    "teams.sign_on.backends.LocalPasswordBackend",
    # Bind and search against the directory (ocrspace.settings.sign_on).
    *(["django_auth_ldap.backend.LDAPBackend"] if OCRSPACE_LDAP_ENABLED else []),
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
AXES_CLIENT_IP_CALLABLE = "ocrspace.clients.client_ip"

# --- Reverse proxy -------------------------------------------------------------
# The client address comes from X-Forwarded-For only behind our own proxy
# (the hop it appended, the last one); otherwise anyone could claim a fresh
# address per attempt. DRF's throttles trust X-Forwarded-For unless
# NUM_PROXIES is set, so they get the same rule (``api``). Behind it, the
# proxy's X-Forwarded-Proto says whether the request came over HTTPS.
OCRSPACE_BEHIND_PROXY = env.bool("OCRSPACE_BEHIND_PROXY", default=False)
if OCRSPACE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- HTTPS and headers ---------------------------------------------------------
# Behind HTTPS set OCRSPACE_HTTPS=1: secure cookies, HSTS and the redirect.
OCRSPACE_HTTPS = env.bool("OCRSPACE_HTTPS", default=PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=OCRSPACE_HTTPS)
# Load balancers probe the processes over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = OCRSPACE_HTTPS
CSRF_COOKIE_SECURE = OCRSPACE_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if OCRSPACE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = OCRSPACE_HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=OCRSPACE_HTTPS)
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
        # The "Sign in with …" buttons post to us and are redirected to the
        # identity provider: browsers check form-action on that redirect too.
        "form-action": ["'self'", *sorted({origin_of(p["issuer"]) for p in OCRSPACE_OIDC_PROVIDERS})],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
