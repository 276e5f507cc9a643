"""The team vocabulary API: CSV import with per-row errors, export, roles, scoping."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recognition.models import VocabularyTerm
from recognition.vocabulary import csvio
from recognition.vocabulary import services as vocabulary_services


def csv_file(text: str | bytes, name: str = "terms.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, "text/csv")


def url(team, tail: str = "") -> str:
    return f"/api/teams/{team.slug}/vocabulary/{tail}"


@pytest.mark.django_db
def test_a_csv_with_bad_rows_imports_nothing_and_names_every_bad_row(team, owner, api_for):
    text = ("term,note\n"
            "XK-7731B,code\n"          # 2: fine
            ",empty\n"                 # 3
            f"{'x' * 65}\n"            # 4: too long
            "xk-7731b\n"               # 5: repeats row 2 (case-insensitive)
            "a,b,c\n"                  # 6: three columns
            "龑\n"                     # 7: one character
            "bad\x07term\n"            # 8: control character
            "\n"                       # blank rows are skipped
            "龚堃,person\n")           # 10: fine
    response = api_for(owner).post(url(team, "csv/"), {"file": csv_file(text)}, format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert "nothing was imported" in body["detail"]
    errors = {e["row"]: e["error"] for e in body["errors"]}
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert errors[3] == "the term is empty"
    assert "longer than 64" in errors[4]
    assert errors[5] == "repeats row 2"
    assert "3 columns" in errors[6]
    assert "at least 2 characters" in errors[7]
    assert "control character" in errors[8]
    assert not VocabularyTerm.objects.filter(team=team).exists()


@pytest.mark.django_db
def test_files_that_are_not_csv_text_get_a_clear_400(team, owner, api_for):
    client = api_for(owner)
    latin1 = client.post(url(team, "csv/"), {"file": csv_file("Müller\n".encode("latin-1"))}, format="multipart")
    assert latin1.status_code == 400 and "not UTF-8" in latin1.json()["detail"]
    missing = client.post(url(team, "csv/"), {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["errors"]


@pytest.mark.django_db
def test_import_export_round_trip_keeps_formula_like_terms_harmless(team, owner, api_for):
    client = api_for(owner)
    text = "term,note\nZentrixa Pro,product\n=HYPERLINK(1),looks like a formula\n王龑,\n"
    first = client.post(url(team, "csv/"), {"file": csv_file(text)}, format="multipart")
    assert first.status_code == 200, first.content
    assert first.json() == {"added": 3, "updated": 0, "unchanged": 0, "removed": 0}
    exported = client.get(url(team, "csv/"))
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode("utf-8").splitlines()
    assert lines[0] == "term,note" and "'=HYPERLINK(1),looks like a formula" in lines
    again = client.post(url(team, "csv/"), {"file": csv_file(exported.content), "replace": "true"}, format="multipart")
    assert again.json() == {"added": 0, "updated": 0, "unchanged": 3, "removed": 0}
    assert sorted(VocabularyTerm.objects.filter(team=team).values_list("term", flat=True)) == \
        ["=HYPERLINK(1)", "Zentrixa Pro", "王龑"]
    replaced = client.post(url(team, "csv/"), {"file": csv_file("XK-7731B\n"), "replace": "true"}, format="multipart")
    assert replaced.json() == {"added": 1, "updated": 0, "unchanged": 0, "removed": 3}


@pytest.mark.django_db
def test_only_admins_and_owners_edit_members_and_viewers_read(team, owner, admin_user, member, viewer, api_for):
    assert api_for(admin_user).post(url(team), {"term": "Quorvane"}, format="json").status_code == 201
    for user in (member, viewer):
        client = api_for(user)
        listed = client.get(url(team))
        assert listed.status_code == 200 and [t["term"] for t in listed.json()] == ["Quorvane"]
        assert client.post(url(team), {"term": "Brelloxi"}, format="json").status_code == 403
        term = VocabularyTerm.objects.get(team=team)
        assert client.delete(url(team, f"{term.pk}/")).status_code == 403
        assert client.post(url(team, "csv/"), {"file": csv_file("Brelloxi\n")}, format="multipart").status_code == 403
    assert list(VocabularyTerm.objects.values_list("term", flat=True)) == ["Quorvane"]


@pytest.mark.django_db
def test_a_term_is_added_once_and_bad_terms_are_refused(team, owner, api_for):
    client = api_for(owner)
    assert client.post(url(team), {"term": "  ＸＫ-7731Ｂ  "}, format="json").json()["term"] == "XK-7731B"
    again = client.post(url(team), {"term": "xk-7731b"}, format="json")
    assert again.status_code == 400 and "already in the vocabulary" in again.json()["detail"]
    single = client.post(url(team), {"term": "x"}, format="json")
    assert single.status_code == 400 and "at least 2 characters" in single.json()["detail"]
    assert client.post(url(team), {"term": 7}, format="json").status_code == 400
    for bad in ({"term": "nul\u0000byte"}, {"term": "Quorvane", "note": "a\u0000b"},
                {"term": "bell\u0007"}, {"term": "Quorvane", "note": "zero\u200bwidth"}):
        assert client.post(url(team), bad, format="json").status_code == 400, bad
    assert list(VocabularyTerm.objects.values_list("term", flat=True)) == ["XK-7731B"]
    with pytest.raises(csvio.TermError, match="control character"):
        csvio.clean_term("lone\ud800half")


@pytest.mark.django_db
def test_another_teams_terms_are_unreachable(team, owner, other_team, outsider, api_for):
    theirs = vocabulary_services.add_term(other_team, outsider, "Secretname")
    client = api_for(owner)
    assert client.delete(url(team, f"{theirs.pk}/")).status_code == 404
    assert client.get(url(other_team)).status_code == 404
    assert client.get(url(other_team, "csv/")).status_code == 404
    assert client.post(url(other_team), {"term": "Intruder"}, format="json").status_code == 404
    assert b"Secretname" not in client.get(url(team, "csv/")).content
    assert VocabularyTerm.objects.filter(pk=theirs.pk).exists()
