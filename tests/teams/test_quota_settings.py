"""A team's own quotas: staff set any; the team's admins and owners may only
lower the limit in force (API, settings page); the Django admin edits them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from teams import services
from teams.models import AuditEntry, Team

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def patch(user, team, data):
    return api_for(user).patch(f"/api/teams/{team.slug}/", data, format="json")


def test_the_team_answer_shows_its_quotas_and_the_limits_in_force(team, member, settings):
    settings.OCRSPACE_TEAM_MAX_QUEUED, settings.OCRSPACE_TEAM_MAX_STORED_BYTES = 300, 0
    team.max_stored_bytes = 5_000
    team.save()
    body = api_for(member).get(f"/api/teams/{team.slug}/").json()
    assert (body["max_queued_uploads"], body["queued_limit"]) == (None, 300)
    assert (body["max_stored_bytes"], body["stored_bytes_limit"]) == (5_000, 5_000)


def test_an_admin_lowers_the_quotas_and_it_is_audited(team, admin_user, settings):
    settings.OCRSPACE_TEAM_MAX_QUEUED = 300
    response = patch(admin_user, team, {"max_queued_uploads": 20, "max_stored_bytes": 10**9})
    assert response.status_code == 200, response.content
    assert (response.json()["queued_limit"], response.json()["stored_bytes_limit"]) == (20, 10**9)
    team.refresh_from_db()
    assert (team.max_queued_uploads, team.max_stored_bytes) == (20, 10**9)
    entry = AuditEntry.objects.get(action="team.update")
    assert entry.details["max_queued_uploads"] == [None, 20]


@pytest.mark.parametrize("change", [
    {"max_queued_uploads": 301},          # above the default in force
    {"max_queued_uploads": 0},            # unlimited
    {"max_stored_bytes": 0, "max_queued_uploads": 5},  # one loosening refuses the whole change
])
def test_a_team_cannot_raise_its_own_quotas(team, owner, settings, change):
    settings.OCRSPACE_TEAM_MAX_QUEUED, settings.OCRSPACE_TEAM_MAX_STORED_BYTES = 300, 10**9
    response = patch(owner, team, change)
    assert response.status_code == 400 and response.json()["code"] == "team_rule"
    assert "only lower" in response.json()["detail"]
    team.refresh_from_db()
    assert (team.max_queued_uploads, team.max_stored_bytes) == (None, None)


def test_back_to_the_default_only_when_that_is_no_more(team, owner, settings):
    settings.OCRSPACE_TEAM_MAX_QUEUED = 300
    team.max_queued_uploads = 50
    team.save()
    assert patch(owner, team, {"max_queued_uploads": None}).status_code == 400
    team.max_queued_uploads = 1_000  # granted by the server's administrators
    team.save()
    assert patch(owner, team, {"max_queued_uploads": None}).status_code == 200
    team.refresh_from_db()
    assert team.max_queued_uploads is None and team.queued_limit == 300


def test_staff_set_any_quota(team, owner, make_user, settings):
    settings.OCRSPACE_TEAM_MAX_QUEUED = 300
    staff = make_user("operator", is_staff=True)
    services.update_team(team, owner, max_queued_uploads=10)
    team = services.update_team(team, owner, name="Sales")  # quotas untouched when not given
    assert team.max_queued_uploads == 10
    from teams.models import Membership

    Membership.objects.create(user=staff, team=team, role="admin")
    assert patch(staff, team, {"max_queued_uploads": 0}).status_code == 200
    team.refresh_from_db()
    assert team.max_queued_uploads == 0 and team.queued_limit == 0


@pytest.mark.parametrize("value", [-1, "many", 1.5, 2**31, True])
def test_bad_quota_values_are_400(team, owner, value):
    response = patch(owner, team, {"max_queued_uploads": value})
    assert response.status_code == 400, response.content
    assert "max_queued_uploads" in response.json()["errors"]


def test_the_settings_page_lowers_a_quota_and_refuses_raising_it(team, owner, client_for, settings):
    settings.OCRSPACE_TEAM_MAX_QUEUED = 300
    client = client_for(owner)
    form = {"name": team.name, "retention_days": team.retention_days, "max_queued_uploads": "40",
            "max_stored_bytes": ""}
    page = client.get(reverse("team-settings", args=[team.slug])).content.decode()
    assert 'name="max_queued_uploads"' in page and "server's default (300)" in page
    assert client.post(reverse("team-settings", args=[team.slug]), form).status_code == 302
    team.refresh_from_db()
    assert team.max_queued_uploads == 40 and team.max_stored_bytes is None

    form["max_queued_uploads"] = "400"
    response = client.post(reverse("team-settings", args=[team.slug]), form, follow=True)
    assert "only lower" in response.content.decode()
    team.refresh_from_db()
    assert team.max_queued_uploads == 40


def test_the_django_admin_edits_a_teams_quotas(team, make_user):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    url = reverse("admin:teams_team_change", args=[team.pk])
    page = client.get(url)
    assert 'name="max_queued_uploads"' in page.content.decode()
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "created_by"}
    data.update({"max_queued_uploads": "50000", "max_stored_bytes": str(2 * 1024**4), "created_at_0": "2026-01-01",
                 "created_at_1": "00:00:00", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    data.pop("created_at", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    team = Team.objects.get(pk=team.pk)
    assert (team.max_queued_uploads, team.max_stored_bytes) == (50_000, 2 * 1024**4)
