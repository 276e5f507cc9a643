from datetime import timedelta

import pytest
from django.utils import timezone

from teams import services
from teams.models import AuditEntry, Membership
from teams.roles import Role
from teams.services import TeamRuleError


def test_create_team_makes_owner_and_unique_slug(owner):
    first = services.create_team(owner, "Design")
    second = services.create_team(owner, "Design")
    chinese = services.create_team(owner, "销售部")
    assert first.slug == "design" and second.slug == "design-2"
    assert chinese.slug.startswith("team")
    assert Membership.objects.get(team=first, user=owner).role == Role.OWNER
    assert AuditEntry.objects.filter(action="team.create", team=first).exists()


def test_blank_team_name_refused(owner):
    with pytest.raises(TeamRuleError):
        services.create_team(owner, "   ")


def test_invitation_accept_joins_with_role(team, owner, make_user):
    invitation = services.create_invitation(team, owner, Role.VIEWER)
    newcomer = make_user("newcomer")
    membership = services.accept_invitation(invitation.token, newcomer)
    assert membership.role == Role.VIEWER and membership.team == team
    with pytest.raises(TeamRuleError, match="already been used"):
        services.accept_invitation(invitation.token, make_user())


def test_expired_invitation_refused(team, owner, make_user):
    invitation = services.create_invitation(team, owner)
    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()
    with pytest.raises(TeamRuleError, match="expired"):
        services.accept_invitation(invitation.token, make_user())
    assert not Membership.objects.filter(team=team, role=Role.MEMBER).exists()


def test_invitation_for_another_email_refused(team, owner, make_user):
    invitation = services.create_invitation(team, owner, email="alice@example.com")
    with pytest.raises(TeamRuleError, match="another email"):
        services.accept_invitation(invitation.token, make_user("bob"))
    alice = make_user("alice", email="Alice@Example.com")
    assert services.accept_invitation(invitation.token, alice).user == alice


def test_revoked_and_unknown_invitations_refused(team, owner, make_user):
    invitation = services.create_invitation(team, owner)
    services.revoke_invitation(invitation, owner)
    with pytest.raises(TeamRuleError, match="withdrawn"):
        services.accept_invitation(invitation.token, make_user())
    with pytest.raises(TeamRuleError, match="not valid"):
        services.accept_invitation("no-such-token", make_user())


def test_member_cannot_invite_and_admin_cannot_invite_owner(team, member, admin_user):
    from ocrspace.errors import Forbidden

    with pytest.raises(Forbidden):
        services.create_invitation(team, member)
    with pytest.raises(TeamRuleError):
        services.create_invitation(team, admin_user, Role.OWNER)
    assert services.create_invitation(team, admin_user, Role.ADMIN).role == Role.ADMIN


def test_last_owner_cannot_leave_or_be_demoted(team, owner, member):
    with pytest.raises(TeamRuleError, match="at least one owner"):
        services.remove_member(team, owner, owner)
    with pytest.raises(TeamRuleError, match="at least one owner"):
        services.change_role(team, owner, owner, Role.ADMIN)
    services.change_role(team, owner, member, Role.OWNER)
    services.remove_member(team, owner, owner)
    assert list(Membership.objects.filter(team=team).values_list("user__username", "role")) == [("member", "owner")]


def test_admin_cannot_touch_owner(team, owner, admin_user, member):
    with pytest.raises(TeamRuleError):
        services.change_role(team, admin_user, owner, Role.MEMBER)
    with pytest.raises(TeamRuleError):
        services.remove_member(team, admin_user, owner)
    services.change_role(team, admin_user, member, Role.VIEWER)
    assert Membership.objects.get(team=team, user=member).role == Role.VIEWER
    entry = AuditEntry.objects.get(action="membership.role")
    assert entry.actor == admin_user and entry.details == {"old": "member", "new": "viewer", "user": "member"}


def test_member_may_leave_but_not_remove_others(team, member, viewer):
    from ocrspace.errors import Forbidden

    with pytest.raises(Forbidden):
        services.remove_member(team, member, viewer)
    services.remove_member(team, member, member)
    assert not Membership.objects.filter(team=team, user=member).exists()


def test_removal_signal_sent_after_commit(team, owner, member, django_capture_on_commit_callbacks):
    from teams.signals import member_removed

    seen = []

    def receiver(sender, team, user, **kwargs):
        seen.append((team.pk, user.pk))

    member_removed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.remove_member(team, owner, member)
    finally:
        member_removed.disconnect(receiver)
    assert seen == [(team.pk, member.pk)]


def test_update_team_validates_retention(team, owner, member):
    from ocrspace.errors import Forbidden

    with pytest.raises(TeamRuleError):
        services.update_team(team, owner, retention_days=0)
    with pytest.raises(Forbidden):
        services.update_team(team, member, retention_days=30)
    services.update_team(team, owner, retention_days=30)
    team.refresh_from_db()
    assert team.retention_days == 30
