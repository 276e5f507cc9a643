"""A team's fine-tuned recognizers under ``/api/teams/<slug>/models/``.

Every member of the team (viewers too) may list the runs and their figures,
since they say what the team's uploads are read with; only admins and owners
start a run or choose the model in use. The views translate HTTP to
``recognition.teaching`` calls, which check the caller's role and raise the
domain errors the API's exception handler answers with.
"""
from __future__ import annotations

from django.http import JsonResponse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrspace.api_input import StrictInput
from ocrspace.errors import NotFound
from ocrspace.errors.schema import responses
from recognition.models import TeamModel, TeamModelStatus
from recognition.teaching import selectors, services
from teams.permissions import get_team
from teams.roles import Capability


class EpochSerializer(serializers.Serializer):
    epoch = serializers.IntegerField()
    loss = serializers.FloatField(help_text="Mean training loss of the epoch.")
    validation_cer = serializers.FloatField(help_text="CER on the team's held-out lines after the epoch (0 to 1).")
    seconds = serializers.FloatField(help_text="Seconds since the run started.")


class MetricsSerializer(serializers.Serializer):
    """A finished run's figures; a queued, running or failed run has none
    (the object is empty)."""

    base_validation_cer = serializers.FloatField(required=False, help_text="Held-out lines, model in use (0 to 1).")
    tuned_validation_cer = serializers.FloatField(required=False, help_text="Held-out lines, this run's model.")
    base_general_cer = serializers.FloatField(required=False, help_text="Everyday lines, model in use.")
    tuned_general_cer = serializers.FloatField(required=False, help_text="Everyday lines, this run's model.")
    best_epoch = serializers.IntegerField(required=False, help_text="The epoch whose weights were kept (0: none).")
    stopped = serializers.CharField(required=False, help_text="Why training stopped (converged, time, epochs).")
    seconds = serializers.FloatField(required=False)
    lines = serializers.DictField(child=serializers.IntegerField(), required=False,
                                  help_text="Line counts by kind (train, validation, general, ...).")


class TeamModelSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=TeamModelStatus.choices, read_only=True,
                                     help_text="rejected: trained, but not adopted (see reason).")
    active = serializers.BooleanField(read_only=True, help_text="The model the team's uploads are read with.")
    metrics = MetricsSerializer(read_only=True)
    reason = serializers.CharField(read_only=True, allow_blank=True,
                                   help_text="Why the run was adopted or not, or why it failed.")

    class Meta:
        model = TeamModel
        fields = ["number", "status", "active", "profile", "family", "metrics", "reason", "requested_by",
                  "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class TeamModelDetailSerializer(TeamModelSerializer):
    progress = EpochSerializer(many=True, read_only=True, help_text="One entry per finished epoch, in order.")

    class Meta(TeamModelSerializer.Meta):
        fields = [*TeamModelSerializer.Meta.fields, "progress"]
        read_only_fields = fields


class ActivateSerializer(StrictInput):
    number = serializers.IntegerField(allow_null=True, min_value=1, max_value=2**31 - 1,
                                      help_text="An adopted model's number, or null for the profile's own recognizer.")


TRAIN_ERRORS = responses("training_running", "nothing_to_learn")
QUEUED_EXAMPLE = OpenApiExample("A run queued", status_codes=["202"], response_only=True, value={
    "number": 3, "status": "queued", "active": False, "profile": "accurate", "family": "ppocrv6-small",
    "metrics": {}, "reason": "", "requested_by": "dana", "created_at": "2026-03-02T10:15:00Z",
    "started_at": None, "finished_at": None, "progress": []})


@extend_schema_view(
    get=extend_schema(summary="The team's recognizer training runs, newest first",
                      responses={200: TeamModelSerializer(many=True), **responses()}),
    post=extend_schema(
        summary="Train the team's recognizer (admins, owners)",
        description="Queues a fine-tuning run on the team's corrected lines and vocabulary terms. The run is "
                    "adopted (and used for the team's uploads) only when it reads the held-out lines better than "
                    "the model in use and everyday lines about as well; follow it with GET .../models/{number}/.",
        request=None, responses={202: TeamModelDetailSerializer, **TRAIN_ERRORS}, examples=[QUEUED_EXAMPLE]),
)
class TeamModelList(APIView):
    def get(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug)
        models = selectors.models_of(team).select_related("requested_by")
        return Response(TeamModelSerializer(models, many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_TEAM)
        model = services.request_training(team, request.user)
        return Response(TeamModelDetailSerializer(model).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(summary="One training run, with its progress by epoch",
               responses={200: TeamModelDetailSerializer, **responses()})
class TeamModelDetail(APIView):
    def get(self, request: Request, slug: str, number: int) -> Response:
        team = get_team(request.user, slug)
        model = selectors.model_of(team, number)
        if model is None:
            raise NotFound("The team has no model with this number.")
        return Response(TeamModelDetailSerializer(model).data)


@extend_schema(
    summary="Choose the model the team reads with (admins, owners)",
    description="Makes an adopted model the one the team's uploads are read with, or, with null, goes back to "
                "the profile's own recognizer. Answers with the model now in use, or null. A run that was not "
                "adopted cannot be used (400).",
    request=ActivateSerializer,
    responses={200: OpenApiResponse({"allOf": [{"$ref": "#/components/schemas/TeamModel"}], "nullable": True}, description="The model in use; null for the profile's own "
                                                                     "recognizer."), **responses()},
    examples=[OpenApiExample("Back to the profile's recognizer", request_only=True, value={"number": None})],
)
class TeamModelActivate(APIView):
    def post(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_TEAM)
        data = ActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        model = services.activate(team, request.user, data.validated_data["number"])
        if model is None:
            # A literal JSON null: DRF renders a None body as no body at all.
            return JsonResponse(None, safe=False)
        return Response(TeamModelSerializer(model).data)
