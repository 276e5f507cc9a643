"""Two-factor sign-in for local accounts: an authenticator app (TOTP) plus
ten single-use recovery codes, on django-otp's devices.

* A user sets it up on ``/accounts/2fa/`` (QR code or key, then one code);
  the recovery codes are shown once.
* After the password, a user with a confirmed authenticator enters a code
  (or a recovery code) before the session counts; JWT clients send it as
  ``otp`` to ``/api/auth/token/``. Wrong codes slow further tries down
  (django-otp's throttling, doubling the wait after each failure).
* Team owners can require it (``Team.require_two_factor``): members of such
  a team without an authenticator are sent to the set-up page. With
  ``OCRSPACE_ADMIN_REQUIRE_2FA`` the admin console requires it of staff.

Personal access tokens are not asked for a code: they are made from a
signed-in (and, where required, verified) session.
"""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocrspace.errors import DomainError
from teams import audit
from teams.models import Team

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


class TwoFactorError(DomainError):
    """A code that does not check out; the message is for the user."""

    code = "two_factor_refused"


def authenticator_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and authenticator_of(user) is not None


def required_for(user, path: str = "") -> bool:
    """Whether ``user`` must have two-factor sign-in to go on (at ``path``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff and settings.OCRSPACE_ADMIN_REQUIRE_2FA and path.startswith("/admin/"):
        return True
    return Team.objects.filter(memberships__user=user, require_two_factor=True).exists()


def start_setup(user) -> TOTPDevice:
    """A new, unconfirmed authenticator (replacing an unfinished one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def pending_setup(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def confirm_setup(request, device: TOTPDevice, code: str) -> list[str]:
    """Confirm ``device`` with a code from the app; returns the recovery codes
    (shown once). The session counts as verified from now on."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise TwoFactorError("Too many wrong codes; wait a little and try again.")
    if not device.verify_token(_digits(code)):
        raise TwoFactorError("That code does not match; check the app's clock and try the current code.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(device.user)
        audit.record(device.user, "2fa.enable", device.user)
    django_otp.login(request, device)
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def _digits(code: str) -> str:
    return "".join((code or "").split())


def check_code(user, code: str):
    """The device ``code`` verifies for ``user`` (authenticator first, then a
    recovery code, which is used up); raises ``TwoFactorError``."""
    code = _digits(code)
    for device in django_otp.devices_for_user(user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = info.get("locked_until") if info else None
            raise TwoFactorError("Too many wrong codes; wait a little and try again."
                                 + (f" (until {wait:%H:%M:%S} UTC)" if wait else ""))
    for device in django_otp.devices_for_user(user, confirmed=True):
        if code and device.verify_token(code):
            if isinstance(device, StaticDevice):
                audit.record(user, "2fa.recovery_code_used", user, left=device.token_set.count())
            return device
    audit.record(user, "2fa.failure", user)
    raise TwoFactorError("That code is not right.")


def verify_session(request, code: str) -> None:
    """Mark the signed-in session as verified by a second factor."""
    django_otp.login(request, check_code(request.user, code))


def disable(user, code: str) -> None:
    """Remove the authenticator and recovery codes (needs a valid code)."""
    check_code(user, code)
    if required_for(user):
        raise TwoFactorError("A team of yours requires two-factor sign-in; it cannot be switched off.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(user, "2fa.disable", user)


def session_passes(user, session) -> bool:
    """For the websocket feed, which sees the session but not the middleware:
    True when this session of ``user`` may be used (see SecondFactorMiddleware)."""
    if has_two_factor(user):
        return bool(session and session.get(DEVICE_ID_SESSION_KEY))
    return not required_for(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
