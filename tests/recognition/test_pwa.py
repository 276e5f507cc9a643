"""The installable app: manifest, icons, service worker, offline page, and
the share target posted to as the browser's share sheet does."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recognition import services
from recognition.models import Upload
from teams import services as team_services
from teams.models import Membership
from tests.support import make_png


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)


def manifest(client) -> dict:
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/manifest+json"
    return json.loads(answer.content)


def test_the_manifest_describes_an_installable_app_with_a_share_target(client):
    data = manifest(client)
    assert data["start_url"] == "/" and data["display"] == "standalone"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200 or finders.find(icon["src"].removeprefix("/static/"))
    share = data["share_target"]
    assert share["action"] == "/share/" and share["method"] == "POST" and share["enctype"] == "multipart/form-data"
    assert share["params"]["files"][0]["accept"][0].startswith("image/")


def test_every_page_links_the_manifest_and_the_worker_is_served_from_the_root(client, make_user):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page and "js/pwa.js" in page
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    script = worker.content.decode()
    assert '"/offline/"' in script and 'request.mode !== "navigate"' in script
    offline = client.get("/offline/")
    assert offline.status_code == 200 and "You are offline" in offline.content.decode()


def share(client: Client, files: list[tuple[str, bytes]], site: str | None = "none", **fields):
    """A multipart POST like Chromium's share sheet: the manifest's field
    names, no CSRF token, Sec-Fetch-Site "none"."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    params = manifest(client)["share_target"]["params"]
    data = {params[k]: v for k, v in fields.items()}
    data[params["files"][0]["name"]] = [SimpleUploadedFile(name, body, "image/png") for name, body in files]
    headers = {"HTTP_SEC_FETCH_SITE": site} if site else {}
    return client.post(manifest(client)["share_target"]["action"], data, **headers)


def test_shared_images_land_in_the_users_last_team(make_user, team, member):
    other = team_services.create_team(member, "Second team")
    Membership.objects.filter(user=member, team=other).update(last_used_at=timezone.now())
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    answer = share(client, [("shot.png", make_png()), ("two.png", make_png())], title="From my phone", text="x")
    assert answer.status_code == 302 and answer["Location"] == reverse("team-space", args=[other.slug])
    assert sorted(Upload.objects.filter(team=other).values_list("original_name", flat=True)) == ["shot.png", "two.png"]
    assert not Upload.objects.filter(team=team).exists()
    page = client.get(answer["Location"]).content.decode()
    assert "2 shared image(s) added" in page


def test_a_share_from_another_site_or_without_a_session_stores_nothing(team, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert share(client, [("a.png", make_png())], site="cross-site").status_code == 403
    anonymous = share(Client(enforce_csrf_checks=True), [("a.png", make_png())])
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not Upload.objects.exists()


def test_a_share_without_images_or_by_a_viewer_says_why(team, viewer, member):
    client = Client()
    client.force_login(viewer)
    answer = share(client, [("a.png", make_png())])
    assert answer.status_code == 302
    assert "does not allow uploading" in client.get(answer["Location"]).content.decode()
    client.force_login(member)
    text_only = share(client, [], text="just a link")
    assert "Only images can be shared" in client.get(text_only["Location"]).content.decode()
    broken = share(client, [("bad.png", b"not an image")])
    assert "bad.png" in client.get(broken["Location"]).content.decode()
    assert not Upload.objects.exists()
