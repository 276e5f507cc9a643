"""Teams API: my teams, members and roles, invitations.

Every change goes through ``teams.services``, which checks the actor's
rights itself; these views only translate HTTP to those calls.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrspace.errors import NotFound
from ocrspace.errors.schema import responses
from teams import services
from teams.api.serializers import (
    InvitationCreateSerializer,
    InvitationSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    TeamCreateSerializer,
    TeamSerializer,
    TeamUpdateSerializer,
)
from teams.models import Invitation, Membership, Team
from teams.permissions import get_team
from teams.selectors import teams_of
from teams.roles import Capability


ERRORS = responses("team_rule")
CONFLICT = responses("team_rule", "last_owner")


@extend_schema_view(
    get=extend_schema(summary="My teams", responses={200: TeamSerializer(many=True), **ERRORS}),
    post=extend_schema(summary="Create a team (you become its owner)", request=TeamCreateSerializer,
                       responses={201: TeamSerializer, **ERRORS}),
)
class TeamList(APIView):
    token_scope = "admin"  # creating a team, with an access token

    def get(self, request: Request) -> Response:
        teams = teams_of(request.user).order_by("name", "pk")
        return Response(TeamSerializer(teams, many=True, context={"request": request}).data)

    def post(self, request: Request) -> Response:
        data = TeamCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.create_team(request.user, data.validated_data["name"], data.validated_data.get("retention_days"))
        return Response(TeamSerializer(team, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Team detail", responses={200: TeamSerializer, **ERRORS}),
    patch=extend_schema(summary="Change the team's settings: name, retention, profile, sharing, quotas (admins, owners)",
                        request=TeamUpdateSerializer,
                        responses={200: TeamSerializer, **ERRORS}),
)
class TeamDetail(APIView):
    def get(self, request: Request, slug: str) -> Response:
        return Response(TeamSerializer(get_team(request.user, slug), context={"request": request}).data)

    def patch(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_TEAM)
        data = TeamUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.update_team(team, request.user, **data.validated_data)
        return Response(TeamSerializer(team, context={"request": request}).data)


@extend_schema(summary="Members and their roles", responses={200: MemberSerializer(many=True), **ERRORS})
class MemberList(APIView):
    def get(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug)
        members = Membership.objects.filter(team=team).select_related("user").order_by("user__username")
        return Response(MemberSerializer(members, many=True).data)


# Ids from the URL beyond the database's integer range cannot exist.
MAX_ID = 2**63 - 1


def _membership(team: Team, user_id: int) -> Membership:
    membership = (
        Membership.objects.filter(team=team, user_id=user_id).select_related("user").first() if user_id <= MAX_ID else None
    )
    if membership is None:
        raise NotFound("No such member in this team.")
    return membership


@extend_schema_view(
    get=extend_schema(summary="One member", responses={200: MemberSerializer, **ERRORS}),
    patch=extend_schema(summary="Change a member's role (admins, owners)", request=MemberUpdateSerializer,
                        responses={200: MemberSerializer, **CONFLICT}),
    delete=extend_schema(summary="Remove a member (or leave, for yourself)", responses={204: None, **CONFLICT}),
)
class MemberDetail(APIView):
    def get(self, request: Request, slug: str, user_id: int) -> Response:
        return Response(MemberSerializer(_membership(get_team(request.user, slug), user_id)).data)

    def patch(self, request: Request, slug: str, user_id: int) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
        target = _membership(team, user_id)
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.change_role(team, request.user, target.user, data.validated_data["role"])
        return Response(MemberSerializer(membership).data)

    def delete(self, request: Request, slug: str, user_id: int) -> Response:
        team = get_team(request.user, slug)
        target = _membership(team, user_id)
        services.remove_member(team, request.user, target.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="Invitations (admins, owners)", responses={200: InvitationSerializer(many=True), **ERRORS}),
    post=extend_schema(summary="Invite (admins, owners)", request=InvitationCreateSerializer,
                       responses={201: InvitationSerializer, **ERRORS}),
)
class InvitationList(APIView):
    def get(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
        invitations = Invitation.objects.filter(team=team).select_related("created_by").order_by("-created_at", "-pk")
        return Response(InvitationSerializer(invitations, many=True, context={"request": request}).data)

    def post(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, mailed = services.invite(
            team, request.user, data.validated_data["role"], data.validated_data.get("email") or "",
            lambda i: request.build_absolute_uri(reverse("invitation-accept", args=[i.token])), translation.get_language(),
        )
        context = {"request": request, "mailed": mailed}
        return Response(InvitationSerializer(invitation, context=context).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Revoke an invitation (admins, owners)", responses={204: None, **ERRORS})
class InvitationDetail(APIView):
    def delete(self, request: Request, slug: str, pk: int) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
        invitation = Invitation.objects.filter(team=team, pk=pk).first() if pk <= MAX_ID else None
        if invitation is None:
            raise NotFound("No such invitation in this team.")
        services.revoke_invitation(invitation, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
