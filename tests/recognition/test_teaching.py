"""Teaching a team's recognizer: runs, the adoption rule, the model a
worker reads with, rollback and team isolation (real v6 tiny network)."""
from __future__ import annotations

import pytest

from ocrspace.errors import Forbidden, Invalid, NotFound
from recognition import storage, tasks
from recognition.engine.training.trainer import TrainingOptions
from recognition.models import TeamModel, TeamModelStatus
from recognition.teaching import data as team_data
from recognition.teaching import services as teaching
from recognition.vocabulary import services as vocabulary
from tests.teaching import corrected_pages, page

QUICK = TrainingOptions(max_epochs=6)


@pytest.fixture
def fast_team(team):
    team.ocr_profile = "fast"
    team.save(update_fields=["ocr_profile"])
    return team


@pytest.fixture
def corrected(fast_team, owner, queued):
    """Six pages the engine read, each corrected by a person."""
    return corrected_pages(fast_team, owner)


@pytest.fixture
def no_queue(monkeypatch):
    asked: list[int] = []
    monkeypatch.setattr(teaching, "_queue", lambda model: asked.append(model.pk))
    return asked


def test_training_data_are_the_corrected_lines_split_by_a_fixed_slice(fast_team, corrected):
    material = team_data.collect(fast_team.id)
    team_lines = [s for s in material.train if s.source == "correction"]
    assert len(team_lines) + len(material.validation) == 24
    assert material.validation and all(s.text.startswith("Kelvår") for s in material.validation)
    assert material.counts["replay_lines"] >= 100
    again = team_data.collect(fast_team.id)
    assert [s.text for s in again.validation] == [s.text for s in material.validation]


def test_a_run_that_reads_the_held_out_lines_better_is_adopted_and_used_by_the_worker(
        settings, fast_team, owner, corrected, no_queue, django_capture_on_commit_callbacks):
    settings.OCRSPACE_TRAINING_GENERAL_MARGIN = 0.05  # a spelling against the pixels costs some everyday accuracy
    with django_capture_on_commit_callbacks(execute=True):
        model = teaching.request_training(fast_team, owner)
    assert no_queue == [model.pk] and model.status == TeamModelStatus.QUEUED and model.family == "ppocrv6-tiny"
    model = teaching.run_training(model.pk, QUICK)
    assert model.status == TeamModelStatus.ADOPTED, model.reason
    assert model.active and storage.exists(model.weights_path)
    assert model.metrics["tuned_validation_cer"] < model.metrics["base_validation_cer"]
    assert [p["epoch"] for p in model.progress] == list(range(1, len(model.progress) + 1))

    # The worker reads the team's next upload with it, and says so in the version.
    from recognition import engine_gateway

    engine = engine_gateway.get_engine("fast")
    reading = tasks._team_reading(fast_team.id, engine)
    assert reading["recognizer"].tag == model.tag
    data, _, _ = page(40)
    result = engine.recognize(data, **reading)
    assert f"+m{model.tag}" in result.engine_version
    assert "Kelvår" in result.text

    # Rolling back to the profile's own recognizer.
    teaching.activate(fast_team, owner, None)
    assert tasks._team_reading(fast_team.id, engine)["recognizer"] is None
    teaching.activate(fast_team, owner, model.number)
    assert tasks._team_reading(fast_team.id, engine)["recognizer"].tag == model.tag


def test_a_run_that_forgets_everyday_lines_is_kept_but_not_adopted(settings, fast_team, owner, corrected, no_queue):
    settings.OCRSPACE_TRAINING_GENERAL_MARGIN = 0.0
    model = teaching.run_training(teaching.request_training(fast_team, owner).pk,
                                  TrainingOptions(max_epochs=6, learning_rate=2e-3))
    assert model.status == TeamModelStatus.REJECTED
    assert not model.active and not model.weights_path
    assert "everyday lines worse" in model.reason
    with pytest.raises(Invalid):
        teaching.activate(fast_team, owner, model.number)


def test_who_may_train_and_when(fast_team, owner, member, viewer, admin_user, other_team, no_queue):
    with pytest.raises(teaching.NothingToLearn):
        teaching.request_training(fast_team, owner)
    vocabulary.add_term(fast_team, owner, "Zorvex")
    for user in (member, viewer):
        with pytest.raises(Forbidden):
            teaching.request_training(fast_team, user)
    first = teaching.request_training(fast_team, admin_user)
    with pytest.raises(teaching.TrainingRunning):
        teaching.request_training(fast_team, owner)
    TeamModel.objects.filter(pk=first.pk).update(status=TeamModelStatus.FAILED)
    assert teaching.request_training(fast_team, owner).number == first.number + 1
    with pytest.raises(NotFound):
        teaching.activate(fast_team, owner, 99)
    with pytest.raises(Forbidden):
        teaching.activate(fast_team, member, None)


def test_a_teams_model_never_reads_for_another_team_and_goes_with_its_team(
        fast_team, other_team, owner, no_queue, django_capture_on_commit_callbacks):
    storage.store(b"weights", "team-models/x/1-abc.pt")
    TeamModel.objects.create(team=fast_team, number=1, profile="fast", family="ppocrv6-tiny",
                             status=TeamModelStatus.ADOPTED, active=True, weights_path="team-models/x/1-abc.pt",
                             weights_sha256="ab" * 32)
    from recognition.teaching import selectors

    assert selectors.active_model(other_team.id, "fast") is None
    assert selectors.active_model(fast_team.id, "accurate") is None  # tuned for another profile's network
    # Orphan clean-up leaves model files alone.
    from recognition import maintenance

    assert "team-models/x/1-abc.pt" not in maintenance.remove_orphan_files()
    with django_capture_on_commit_callbacks(execute=True):
        fast_team.delete()
    assert not TeamModel.objects.exists()
    assert not storage.exists("team-models/x/1-abc.pt")
