"""The engine's configuration tree, profiles and the per-worker engine pool."""
from __future__ import annotations

import dataclasses

import pytest

from recognition.engine import PROFILES, EngineConfig, UnknownProfile, profile_config
from recognition.engine.config import SPEED_ONLY, VOCABULARY_PREFIX, flatten
from recognition.engine.pool import EnginePool


def test_every_output_setting_is_in_the_fingerprint():
    """Change each leaf of the tree once: only the speed-only ones keep the
    fingerprint; the vocabulary's decoding settings change the version of
    reads with a vocabulary instead."""
    base = EngineConfig()
    for path, value in flatten(base).items():
        if isinstance(value, bool):
            changed = not value
        elif isinstance(value, (int, float)):
            changed = value + 1
        elif path == "preprocess.invert":
            changed = "always"
        else:
            changed = f"{value}-other"
        config = base.with_options({path: changed})
        fingerprint = config.fingerprint()
        if path.startswith(VOCABULARY_PREFIX):
            assert fingerprint == base.fingerprint(), path
            assert config.vocabulary_fingerprint("terms") != base.vocabulary_fingerprint("terms"), path
        elif path in SPEED_ONLY:
            assert fingerprint == base.fingerprint(), path
        else:
            assert fingerprint != base.fingerprint(), path


def test_layout_and_spacing_values_reach_the_fingerprint():
    base = EngineConfig()
    assert base.with_options({"layout.order.min_gutter": 0.9}).fingerprint() != base.fingerprint()
    assert base.with_options({"layout.panel.tolerance": 4}).fingerprint() != base.fingerprint()
    assert base.with_options({"spacing.gaps.min_gap": 0.3}).fingerprint() != base.fingerprint()


def test_with_options_refuses_unknown_paths_and_groups():
    with pytest.raises(KeyError, match="detector.boxes.nope"):
        EngineConfig().with_options({"detector.boxes.nope": 1})
    with pytest.raises(KeyError, match="group"):
        EngineConfig().with_options({"detector.boxes": 1})
    assert EngineConfig().with_options({"detector.boxes.thresh": 0.25}).detector.boxes.thresh == 0.25


def test_profiles_are_distinct_assemblies():
    fingerprints = {name: config.fingerprint() for name, config in PROFILES.items()}
    assert len(set(fingerprints.values())) == len(PROFILES)
    assert {"accurate", "fast", "v4"} <= set(PROFILES)
    for name, config in PROFILES.items():
        assert config.profile == name
    accurate = EngineConfig.for_profile("accurate", threads=1, device="cpu")
    assert accurate.threads == 1 and accurate.fingerprint() == fingerprints["accurate"]
    assert accurate.detector.model == "ppocrv6-small" and profile_config("fast").recognizer.model == "ppocrv6-tiny"


def test_unknown_profile_names_the_choices():
    with pytest.raises(UnknownProfile) as caught:
        EngineConfig.for_profile("turbo")
    assert "turbo" in str(caught.value) and "accurate" in str(caught.value)


class _Engine:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config


def test_pool_loads_lazily_reuses_and_drops_least_recently_used_over_budget():
    rss = {"mb": 100.0}
    built: list[str] = []

    def build(config):
        built.append(config.profile)
        return _Engine(config)

    pool = EnginePool(profile_config, memory_budget_mb=500, measure=lambda: rss["mb"], build=build)
    assert pool.loaded() == []
    fast = pool.get("fast")
    assert pool.get("fast") is fast and built == ["fast"]
    pool.get("v4")
    pool.get("accurate")
    assert pool.trim() == [] and pool.loaded() == ["fast", "v4", "accurate"]
    pool.get("fast")  # now most recently used
    rss["mb"] = 900.0  # over budget whatever is dropped: all but the last used go
    assert pool.trim() == ["v4", "accurate"]
    assert pool.loaded() == ["fast"]
    assert pool.trim() == []  # the engine in use is never dropped
    pool.get("v4")
    assert built == ["fast", "v4", "accurate", "v4"]


def test_config_tree_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        EngineConfig().detector.boxes.thresh = 0.1  # type: ignore[misc]
