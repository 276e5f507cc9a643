"""Browser forms for accounts and teams."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from teams.models import Team
from teams.roles import Role


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("Used to match invitations sent to you."))

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class SignInForm(AuthenticationForm):
    """Django's login form; with local passwords switched off its refusal
    says where to sign in instead."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not settings.OCRSPACE_LOCAL_LOGIN:
            self.error_messages = {**self.error_messages, "invalid_login": _(
                "Please enter a correct %(username)s and password. Password sign-in with local accounts is "
                "switched off here (administrators excepted): use your organisation's sign-in."
                + (" " + _("Directory (LDAP) accounts sign in here.") if settings.OCRSPACE_LDAP_ENABLED else "")
            )}


class TeamCreateForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name",)


class TeamSettingsForm(forms.Form):
    """A plain form: the service applies (and audits) the change itself."""

    name = forms.CharField(label=_("Name"), max_length=100)
    retention_days = forms.IntegerField(
        label=_("Retention days"), min_value=1, max_value=3650,
        help_text=_("Uploads older than this are deleted, unless pinned."),
    )
    ocr_profile = forms.ChoiceField(
        label=_("OCR profile"), required=False,
        help_text=_("accurate: best reading (default); fast: quicker, Chinese and English only; v4: the earlier engine."),
    )
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor sign-in"), required=False,
        help_text=_("Members must set up an authenticator app before they can use the site (owners decide)."),
    )
    allow_tokens_without_expiry = forms.BooleanField(
        label=_("Allow access tokens without expiry"), required=False,
        help_text=_("Off: tokens that reach this team must expire; tokens without expiry stop reaching it."),
    )

    allow_sharing = forms.BooleanField(
        label=_("Allow share links"), required=False,
        help_text=_("Off: members cannot create read-only links to a result, and existing links stop working."),
    )

    # Team quotas: empty is the server's default; admins and owners may only
    # lower the limit in force (teams.services.update_team).
    max_queued_uploads = forms.IntegerField(label=_("Max. uploads in the queue"), required=False, min_value=0,
                                            max_value=2**31 - 1)
    max_stored_bytes = forms.IntegerField(label=_("Max. stored bytes"), required=False, min_value=0,
                                          max_value=2**63 - 1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        default = _("Server default (%(name)s)") % {"name": settings.OCRSPACE_DEFAULT_PROFILE}
        self.fields["ocr_profile"].choices = [("", default)] + [(p, p) for p in settings.OCRSPACE_PROFILES]
        for name, value in (("max_queued_uploads", settings.OCRSPACE_TEAM_MAX_QUEUED),
                            ("max_stored_bytes", settings.OCRSPACE_TEAM_MAX_STORED_BYTES)):
            self.fields[name].help_text = _(
                "Empty: the server's default (%(default)s); 0: unlimited. Admins and owners can lower it; "
                "the server's administrators raise it.") % {"default": value or _("unlimited")}


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    email = forms.EmailField(label=_("Email (optional)"), required=False)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
