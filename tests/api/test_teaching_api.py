"""The team recognizer models API: listing, queueing a run, one run with its
progress, choosing the model in use; roles, scoping and the 409s."""
from __future__ import annotations

import pytest
from django.utils import timezone

from recognition.models import TeamModel, TeamModelStatus
from tests.teaching import team_model


def url(team, tail: str = "") -> str:
    return f"/api/teams/{team.slug}/models/{tail}"


@pytest.mark.django_db
def test_members_list_the_runs_newest_first(team, owner, viewer, api_for):
    team_model(team, 1, TeamModelStatus.REJECTED, reason="<script>x</script> not better", finished_at=timezone.now())
    team_model(team, 2, active=True, requested_by=owner, metrics={
        "base_validation_cer": 0.04, "tuned_validation_cer": 0.02, "base_general_cer": 0.01,
        "tuned_general_cer": 0.011, "best_epoch": 2, "stopped": "converged", "seconds": 12.5,
        "lines": {"train": 40, "validation": 5}})
    response = api_for(viewer).get(url(team))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [m["number"] for m in body] == [2, 1]
    assert body[0]["active"] is True and body[0]["requested_by"] == "owner"
    assert body[0]["metrics"]["tuned_validation_cer"] == 0.02 and body[0]["metrics"]["lines"] == {"train": 40,
                                                                                                  "validation": 5}
    assert body[1]["status"] == "rejected" and body[1]["reason"] == "<script>x</script> not better"
    assert body[1]["metrics"] == {} and body[1]["requested_by"] is None
    assert "progress" not in body[0]


@pytest.mark.django_db
def test_one_run_comes_with_its_progress(team, viewer, api_for):
    team_model(team, 1, TeamModelStatus.TRAINING, progress=[{"epoch": 1, "loss": 0.8, "validation_cer": 0.05,
                                                             "seconds": 2.0}])
    body = api_for(viewer).get(url(team, "1/")).json()
    assert body["status"] == "training" and body["progress"] == [
        {"epoch": 1, "loss": 0.8, "validation_cer": 0.05, "seconds": 2.0}]
    missing = api_for(viewer).get(url(team, "9/"))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


@pytest.mark.django_db
def test_outsiders_get_404(team, outsider, api_for, material, training_queue):
    team_model(team, 1)
    client = api_for(outsider)
    assert client.get(url(team)).status_code == 404
    assert client.get(url(team, "1/")).status_code == 404
    assert client.post(url(team)).status_code == 404
    assert client.post(url(team, "activate/"), {"number": None}, format="json").status_code == 404
    assert TeamModel.objects.get(team=team).active is False and TeamModel.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "member"])
def test_viewers_and_members_cannot_train_or_choose(role, team, request, api_for, material, training_queue,
                                                    django_capture_on_commit_callbacks):
    team_model(team, 1)
    client = api_for(request.getfixturevalue(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(team))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    response = client.post(url(team, "activate/"), {"number": 1}, format="json")
    assert response.status_code == 403
    assert TeamModel.objects.count() == 1 and not TeamModel.objects.filter(active=True).exists()
    assert training_queue == []


@pytest.mark.django_db
def test_an_admin_queues_a_run(team, admin_user, api_for, material, training_queue,
                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(admin_user).post(url(team))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["number"] == 1 and body["status"] == "queued" and body["requested_by"] == "teamadmin"
    assert body["progress"] == [] and body["metrics"] == {}
    model = TeamModel.objects.get(team=team)
    assert [m.pk for m in training_queue] == [model.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [TeamModelStatus.QUEUED, TeamModelStatus.TRAINING])
def test_a_second_run_while_one_is_going_is_409(status, team, owner, api_for, material, training_queue):
    team_model(team, 1, status)
    response = api_for(owner).post(url(team))
    assert response.status_code == 409 and response.json()["code"] == "training_running"
    assert TeamModel.objects.count() == 1


@pytest.mark.django_db
def test_nothing_to_learn_is_409(team, owner, api_for, training_queue):
    response = api_for(owner).post(url(team))
    assert response.status_code == 409 and response.json()["code"] == "nothing_to_learn"
    assert not TeamModel.objects.exists() and training_queue == []


@pytest.mark.django_db
def test_activating_an_adopted_model_and_going_back(team, owner, api_for):
    team_model(team, 1)
    team_model(team, 2, active=True)
    client = api_for(owner)
    response = client.post(url(team, "activate/"), {"number": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["number"] == 1 and response.json()["active"] is True
    assert list(TeamModel.objects.filter(active=True).values_list("number", flat=True)) == [1]
    response = client.post(url(team, "activate/"), {"number": None}, format="json")
    assert response.status_code == 200 and response.json() is None
    assert not TeamModel.objects.filter(active=True).exists()


@pytest.mark.django_db
def test_activating_an_unknown_number_is_404(team, owner, api_for):
    team_model(team, 1, active=True)
    response = api_for(owner).post(url(team, "activate/"), {"number": 5}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert TeamModel.objects.get(number=1).active


@pytest.mark.django_db
@pytest.mark.parametrize("status", [TeamModelStatus.REJECTED, TeamModelStatus.FAILED, TeamModelStatus.QUEUED])
def test_a_run_that_made_no_model_cannot_be_activated(status, team, owner, api_for):
    team_model(team, 1, active=True)
    team_model(team, 2, status)
    response = api_for(owner).post(url(team, "activate/"), {"number": 2}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert TeamModel.objects.get(active=True).number == 1


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"number": "1"}, {"number": 0}, {"number": True}])
def test_the_activate_body_is_checked(body, team, owner, api_for):
    team_model(team, 1)
    response = api_for(owner).post(url(team, "activate/"), body, format="json")
    assert response.status_code == 400
    assert not TeamModel.objects.filter(active=True).exists()


@pytest.mark.django_db
def test_the_schema_documents_the_models_endpoints(api):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/teams/{slug}/models/"])
    assert "409" in paths["/api/teams/{slug}/models/"]["post"]["responses"]
    assert "202" in paths["/api/teams/{slug}/models/"]["post"]["responses"]
    assert "get" in paths["/api/teams/{slug}/models/{number}/"]
    assert "post" in paths["/api/teams/{slug}/models/activate/"]
