"""LDAP sign-in against a real OpenLDAP directory (the session's slapd):
bind-and-search through the login page and the token endpoint, the allowed
group, a wrong password, a disabled account, and the directory's groups
mapped to team memberships (a group left, a membership gone)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from teams.models import AuditEntry, Membership
from teams.roles import Role
from tests.teams.sign_on.directory import PASSWORDS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ldap_on")]
User = get_user_model()


def sign_in(username: str, password: str, client: Client | None = None):
    client = client or Client()
    return client, client.post("/accounts/login/", {"username": username, "password": password})


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def test_a_directory_user_signs_in_is_created_from_the_directory_and_gets_the_mapped_team(sales):
    client, response = sign_in("lena", PASSWORDS["lena"])
    assert response.status_code == 302 and signed_in_as(client) == "lena"
    lena = User.objects.get(username="lena")
    assert (lena.email, lena.first_name, lena.last_name) == ("lena@corp.example", "Lena", "Berg")
    assert not lena.has_usable_password()
    membership = Membership.objects.get(user=lena, team=sales)
    assert (membership.role, membership.managed_by) == (Role.MEMBER, "ldap")
    entry = AuditEntry.objects.filter(action="signin.success", actor=lena).get()
    assert entry.details["method"] == "ldap"
    assert client.get("/t/sales/").status_code == 200


def test_a_wrong_password_is_refused_and_audited(sales):
    client, response = sign_in("lena", "not-her-password")
    assert response.status_code == 200 and signed_in_as(client) is None
    assert "correct username and password" in response.content.decode()
    assert not User.objects.filter(username="lena").exists()
    failure = AuditEntry.objects.get(action="signin.failure")
    assert (failure.actor_name, failure.details["method"]) == ("lena", "ldap")


def test_a_disabled_account_cannot_sign_in_with_its_right_password(sales):
    client, response = sign_in("kim", PASSWORDS["kim"])
    assert response.status_code == 200 and signed_in_as(client) is None
    assert not Membership.objects.filter(team=sales, user__username="kim").exists()
    assert AuditEntry.objects.filter(action="signin.failure", actor_name="kim").count() == 1


def test_a_user_outside_the_allowed_groups_is_refused(sales):
    client, response = sign_in("pat", PASSWORDS["pat"])
    assert response.status_code == 200 and signed_in_as(client) is None
    assert not User.objects.filter(username="pat").exists()


def test_leaving_a_group_removes_the_membership_at_the_next_sign_in_and_keeps_manual_ones(
    sales, directory, make_user
):
    from teams import services

    sign_in("omar", PASSWORDS["omar"])
    omar = User.objects.get(username="omar")
    assert Membership.objects.get(user=omar, team=sales).role == Role.ADMIN
    other = services.create_team(make_user("elsewhere-owner"), "Elsewhere")
    Membership.objects.create(user=omar, team=other, role=Role.VIEWER)  # by invitation: not the directory's
    directory.remove_member("ocr-sales-leads", "omar")
    try:
        client, response = sign_in("omar", PASSWORDS["omar"])
        assert response.status_code == 302 and signed_in_as(client) == "omar"
        assert not Membership.objects.filter(user=omar, team=sales).exists()
        assert Membership.objects.filter(user=omar, team=other, role=Role.VIEWER).exists()
        removal = AuditEntry.objects.get(action="membership.remove", team=sales)
        assert removal.actor_name == "sign-on (ldap)" and removal.details["user"] == "omar"
        assert client.get("/t/sales/").status_code == 404
    finally:
        directory.add_member("ocr-sales-leads", "omar")


def test_a_group_role_change_follows_the_directory(sales, directory):
    sign_in("lena", PASSWORDS["lena"])
    directory.add_member("ocr-sales-leads", "lena")
    try:
        sign_in("lena", PASSWORDS["lena"])
        assert Membership.objects.get(user__username="lena", team=sales).role == Role.ADMIN
    finally:
        directory.remove_member("ocr-sales-leads", "lena")


def test_the_token_endpoint_takes_directory_passwords(sales):
    response = APIClient().post("/api/auth/token/", {"username": "lena", "password": PASSWORDS["lena"]}, format="json")
    assert response.status_code == 200 and "access" in response.json()
    refused = APIClient().post("/api/auth/token/", {"username": "kim", "password": PASSWORDS["kim"]}, format="json")
    assert refused.status_code == 401


def test_directory_sign_in_works_with_local_passwords_switched_off(sales, settings, make_user):
    settings.OCRSPACE_LOCAL_LOGIN = False
    make_user("local-only")
    client, response = sign_in("lena", PASSWORDS["lena"])
    assert response.status_code == 302 and signed_in_as(client) == "lena"
    from tests.conftest import PASSWORD

    client, response = sign_in("local-only", PASSWORD)
    assert response.status_code == 200 and signed_in_as(client) is None
