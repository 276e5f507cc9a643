"""Vocabulary-aware CTC decoding on synthetic probability matrices."""
from __future__ import annotations

import numpy as np

from recognition.engine.config import EngineConfig, VocabularyConfig
from recognition.engine.ctc import ctc_greedy, text_of
from recognition.engine.ctc_terms import align, ctc_with_terms, term_spans
from recognition.engine.vocabulary import Vocabulary, build_trie, normalise_term

CHARSET = ["blank"] + list("ABCDEKLMNOPXZ-0123456789 龑龚堃坤")
CFG = VocabularyConfig()


def frames(*columns: dict[str, float] | str) -> np.ndarray:
    """A [T, C] matrix: each column is a character read clearly over two
    frames (a str) or a distribution over characters (a dict, two frames),
    with a blank frame after each; mass not given goes to the blank."""
    rows = []
    for col in columns:
        dist = {col: 0.99} if isinstance(col, str) else col
        row = np.full(len(CHARSET), 1e-6)
        for ch, p in dist.items():
            row[CHARSET.index(ch)] = p
        row[0] = max(1.0 - sum(dist.values()), 1e-6)
        rows += [row, row]
        blank = np.full(len(CHARSET), 1e-6)
        blank[0] = 0.99
        rows.append(blank)
    probs = np.array(rows)
    return probs / probs.sum(axis=1, keepdims=True)


def decode(probs: np.ndarray, terms: list[str], cfg: VocabularyConfig = CFG) -> str:
    trie = Vocabulary(terms).trie_for(CHARSET)
    return text_of(ctc_with_terms(probs, CHARSET, trie, cfg))


def code(last: dict[str, float] | str) -> np.ndarray:
    return frames("X", "K", "-", "7", "7", "3", "1", last)


def test_a_term_the_evidence_supports_replaces_the_greedy_reading():
    probs = code({"8": 0.55, "B": 0.40})
    assert text_of(ctc_greedy(probs, CHARSET)) == "XK-77318"
    assert decode(probs, ["XK-7731B"]) == "XK-7731B"


def test_a_clearly_read_character_is_never_replaced():
    probs = code({"8": 0.97, "B": 0.02})
    assert decode(probs, ["XK-7731B"]) == "XK-77318"


def test_a_character_with_no_evidence_for_the_term_is_left_alone():
    # The network saw an 8 and some doubt, but none of it for "B".
    probs = code({"8": 0.6, "0": 0.35})
    assert decode(probs, ["XK-7731B"]) == "XK-77318"


def test_an_unfinished_term_earns_nothing():
    probs = code({"8": 0.55, "B": 0.40})
    assert decode(probs, ["XK-7731BZ"]) == "XK-77318"


def test_the_bonus_is_bounded_for_long_terms():
    # A long term must not buy its way through characters the network
    # prefers by more than the largest bonus allows (e^4 ~ 55; here 4 per
    # frame, over two frames each for two characters: 256).
    probs = frames("A", "B", "C", "D", {"E": 0.78, "Z": 0.195}, "K", "L", "M", {"N": 0.78, "P": 0.195})
    assert decode(probs, ["ABCDZKLMP"]) == "ABCDEKLMN"
    assert decode(probs, ["ABCDZKLMP"], VocabularyConfig(max_bonus=10.0)) == "ABCDZKLMP"


def test_text_beside_a_term_keeps_its_greedy_reading():
    # "Z" is doubtful (P close behind) but not part of any term: it stays Z
    # even though the search runs for the term after it.
    probs = frames({"Z": 0.5, "P": 0.45}, " ", "龚", {"堃": 0.35, "坤": 0.6})
    assert text_of(ctc_greedy(probs, CHARSET)) == "Z 龚坤"
    assert decode(probs, ["龚堃", "PZ"]) == "Z 龚堃"


def test_rare_character_names_are_found():
    probs = frames({"龚": 0.6, "龑": 0.35}, "坤")
    assert decode(probs, ["龑坤"]) == "龑坤"
    assert decode(probs, ["龑堃"]) == "龚坤"  # the second character does not fit


def test_no_vocabulary_or_an_empty_one_decodes_greedily():
    probs = code({"8": 0.55, "B": 0.40})
    greedy = ctc_greedy(probs, CHARSET)
    assert [h.__dict__ for h in ctc_with_terms(probs, CHARSET, None, CFG)] == [h.__dict__ for h in greedy]
    empty = Vocabulary([" ", ""]).trie_for(CHARSET)
    assert text_of(ctc_with_terms(probs, CHARSET, empty, CFG)) == "XK-77318"


def test_a_term_already_read_keeps_the_greedy_hits():
    probs = code("B")
    greedy = ctc_greedy(probs, CHARSET)
    decoded = ctc_with_terms(probs, CHARSET, Vocabulary(["XK-7731B"]).trie_for(CHARSET), CFG)
    assert [(h.char, h.start, h.end) for h in decoded] == [(h.char, h.start, h.end) for h in greedy]


def test_alignment_gives_each_character_its_frames():
    probs = code({"8": 0.55, "B": 0.40})
    labels = tuple(CHARSET.index(c) for c in "XK-7731B")
    hits = align(probs, labels, CHARSET)
    assert text_of(hits) == "XK-7731B"
    assert [h.start for h in hits] == [0, 3, 6, 9, 12, 15, 18, 21]
    assert abs(hits[-1].conf - 0.40) < 1e-3 and all(h.end >= h.start for h in hits)


def test_term_spans_mark_only_finished_terms():
    trie = build_trie(["AB", "ABCD", "KL"], CHARSET)
    labels = tuple(CHARSET.index(c) for c in "ZABCKLA")
    assert term_spans(labels, trie) == [(1, 2), (4, 5)]


def test_vocabulary_normalises_and_fingerprints_its_terms():
    a = Vocabulary(["XK-7731B", "Ｚｅｎ ｔｒｉｘａ", "XK-7731B", "  "])
    assert a.terms == ("XK-7731B", "Zentrixa") and len(a) == 2
    assert normalise_term(" 龑 堃 ") == "龑堃"
    assert Vocabulary(["Zentrixa", "XK-7731B"]).fingerprint == a.fingerprint
    assert Vocabulary(["XK-7731C"]).fingerprint != a.fingerprint
    trie = Vocabulary(["XK-7731B", "Qü"]).trie_for(CHARSET)
    assert trie.terms == 1 and trie.unreadable == ["Qü"]


def test_vocabulary_settings_only_change_reads_with_a_vocabulary():
    base = EngineConfig()
    other = base.with_options({"vocabulary.char_bonus": 2.0})
    assert other.fingerprint() == base.fingerprint()
    assert other.vocabulary_fingerprint("abc") != base.vocabulary_fingerprint("abc")
    assert base.vocabulary_fingerprint("abc") != base.vocabulary_fingerprint("abd")
