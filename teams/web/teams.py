"""Browser pages for teams: list/create, settings, members and invitations.

The team space itself (uploads and feed) is a page of ``recognition.web.feed``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ocrspace.errors.web import attempt
from teams import services
from teams.web.forms import InvitationForm, RoleForm, TeamCreateForm, TeamSettingsForm
from teams.models import Invitation
from teams.permissions import can, get_team
from teams.selectors import default_team, teams_of, tokens_reaching
from teams.roles import Capability


@login_required
def home(request):
    """Send the user to the team they used last, or to create one."""
    team = default_team(request.user)
    if team is None:
        return redirect("team-list")
    return redirect("team-space", slug=team.slug)


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request):
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.create_team(request.user, form.cleaned_data["name"])
        messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
        return redirect("team-space", slug=team.slug)
    return render(request, "teams/team_list.html", {"teams": teams_of(request.user), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request, slug: str):
    team = get_team(request.user, slug)
    may_manage = can(request.user, team, Capability.MANAGE_TEAM)
    initial = {"name": team.name, "retention_days": team.retention_days, "ocr_profile": team.ocr_profile,
               "require_two_factor": team.require_two_factor,
               "allow_tokens_without_expiry": team.allow_tokens_without_expiry, "allow_sharing": team.allow_sharing,
               "max_queued_uploads": team.max_queued_uploads, "max_stored_bytes": team.max_stored_bytes}
    form = TeamSettingsForm(request.POST or None, initial=initial) if may_manage else None
    if request.method == "POST":
        get_team(request.user, slug, Capability.MANAGE_TEAM)
        if form.is_valid():
            attempt(request, lambda: services.update_team(
                team, request.user, name=form.cleaned_data["name"], retention_days=form.cleaned_data["retention_days"],
                ocr_profile=form.cleaned_data["ocr_profile"], require_two_factor=form.cleaned_data["require_two_factor"],
                allow_tokens_without_expiry=form.cleaned_data["allow_tokens_without_expiry"],
                allow_sharing=form.cleaned_data["allow_sharing"],
                **{field: form.cleaned_data[field] for field in services.QUOTA_FIELDS if field in request.POST},
            ), _("Team settings saved."))
            return redirect("team-settings", slug=team.slug)
    context = {
        "team": team,
        "form": form,
        "may_manage_members": can(request.user, team, Capability.MANAGE_MEMBERS),
        "memberships": team.memberships.select_related("user"),
        "invitations": [
            (i, request.build_absolute_uri(reverse("invitation-accept", args=[i.token])))
            for i in team.invitations.all()
            if i.is_open
        ],
        "invitation_form": InvitationForm(),
        "role_form": RoleForm(),
        "tokens": tokens_reaching(team) if can(request.user, team, Capability.MANAGE_MEMBERS) else None,
    }
    return render(request, "teams/team_settings.html", context)


def _invitation_url(request, invitation: Invitation) -> str:
    return request.build_absolute_uri(reverse("invitation-accept", args=[invitation.token]))


@login_required
@require_POST
def invitation_create(request, slug: str):
    team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role and email address."))
        return redirect("team-settings", slug=slug)
    ok, outcome = attempt(
        request,
        lambda: services.invite(team, request.user, form.cleaned_data["role"], form.cleaned_data["email"],
                                lambda invitation: _invitation_url(request, invitation), translation.get_language()),
        _("Invitation created: share the link below."),
    )
    if ok and outcome[1] is not None:
        email = outcome[0].email
        if outcome[1]:
            messages.success(request, _("The link was mailed to %(email)s.") % {"email": email})
        else:
            messages.warning(request, _("The e-mail to %(email)s could not be sent; give them the link yourself.")
                             % {"email": email})
    return redirect("team-settings", slug=slug)


@login_required
@require_POST
def invitation_revoke(request, slug: str, invitation_id: int):
    team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
    invitation = get_object_or_404(Invitation, pk=invitation_id, team=team)
    services.revoke_invitation(invitation, request.user)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("team-settings", slug=slug)


@login_required
@require_POST
def member_role(request, slug: str, user_id: int):
    team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
    member = get_object_or_404(get_user_model(), pk=user_id, memberships__team=team)
    form = RoleForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.change_role(team, request.user, member, form.cleaned_data["role"]), _("Role changed."))
    else:
        messages.error(request, _("Unknown role."))
    return redirect("team-settings", slug=slug)


@login_required
@require_POST
def member_remove(request, slug: str, user_id: int):
    team = get_team(request.user, slug)
    member = get_object_or_404(get_user_model(), pk=user_id, memberships__team=team)
    leaving = member.pk == request.user.pk
    done, _removed = attempt(
        request,
        lambda: services.remove_member(team, request.user, member),
        _("You left the team.") if leaving else _("Member removed."),
    )
    if done and leaving:
        return redirect("home")
    return redirect("team-settings", slug=slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = Invitation.objects.select_related("team").filter(token=token).first()
    if request.method == "POST" and request.user.is_authenticated:
        ok, membership = attempt(
            request,
            lambda: services.accept_invitation(token, request.user),
            _("Welcome to %(team)s.") % {"team": invitation.team.name if invitation else ""},
        )
        if ok:
            return redirect("team-space", slug=membership.team.slug)
    return render(request, "teams/invitation.html", {"invitation": invitation, "token": token})
