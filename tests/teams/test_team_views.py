import pytest
from django.urls import reverse

from teams.models import Invitation, Membership, Team
from teams.roles import Role


def test_create_team_from_browser(member, client_for):
    client = client_for(member)
    response = client.post(reverse("team-list"), {"name": "Ops"})
    team = Team.objects.get(name="Ops")
    assert response.url == reverse("team-space", args=[team.slug])
    assert Membership.objects.get(team=team, user=member).role == Role.OWNER


def test_team_pages_hidden_from_outsiders(team, outsider, client_for):
    client = client_for(outsider)
    for name in ["team-space", "team-settings"]:
        assert client.get(reverse(name, args=[team.slug])).status_code == 404


def test_team_name_is_escaped(owner, client_for):
    client = client_for(owner)
    client.post(reverse("team-list"), {"name": "<script>alert(1)</script>"})
    page = client.get(reverse("team-list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_settings_visible_to_viewer_but_not_editable(team, viewer, client_for):
    client = client_for(viewer)
    page = client.get(reverse("team-settings", args=[team.slug]))
    assert page.status_code == 200
    assert 'name="retention_days"' not in page.content.decode()
    assert client.post(reverse("team-settings", args=[team.slug]), {"name": "X", "retention_days": 3}).status_code == 403
    team.refresh_from_db()
    assert team.name == "Sales Team"


def test_owner_changes_retention(team, owner, client_for):
    client = client_for(owner)
    response = client.post(reverse("team-settings", args=[team.slug]), {"name": "Sales", "retention_days": 30})
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.retention_days) == ("Sales", 30)


def test_invitation_flow_through_browser(team, owner, make_user, client_for):
    owner_client = client_for(owner)
    owner_client.post(reverse("invitation-create", args=[team.slug]), {"role": "viewer", "email": ""})
    invitation = Invitation.objects.get(team=team)
    url = reverse("invitation-accept", args=[invitation.token])
    assert url in owner_client.get(reverse("team-settings", args=[team.slug])).content.decode()

    anonymous_page = client_for(make_user()).get(url)
    assert anonymous_page.status_code == 200

    guest = make_user("guest")
    response = client_for(guest).post(url)
    assert response.url == reverse("team-space", args=[team.slug])
    assert Membership.objects.get(team=team, user=guest).role == Role.VIEWER


def test_used_invitation_shows_message(team, owner, make_user, client_for):
    from teams import services

    invitation = services.create_invitation(team, owner)
    services.accept_invitation(invitation.token, make_user())
    page = client_for(make_user()).get(reverse("invitation-accept", args=[invitation.token]))
    assert "Invitation not available" in page.content.decode()


def test_member_cannot_invite_or_change_roles(team, member, viewer, client_for):
    client = client_for(member)
    assert client.post(reverse("invitation-create", args=[team.slug]), {"role": "member"}).status_code == 403
    assert client.post(reverse("member-role", args=[team.slug, viewer.pk]), {"role": "admin"}).status_code == 403
    assert Membership.objects.get(team=team, user=viewer).role == Role.VIEWER


def test_last_owner_leaving_shows_error(team, owner, client_for):
    client = client_for(owner)
    response = client.post(reverse("member-remove", args=[team.slug, owner.pk]), follow=True)
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(team=team, user=owner).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_redirected_to_login(team, client, method):
    response = getattr(client, method)(reverse("team-settings", args=[team.slug]))
    assert response.status_code == 302 and reverse("login") in response.url
