"""The team's recognizer models page: who may look and who may act, the
messages a refused or impossible request gets, the progress view, and
escaping of what a run wrote."""
from __future__ import annotations

import pytest

from recognition.models import TeamModel, TeamModelStatus
from tests.teaching import team_model


def url(team, tail: str = "") -> str:
    return f"/t/{team.slug}/models/{tail}"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_members_and_viewers_see_the_runs_newest_first_with_their_figures(team, owner, viewer, client_for):
    team_model(team, 1, TeamModelStatus.REJECTED, reason="it did not read the held-out lines better")
    team_model(team, 2, active=True, requested_by=owner, reason="held-out CER 4.00% -> 2.50%",
               metrics={"base_validation_cer": 0.04, "tuned_validation_cer": 0.025, "base_general_cer": 0.01,
                        "tuned_general_cer": 0.0105, "best_epoch": 3, "stopped": "converged", "seconds": 41.5,
                        "lines": {"train": 120, "validation": 14, "general": 120}})
    page = client_for(viewer).get(url(team))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index('id="model-2"') < html.index('id="model-1"')
    assert "4.00%" in html and "2.50%" in html and "1.00%" in html and "1.05%" in html
    assert "train 120" in html and "validation 14" in html and "41.5" in html
    assert "The team reads with model 2" in html
    assert "owner" in html  # who asked
    # A viewer gets no buttons.
    assert "Train the recognizer now" not in html and "Use this model" not in html


@pytest.mark.django_db
def test_outsiders_get_404_everywhere(team, outsider, client_for, material, training_queue):
    client = client_for(outsider)
    assert client.get(url(team)).status_code == 404
    assert client.get(url(team, "progress/")).status_code == 404
    assert client.post(url(team, "train/")).status_code == 404
    assert client.post(url(team, "activate/"), {"number": ""}).status_code == 404
    assert not TeamModel.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "member"])
def test_viewers_and_members_cannot_train_and_are_told_so(role, team, request, client_for, material,
                                                          training_queue, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(url(team, "train/"))
    assert response.status_code == 403
    assert any("admins and owners" in m for m in messages_of(response))
    assert not TeamModel.objects.exists() and training_queue == []


@pytest.mark.django_db
def test_an_admin_queues_a_run_on_the_training_lane(team, admin_user, client_for, material, training_queue,
                                                   django_capture_on_commit_callbacks):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(team, "train/"))
    assert response.status_code == 302 and response["Location"] == url(team)
    model = TeamModel.objects.get(team=team)
    assert model.status == TeamModelStatus.QUEUED and model.number == 1 and model.requested_by == admin_user
    assert [m.pk for m in training_queue] == [model.pk]
    page = client.get(url(team))
    html = page.content.decode()
    assert any("will be trained" in m for m in messages_of(page))
    # While it runs: the progress table, the polling script, no second run.
    assert 'id="running-progress"' in html and "js/team-models.js" in html
    assert f'data-progress-url="{url(team, "progress/")}"' in html
    assert 'id="train-now" disabled' in html


@pytest.mark.django_db
def test_training_again_while_a_run_is_going_is_a_message(team, owner, client_for, material, training_queue):
    team_model(team, 1, TeamModelStatus.TRAINING)
    response = client_for(owner).post(url(team, "train/"), follow=True)
    assert response.status_code == 200
    assert any("being trained already" in m for m in messages_of(response))
    assert TeamModel.objects.filter(team=team).count() == 1


@pytest.mark.django_db
def test_nothing_to_learn_is_a_message(team, owner, client_for, training_queue):
    response = client_for(owner).post(url(team, "train/"), follow=True)
    assert response.status_code == 200
    assert any("nothing to train" in m for m in messages_of(response))
    assert not TeamModel.objects.exists()


@pytest.mark.django_db
def test_progress_view_gives_the_running_runs_epochs(team, viewer, client_for):
    assert client_for(viewer).get(url(team, "progress/")).json() == {"running": None}
    team_model(team, 1, TeamModelStatus.TRAINING, progress=[
        {"epoch": 1, "loss": 0.9, "validation_cer": 0.05, "seconds": 3.2},
        {"epoch": 2, "loss": 0.7, "validation_cer": 0.04, "seconds": 6.1}])
    body = client_for(viewer).get(url(team, "progress/")).json()
    assert body["running"]["number"] == 1 and body["running"]["status"] == "training"
    assert [p["epoch"] for p in body["running"]["progress"]] == [1, 2]
    page = client_for(viewer).get(url(team)).content.decode()
    assert "<td>2</td><td>0.7</td><td>0.04</td><td>6.1</td>" in page


@pytest.mark.django_db
def test_the_page_loads_no_script_when_nothing_runs_and_none_inline(team, owner, client_for):
    team_model(team, 1)
    html = client_for(owner).get(url(team)).content.decode()
    assert "team-models.js" not in html and "data-progress-url" not in html
    team_model(team, 2, TeamModelStatus.QUEUED)
    html = client_for(owner).get(url(team)).content.decode()
    scripts = [chunk.split(">", 1)[0] for chunk in html.split("<script")[1:]]
    assert scripts and all("src=" in tag for tag in scripts)


@pytest.mark.django_db
def test_reasons_are_escaped(team, viewer, client_for):
    team_model(team, 1, TeamModelStatus.FAILED, reason="The run failed: <script>alert(1)</script>")
    html = client_for(viewer).get(url(team)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_an_admin_chooses_an_adopted_model_and_goes_back_to_the_profiles_recognizer(team, owner, admin_user,
                                                                                    client_for):
    first, second = team_model(team, 1), team_model(team, 2, active=True)
    client = client_for(admin_user)
    html = client.get(url(team)).content.decode()
    assert "Use this model" in html and "Use the profile's own recognizer" in html
    response = client.post(url(team, "activate/"), {"number": "1"}, follow=True)
    assert any("model 1" in m for m in messages_of(response))
    first.refresh_from_db(), second.refresh_from_db()
    assert first.active and not second.active
    response = client.post(url(team, "activate/"), {"number": ""}, follow=True)
    assert any("profile's own recognizer" in m for m in messages_of(response))
    assert not TeamModel.objects.filter(team=team, active=True).exists()
    assert "The team reads with the profile's own recognizer." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["7", "abc"])
def test_an_unknown_number_is_a_message_not_an_error_page(number, team, owner, client_for):
    team_model(team, 1, active=True)
    response = client_for(owner).post(url(team, "activate/"), {"number": number}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == url(team)
    assert messages_of(response)
    assert TeamModel.objects.get(team=team, number=1).active


@pytest.mark.django_db
@pytest.mark.parametrize("status", [TeamModelStatus.REJECTED, TeamModelStatus.FAILED, TeamModelStatus.TRAINING])
def test_a_run_that_made_no_model_cannot_be_used(status, team, owner, client_for):
    team_model(team, 1, active=True)
    team_model(team, 2, status)
    response = client_for(owner).post(url(team, "activate/"), {"number": "2"}, follow=True)
    assert any("Only a model that was adopted" in m for m in messages_of(response))
    assert TeamModel.objects.get(team=team, active=True).number == 1


@pytest.mark.django_db
def test_a_viewer_cannot_choose_the_model(team, viewer, client_for):
    team_model(team, 1)
    response = client_for(viewer).post(url(team, "activate/"), {"number": "1"})
    assert response.status_code == 403 and any("admins and owners" in m for m in messages_of(response))
    assert not TeamModel.objects.filter(active=True).exists()


@pytest.mark.django_db
def test_the_admin_lists_runs_and_a_superuser_queues_one(team, make_user, client_for, material, training_queue,
                                                         django_capture_on_commit_callbacks):
    from teams.models import AuditEntry

    team_model(team, 1, TeamModelStatus.REJECTED, reason="<b>not</b> better")
    root = make_user("root", is_staff=True, is_superuser=True)
    client = client_for(root)
    listing = client.get("/admin/recognition/teammodel/")
    assert listing.status_code == 200 and team.name in listing.content.decode()
    assert client.get("/admin/recognition/teammodel/add/")["Location"] == "/admin/recognition/teammodel/train/"
    assert client.get("/admin/recognition/teammodel/train/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/recognition/teammodel/train/", {"team": team.pk})
    assert response.status_code == 302
    run = TeamModel.objects.get(team=team, number=2)
    assert run.status == TeamModelStatus.QUEUED and [m.pk for m in training_queue] == [run.pk]
    assert AuditEntry.objects.filter(action="model.train", actor=root).exists() and run.requested_by == root
    # Queued already: the form is shown again with the reason.
    again = client.post("/admin/recognition/teammodel/train/", {"team": team.pk}, follow=True)
    assert "being trained already" in again.content.decode()
    assert TeamModel.objects.filter(team=team).count() == 2


@pytest.mark.django_db
def test_staff_without_superuser_cannot_queue_from_the_admin(team, make_user, client_for, material, training_queue):
    from django.contrib.auth.models import Permission

    staff = make_user("moderator", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_teammodel"))
    response = client_for(staff).post("/admin/recognition/teammodel/train/", {"team": team.pk})
    assert response.status_code == 403
    assert not TeamModel.objects.exists()
