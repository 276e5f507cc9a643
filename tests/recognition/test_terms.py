"""Search terms of a text (recognition.terms) and the searches they answer."""

from __future__ import annotations

import pytest
from django.db import connection

from recognition import terms


def test_cjk_characters_and_pairs_never_across_spaces():
    assert terms.terms_of("发票 会议").split() == ["发", "发票", "票", "会", "会议", "议"]
    assert "票会" not in terms.terms_of("发票\n会议").split()


def test_pairs_with_latin_neighbours_are_lower_cased_and_latin_alone_makes_none():
    found = terms.terms_of("Total 金额 A发票 editing 2024年")
    assert set(found.split()) == {"金", "额", "金额", "a发", "发", "票", "发票", "4年", "年"}
    assert terms.terms_of("only latin words, 42") == ""


def test_each_term_once():
    assert terms.terms_of("发票 发票 发票").split() == ["发", "发票", "票"]


@pytest.mark.parametrize(("query", "term"), [("发票", "发票"), ("会", "会"), ("A发", "a发"), ("ab", None),
                                             ("x", None), ("发票号", None), ("", None)])
def test_which_queries_the_terms_answer(query, term):
    assert terms.query_term(query) == term


# --- the searches that use them --------------------------------------------------

@pytest.fixture
def finished(team, member, png, queued):
    from recognition import processing, services
    from recognition.models import Upload, UploadStatus

    def make(text: str, name: str = "shot.png", target_team=None, user=None):
        upload = services.create_upload(target_team or team, user or member, png(), name).upload
        Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
        upload.refresh_from_db()
        assert processing.complete(upload, text=text, confidence=0.9, lines=[], engine_version="t/1", timings={})
        return Upload.objects.select_related("result").get(pk=upload.pk)

    return make


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.django_db
def test_short_chinese_queries_find_exactly_what_a_substring_test_finds(team, finished, other_team, outsider):
    from recognition import search

    invoice = finished("本月发票 合计 1200")
    meeting = finished("会议纪要\n发 票")  # the pair is split by a space: no 发票 here
    finished("发票 of another team", target_team=other_team, user=outsider)
    assert invoice.result.terms and "发票" in invoice.result.terms.split()
    assert ids(search.search_uploads(team, "发票")) == {invoice.pk}
    assert ids(search.search_uploads(team, "会")) == {meeting.pk}
    assert ids(search.search_uploads(team, "票")) == {invoice.pk, meeting.pk}
    assert ids(search.search_uploads(team, "会议纪要")) == {meeting.pk}  # three or more: the trigram path


@pytest.mark.django_db
def test_a_correction_moves_the_terms_with_the_text(team, member, finished):
    from recognition import corrections, search

    upload = finished("会议纪要")
    corrections.correct_text(upload, member, "发票清单", expected_version=upload.result.version)
    assert ids(search.search_uploads(team, "发票")) == {upload.pk}
    assert ids(search.search_uploads(team, "会议")) == set()
    corrections.revert(upload, member, 1)
    assert ids(search.search_uploads(team, "会议")) == {upload.pk}
    assert ids(search.search_uploads(team, "发票")) == set()


@pytest.mark.django_db
def test_the_filter_finds_text_names_and_notes_of_its_own_team(team, member, finished, other_team, outsider):
    from recognition import filters
    from recognition.notes import services as note_services

    by_text = finished("The editing guide")
    by_name = finished("nothing to see", name="editing-notes.png")
    by_note = finished("still nothing")
    note_services.add_note(by_note, member, "needs editing")
    by_cjk_name = finished("nothing", name="发票.png")
    finished("editing elsewhere", target_team=other_team, user=outsider)
    finished("unrelated")
    assert ids(filters.team_uploads(team, filters.parse("q=editing"))) == {by_text.pk, by_name.pk, by_note.pk}
    assert ids(filters.team_uploads(team, filters.parse("q=EDITING&status=done"))) == {
        by_text.pk, by_name.pk, by_note.pk}
    assert ids(filters.team_uploads(team, filters.parse("q=发票"))) == {by_cjk_name.pk}
    assert by_cjk_name.name_terms.split() == ["发", "发票", "票", "票."]


@pytest.mark.django_db
def test_common_and_rare_queries_take_their_own_plan_and_find_the_same(team, member, finished):
    from recognition import filters, search

    common = [finished(f"invoice number {n}") for n in range(search.PROBE // 10)]
    rare = finished("invoice with a zebra stripe", name="zebra.png")
    named = finished("nothing inside", name="invoice-scan.png")

    everything = filters.team_uploads(team, filters.parse("q=invoice"))
    assert "UNION" not in str(everything.query)  # the newest uploads answer it
    assert ids(everything) == {u.pk for u in common} | {rare.pk, named.pk}
    assert ids(search.search_uploads(team, "invoice")) == {u.pk for u in common} | {rare.pk}

    zebra = filters.team_uploads(team, filters.parse("q=zebra"))
    assert "UNION" in str(zebra.query)  # three index lookups
    assert ids(zebra) == {rare.pk}
    # The index's matches, looked up by key on PostgreSQL (see search._among).
    by_index = '= ANY(ARRAY(SELECT U0."upload_id"' if connection.vendor == "postgresql" else 'IN (SELECT U0."upload_id"'
    assert by_index in str(search.search_uploads(team, "zebra").query)
    assert by_index not in str(search.search_uploads(team, "invoice").query)
    assert ids(search.search_uploads(team, "zebra")) == {rare.pk}
