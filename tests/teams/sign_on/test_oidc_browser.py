"""OpenID Connect sign-in end to end: real Chromium, the real web server
(local passwords switched off) and a real OpenID Connect provider (node's
oidc-provider) started by the test session. The authorization-code flow with
PKCE and a nonce; the refusals (wrong state, wrong nonce, expired code,
unverified email), each with a clear message; users created or linked by
verified email and ``sub``; the group claim → team roles, and removal from
the group removing the membership at the next sign-in."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from teams.models import AuditEntry, Membership
from teams.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
User = get_user_model()
CALLBACK = re.compile(r"/accounts/oidc/[a-z]+/login/callback/\?")


def start(page, provider: str = "Corp ID"):
    page.goto("/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {provider}").click()


def at_provider(page, account: str) -> None:
    """The provider's own login page: any account id, any password."""
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")


def sign_in(page, account: str, provider: str = "Corp ID") -> None:
    start(page, provider)
    at_provider(page, account)


def hold_callback(page) -> list[str]:
    """Stop the browser before the provider's redirect back to us; the URLs
    it would have been sent to. (Browsers follow redirects without asking the
    page's routes, so the provider's login form post is routed instead and
    its redirects are followed here, with the browser's cookies.)"""
    held: list[str] = []

    def follow(route):
        response = route.fetch(max_redirects=0)
        location = urljoin(route.request.url, response.headers["location"])
        while not CALLBACK.search(location):
            location = urljoin(location, page.request.get(location, max_redirects=0).headers["location"])
        held.append(location)
        route.fulfill(status=200, body="held", content_type="text/plain")

    page.route(re.compile(r"/interaction/[^/?]+$"), lambda route: follow(route) if route.request.method == "POST"
               else route.continue_())
    return held


def wait_for(page, condition, what: str):
    for _ in range(300):
        if condition():
            return
        page.wait_for_timeout(100)  # lets the page's route handlers run
    raise AssertionError(f"never happened: {what}")


def refusal(page) -> str:
    message = page.locator("#sign-on-error")
    expect(message).to_be_visible()
    return message.inner_text()


def failures(reason: str) -> list[AuditEntry]:
    return [e for e in AuditEntry.objects.filter(action="signin.failure") if e.details.get("reason") == reason]


def test_the_login_page_offers_every_provider_and_no_password_form(browser_page, screenshot_to):
    page = browser_page
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in with Corp ID")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with Partner Login")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_count(0)
    expect(page.get_by_role("link", name="Administrator sign-in with a password")).to_be_visible()
    screenshot_to(page, "login-sso")


def test_first_sign_in_creates_the_user_with_the_mapped_team_and_leaving_the_group_removes_it(
    browser_page, chromium, sso_platform, sales
):
    page = browser_page
    sign_in(page, "dana")
    page.wait_for_url(re.compile(r"/t/sales/$"))
    dana = User.objects.get(email="dana@corp.example")
    assert SocialAccount.objects.filter(user=dana, provider="corp", uid="dana").exists()
    membership = Membership.objects.get(user=dana, team=sales)
    assert (membership.role, membership.managed_by) == (Role.MEMBER, "oidc:corp")
    success = AuditEntry.objects.get(action="signin.success", actor=dana)
    assert (success.details["method"], success.details["provider"]) == ("oidc", "corp")
    # Out of the group at the provider: the next sign-in removes the membership.
    sso_platform.idp.set_groups("dana", [])
    again = chromium.new_context(base_url=sso_platform.url)
    try:
        second = again.new_page()
        sign_in(second, "dana")
        second.wait_for_url(re.compile(r"/teams/$"))
    finally:
        again.close()
    assert User.objects.filter(email="dana@corp.example").count() == 1  # the same account, found by sub
    assert not Membership.objects.filter(user=dana, team=sales).exists()
    assert AuditEntry.objects.filter(action="membership.remove", actor_name="sign-on (oidc:corp)").count() == 1


def test_the_authorization_request_uses_pkce_and_a_nonce(browser_page):
    page = browser_page
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if re.search(r"/auth\?", request.url) else None)
    sign_in(page, "sam")
    page.wait_for_url(re.compile(r"/teams/$"))
    query = parse_qs(urlsplit(seen[0]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["nonce"][0]) >= 24 and query["state"][0]


def test_a_first_sign_in_is_linked_to_the_account_with_the_same_verified_email(browser_page, make_user, sales):
    eli = make_user("eli-local", email="eli@corp.example")
    sign_in(browser_page, "eli", provider="Partner Login")
    browser_page.wait_for_url(re.compile(r"/t/sales/$"))
    assert User.objects.filter(email="eli@corp.example").count() == 1
    assert SocialAccount.objects.get(provider="partner", uid="eli").user_id == eli.pk
    assert Membership.objects.get(user=eli, team=sales).role == Role.ADMIN


def test_a_linked_account_with_an_authenticator_still_enters_its_code(browser_page, make_user):
    sam = make_user("sam-local", email="sam@corp.example")
    TOTPDevice.objects.create(user=sam, name="authenticator", confirmed=True)
    sign_in(browser_page, "sam")
    browser_page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    browser_page.goto("/teams/")
    assert "/accounts/2fa/verify/" in browser_page.url


def test_a_wrong_state_is_refused_with_a_clear_message(browser_page):
    page = browser_page
    held = hold_callback(page)
    sign_in(page, "sam")
    wait_for(page, lambda: held, "the provider sent the browser back")
    page.goto(re.sub(r"state=[^&]+", "state=forged-state-1234", held[0]))
    assert "does not match a sign-in started in this browser" in refusal(page)
    assert not User.objects.filter(email="sam@corp.example").exists()
    assert len(failures("state_mismatch")) == 1


def test_a_wrong_nonce_is_refused_with_a_clear_message(browser_page):
    page = browser_page

    def swap_nonce(route):
        # Our answer to the button is the redirect to the provider; it goes
        # out with another nonce than the one this sign-in keeps.
        response = route.fetch(max_redirects=0)
        location = re.sub(r"nonce=[^&]+", "nonce=forged-nonce-5678", response.headers["location"])
        route.fulfill(response=response, headers={**response.headers, "location": location})

    page.route(re.compile(r"/accounts/oidc/corp/login/$"), swap_nonce)
    sign_in(page, "sam")
    assert "nonce does not match" in refusal(page)
    assert not User.objects.filter(email="sam@corp.example").exists()
    assert failures("nonce_mismatch")[0].actor_name == "sam@corp.example"


def test_an_expired_code_is_refused_with_a_clear_message(browser_page):
    page = browser_page
    held = hold_callback(page)
    sign_in(page, "late")
    wait_for(page, lambda: held, "the provider sent the browser back")
    page.wait_for_timeout(2500)  # the provider gives this account's codes one second
    page.goto(held[0])
    assert "refused the sign-in code: it has expired or was already used" in refusal(page)
    assert not User.objects.filter(email="late@corp.example").exists()
    assert len(failures("code_refused")) == 1


def test_an_unverified_email_is_refused_with_a_clear_message(browser_page, sales):
    sign_in(browser_page, "una")
    assert "has not verified your email address una@corp.example" in refusal(browser_page)
    assert not User.objects.filter(email="una@corp.example").exists()
    assert len(failures("email_unverified")) == 1


def test_a_disabled_account_is_refused_with_a_clear_message(browser_page, make_user):
    make_user("eli-local", email="eli@corp.example", is_active=False)
    sign_in(browser_page, "eli")
    assert "Your account here is disabled" in refusal(browser_page)
    assert len(failures("account_disabled")) == 1
