from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


def test_signup_logs_in_and_leads_to_team_creation(db):
    client = Client()
    response = client.post(
        reverse("signup"),
        {"username": "newbie", "email": "n@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newbie").exists()
    # No team yet: home sends the new user to create one.
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url == reverse("team-list")


def test_signup_rejects_mismatched_passwords(db):
    response = Client().post(
        reverse("signup"), {"username": "x", "password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="x").exists()
    assert "password" in response.content.decode().lower()


def test_signup_can_be_switched_off(db, settings):
    settings.OCRSPACE_SIGNUP_ENABLED = False
    assert Client().get(reverse("signup")).status_code == 404
    assert "Sign up" not in Client().get(reverse("login")).content.decode()


def test_login_logout_cycle(member, team):
    client = Client()
    assert client.get(reverse("home")).status_code == 302
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("team-space", args=[team.slug])
    assert client.get(reverse("team-space", args=[team.slug])).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("team-space", args=[team.slug])).status_code == 302


def test_wrong_password_is_refused(member):
    response = Client().post(reverse("login"), {"username": "member", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_password_change(member, client_for):
    client = client_for(member)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-Long-pass-42", "new_password2": "another-Long-pass-42"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("another-Long-pass-42")
