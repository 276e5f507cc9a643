"""Reads of a team's fine-tuned recognizers."""
from __future__ import annotations

from django.db.models import F, QuerySet

from recognition.models import Result, TeamModel, TeamModelStatus, UploadStatus
from teams.models import Team

RUNNING = (TeamModelStatus.QUEUED, TeamModelStatus.TRAINING)


def models_of(team: Team) -> QuerySet[TeamModel]:
    """The team's runs, newest first."""
    return TeamModel.objects.filter(team=team).order_by("-number")


def model_of(team: Team, number: int) -> TeamModel | None:
    return TeamModel.objects.filter(team=team, number=number).first()


def active_model(team_id: int, profile: str) -> TeamModel | None:
    """The model the team's uploads read with under ``profile``: only a
    model tuned from that profile's recognizer fits it."""
    return TeamModel.objects.filter(team_id=team_id, active=True, profile=profile).first()


def running(team: Team) -> TeamModel | None:
    return TeamModel.objects.filter(team=team, status__in=RUNNING).first()


def corrected_results(team_id: int) -> QuerySet[Result]:
    """The team's finished image results whose text a person changed (its
    training material, ``teaching.data``)."""
    return (Result.objects.filter(upload__team_id=team_id, upload__status=UploadStatus.DONE, upload__hidden=False)
            .exclude(upload__image_type="pdf").exclude(text=F("engine_text"))
            .select_related("upload").only("text", "engine_text", "lines", "upload__file_path", "upload__md5"))
