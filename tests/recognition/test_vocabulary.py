"""Team vocabularies on the platform: the worker decodes each team's uploads
with that team's terms only, results are never shared across vocabularies,
the page escapes terms, and a team's terms go with the team."""
from __future__ import annotations

import pytest

from recognition import engine_gateway, services
from recognition.models import Result, VocabularyTerm, VocabularyVersion
from recognition.vocabulary import selectors
from recognition.vocabulary import services as vocabulary_services


@pytest.fixture(autouse=True)
def _empty_vocabulary_cache():
    engine_gateway._vocabularies.clear()
    yield
    engine_gateway._vocabularies.clear()


@pytest.mark.django_db(transaction=True)
def test_the_worker_reads_with_the_uploading_teams_terms_only(team, owner, member, other_team, outsider, png,
                                                                fake_engine, sync_queue):
    vocabulary_services.add_term(team, owner, "XK-7731B")
    vocabulary_services.add_term(team, owner, "龚堃")
    services.create_upload(team, member, png((200, 50)), "ours.png")
    services.create_upload(other_team, outsider, png((210, 50)), "theirs.png")
    ours, theirs = fake_engine.vocabularies
    assert ours is not None and ours.terms == ("XK-7731B", "龚堃")
    assert theirs is None  # a team without terms is read greedily, with nothing of team A's


@pytest.mark.django_db(transaction=True)
def test_a_result_read_with_a_vocabulary_is_not_reused_for_another_team(team, owner, member, other_team, outsider,
                                                                          png, fake_engine, sync_queue):
    vocabulary_services.add_term(team, owner, "Zentrixa")
    data = png()
    services.create_upload(team, member, data, "a.png")
    services.create_upload(other_team, outsider, data, "b.png")
    assert fake_engine.calls == 2
    versions = dict(Result.objects.values_list("upload__team_id", "engine_version"))
    assert versions[team.pk] != versions[other_team.pk] and versions[other_team.pk] == "fake-engine/1"
    # The same list of terms gives the same version: results are shared
    # exactly between equal vocabularies.
    vocabulary_services.add_term(other_team, outsider, "Zentrixa")
    third = services.create_upload(other_team, outsider, png((130, 40)), "c.png")
    assert third.upload.result.engine_version == f"fake-engine/1+v{fake_engine.vocabularies[0].fingerprint}"


@pytest.mark.django_db
def test_the_vocabulary_is_built_once_per_version(team, owner):
    loads = []

    def load():
        loads.append(1)
        return selectors.term_texts(team.pk)

    assert engine_gateway.vocabulary(team.pk, selectors.version_of(team.pk), load) is None  # never changed
    vocabulary_services.add_term(team, owner, "Quorvane")
    first = engine_gateway.vocabulary(team.pk, selectors.version_of(team.pk), load)
    assert engine_gateway.vocabulary(team.pk, selectors.version_of(team.pk), load) is first and len(loads) == 1
    vocabulary_services.add_term(team, owner, "Brelloxi")
    second = engine_gateway.vocabulary(team.pk, selectors.version_of(team.pk), load)
    assert second is not first and second.terms == ("Brelloxi", "Quorvane") and len(loads) == 2
    vocabulary_services.delete_term(team, owner, VocabularyTerm.objects.get(term="Brelloxi").pk)
    vocabulary_services.delete_term(team, owner, VocabularyTerm.objects.get(term="Quorvane").pk)
    assert engine_gateway.vocabulary(team.pk, selectors.version_of(team.pk), load) is None  # emptied again


@pytest.mark.django_db
def test_deleting_a_team_deletes_its_terms(team, owner, other_team, outsider):
    vocabulary_services.add_term(team, owner, "Zentrixa")
    vocabulary_services.add_term(other_team, outsider, "Quorvane")
    team.delete()
    assert list(VocabularyTerm.objects.values_list("term", flat=True)) == ["Quorvane"]
    assert list(VocabularyVersion.objects.values_list("team_id", flat=True)) == [other_team.pk]


@pytest.mark.django_db
def test_the_page_escapes_terms_and_hides_the_editing_forms_from_members(team, owner, member, client_for):
    vocabulary_services.add_term(team, owner, "<img src=x onerror=alert(1)>", note="<b>n</b>")
    page = client_for(member).get(f"/t/{team.slug}/vocabulary/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "&lt;b&gt;n&lt;/b&gt;" in html
    assert "Add term" not in html and "/vocabulary/import/" not in html
    owner_page = client_for(owner).get(f"/t/{team.slug}/vocabulary/").content.decode()
    assert "Add term" in owner_page and "/vocabulary/import/" in owner_page


@pytest.mark.django_db
def test_the_page_lists_each_bad_row_of_an_import(team, owner, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "term\nZentrixa\n<script>x</script>\nzentrixa\n".encode()
    response = client_for(owner).post(f"/t/{team.slug}/vocabulary/import/",
                                      {"file": SimpleUploadedFile("t.csv", data, "text/csv")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "repeats row 2" in html and "nothing was imported" in html
    assert not VocabularyTerm.objects.exists()
    added = client_for(owner).post(f"/t/{team.slug}/vocabulary/", {"term": "Quorvane", "note": ""})
    assert added.status_code == 302 and VocabularyTerm.objects.get().term == "Quorvane"
