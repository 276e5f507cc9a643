"""Password guessing is limited per account and per client address, on the
browser login form, the admin login and the JWT token endpoint (django-axes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_throttles")]

LIMIT = settings.AXES_FAILURE_LIMIT
LOCKED_TEXT = "Too many failed login attempts"


def browser_login(username: str, password: str, ip: str = "10.0.0.1", **headers):
    client = Client(REMOTE_ADDR=ip, **headers)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def token_login(username: str, password: str, ip: str = "10.0.0.1", **headers):
    return APIClient(REMOTE_ADDR=ip, **headers).post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def assert_browser_locked(response):
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert LOCKED_TEXT in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60


def assert_api_locked(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/json"
    assert LOCKED_TEXT in response.json()["detail"]
    assert int(response["Retry-After"]) == 15 * 60


def test_configuration_is_ten_failures_and_fifteen_minutes():
    assert settings.AXES_ENABLED and LIMIT == 10
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username"], ["ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_browser_login_locks_the_account_even_for_the_right_password(member):
    for attempt in range(LIMIT - 1):
        client, response = browser_login("member", "wrong", ip=f"10.1.0.{attempt}")
        assert response.status_code == 200 and not logged_in(client)  # the form again
    _, response = browser_login("member", "wrong", ip="10.1.1.1")
    assert_browser_locked(response)
    client, response = browser_login("member", PASSWORD, ip="10.1.1.2")  # a fresh address: the account counts
    assert_browser_locked(response)
    assert not logged_in(client)


def test_token_endpoint_locks_the_account_with_a_json_answer(member):
    for attempt in range(LIMIT - 1):
        assert token_login("member", "wrong", ip=f"10.2.0.{attempt}").status_code == 401
    assert_api_locked(token_login("member", "wrong", ip="10.2.1.1"))
    response = token_login("member", PASSWORD, ip="10.2.1.2")
    assert_api_locked(response)
    assert "access" not in response.json()


def test_failures_on_one_entry_point_count_on_the_other(member):
    for attempt in range(LIMIT):
        token_login("member", "wrong", ip=f"10.3.0.{attempt}")
    client, response = browser_login("member", PASSWORD, ip="10.3.1.1")
    assert_browser_locked(response)
    assert not logged_in(client)


def test_one_address_guessing_many_accounts_is_locked(make_user):
    victim = make_user("victim")
    for n in range(LIMIT):
        assert token_login(f"nobody{n}", "wrong", ip="10.4.0.1").status_code in (401, 429)
    assert_api_locked(token_login(victim.username, PASSWORD, ip="10.4.0.1"))
    _, response = browser_login(victim.username, PASSWORD, ip="10.4.0.1")
    assert_browser_locked(response)
    # Only that address: the account itself is fine from elsewhere.
    assert token_login(victim.username, PASSWORD, ip="10.4.0.2").status_code == 200


def test_admin_login_is_guarded_too(make_user):
    make_user("boss", is_staff=True, is_superuser=True)
    for n in range(LIMIT):
        Client(REMOTE_ADDR=f"10.5.0.{n}").post("/admin/login/", {"username": "boss", "password": "wrong"})
    client = Client(REMOTE_ADDR="10.5.1.1")
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 429
    assert not logged_in(client)


def test_successful_login_resets_the_account_count(member):
    for attempt in range(LIMIT - 1):
        token_login("member", "wrong", ip=f"10.6.0.{attempt}")
    assert token_login("member", PASSWORD, ip="10.6.1.1").status_code == 200
    for attempt in range(LIMIT - 1):
        browser_login("member", "wrong", ip=f"10.6.2.{attempt}")
    client, response = browser_login("member", PASSWORD, ip="10.6.3.1")
    assert response.status_code == 302 and logged_in(client)
    # Without the resets these would be the 19th and 20th failures.
    assert token_login("member", "wrong", ip="10.6.4.1").status_code == 401
    assert token_login("member", PASSWORD, ip="10.6.4.2").status_code == 200


def test_lockout_ends_after_the_cool_off(member):
    for attempt in range(LIMIT):
        token_login("member", "wrong", ip=f"10.7.0.{attempt}")
    assert_api_locked(token_login("member", PASSWORD, ip="10.7.1.1"))
    # Age the recorded attempts instead of waiting.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert token_login("member", PASSWORD, ip="10.7.1.2").status_code == 200


def test_forwarded_for_is_ignored_unless_behind_a_proxy(make_user):
    victim = make_user("victim")
    assert settings.OCRSPACE_BEHIND_PROXY is False
    for n in range(LIMIT):
        token_login(f"nobody{n}", "wrong", ip="10.8.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    # A new forged X-Forwarded-For does not make a new client.
    response = token_login(victim.username, PASSWORD, ip="10.8.0.1", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert_api_locked(response)


def test_behind_a_proxy_the_address_it_appended_counts(make_user, settings):
    settings.OCRSPACE_BEHIND_PROXY = True
    victim = make_user("victim")
    proxy = "10.9.0.1"
    for n in range(LIMIT):
        # The client forges a first entry; the proxy appends the real address.
        token_login(f"nobody{n}", "wrong", ip=proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.7")
    assert_api_locked(token_login(victim.username, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.7"))
    _, response = browser_login(victim.username, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7")
    assert_browser_locked(response)
    # Another client behind the same proxy is not locked out.
    assert token_login(victim.username, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.8").status_code == 200


def test_request_throttles_ignore_forged_forwarded_for(member, monkeypatch):
    """DRF trusts X-Forwarded-For unless NUM_PROXIES is set: a client could
    otherwise name a new address per request and never be throttled."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth", "3/min")
    codes = [
        token_login("member", "wrong", ip="10.10.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_locked_out_answers_carry_no_session_or_token(member):
    for attempt in range(LIMIT):
        browser_login("member", "wrong", ip=f"10.11.0.{attempt}")
    client, response = browser_login("member", PASSWORD, ip="10.11.1.1")
    assert_browser_locked(response)
    assert "sessionid" not in response.cookies
