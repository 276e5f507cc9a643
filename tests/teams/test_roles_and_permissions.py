import pytest
from django.contrib.auth.models import AnonymousUser

from ocrspace.errors import Forbidden, NotFound
from teams.permissions import can, get_team, require, role_of
from teams.selectors import default_team, teams_of
from teams.roles import Capability, Role, can_assign, role_allows

EXPECTED = {
    # capability: roles that have it
    Capability.VIEW: {"viewer", "member", "admin", "owner"},
    Capability.UPLOAD: {"member", "admin", "owner"},
    Capability.MODERATE: {"admin", "owner"},
    Capability.MANAGE_MEMBERS: {"admin", "owner"},
    Capability.MANAGE_TEAM: {"admin", "owner"},
    Capability.DELETE_TEAM: {"owner"},
}


@pytest.mark.parametrize("capability", list(EXPECTED))
@pytest.mark.parametrize("role", [r.value for r in Role] + [None])
def test_role_matrix(role, capability):
    assert role_allows(role, capability) == (role in EXPECTED[capability])


def test_only_owners_assign_owner():
    assert can_assign(Role.OWNER, Role.OWNER)
    assert can_assign(Role.ADMIN, Role.ADMIN)
    assert not can_assign(Role.ADMIN, Role.OWNER)
    assert not can_assign(Role.MEMBER, Role.VIEWER)


def test_helpers_for_each_kind_of_user(team, member, viewer, outsider):
    assert role_of(member, team) == Role.MEMBER
    assert can(member, team, Capability.UPLOAD)
    assert can(viewer, team, Capability.VIEW) and not can(viewer, team, Capability.UPLOAD)
    assert role_of(outsider, team) is None and not can(outsider, team, Capability.VIEW)
    assert not can(AnonymousUser(), team, Capability.VIEW)
    assert list(teams_of(AnonymousUser())) == []


def test_non_member_gets_404_and_low_role_gets_403(team, viewer, outsider):
    with pytest.raises(NotFound):
        get_team(outsider, team.slug)
    with pytest.raises(NotFound):
        require(outsider, team, Capability.VIEW)
    with pytest.raises(Forbidden):
        get_team(viewer, team.slug, Capability.UPLOAD)
    assert get_team(viewer, team.slug) == team


def test_inactive_user_has_no_teams(team, member):
    member.is_active = False
    member.save()
    assert list(teams_of(member)) == []
    assert not can(member, team, Capability.VIEW)


def test_default_team_is_last_used(owner, team):
    from teams import services

    second = services.create_team(owner, "Second")
    assert default_team(owner) == second
    services.mark_team_used(owner, team)
    assert default_team(owner) == team
