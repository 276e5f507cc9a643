"""OCRSPACE_LOCAL_LOGIN=0: the login page offers the identity providers, a
local account's password is refused everywhere (browser, admin console, the
token endpoint, sign-up), and the break-glass superuser made on the command
line still signs in."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from teams.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROVIDERS = [{"id": "corp", "name": "Corp ID", "issuer": "https://id.corp.example", "client_id": "x", "secret": "y",
              "scopes": ["openid"], "groups_claim": "groups", "team_map": {}}]


@pytest.fixture
def local_off(settings):
    settings.OCRSPACE_LOCAL_LOGIN = False
    settings.OCRSPACE_SIGNUP_ENABLED = False
    settings.OCRSPACE_OIDC_PROVIDERS = PROVIDERS


@pytest.fixture
def break_glass(monkeypatch):
    """A superuser made as an operator would: ``createsuperuser`` on the command line."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--username", "root-admin", "--email", "root@example.com")
    return get_user_model().objects.get(username="root-admin")


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_shows_the_providers_and_folds_the_password_form_away(local_off):
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Corp ID" in page and 'action="/accounts/oidc/corp/login/"' in page
    assert 'name="password"' not in page and "Administrator sign-in with a password" in page
    assert "Sign up" not in page
    folded_out = Client().get("/accounts/login/?password=1").content.decode()
    assert 'name="password"' in folded_out


def test_with_local_login_on_both_are_offered(settings):
    settings.OCRSPACE_OIDC_PROVIDERS = PROVIDERS
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Corp ID" in page and 'name="password"' in page


def test_a_local_password_is_refused_with_a_message_saying_where_to_sign_in(local_off, make_user):
    make_user("alice")
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200 and not signed_in(client)
    assert "use your organisation&#x27;s sign-in" in response.content.decode()
    assert AuditEntry.objects.filter(action="signin.failure", actor_name="alice").count() == 1


def test_the_token_endpoint_and_the_admin_refuse_local_passwords_too(local_off, make_user):
    make_user("staffer", is_staff=True)
    api = APIClient().post("/api/auth/token/", {"username": "staffer", "password": PASSWORD}, format="json")
    assert api.status_code == 401
    client = Client()
    client.post("/admin/login/", {"username": "staffer", "password": PASSWORD})
    assert not signed_in(client)


def test_sign_up_is_off(local_off):
    assert Client().get("/accounts/signup/").status_code == 404


def test_the_break_glass_superuser_still_signs_in(local_off, break_glass):
    client = Client()
    response = client.post("/accounts/login/", {"username": "root-admin", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)
    assert client.get("/admin/").status_code == 200
    api = APIClient().post("/api/auth/token/", {"username": "root-admin", "password": PASSWORD}, format="json")
    assert api.status_code == 200


def test_a_session_made_before_stays_valid(local_off, make_user):
    """Switching local passwords off refuses new password sign-ins; sessions
    (an SSO user's included: they are looked up by the same backend) go on."""
    user = make_user("carol")
    client = Client()
    client.force_login(user)
    assert client.get("/teams/").status_code == 200


def test_a_sign_in_started_with_get_asks_to_confirm_with_a_post(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {
        **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
        "APPS": [{"provider_id": "corp", "name": "Corp ID", "client_id": "x", "secret": "y",
                  "settings": {"server_url": "https://id.corp.example"}}],
    }}
    page = Client().get("/accounts/oidc/corp/login/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Sign in with Corp ID" in body and 'method="post"' in body and "csrfmiddlewaretoken" in body
    assert Client().get("/accounts/oidc/nobody/login/").status_code == 404
