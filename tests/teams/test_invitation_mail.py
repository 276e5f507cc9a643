"""Invitations bound to an address are mailed through a real SMTP server
(aiosmtpd, started by the test session), in the inviter's language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from teams.models import Invitation

pytestmark = pytest.mark.django_db


def invite_link(text: str) -> str:
    return re.search(r"https?://\S+/invite/\S+/", text).group(0)


def test_browser_invitation_is_mailed_in_chinese_and_still_shown(team, owner, client_for, mailbox):
    client = client_for(owner)
    response = client.post(reverse("invitation-create", args=[team.slug]), {"role": "member", "email": "Li@Example.com"},
                           HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9", follow=True)
    assert response.status_code == 200
    invitation = Invitation.objects.get(team=team)
    [message] = mailbox.messages
    assert message.envelope_to == ["li@example.com"]
    assert "邀请你加入" in message["Subject"] and team.name in message["Subject"]
    body = message.get_content()
    link = invite_link(body)
    assert link.endswith(reverse("invitation-accept", args=[invitation.token]))
    assert "成员" in body  # the role, in Chinese
    page = response.content.decode()
    assert "链接已发送到 li@example.com" in page
    assert reverse("invitation-accept", args=[invitation.token]) in page  # the link is still shown


def test_api_invitation_is_mailed_in_english(team, owner, mailbox):
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post(f"/api/teams/{team.slug}/invitations/", {"role": "viewer", "email": "sam@example.com"},
                        format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201 and response.json()["mailed"] is True
    [message] = mailbox.messages
    assert " ".join(message["Subject"].split()) == f"{owner.username} invites you to the team “{team.name}” on ocrspace"
    assert invite_link(message.get_content()) == response.json()["url"]
    assert "as Viewer" in message.get_content()


def test_no_address_no_mail_and_a_failed_mail_is_reported(team, owner, mailbox, settings):
    from tests.live import free_port

    api = APIClient()
    api.force_authenticate(owner)
    unbound = api.post(f"/api/teams/{team.slug}/invitations/", {"role": "member"}, format="json")
    assert unbound.status_code == 201 and unbound.json()["mailed"] is None
    assert mailbox.messages == []
    settings.EMAIL_PORT = free_port()  # nothing listens there
    failed = api.post(f"/api/teams/{team.slug}/invitations/", {"role": "member", "email": "x@example.com"}, format="json")
    assert failed.status_code == 201 and failed.json()["mailed"] is False and failed.json()["url"]
    assert Invitation.objects.filter(team=team, email="x@example.com").exists()


def test_console_backend_mails_nothing(team, owner, smtp_server, settings):
    _, mailbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # the default
    mailbox.messages.clear()
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post(f"/api/teams/{team.slug}/invitations/", {"role": "member", "email": "y@example.com"}, format="json")
    assert response.status_code == 201 and response.json()["mailed"] is None
    assert mailbox.messages == []
