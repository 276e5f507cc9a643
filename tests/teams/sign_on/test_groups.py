"""The team map applied at a sign-in: roles from groups, removal of what the
source gave when the group goes, invitations untouched, the last owner kept."""

from __future__ import annotations

import pytest

from teams.models import AuditEntry, Membership
from teams.roles import Role
from teams.sign_on.groups import sync_memberships, wanted_roles

pytestmark = pytest.mark.django_db
MAP = {"ocr-sales": [("sales", "member")], "ocr-leads": [("sales", "admin")], "ocr-owners": [("sales", "owner")],
       "ocr-ghost": [("no-such-team", "member")]}


def test_the_highest_role_wins():
    assert wanted_roles(["ocr-sales", "ocr-leads", "other"], MAP) == {"sales": "admin"}


def test_memberships_follow_the_groups(sales, make_user):
    user = make_user("dana")
    sync_memberships(user, "oidc:corp", ["ocr-sales", "ocr-ghost"], MAP)
    assert Membership.objects.get(user=user, team=sales).role == Role.MEMBER
    sync_memberships(user, "oidc:corp", ["ocr-leads"], MAP)
    assert Membership.objects.get(user=user, team=sales).role == Role.ADMIN
    sync_memberships(user, "oidc:corp", [], MAP)
    assert not Membership.objects.filter(user=user, team=sales).exists()
    assert [e.action for e in AuditEntry.objects.filter(actor_name="sign-on (oidc:corp)").order_by("pk")] == [
        "membership.sign_on_add", "membership.role", "membership.remove"]


def test_an_invited_membership_is_not_removed_by_another_source(sales, make_user):
    user = make_user("erin")
    Membership.objects.create(user=user, team=sales, role=Role.VIEWER)
    sync_memberships(user, "ldap", [], MAP)
    assert Membership.objects.get(user=user, team=sales).role == Role.VIEWER
    sync_memberships(user, "oidc:corp", [], MAP)
    assert Membership.objects.filter(user=user, team=sales).exists()


def test_the_last_owner_is_never_removed_or_demoted(sales):
    owner = sales.memberships.get().user
    sync_memberships(owner, "ldap", ["ocr-owners"], MAP)  # the source takes the membership over
    assert Membership.objects.get(user=owner, team=sales).managed_by == "ldap"
    sync_memberships(owner, "ldap", ["ocr-sales"], MAP)
    sync_memberships(owner, "ldap", [], MAP)
    assert Membership.objects.get(user=owner, team=sales).role == Role.OWNER
    assert AuditEntry.objects.filter(action="membership.sign_on_kept").count() == 2
