"""Mailing invitation links.

Only when the platform has a real mail backend (``EMAIL_BACKEND`` set to
SMTP or another sender; the default console backend only prints) and the
invitation is bound to an address. The mail is written in the inviter's
language (the one their pages are shown in); the link is shown to the
inviter as well, so a mail that does not arrive costs nothing.
"""

from __future__ import annotations

import logging
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from teams.models import Invitation

log = logging.getLogger(__name__)
PRINTING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def mail_configured() -> bool:
    return settings.EMAIL_BACKEND not in PRINTING_BACKENDS


def invitation_message(invitation: Invitation, url: str, language: str) -> EmailMessage:
    with translation.override(language):
        inviter = invitation.created_by.get_username() if invitation.created_by else "ocrspace"
        subject = _("%(inviter)s invites you to the team “%(team)s” on ocrspace") % {
            "inviter": inviter, "team": invitation.team.name}
        body = _(
            "%(inviter)s invites you to join the team “%(team)s” as %(role)s.\n\n"
            "Open this link to accept (valid until %(expires)s UTC):\n%(url)s\n\n"
            "If you did not expect this invitation, ignore this e-mail."
        ) % {
            "inviter": inviter,
            "team": invitation.team.name,
            "role": invitation.get_role_display(),
            "expires": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
            "url": url,
        }
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def send_invitation(invitation: Invitation, url: str, language: str) -> bool:
    """Mail the link when mail is configured and an address is bound; True
    when the mail server took it. A failure is logged, never raised."""
    if not invitation.email or not mail_configured():
        return False
    try:
        invitation_message(invitation, url, language).send()
    except (smtplib.SMTPException, OSError, socket.timeout) as error:
        log.warning("Invitation %s not mailed to %s: %s", invitation.pk, invitation.email, error)
        return False
    return True
