"""The installable app: manifest, service worker, offline page."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_the_site_installable_with_a_share_target(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:  # every icon is a static file that exists
        name = icon["src"].split("/static/", 1)[1]
        assert finders.find(name), icon["src"]
    share = manifest["share_target"]
    assert (share["action"], share["method"], share["enctype"]) == ("/share/", "POST", "multipart/form-data")
    assert share["params"]["files"][0]["name"] == "files"
    assert "image/*" in share["params"]["files"][0]["accept"]


def test_pages_link_the_manifest_and_register_the_worker(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert "js/pwa.js" in page


def test_the_service_worker_serves_only_the_offline_page_from_its_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert 'var OFFLINE_URL = "/offline/";' in body
    assert 'request.mode !== "navigate"' in body  # nothing but page navigations


def test_the_offline_page_holds_no_user_data(client, owner, team):
    client.force_login(owner)
    page = client.get("/offline/").content.decode()
    assert "offline" in page.lower()
    assert owner.get_username() not in page and team.name not in page
