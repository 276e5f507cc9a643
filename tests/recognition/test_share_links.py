"""Read-only share links (``recognition.sharing``, ``/s/<token>/``)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from recognition import processing, services, sharing
from recognition.models import ShareLink, Upload, UploadStatus
from teams import services as team_services
from tests.support import make_png

pytestmark = pytest.mark.django_db
TEXT = 'Invoice 4417 <script>alert("x")</script>'


@pytest.fixture
def done(team, member, queued):
    upload = services.create_upload(team, member, make_png((200, 80)), "invoice.png").upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    processing.complete(upload, text=TEXT, confidence=0.9, lines=[], engine_version="t/1", timings={})
    upload.refresh_from_db()
    return upload


def make_link(client, upload) -> str:
    """Create a link from the result page; the token from the one-time message."""
    page = client.post(f"/uploads/{upload.pk}/links/", {"days": "7"}, follow=True).content.decode()
    found = re.search(r"/s/([A-Za-z0-9_-]{40,})/", page)
    assert found, page
    return found.group(1)


def test_a_link_shows_the_image_text_and_exports_to_anyone_and_counts_views(client, client_for, member, done):
    token = make_link(client_for(member), done)
    link = ShareLink.objects.get()
    # Only the token's hash is stored.
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in link.token_hash
    page = client.get(f"/s/{token}/")
    body = page.content.decode()
    assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer"
    assert "Invoice 4417 &lt;script&gt;" in body and "<script>alert" not in body  # escaped
    assert done.team.name not in body  # nothing of the team beyond the upload
    assert client.get(f"/s/{token}/image/").status_code == 200
    text = client.get(f"/s/{token}/download/txt/")
    assert text.status_code == 200 and "Invoice 4417" in text.content.decode()
    assert client.get(f"/s/{token}/download/pdf/")["Content-Type"] == "application/pdf"
    assert client.get(f"/s/{token}/download/json/").status_code == 404  # not an offered format
    client.get(f"/s/{token}/")
    link.refresh_from_db()
    assert link.views == 2 and link.last_viewed_at is not None  # page views only


def test_expired_revoked_and_unknown_links_are_gone(client, client_for, member, team, add_member, done):
    from teams.roles import Role

    admin_member = add_member(team, Role.ADMIN, "team-admin")
    token = make_link(client_for(member), done)
    link = ShareLink.objects.get()
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/s/{token}/").status_code == 404
    assert client.get(f"/s/{token}/image/").status_code == 404
    other = make_link(client_for(member), done)
    response = client_for(admin_member).post(f"/uploads/{done.pk}/links/{ShareLink.objects.latest('pk').pk}/revoke/",
                                             follow=True)
    assert "The link was revoked." in response.content.decode()
    for path in (f"/s/{other}/", f"/s/{other}/image/", f"/s/{other}/download/txt/", "/s/not-a-token/"):
        assert client.get(path).status_code == 404, path
    assert ShareLink.objects.get(pk=link.pk).views == 0  # refused opens count nothing


def test_switching_sharing_off_stops_new_and_existing_links(client, client_for, owner, member, team, done):
    token = make_link(client_for(member), done)
    team_services.update_team(team, owner, allow_sharing=False)
    assert client.get(f"/s/{token}/").status_code == 404
    refused = client_for(member).post(f"/uploads/{done.pk}/links/", {"days": "7"})
    assert refused.status_code == 403
    assert ShareLink.objects.count() == 1
    team_services.update_team(team, owner, allow_sharing=True)
    assert client.get(f"/s/{token}/").status_code == 200


def test_who_may_make_and_revoke_links(client_for, member, viewer, make_user, team, done, add_member):
    from teams.roles import Role

    assert client_for(viewer).post(f"/uploads/{done.pk}/links/", {"days": "7"}).status_code == 403
    make_link(client_for(member), done)
    link = ShareLink.objects.get()
    other_member = add_member(team, Role.MEMBER, "second-member")
    refused = client_for(other_member).post(f"/uploads/{done.pk}/links/{link.pk}/revoke/")
    assert refused.status_code == 403
    assert ShareLink.objects.get().revoked_at is None
    stranger = make_user("stranger-2")
    team_services.create_team(stranger, "Elsewhere 2")
    assert client_for(stranger).post(f"/uploads/{done.pk}/links/", {"days": "7"}).status_code == 404


def test_bad_expiry_and_unfinished_results_are_refused(member, team, done, queued):
    with pytest.raises(sharing.SharingRefused):
        sharing.create(done, member, 365)
    waiting = services.create_upload(team, member, make_png(), "w.png").upload
    with pytest.raises(sharing.SharingRefused):
        sharing.create(waiting, member, 7)
