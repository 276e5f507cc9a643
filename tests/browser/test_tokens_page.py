"""The access token page in Chromium: a token made for one team and scope
is shown once, listed by its prefix afterwards, and works with the API."""

from __future__ import annotations

import shutil

import pytest
import requests
from playwright.sync_api import expect

from teams.models import AccessToken
from tests.browser.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_token_is_made_shown_once_and_used(team, owner, log_in, live_platform, screenshot):
    page = log_in(owner)
    page.goto("/accounts/tokens/")
    page.fill("input[name=name]", "nightly export")
    page.check("input[name=scopes][value=upload]")
    page.check(f"input[name=teams][value={team.slug}]")
    page.fill("input[name=days]", "30")
    page.click("form.narrow button[type=submit]")
    secret = page.locator("#new-token").input_value()
    token = AccessToken.objects.get(name="nightly export")
    assert secret.startswith(token.prefix) and secret not in token.digest and len(token.digest) == 64
    row = page.locator("table.tokens tr", has_text="nightly export")
    expect(row).to_contain_text(f"{token.prefix}…")
    expect(row).to_contain_text("read, upload")
    expect(row).to_contain_text(team.name)
    path = screenshot(page, "tokens-page")
    shutil.copyfile(path, ROOT / "docs" / "images" / "tokens-page.png")
    # The token works for the API; the page does not show it again.
    answer = requests.get(f"{live_platform.url}/api/uploads/?team={team.slug}",
                          headers={"Authorization": f"Token {secret}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    page.goto("/accounts/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("table.tokens tr", has_text="nightly export")).to_have_count(1)
