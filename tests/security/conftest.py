"""Fixtures of the security tests: API clients and lockout switches."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Throttle counters live in the (per-process) cache: start from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def loose_throttles(monkeypatch):
    """Lift the request throttles so a test sees the login lockout alone.
    DRF copies the rates into the throttle class when it is imported."""
    for scope in ("anon", "user", "auth"):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/min")


@pytest.fixture
def bearer():
    """An API client sending a real Bearer access token for ``user``."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make
