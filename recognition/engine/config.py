"""The engine's one configuration tree.

``EngineConfig`` holds everything that decides what the engine reads, grouped
by stage: preprocessing, detector, recognizer, layout (reading order and
panels) and spacing. A profile (``profiles.py``) is a named ``EngineConfig``.
Every value that can change the text is part of ``fingerprint()``, which goes
into ``OcrResult.engine_version``: a stored result is reused only for the
same fingerprint, so changing any setting can never serve a stale result.
The runtime fields (device, threads, limits, batch sizes, tile size) only
change speed and memory and stay out of it.

No heavy imports here: the web process reads profiles and fingerprints.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import pathlib
from dataclasses import dataclass, field
from typing import Any, Literal

@dataclass(frozen=True)
class ScaleParams:
    short_side_cap: int = 1280
    min_long_side: int = 800
    max_upscale: float = 2.0
    # One pass up to this many (scaled) pixels; the detector needs about
    # 130 MB of activations per megapixel, so this bounds its memory.
    max_pixels: int = 1_100_000
    tile: int = 0  # tile length along the long axis; 0: fit max_pixels
    overlap: int = 160  # must exceed the height of the tallest text line


@dataclass(frozen=True)
class DBParams:
    thresh: float = 0.3  # pixel probability that counts as text
    box_thresh: float = 0.5  # mean probability inside a candidate to keep it
    unclip_ratio: float = 1.6  # how far the shrunk text kernel is grown back
    min_size: int = 3  # shortest side (map pixels) of a kept box
    max_candidates: int = 3000


@dataclass(frozen=True)
class LayoutParams:
    min_gutter: float = 0.8  # gutter width, in median line heights
    min_column: float = 8.0  # width of a prose column, in median line heights
    min_lines: int = 2  # rows needed on each side of a gutter
    row_overlap: float = 0.5  # vertical overlap (of the shorter box) to share a row
    side_by_side: float = 0.5  # share of rows with a neighbour across the gutter
    # Median row length (characters, CJK counting double) of a prose column;
    # table and form cells are shorter and stay on their rows.
    prose_chars: int = 16
    whole_rows: float = 0.7  # share of a prose column's rows that are one box
    sidebar_width: float = 0.35  # a sidebar is at most this share of the width
    sidebar_panel_chars: int = 20  # ... next to a panel of rows at least this long
    sidebar_aligned: float = 0.5  # ... and with at most this share of entries on panel rows
    max_section_gap: float = 1.5  # empty strip (line heights) that ends a section
    # Boxes on one row further apart than this (box heights) are table or
    # form cells: joined with a tab, not a space, so the cell boundary survives.
    column_gap: float = 0.8


@dataclass(frozen=True)
class PanelParams:
    work_pixels: int = 600_000  # analysed at most at this size (INTER_AREA)
    tolerance: int = 3  # channel difference still counted as background (cards are often only ~5 levels off)
    min_background: float = 0.3  # share of the page in the background colour
    min_width: float = 3.0  # panel size, in text heights
    min_height: float = 1.5
    max_share: float = 0.9  # a rectangle covering the whole page is no panel
    solid_fill: float = 0.85  # share of its rectangle a filled panel covers
    own_colour: float = 0.5  # share of a filled panel in its own main colour
    frame_sides: float = 0.9  # share of each side a frame covers


@dataclass(frozen=True)
class SpacingParams:
    # A word gap is at least this many text heights wide ...
    min_gap: float = 0.22
    # ... at least this wide next to punctuation and symbols, whose side
    # bearings are wide and font-dependent ...
    punct_gap: float = 0.25
    # ... and at least this wide between CJK and Latin characters (fonts
    # already leave room there).
    cjk_gap: float = 0.28
    # ... and at least this wide between two digits: digits are tabular, so
    # a narrow "1" leaves wide margins inside numbers.
    digit_gap: float = 0.45
    # The word-gap group must be this many times wider than the letter-gap
    # group for the per-line split to count.
    separation: float = 2.0
    # ... and its narrowest gap this many times the widest letter gap.
    jump: float = 1.4
    # Characters closer than this fraction of the line's median pitch are
    # never separated (CTC jitter on narrow glyphs).
    min_pitch: float = 0.8
    # A space read by the model is kept if the image shows at least this gap.
    model_gap: float = 0.12
    # Lines with fewer letter pairs than this give no reliable split; a
    # gap must then be at least ``short_gap`` wide.
    min_pairs: int = 5
    short_gap: float = 0.35
    # Below this text height (pixels at recognizer scale) the image evidence
    # is too coarse; only the model's spaces are used.
    min_text_height: float = 8.0
    # A gap this wide (text heights) inside one detected box is a column gap
    # (table cells the detector merged): a tab, so the cell boundary survives.
    column_gap: float = 1.6


@dataclass(frozen=True)
class PreprocessConfig:
    """Image clean-up before detection (see preprocess.py). All off by
    default: the networks were trained on colour images of both polarities,
    and on the benchmark's dark-theme screenshots automatic inversion raised
    CER (14.2% -> 12.6% when turned off, 75 images of the dev set). The
    others are for photos and scans."""

    invert: Literal["auto", "always", "never"] = "never"
    grayscale: bool = False
    clahe: bool = False
    denoise: bool = False
    binarize: bool = False
    deskew: bool = False


@dataclass(frozen=True)
class DetectorConfig:
    model: str = "ppocrv4"  # a detector of nets.catalog
    scale: ScaleParams = field(default_factory=ScaleParams)
    boxes: DBParams = field(default_factory=DBParams)


@dataclass(frozen=True)
class RecognizerConfig:
    model: str = "ppocrv4"  # a recognizer of nets.catalog
    use_classifier: bool = False  # the v4 direction classifier (flips upright lines now and then)
    split_width: int = 800  # crops wider than this (at height 48) are read in pieces
    piece_width: int = 560  # target width of the pieces
    batch_size: int = 16
    batch_columns: int = 1536  # bounds recognizer memory (about 60 KB per column)
    # A second recognizer family for the lines the first reads with a mean
    # confidence below ``fallback_below``; its reading is kept where it is
    # more confident. Empty: none.
    fallback: str = ""
    fallback_below: float = 0.85
    # ... but only on pages where the doubtful lines are at most this share
    # of the lines read. The second reading fixes isolated failures (the
    # rule lines of a receipt: 14-19 % of its lines on the SROIE scans);
    # where most lines are doubtful the page is beyond the first network
    # (kana for the tiny recognizer: 40-94 % of a Japanese page), the second
    # one, with no kana either, barely helps (dev-set Japanese CER 45.4 %
    # against 45.8 %) and re-reading the page nearly doubles its time.
    fallback_max_share: float = 0.35


@dataclass(frozen=True)
class LayoutConfig:
    panels: bool = True  # read cards, bubbles and sidebars one at a time (panels.py)
    # On a page photographed at an angle, order the lines in the text's own
    # direction (boxes levelled by the median box angle), not in horizontal
    # bands that cut across tilted lines.
    level_skew: bool = True
    min_skew: float = 1.0  # degrees; below this the page counts as level
    order: LayoutParams = field(default_factory=LayoutParams)
    panel: PanelParams = field(default_factory=PanelParams)


@dataclass(frozen=True)
class SpacingConfig:
    insert_spaces: bool = True  # spaces from the image's gaps (spacing.py)
    fix_confusions: bool = True  # I/l and O/0 look-alikes inside words (confusions.py)
    gaps: SpacingParams = field(default_factory=SpacingParams)


@dataclass(frozen=True)
class VocabularyConfig:
    """How a team's vocabulary steers CTC decoding (ctc_terms.py). These
    settings act only on reads with a vocabulary, so they are left out of
    ``fingerprint()`` and go into the version of those reads instead
    (``vocabulary_fingerprint``): results read without one stay valid."""

    # A term character is considered at a frame only with at least this
    # probability; so a character read with more than 1 - min_prob is never
    # replaced.
    min_prob: float = 0.05
    char_bonus: float = 1.0  # log-probability credit per term character while matching
    max_bonus: float = 4.0  # at most this much credit per finished term (a factor of e^4 ~ 55)
    beam: int = 8  # prefixes kept per frame


# Dotted paths that change only speed or memory, never the text.
SPEED_ONLY = frozenset({
    "profile", "weights_dir", "device", "threads", "max_bytes", "max_pixels",
    "detector.scale.max_pixels", "detector.scale.tile",
    "recognizer.batch_size", "recognizer.batch_columns",
})


VOCABULARY_PREFIX = "vocabulary."


@dataclass(frozen=True)
class EngineConfig:
    """Everything the engine needs to know; see the module docstring."""

    profile: str = "custom"  # the profile this configuration came from (a label)
    weights_dir: pathlib.Path | str | None = None  # None: recognition/engine/weights
    device: str = "cpu"  # cpu, cuda, cuda:N (resolve "auto" with devices.resolve_device first)
    threads: int | None = None  # None: the cores this process may run on
    max_bytes: int = 50 * 1024 * 1024  # input limits when decoding bytes
    max_pixels: int = 60_000_000

    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    recognizer: RecognizerConfig = field(default_factory=RecognizerConfig)
    layout: LayoutConfig = field(default_factory=LayoutConfig)
    spacing: SpacingConfig = field(default_factory=SpacingConfig)
    vocabulary: VocabularyConfig = field(default_factory=VocabularyConfig)

    def fingerprint(self) -> str:
        """Short stable hash of every setting that can change the output
        of a read without a vocabulary."""
        items = {path: value for path, value in flatten(self).items()
                 if path not in SPEED_ONLY and not path.startswith(VOCABULARY_PREFIX)}
        blob = json.dumps(items, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:8]

    def vocabulary_fingerprint(self, terms_fingerprint: str) -> str:
        """Short hash of a vocabulary (its terms' fingerprint) together with
        the decoding settings that use it."""
        items = {path: value for path, value in flatten(self).items() if path.startswith(VOCABULARY_PREFIX)}
        blob = json.dumps([terms_fingerprint, items], sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:8]

    def with_options(self, options: dict[str, Any]) -> "EngineConfig":
        """A copy with dotted-path overrides, e.g. ``{"detector.boxes.thresh": 0.2}``.
        Raises ``KeyError`` naming the first path that does not exist."""
        config = self
        for path, value in options.items():
            config = _replace_path(config, path.split("."), value, path)
        return config

    @classmethod
    def for_profile(cls, name: str, **runtime: Any) -> "EngineConfig":
        """The named profile (profiles.py) with runtime fields (threads, device, ...) set."""
        from .profiles import profile_config

        return dataclasses.replace(profile_config(name), **runtime)


def flatten(config: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values of a configuration tree by dotted path."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        path = prefix + f.name
        if dataclasses.is_dataclass(value):
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def _replace_path(node: Any, parts: list[str], value: Any, full: str) -> Any:
    names = {f.name for f in dataclasses.fields(node)}
    if parts[0] not in names:
        raise KeyError(f"no engine setting {full!r}")
    if len(parts) == 1:
        if dataclasses.is_dataclass(getattr(node, parts[0])):
            raise KeyError(f"{full!r} is a group of settings, not a setting")
        return dataclasses.replace(node, **{parts[0]: value})
    child = getattr(node, parts[0])
    if not dataclasses.is_dataclass(child):
        raise KeyError(f"no engine setting {full!r}")
    return dataclasses.replace(node, **{parts[0]: _replace_path(child, parts[1:], value, full)})
