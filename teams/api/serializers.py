"""Serializers of the teams API."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ocrspace.api_input import StrictInput
from teams.models import AccessToken, Invitation, Membership, Team
from teams.permissions import role_of
from teams.roles import Role, Scope


class TeamSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in the team.")
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["slug", "name", "role", "retention_days", "ocr_profile", "require_two_factor",
                  "allow_tokens_without_expiry", "allow_sharing", "max_queued_uploads", "max_stored_bytes",
                  "queued_limit", "stored_bytes_limit", "created_at", "members"]
        read_only_fields = fields
        extra_kwargs = {
            "max_queued_uploads": {"help_text": "The team's own limit on uploads waiting or being read; "
                                                "null: the server's default, 0: unlimited."},
            "max_stored_bytes": {"help_text": "The team's own limit on the bytes of its uploads; "
                                              "null: the server's default, 0: unlimited."},
        }

    queued_limit = serializers.IntegerField(read_only=True, help_text="The limit in force (0: unlimited).")
    stored_bytes_limit = serializers.IntegerField(read_only=True, help_text="The limit in force (0: unlimited).")

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices))
    def get_role(self, team: Team) -> str | None:
        return role_of(self.context["request"].user, team)

    def get_members(self, team: Team) -> int:
        return team.memberships.count()


class TeamCreateSerializer(StrictInput):
    name = serializers.CharField(max_length=100)
    retention_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


class TeamUpdateSerializer(StrictInput):
    at_least_one = True
    name = serializers.CharField(max_length=100, required=False)
    retention_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    ocr_profile = serializers.ChoiceField(
        choices=list(settings.OCRSPACE_PROFILES), allow_blank=True, required=False,
        help_text="Engine profile for new uploads; empty string: the server's default.",
    )
    require_two_factor = serializers.BooleanField(
        required=False, help_text="Members must sign in with a second factor (owners only).")
    allow_tokens_without_expiry = serializers.BooleanField(
        required=False, help_text="false: access tokens that reach the team must expire (admins and owners).")
    allow_sharing = serializers.BooleanField(
        required=False, help_text="false: no read-only share links to the team's results; existing ones stop working.")
    max_queued_uploads = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, allow_null=True, required=False,
        help_text="Uploads waiting or being read at once; null: the server's default, 0: unlimited. "
                  "Team admins and owners may only lower the limit in force; staff set any.")
    max_stored_bytes = serializers.IntegerField(
        min_value=0, max_value=2**63 - 1, allow_null=True, required=False,
        help_text="Bytes of the team's uploads; null: the server's default, 0: unlimited. "
                  "Team admins and owners may only lower the limit in force; staff set any.")


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.pk", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = Membership
        fields = ["user_id", "username", "role", "joined_at"]
        read_only_fields = fields


class MemberUpdateSerializer(StrictInput):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The link to give the invitee.")
    created_by = serializers.SerializerMethodField()
    is_open = serializers.BooleanField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    # Empty when the invitation is not bound to an address (so not "format: email").
    email = serializers.CharField(read_only=True, help_text="Only this address may accept; empty: anyone with the link.")

    mailed = serializers.SerializerMethodField(
        help_text="Only in the answer to an invitation: true when the link was mailed to `email`, false when "
                  "mailing failed, null when not tried (no address, or no mail server configured).")

    class Meta:
        model = Invitation
        fields = ["id", "role", "email", "url", "created_by", "created_at", "expires_at",
                  "accepted_at", "revoked_at", "is_open", "mailed"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_mailed(self, invitation: Invitation) -> bool | None:
        return self.context.get("mailed")

    def get_url(self, invitation: Invitation) -> str:
        return self.context["request"].build_absolute_uri(reverse("invitation-accept", args=[invitation.token]))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, invitation: Invitation) -> str | None:
        return invitation.created_by.get_username() if invitation.created_by else None


class InvitationCreateSerializer(StrictInput):
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)
    email = serializers.EmailField(required=False, allow_blank=True, default="",
                                   help_text="Optional: only this address may accept.")


class AccessTokenSerializer(serializers.ModelSerializer):
    teams = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True,
                                         help_text="Teams it is limited to; empty: all of its user's teams.")
    user = serializers.CharField(source="user.username", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = AccessToken
        fields = ["id", "name", "prefix", "user", "scopes", "teams", "created_at", "expires_at", "revoked_at",
                  "last_used_at", "last_used_ip", "active"]
        read_only_fields = fields

    def get_active(self, token: AccessToken) -> bool:
        return token.revoked_at is None and not token.expired()


class AccessTokenCreateSerializer(StrictInput):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), min_length=1)
    teams = serializers.ListField(child=serializers.SlugField(), required=False, default=list,
                                  help_text="Team slugs to limit it to; empty or absent: all your teams.")
    days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True,
                                    help_text="Days until it expires; absent or null: no expiry.")


class AccessTokenCreatedSerializer(AccessTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret, shown this once.")

    class Meta(AccessTokenSerializer.Meta):
        fields = [*AccessTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
