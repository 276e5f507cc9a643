"""The installable app in Chromium: the manifest is found, the service worker
takes control, and without a network a page shows the offline page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_worker_shows_the_offline_page_without_a_network(team, owner, log_in):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    assert page.evaluate("document.querySelector('link[rel=manifest]').href").endswith("/manifest.webmanifest")
    manifest = page.evaluate("fetch('/manifest.webmanifest').then((r) => r.json())")
    assert manifest["share_target"]["action"] == "/share/"
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Controlled once the page is loaded again under the worker.
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    try:
        page.goto(f"/t/{team.slug}/search/?q=x")
        expect(page.locator("main h1")).to_have_text("ocrspace is offline")
    finally:
        page.context.set_offline(False)
    page.goto(f"/t/{team.slug}/")
    expect(page.locator("h1")).to_have_text(team.name)
