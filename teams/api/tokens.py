"""Personal access tokens over the API: your own (list, create, revoke) and,
for team admins, the tokens that reach their team (list, revoke).

Managing tokens needs a password sign-in (session or JWT): a token cannot
make or list tokens, so a leaked one cannot mint longer-lived ones.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrspace.errors import NotFound
from ocrspace.errors.schema import responses
from teams import access_tokens
from teams.api.serializers import AccessTokenCreatedSerializer, AccessTokenCreateSerializer, AccessTokenSerializer
from teams.models import Team
from teams.permissions import get_team
from teams.roles import Capability
from teams.selectors import teams_of, tokens_of, tokens_reaching

ERRORS = responses("token_rule", "token_expiry_required")


@extend_schema_view(
    get=extend_schema(summary="My access tokens", responses={200: AccessTokenSerializer(many=True), **ERRORS}),
    post=extend_schema(summary="Create an access token (its secret is in this answer only)",
                       request=AccessTokenCreateSerializer, responses={201: AccessTokenCreatedSerializer, **ERRORS}),
)
class AccessTokenList(APIView):
    token_scope = None
    # JSON only: in a form, one team slug and a list of one look the same.
    parser_classes = [JSONParser]

    def get(self, request: Request) -> Response:
        return Response(AccessTokenSerializer(tokens_of(request.user), many=True).data)

    def post(self, request: Request) -> Response:
        data = AccessTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slugs = data.validated_data["teams"]
        teams = list(teams_of(request.user).filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {t.slug for t in teams})
        if unknown:
            raise access_tokens.TokenRuleError(f"You are not a member of: {', '.join(unknown)}.")
        token, raw = access_tokens.create_token(
            request.user, name=data.validated_data["name"], scopes=data.validated_data["scopes"],
            teams=teams, days=data.validated_data.get("days"),
        )
        token.token = raw
        return Response(AccessTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


@extend_schema_view(delete=extend_schema(summary="Revoke one of my access tokens", responses={204: None, **ERRORS}))
class AccessTokenDetail(APIView):
    token_scope = None

    def delete(self, request: Request, pk: int) -> Response:
        token = tokens_of(request.user).filter(pk=pk).first()
        if token is None:
            raise NotFound("No such access token.")
        access_tokens.revoke_token(request.user, token)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _team_token(request: Request, slug: str, pk: int | None = None):
    team: Team = get_team(request.user, slug, Capability.MANAGE_MEMBERS)
    tokens = tokens_reaching(team)
    if pk is None:
        return team, tokens
    token = tokens.filter(pk=pk).first()
    if token is None:
        raise NotFound("No such access token in this team.")
    return team, token


@extend_schema_view(get=extend_schema(summary="Access tokens that reach this team (team admins)",
                                      responses={200: AccessTokenSerializer(many=True), **ERRORS}))
class TeamAccessTokenList(APIView):
    def get(self, request: Request, slug: str) -> Response:
        _, tokens = _team_token(request, slug)
        return Response(AccessTokenSerializer(tokens, many=True).data)


@extend_schema_view(delete=extend_schema(summary="Revoke an access token that reaches this team (team admins)",
                                         responses={204: None, **ERRORS}))
class TeamAccessTokenDetail(APIView):
    token_scope = "admin"

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        team, token = _team_token(request, slug, pk)
        access_tokens.revoke_token(request.user, token, team=team)
        return Response(status=status.HTTP_204_NO_CONTENT)
