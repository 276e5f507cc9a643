"""Engine profiles: named assemblies of detector + recognizer + settings.

- ``accurate`` (default): PP-OCRv6 small detector and recognizer; reads
  Chinese (simplified and traditional, 18,708 characters), English and
  Japanese kana/kanji.
- ``fast``: PP-OCRv6 tiny; about a fifth of the work, 6,904 characters, no
  kana (Chinese and English).
- ``v4``: the PP-OCRv4 mobile pair of earlier releases, kept for comparison;
  ``accurate`` and ``fast`` ask its recognizer for a second reading of the
  lines they are unsure of (faint receipt print).

The values that differ from the defaults of ``config.py`` were chosen on
the OCR benchmark (``make bench-ocr``); each comment says why.
No heavy imports: the web process validates profile names with this module.
"""
from __future__ import annotations

from .config import DBParams, DetectorConfig, EngineConfig, RecognizerConfig


class UnknownProfile(KeyError):
    """A profile name that is not one of ``PROFILES``."""

    def __str__(self) -> str:
        return f"unknown engine profile {self.args[0]!r}; choose one of {', '.join(PROFILES)}"


def _v6(variant: str) -> EngineConfig:
    model = f"ppocrv6-{variant}"
    # The v6 detectors were exported with a lower pixel threshold and a
    # tighter unclip than v4's (their inference.yml; tiny keeps fainter
    # boxes): their maps are sharper, and v4's wider unclip merges lines.
    boxes = DBParams(thresh=0.2, box_thresh={"small": 0.45, "tiny": 0.4}[variant], unclip_ratio=1.4)
    return EngineConfig(
        profile={"small": "accurate", "tiny": "fast"}[variant],
        detector=DetectorConfig(model=model, boxes=boxes),
        # The v6 recognizers read the rule lines of faint receipt print
        # (rows of asterisks) as rows of look-alike Han characters (本, 大)
        # with a low confidence, where v4 reads them right and sure: such
        # doubtful lines get a second reading by v4, the surer one is kept.
        # Neutral on the screenshot dev set (CER 1.5% either way).
        recognizer=RecognizerConfig(model=model, fallback="ppocrv4"),
    )


PROFILES: dict[str, EngineConfig] = {
    "accurate": _v6("small"),
    "fast": _v6("tiny"),
    "v4": EngineConfig(profile="v4"),
}
DEFAULT_PROFILE = "accurate"


def profile_config(name: str) -> EngineConfig:
    """The configuration of profile ``name``; raises ``UnknownProfile``."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfile(name) from None


def profile_models(name: str) -> tuple[str, str]:
    """(detector, recognizer) model names of a profile."""
    config = profile_config(name)
    return config.detector.model, config.recognizer.model


__all__ = ["PROFILES", "DEFAULT_PROFILE", "UnknownProfile", "profile_config", "profile_models"]
