"""Scorer: CER and word accuracy on hand-made cases."""

from __future__ import annotations

import pytest

from bench.ocr import score


def test_cer_exact_match_is_zero() -> None:
    assert score.cer("今天下午三点开会", "今天下午三点开会") == 0.0


def test_cer_ignores_all_whitespace_on_both_sides() -> None:
    # Tesseract puts spaces between Chinese characters; line breaks differ by engine.
    assert score.cer("今天 下午\n三点", "今 天下 午 三 点") == 0.0
    assert score.cer("hello world", "helloworld") == 0.0


def test_cer_counts_cjk_substitution_insertion_deletion() -> None:
    ref = "发票抬头和税号"  # 7 characters
    assert score.cer(ref, "发票台头和税号") == pytest.approx(1 / 7)      # substitution
    assert score.cer(ref, "发票抬头和税") == pytest.approx(1 / 7)        # deletion
    assert score.cer(ref, "发票抬头和和税号") == pytest.approx(1 / 7)    # insertion
    assert score.cer(ref, "") == 1.0


def test_cer_is_order_sensitive_and_can_exceed_one() -> None:
    assert score.cer("ab", "ba") == 1.0
    assert score.cer("a", "xyz") == 3.0


def test_cer_empty_reference() -> None:
    assert score.cer("", "") == 0.0
    assert score.cer(" \n", "x") == 1.0


def test_order_free_edits_ignore_order_but_not_content() -> None:
    assert score.order_free_edits("第一行\n第二行", "第二行\n第一行") == 0
    assert score.order_free_edits("abc", "abd") == 1
    assert score.order_free_edits("abc", "abcxx") == 2


def test_words_split_on_whitespace_and_non_ascii() -> None:
    assert score.words("请在Slack里回复 PR #42，谢谢") == ["Slack", "PR", "#42"]
    assert score.words("Total: ¥1,299.00") == ["Total:", "1,299.00"]
    assert score.words("今天天气不错") == []


def test_word_accuracy_merged_words_lose_both() -> None:
    ref = "Please review the pull request"
    assert score.word_accuracy(ref, ref) == 1.0
    assert score.word_accuracy(ref, "Please reviewthe pull request") == pytest.approx(3 / 5)


def test_word_accuracy_in_order_and_exact() -> None:
    ref = "one two three four"
    # Extra words do not count against it, order does.
    assert score.word_accuracy(ref, "zero one two extra three four") == 1.0
    assert score.word_accuracy(ref, "four three two one") == pytest.approx(1 / 4)
    # Case and punctuation are part of the word.
    assert score.word_accuracy("Hello, world.", "hello, world") == 0.0


def test_word_accuracy_mixed_text_ignores_cjk_spacing() -> None:
    assert score.word_accuracy("这个 bug 只在 iOS 17 上出现", "这个bug只在iOS 17上出现") == 1.0
    assert score.word_accuracy("只有中文", "只有中文") is None


def test_aggregate_is_micro_averaged() -> None:
    a = score.score_page("abcdefghij", "abcdefghiX")   # 1 edit / 10
    b = score.score_page("xy", "")                     # 2 edits / 2
    agg = score.aggregate([a, b])
    assert agg.cer == pytest.approx(3 / 12)
    assert agg.cer_mean == pytest.approx((0.1 + 1.0) / 2)
    assert agg.word_accuracy == 0.0 and agg.words == 2


def test_group_by_has_overall() -> None:
    groups = score.group_by([("chat", score.score_page("ab", "ab")), ("ui", score.score_page("ab", "a"))])
    assert set(groups) == {"chat", "ui", "overall"}
    assert groups["ui"].cer == 0.5 and groups["overall"].cer == 0.25


@pytest.mark.parametrize("a,b", [("", ""), ("kitten", "sitting"), ("发票抬头", "发票台头号"), ("abc", ""),
                                 ("flaw", "lawn"), ("今天 meeting", "today 会议")])
def test_fallback_dp_matches_library(a: str, b: str) -> None:
    assert score.dp_levenshtein(a, b) == score.levenshtein(a, b)
    wa, wb = a.split(), b.split()
    assert score.dp_lcs(wa, wb) == score.lcs_len(wa, wb)


def test_dp_known_values() -> None:
    assert score.dp_levenshtein("kitten", "sitting") == 3
    assert score.dp_lcs(["a", "b", "c", "d"], ["b", "x", "d"]) == 2


def test_nfkc_cer_folds_full_width_forms_only() -> None:
    s = score.score_page("单号: NO-1 ¥12…", "单号： N0-1 ￥12...")
    assert s.edits == 1 + 1 + 3 + 1  # ：, ￥, … vs ... (3 edits), and the real error O→0
    assert s.nfkc_edits == 1
    assert score.aggregate([s]).nfkc_cer == pytest.approx(1 / len("单号:NO-1¥12..."))
