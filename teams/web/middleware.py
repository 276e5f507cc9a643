"""Sessions of accounts with two-factor sign-in count only once verified.

After ``django_otp.middleware.OTPMiddleware`` (which tells whether this
session was verified): a signed-in user whose account has an authenticator
but whose session has not entered a code yet, or who must have one (a team
requires it, or staff in the admin console with ``OCRSPACE_ADMIN_REQUIRE_2FA``)
and has none, is sent to the code or set-up page; API calls made with such a
session get 403 with a message. Token and JWT clients are not session users
here (the token endpoint asks for the code itself).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from teams import twofactor

# What a half-signed-in user may still reach: the two-factor pages, logging
# out, static files and the language switch.
OPEN_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/favicon.ico", "/i18n/")
API_PATHS = ("/api/", "/ocr/")


class SecondFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(OPEN_PATHS):
            step = self._missing_step(user, request.path)
            if step:
                return self._send_to(request, step)
        return self.get_response(request)

    @staticmethod
    def _missing_step(user, path: str) -> str | None:
        if twofactor.has_two_factor(user):
            return None if user.is_verified() else "2fa-verify"
        return "2fa-setup" if twofactor.required_for(user, path) else None

    @staticmethod
    def _send_to(request, step: str):
        if request.path.startswith(API_PATHS):
            message = ("Enter your two-factor code in the browser first." if step == "2fa-verify"
                       else "Set up two-factor sign-in in the browser first.")
            return JsonResponse({"detail": message}, status=403)
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
