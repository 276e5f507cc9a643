import pytest

from teams.models import Invitation, Membership
from teams.roles import Role

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin_user", "member", "viewer", "outsider"]


@pytest.fixture
def as_role(request, api_for, owner, admin_user, member, viewer, outsider, api):
    users = {"owner": owner, "admin_user": admin_user, "member": member, "viewer": viewer, "outsider": outsider}

    def client(role):
        return api if role == "anonymous" else api_for(users[role])

    return client


def test_list_mine_only(api_for, member, team, other_team):
    data = api_for(member).get("/api/teams/").json()
    assert [t["slug"] for t in data] == [team.slug]
    assert data[0]["role"] == "member"


@pytest.mark.parametrize("role,expected", [
    ("owner", 200), ("admin_user", 200), ("member", 200), ("viewer", 200), ("outsider", 404), ("anonymous", 401),
])
def test_detail_and_members_matrix(as_role, team, role, expected):
    client = as_role(role)
    assert client.get(f"/api/teams/{team.slug}/").status_code == expected
    assert client.get(f"/api/teams/{team.slug}/members/").status_code == expected


@pytest.mark.parametrize("role,expected", [
    ("owner", 200), ("admin_user", 200), ("member", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 401),
])
def test_update_team_matrix(as_role, team, role, expected):
    response = as_role(role).patch(f"/api/teams/{team.slug}/", {"retention_days": 30}, format="json")
    assert response.status_code == expected
    team.refresh_from_db()
    assert (team.retention_days == 30) == (expected == 200)


@pytest.mark.parametrize("role,expected", [
    ("owner", 200), ("admin_user", 200), ("member", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 401),
])
def test_change_role_matrix(as_role, team, add_member, role, expected):
    target = add_member(team, Role.VIEWER)
    response = as_role(role).patch(f"/api/teams/{team.slug}/members/{target.pk}/", {"role": "member"}, format="json")
    assert response.status_code == expected
    assert (Membership.objects.get(user=target, team=team).role == "member") == (expected == 200)


@pytest.mark.parametrize("role,expected", [
    ("owner", 204), ("admin_user", 204), ("member", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 401),
])
def test_remove_member_matrix(as_role, team, add_member, role, expected):
    target = add_member(team, Role.MEMBER)
    response = as_role(role).delete(f"/api/teams/{team.slug}/members/{target.pk}/")
    assert response.status_code == expected
    assert Membership.objects.filter(user=target, team=team).exists() == (expected != 204)


def test_team_rules_are_400_or_409_with_message(api_for, owner, admin_user, team):
    # Admins cannot make owners (400); the last owner cannot leave or step
    # down while the team has no other owner (409: fine once it has one).
    response = api_for(admin_user).patch(f"/api/teams/{team.slug}/members/{admin_user.pk}/", {"role": "owner"}, format="json")
    assert response.status_code == 400 and "owner" in response.json()["detail"]
    response = api_for(owner).delete(f"/api/teams/{team.slug}/members/{owner.pk}/")
    assert response.status_code == 409 and "owner" in response.json()["detail"]
    response = api_for(owner).patch(f"/api/teams/{team.slug}/members/{owner.pk}/", {"role": "admin"}, format="json")
    assert response.status_code == 409 and "owner" in response.json()["detail"]
    response = api_for(owner).patch(f"/api/teams/{team.slug}/members/{owner.pk}/", {"role": "boss"}, format="json")
    assert response.status_code == 400


def test_member_ids_of_other_teams_are_404(api_for, owner, team, outsider):
    response = api_for(owner).patch(f"/api/teams/{team.slug}/members/{outsider.pk}/", {"role": "member"}, format="json")
    assert response.status_code == 404


def test_member_may_leave(api_for, member, team):
    assert api_for(member).delete(f"/api/teams/{team.slug}/members/{member.pk}/").status_code == 204
    assert api_for(member).get(f"/api/teams/{team.slug}/").status_code == 404


@pytest.mark.parametrize("role,expected", [
    ("owner", 201), ("admin_user", 201), ("member", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 401),
])
def test_invitations_matrix(as_role, team, role, expected):
    client = as_role(role)
    response = client.post(f"/api/teams/{team.slug}/invitations/", {"role": "member", "email": "New@Example.com"}, format="json")
    assert response.status_code == expected
    listing = client.get(f"/api/teams/{team.slug}/invitations/")
    assert listing.status_code == (200 if expected == 201 else expected)
    if expected == 201:
        body = response.json()
        assert body["email"] == "new@example.com" and body["is_open"]
        assert body["url"].startswith("http://testserver/invite/")
        assert [i["id"] for i in listing.json()] == [body["id"]]


@pytest.mark.parametrize("role,expected", [
    ("owner", 204), ("admin_user", 204), ("member", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 401),
])
def test_revoke_invitation_matrix(as_role, team, owner, role, expected):
    from teams import services

    invitation = services.create_invitation(team, owner)
    assert as_role(role).delete(f"/api/teams/{team.slug}/invitations/{invitation.pk}/").status_code == expected
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == (expected == 204)


def test_admin_cannot_invite_owner(api_for, admin_user, team):
    response = api_for(admin_user).post(f"/api/teams/{team.slug}/invitations/", {"role": "owner"}, format="json")
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_invitation_of_other_team_is_404(api_for, owner, team, other_team, outsider):
    from teams import services

    theirs = services.create_invitation(other_team, outsider)
    assert api_for(owner).delete(f"/api/teams/{team.slug}/invitations/{theirs.pk}/").status_code == 404
    assert api_for(owner).delete(f"/api/teams/{other_team.slug}/invitations/{theirs.pk}/").status_code == 404


def test_create_team(api_for, outsider):
    response = api_for(outsider).post("/api/teams/", {"name": "Ops"}, format="json")
    assert response.status_code == 201 and response.json()["role"] == "owner"


@pytest.mark.parametrize("body,field", [
    ({"name": 0}, "name"),                     # a number is not a name
    ({"name": ""}, "name"),
    ({"name": ["Sales"]}, "name"),
    ({"name": "Ok", "retention_days": "7"}, "retention_days"),  # a string is not an integer
    ({"name": "Ok", "retention_days": True}, "retention_days"),
])
def test_team_create_refuses_what_the_schema_forbids(api_for, owner, body, field):
    from teams.models import Team

    before = Team.objects.count()
    response = api_for(owner).post("/api/teams/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.json()
    assert Team.objects.count() == before


def test_form_values_are_validated_not_ignored(api_for, owner, team):
    client = api_for(owner)
    blank = client.patch(f"/api/teams/{team.slug}/", {"name": ""}, format="multipart")
    assert blank.status_code == 400 and "name" in blank.json()["errors"]
    nothing = client.patch(f"/api/teams/{team.slug}/", {}, format="json")
    assert nothing.status_code == 400 and "at least one" in str(nothing.json())
    twice = client.get("/api/uploads/?page_size=5&page_size=6")
    assert twice.status_code == 400 and "page_size" in twice.json()["errors"]
    assert client.get("/api/uploads/", {"page_size": "abc"}).status_code == 400
    assert client.get("/api/uploads/", {"page_size": "201"}).status_code == 400
    assert client.get("/api/uploads/", {"uploader": ""}).status_code == 400
    assert client.get("/api/uploads/", {"team": team.slug, "status": "done"}).status_code == 200
    team.refresh_from_db()
    assert team.name == "Sales Team"
