"""Fine-tuning a recognizer (engine.training) with the real v6 tiny network."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from recognition.engine.nets.catalog import load_recognizer
from recognition.engine.training import (LineSample, character_error_rate, encode, general_samples, is_held_out,
                                         normalise_text, replay_samples, term_samples)
from recognition.engine.training.synthetic import installed_fonts, render_line
from recognition.engine.training.trainer import TrainingOptions, TrainingOutcome, finetune, judge
from recognition.engine.tuned import load_tuned, state_to_bytes

FAMILY = "ppocrv6-tiny"


def kelvar(i: int) -> LineSample:
    """The team spells its product "Kelvår"; its screenshots' font draws it without the ring."""
    fonts = installed_fonts(False)
    return LineSample(render_line(f"Kelvar {i}", fonts[i % len(fonts)], 24 + i % 10), f"Kelvår {i}")


@pytest.fixture(scope="module")
def taught():
    torch.manual_seed(0)
    model, charset = load_recognizer(FAMILY, optimize=False)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    outcome = finetune(model, charset, [kelvar(i) for i in range(24)] + replay_samples(48),
                       [kelvar(i) for i in range(100, 108)], general_samples(1),
                       TrainingOptions(max_epochs=6))
    return model, charset, before, outcome


def test_a_run_learns_the_teams_spelling_and_changes_only_neck_and_head(taught):
    model, _, before, outcome = taught
    assert outcome.base_validation_cer > 0.05  # the pretrained network reads "Kelvar"
    assert outcome.tuned_validation_cer < outcome.base_validation_cer
    assert outcome.epochs[-1].loss < outcome.epochs[0].loss
    changed = {k.split(".")[0] for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
    assert changed == {"neck", "head"}
    assert set(k.split(".")[0] for k in outcome.state) == {"neck", "head"}
    assert outcome.counts == {"train": 72, "validation": 8, "general": 50, "skipped": 0}


def test_the_tuned_weights_load_over_the_pretrained_network_for_inference(taught):
    model, charset, _, outcome = taught
    tuned = load_tuned(FAMILY, "t1", state_to_bytes(outcome.state))
    sample = kelvar(200)
    x = torch.from_numpy(((sample.image.astype(np.float32) / 127.5) - 1.0).transpose(2, 0, 1)[None].copy())
    with torch.no_grad():
        fused = tuned.module(x)
        plain = torch.softmax(model.scores(model.features(x)), -1)
    # Inference fusing (batch norms folded, channels-last) changes rounding only.
    assert torch.allclose(fused, plain, atol=1e-4)
    labels = fused[0].argmax(-1).tolist()
    read = "".join(charset[b] for a, b in zip([0] + labels, labels) if b and b != a)
    assert "Kelvår" in read


def test_tuned_weights_that_do_not_fit_the_network_are_refused():
    from recognition.engine.nets.loading import WeightsInvalid

    with pytest.raises(WeightsInvalid):
        load_tuned(FAMILY, "bad", state_to_bytes({"head.fc9.weight": torch.zeros(3)}))
    with pytest.raises(WeightsInvalid):
        load_tuned(FAMILY, "bad", b"not a checkpoint")


def outcome(base: float, tuned: float, general_before: float, general_after: float, validation: int = 10):
    return TrainingOutcome(state={}, base_validation_cer=base, tuned_validation_cer=tuned,
                           base_general_cer=general_before, tuned_general_cer=general_after,
                           best_epoch=3, stopped="patience", seconds=1.0, counts={"validation": validation})


def test_the_adoption_rule():
    assert judge(outcome(0.10, 0.02, 0.010, 0.011)).adopted
    no_gain = judge(outcome(0.02, 0.02, 0.010, 0.010))
    assert not no_gain.adopted and "did not read the held-out lines better" in no_gain.reason
    forgot = judge(outcome(0.10, 0.02, 0.010, 0.015))
    assert not forgot.adopted and "everyday lines worse" in forgot.reason
    assert judge(outcome(0.10, 0.02, 0.010, 0.015), general_margin=0.01).adopted
    assert not judge(outcome(0.10, 0.0, 0.0, 0.0, validation=0)).adopted


def test_a_run_that_forgets_everyday_lines_is_refused_by_the_rule():
    """Teaching a spelling against what the pixels show, fast, with no
    everyday lines beside it, makes the network misread everyday text."""
    model, charset = load_recognizer(FAMILY, optimize=False)
    result = finetune(model, charset, [kelvar(i) for i in range(24)], [kelvar(i) for i in range(100, 108)],
                      general_samples(1), TrainingOptions(max_epochs=6, learning_rate=1e-3))
    assert result.tuned_validation_cer < result.base_validation_cer
    verdict = judge(result)
    assert not verdict.adopted and "everyday lines worse" in verdict.reason


def test_samples_helpers():
    assert normalise_text(" a\tb   c ") == "a b c"
    assert encode("ab", {"a": 1, "b": 2}) == [1, 2]
    assert encode("ax", {"a": 1}) is None
    assert character_error_rate([("ab c", "abc"), ("xy", "xz")]) == pytest.approx(1 / 5)
    # The held-out slice is fixed by the key, about the share asked for.
    keys = [f"md5:{i}" for i in range(2000)]
    assert [is_held_out(k) for k in keys] == [is_held_out(k) for k in keys]
    assert 0.15 < sum(map(is_held_out, keys)) / len(keys) < 0.25


def test_rendered_lines_are_48_high_and_show_their_terms():
    lines = term_samples(["XK-7731B", "龑堃科技"], 12, seed=3)
    assert len(lines) == 12 and all(s.image.shape[0] == 48 and s.image.shape[2] == 3 for s in lines)
    assert sum("XK-7731B" in s.text for s in lines) == 6
    assert term_samples(["XK-7731B"], 12, seed=3)[0].text == term_samples(["XK-7731B"], 12, seed=3)[0].text
    assert all(s.source == "replay" for s in replay_samples(5))
    general = {s.text for s in general_samples(1)}
    assert not general & {s.text for s in replay_samples(50)}  # check lines are never trained on
