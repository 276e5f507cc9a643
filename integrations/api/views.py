"""Webhook endpoints under ``/api/teams/<slug>/webhooks/`` (admins, owners).

The views translate HTTP to ``integrations.services`` calls, which check the
caller's rights; the secret appears only in the answer to the create call.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations import selectors, services
from integrations.api.serializers import (
    DeliverySerializer,
    WebhookCreatedSerializer,
    WebhookCreateSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)
from ocrspace.errors.schema import responses
from teams.permissions import get_team
from teams.roles import Capability

ERRORS = responses("webhook_refused")


def _team(request: Request, slug: str):
    return get_team(request.user, slug, Capability.MANAGE_TEAM)


@extend_schema_view(
    get=extend_schema(summary="Webhooks of the team", responses={200: WebhookSerializer(many=True), **ERRORS}),
    post=extend_schema(summary="Register a webhook (the secret is shown once)", request=WebhookCreateSerializer,
                       responses={201: WebhookCreatedSerializer, **ERRORS}),
)
class WebhookList(APIView):
    def get(self, request: Request, slug: str) -> Response:
        webhooks = selectors.list_webhooks(_team(request, slug), request.user).select_related("team")
        return Response(WebhookSerializer(webhooks, many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        team = _team(request, slug)
        data = WebhookCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        webhook = services.create_webhook(team, request.user, **data.validated_data)
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="One webhook", responses={200: WebhookSerializer, **ERRORS}),
    patch=extend_schema(summary="Enable or disable", request=WebhookUpdateSerializer, responses={200: WebhookSerializer, **ERRORS}),
    delete=extend_schema(summary="Delete a webhook and its log", responses={204: None, **ERRORS}),
)
class WebhookDetail(APIView):
    def get(self, request: Request, slug: str, pk: int) -> Response:
        return Response(WebhookSerializer(selectors.get_webhook(_team(request, slug), request.user, pk)).data)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        webhook = selectors.get_webhook(_team(request, slug), request.user, pk)
        data = WebhookUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        webhook = services.set_active(webhook, request.user, data.validated_data["is_active"])
        return Response(WebhookSerializer(webhook).data)

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        services.delete_webhook(selectors.get_webhook(_team(request, slug), request.user, pk), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(summary="Send a signed test ping (queued)", request=None, responses={202: None, **ERRORS})
class WebhookPing(APIView):
    def post(self, request: Request, slug: str, pk: int) -> Response:
        webhook = selectors.get_webhook(_team(request, slug), request.user, pk)
        services.send_ping(webhook, request.user)
        return Response({"detail": "Ping queued; see the deliveries."}, status=status.HTTP_202_ACCEPTED)


@extend_schema(summary="Delivery log of a webhook (newest first)", responses={200: DeliverySerializer(many=True), **ERRORS})
class WebhookDeliveries(APIView):
    def get(self, request: Request, slug: str, pk: int) -> Response:
        webhook = selectors.get_webhook(_team(request, slug), request.user, pk)
        try:
            limit = max(1, min(200, int(request.query_params.get("limit", 50))))
        except ValueError:
            limit = 50
        return Response(DeliverySerializer(selectors.deliveries(webhook, request.user, limit), many=True).data)
