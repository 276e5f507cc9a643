"""Webhook endpoints under ``/api/teams/<slug>/webhooks/`` (admins, owners).

The views translate HTTP to ``integrations.services`` calls, which check the
caller's rights; the secret appears only in the answer to the create call.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations import services
from integrations.models import Delivery, Webhook, WebhookEvent
from ocrspace.api_input import StrictInput
from ocrspace.errors.schema import responses
from teams.permissions import get_team
from teams.roles import Capability


ERRORS = responses("webhook_refused")


class WebhookSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = Webhook
        fields = ["id", "team", "url", "description", "events", "is_active", "consecutive_failures",
                  "disabled_at", "disabled_reason", "created_at", "last_success_at", "last_failure_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown only in this answer; store it now.")

    class Meta(WebhookSerializer.Meta):
        fields = WebhookSerializer.Meta.fields + ["secret"]
        read_only_fields = fields


class WebhookCreateSerializer(StrictInput):
    url = serializers.RegexField(
        r"^[hH][tT][tT][pP][sS]?://[^\s/?#@]+(?:[/?#]\S*)?$", max_length=2000,
        error_messages={"invalid": "Only http:// and https:// URLs can be webhooks."},
        help_text="http(s) URL; its host must resolve to public addresses only (else 400).",
    )
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False)
    secret = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text="Leave out to get a generated one.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class WebhookUpdateSerializer(StrictInput):
    is_active = serializers.BooleanField()


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "delivery_id", "event_kind", "event_id", "upload_id", "attempt", "outcome", "status_code",
                  "latency_ms", "error", "response_excerpt", "next_attempt_at", "created_at"]
        read_only_fields = fields


def _team(request: Request, slug: str):
    return get_team(request.user, slug, Capability.MANAGE_TEAM)


@extend_schema_view(
    get=extend_schema(summary="Webhooks of the team", responses={200: WebhookSerializer(many=True), **ERRORS}),
    post=extend_schema(summary="Register a webhook (the secret is shown once)", request=WebhookCreateSerializer,
                       responses={201: WebhookCreatedSerializer, **ERRORS}),
)
class WebhookList(APIView):
    def get(self, request: Request, slug: str) -> Response:
        webhooks = services.list_webhooks(_team(request, slug), request.user).select_related("team")
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
        return Response(WebhookSerializer(services.get_webhook(_team(request, slug), request.user, pk)).data)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        webhook = services.get_webhook(_team(request, slug), request.user, pk)
        data = WebhookUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        webhook = services.set_active(webhook, request.user, data.validated_data["is_active"])
        return Response(WebhookSerializer(webhook).data)

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        services.delete_webhook(services.get_webhook(_team(request, slug), request.user, pk), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(summary="Send a signed test ping (queued)", request=None, responses={202: None, **ERRORS})
class WebhookPing(APIView):
    def post(self, request: Request, slug: str, pk: int) -> Response:
        webhook = services.get_webhook(_team(request, slug), request.user, pk)
        services.send_ping(webhook, request.user)
        return Response({"detail": "Ping queued; see the deliveries."}, status=status.HTTP_202_ACCEPTED)


@extend_schema(summary="Delivery log of a webhook (newest first)", responses={200: DeliverySerializer(many=True), **ERRORS})
class WebhookDeliveries(APIView):
    def get(self, request: Request, slug: str, pk: int) -> Response:
        webhook = services.get_webhook(_team(request, slug), request.user, pk)
        try:
            limit = max(1, min(200, int(request.query_params.get("limit", 50))))
        except ValueError:
            limit = 50
        return Response(DeliverySerializer(services.deliveries(webhook, request.user, limit), many=True).data)
