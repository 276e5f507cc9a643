from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from teams.models import AuditEntry


def staff_client(make_user):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return staff, client


def test_admin_lists_every_model(make_user, team):
    _, client = staff_client(make_user)
    for model in ["team", "membership", "invitation", "auditentry"]:
        assert client.get(reverse(f"admin:teams_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:teams_team_changelist") + "?q=Sales").status_code == 200


def test_deactivate_user_is_audited(make_user, member):
    staff, client = staff_client(make_user)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [member.pk, staff.pk]},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    staff.refresh_from_db()
    assert not member.is_active
    assert staff.is_active, "staff must not lock themselves out"
    entry = AuditEntry.objects.get(action="user.deactivate")
    assert (entry.actor, entry.target_id, entry.target_type) == (staff, str(member.pk), "auth.user")


def test_audit_log_is_read_only(make_user, team):
    _, client = staff_client(make_user)
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:teams_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.post(reverse("admin:teams_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_non_staff_cannot_open_admin(member):
    client = Client()
    client.force_login(member)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response.url
    assert get_user_model().objects.filter(is_staff=True).count() == 0
