"""Fine-tuning a team's recognizer: asking for a run, running it, choosing
which model the team reads with.

The rule a run must pass to be adopted (``engine.training.trainer.judge``):
it reads the team's held-out lines better than the model in use, and
everyday lines at most ``OCRSPACE_TRAINING_GENERAL_MARGIN`` worse. A model
that fails stays in the list, with the reason, and the team keeps reading
with what it had. Team admins (and owners) can make any adopted model
current again, or go back to the profile's own recognizer.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ocrspace.errors import DomainError, Forbidden, Invalid, NotFound
from recognition import storage
from recognition.models import TeamModel, TeamModelStatus
from recognition.teaching import selectors
from teams import audit
from teams.models import Team
from teams.permissions import require
from teams.roles import Capability

log = logging.getLogger(__name__)
TRAINING_CLUSTER = "training"


class TrainingRunning(DomainError):
    code = "training_running"


class NothingToLearn(DomainError):
    code = "nothing_to_learn"


def team_profile(team: Team) -> str:
    return team.ocr_profile or settings.OCRSPACE_DEFAULT_PROFILE


def _next_number(team: Team) -> int:
    return (TeamModel.objects.filter(team=team).aggregate(n=Max("number"))["n"] or 0) + 1


def _has_material(team: Team) -> bool:
    from recognition.models import VocabularyTerm

    return selectors.corrected_results(team.id).exists() or VocabularyTerm.objects.filter(team=team).exists()


def request_training(team: Team, user, *, queue: bool = True, as_superuser: bool = False) -> TeamModel:
    """A new run for ``team`` (team admins and owners), queued on the
    training lane after the transaction commits; ``queue=False`` leaves it
    for the caller to run (``manage.py finetune``, ``user`` None).
    ``as_superuser``: asked for from the admin console by a superuser, who
    holds no role in the team; recorded as theirs."""
    if as_superuser:
        if not getattr(user, "is_superuser", False):
            raise Forbidden("Only superusers train a team's recognizer from the admin console.")
    elif user is not None:
        require(user, team, Capability.MANAGE_TEAM)
    if not _has_material(team):
        raise NothingToLearn("Correct some recognised lines or add vocabulary terms first: "
                             "there is nothing to train the recognizer on yet.")
    from recognition.engine.profiles import profile_config

    profile = team_profile(team)
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()  # one request at a time per team
        if selectors.running(team) is not None:
            raise TrainingRunning("The team's recognizer is being trained already; wait for that run to end.")
        model = TeamModel.objects.create(team=team, number=_next_number(team), profile=profile,
                                         family=profile_config(profile).recognizer.model,
                                         requested_by=user if getattr(user, "is_authenticated", False) else None)
        audit.record(user, "model.train", model, team, number=model.number, profile=profile)
        if queue:
            transaction.on_commit(lambda: _queue(model))
    return model


def _queue(model: TeamModel) -> None:
    from recognition.services import queue_task

    queue_task("recognition.tasks.finetune_team", model.pk, cluster=TRAINING_CLUSTER,
               task_name=f"finetune-{model.team_id}-{model.number}")


def _weights_path(model: TeamModel, digest: str) -> str:
    return f"{storage.TEAM_MODELS}/{model.team_id}/{model.number}-{digest[:16]}.pt"


def _record_epoch(model_id: int, also: Callable | None = None) -> Callable:
    def record(report) -> None:
        if also is not None:
            also(report)
        entry = {"epoch": report.epoch, "loss": round(report.loss, 5),
                 "validation_cer": round(report.validation_cer, 5), "seconds": round(report.seconds, 2)}
        model = TeamModel.objects.get(pk=model_id)
        model.progress = [*model.progress, entry]
        model.save(update_fields=["progress"])
    return record


def run_training(model_id: int, options=None, on_epoch: Callable | None = None) -> TeamModel:
    """Run a queued training (the worker's ``finetune_team`` and the
    ``finetune`` command). Records every epoch as it ends (and tells
    ``on_epoch``), and the outcome."""
    from recognition import engine_gateway
    from recognition.engine.training.trainer import TrainingOptions, finetune, judge
    from recognition.engine.training import general_samples
    from recognition.teaching import data as team_data

    claimed = TeamModel.objects.filter(pk=model_id, status=TeamModelStatus.QUEUED).update(
        status=TeamModelStatus.TRAINING, started_at=timezone.now())
    model = TeamModel.objects.select_related("team").get(pk=model_id)
    if not claimed:
        return model  # ran already (a re-delivered task), or was given up
    try:
        material = team_data.collect(model.team_id)
        if not material.train:
            raise NothingToLearn("No usable lines: corrections must keep the engine's lines, and images must be readable.")
        base = _base_for(model)
        recognizer, charset = engine_gateway.trainable_recognizer(
            model.family, storage.read(base.weights_path) if base is not None else None)
        outcome = finetune(recognizer, charset, material.train, material.validation, general_samples(),
                           options or TrainingOptions(max_seconds=settings.OCRSPACE_TRAINING_MAX_SECONDS),
                           progress=_record_epoch(model.pk, on_epoch))
        verdict = judge(outcome, settings.OCRSPACE_TRAINING_GENERAL_MARGIN)
    except Exception as error:  # noqa: BLE001 - the run ends either way, with the reason on the page
        log.exception("Training model %s of team %s failed", model.number, model.team_id)
        message = error.message if isinstance(error, DomainError) else f"The run failed: {error}"
        TeamModel.objects.filter(pk=model.pk).update(status=TeamModelStatus.FAILED, reason=message,
                                                     finished_at=timezone.now())
        model.refresh_from_db()
        return model
    metrics = {
        "base_validation_cer": outcome.base_validation_cer, "tuned_validation_cer": outcome.tuned_validation_cer,
        "base_general_cer": outcome.base_general_cer, "tuned_general_cer": outcome.tuned_general_cer,
        "best_epoch": outcome.best_epoch, "stopped": outcome.stopped, "seconds": round(outcome.seconds, 1),
        "lines": {**material.counts, **outcome.counts},
    }
    model.refresh_from_db()
    model.metrics, model.reason, model.finished_at = metrics, verdict.reason, timezone.now()
    if not verdict.adopted:
        model.status = TeamModelStatus.REJECTED
        model.save(update_fields=["metrics", "reason", "finished_at", "status"])
        return model
    from recognition.engine.tuned import state_to_bytes

    blob = state_to_bytes(outcome.state)
    digest = hashlib.sha256(blob).hexdigest()
    path = _weights_path(model, digest)
    storage.store(blob, path)
    with transaction.atomic():
        TeamModel.objects.filter(team_id=model.team_id, active=True).update(active=False)
        model.status, model.active, model.weights_path, model.weights_sha256 = \
            TeamModelStatus.ADOPTED, True, path, digest
        model.save(update_fields=["metrics", "reason", "finished_at", "status", "active", "weights_path",
                                  "weights_sha256"])
    return model


def _base_for(model: TeamModel) -> TeamModel | None:
    """The team's model in use for the same recognizer: a new run starts
    from it, so what the team taught before is kept, and must beat it."""
    current = selectors.active_model(model.team_id, model.profile)
    return current if current is not None and current.family == model.family else None


def activate(team: Team, user, number: int | None) -> TeamModel | None:
    """Make adopted model ``number`` the one the team reads with, or none
    (``None``: the profile's own recognizer). Team admins and owners."""
    require(user, team, Capability.MANAGE_TEAM)
    with transaction.atomic():
        target = None
        if number is not None:
            target = selectors.model_of(team, number)
            if target is None:
                raise NotFound("The team has no model with this number.")
            if target.status != TeamModelStatus.ADOPTED or not target.weights_path:
                raise Invalid("Only a model that was adopted can be used; this run did not make one.")
        TeamModel.objects.filter(team=team, active=True).update(active=False)
        if target is not None:
            TeamModel.objects.filter(pk=target.pk).update(active=True)
            target.active = True
        audit.record(user, "model.activate", target, team, number=number)
    return target


def delete_weights(model: TeamModel) -> None:
    """Remove a model's file (its row is going: a deleted team, say)."""
    if model.weights_path:
        transaction.on_commit(lambda path=model.weights_path: storage.delete(path))
