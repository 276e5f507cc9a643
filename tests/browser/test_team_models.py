"""Training a team's recognizer from its models page, in real Chromium,
on the real training lane: the run is asked for with the button, the page
follows it and shows the adopted model with its epochs."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from recognition import services
from tests.browser.conftest import keep_for_docs
from tests.teaching import corrected_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
RUN_TIMEOUT_MS = 300_000  # waiting for the run, not a bound on its speed


def test_a_run_started_on_the_page_ends_adopted_with_its_epochs(team, owner, log_in, live_platform, live_media,
                                                                 monkeypatch, screenshot):
    team.ocr_profile = "fast"
    team.save(update_fields=["ocr_profile"])
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)  # the pages are already read
    corrected_pages(team, owner)
    live_platform.start_training(OCRSPACE_TRAINING_GENERAL_MARGIN="0.1")
    try:
        page = log_in(owner)
        page.goto(f"/t/{team.slug}/models/")
        expect(page.locator("#active-model")).to_contain_text("profile's own recognizer")
        page.click("#train-now")
        expect(page.locator("#model-1")).to_be_visible()
        expect(page.locator("#train-now")).to_be_disabled()  # one run at a time
        # The page follows the run and loads again when it ends.
        expect(page.locator("#model-1 .status-badge")).to_have_class(re.compile(r"status-adopted"),
                                                                      timeout=RUN_TIMEOUT_MS)
    finally:
        live_platform.stop_training()
    expect(page.locator("#active-model")).to_contain_text("model 1")
    expect(page.locator("#model-1 .active-badge")).to_be_visible()
    page.locator("#model-1 details summary").click()
    rows = page.locator("#model-1 .model-progress tbody tr")
    assert rows.count() >= 1
    expect(page.locator("#model-1 .model-figures")).to_be_visible()
    keep_for_docs(screenshot(page, "30-team-models-adopted"), "training-progress.png")
