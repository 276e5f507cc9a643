"""Telling mentioned members by e-mail, when the platform has a mail backend
(``teams.mail.mail_configured``); the notification list has it either way."""

from __future__ import annotations

import logging
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _

from recognition.models import Notification
from recognition.representation import absolute
from teams.mail import mail_configured

log = logging.getLogger(__name__)
EXCERPT = 500


def mention_message(notification: Notification) -> EmailMessage:
    note = notification.note
    upload = note.upload
    subject = _("%(author)s mentioned you on “%(name)s” in %(team)s") % {
        "author": note.author_name, "name": upload.original_name, "team": notification.team.name}
    body = _("%(author)s wrote a note on “%(name)s”:\n\n%(note)s\n\nOpen it: %(url)s\n") % {
        "author": note.author_name, "name": upload.original_name, "note": note.body[:EXCERPT],
        "url": absolute(reverse("upload-result", args=[upload.pk])) + "#notes"}
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])


def send_mentions(note_id: int) -> int:
    """Mail each member mentioned in the note who has an address; how many
    the mail server took. A failure is logged, never raised."""
    if not mail_configured():
        return 0
    sent = 0
    rows = Notification.objects.filter(note_id=note_id).select_related("user", "team", "note", "note__upload")
    for notification in rows:
        if not notification.user.email:
            continue
        try:
            mention_message(notification).send()
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            log.warning("Mention %s not mailed: %s", notification.pk, error)
        else:
            sent += 1
    return sent
