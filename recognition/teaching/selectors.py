"""Reads of a team's fine-tuned recognizers."""
from __future__ import annotations

from django.db.models import QuerySet

from recognition.models import TeamModel, TeamModelStatus
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
