"""Pages for personal access tokens: your own (create, see once, revoke),
and revoking one that reaches your team (team admins, from team settings)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ocrspace.errors import NotFound
from teams import access_tokens
from teams.permissions import get_team
from teams.roles import Capability, Scope
from teams.selectors import teams_of, tokens_of, tokens_reaching


class AccessTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Scopes"), choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple, initial=[Scope.READ])
    teams = forms.ModelMultipleChoiceField(label=gettext_lazy("Limit to teams"), queryset=None, required=False,
                                           to_field_name="slug", widget=forms.CheckboxSelectMultiple,
                                           help_text=gettext_lazy("None chosen: all your teams, including later ones."))
    days = forms.IntegerField(label=gettext_lazy("Expires after (days)"), min_value=1, max_value=access_tokens.MAX_DAYS,
                              required=False, initial=90, help_text=gettext_lazy("Empty: never expires."))

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams_of(user).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def account_tokens(request):
    form = AccessTokenForm(request.user, request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, created = access_tokens.create_token(
                request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                teams=list(form.cleaned_data["teams"]), days=form.cleaned_data["days"],
            )
        except access_tokens.TokenRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Token “%(name)s” created. Copy it now: it is not shown again.") % {"name": token.name})
            form = AccessTokenForm(request.user)
    context = {"form": form, "created": created, "tokens": tokens_of(request.user)}
    return render(request, "teams/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def account_token_revoke(request, pk: int):
    token = tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise NotFound("No such access token.")
    access_tokens.revoke_token(request.user, token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("account-tokens")


@login_required
@require_POST
def team_token_revoke(request, slug: str, pk: int):
    team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
    token = tokens_reaching(team).filter(pk=pk).first()
    if token is None:
        raise NotFound("No such access token in this team.")
    access_tokens.revoke_token(request.user, token, team=team)
    messages.success(request, _("Token “%(name)s” of %(user)s revoked.") % {"name": token.name, "user": token.user.get_username()})
    return redirect("team-settings", slug=team.slug)
