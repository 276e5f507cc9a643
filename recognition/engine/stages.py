"""The pipeline's stages, each built from its branch of the configuration tree.

A profile assembles these four (see ``OcrEngine``): the preprocessor cleans
the page, the line finder runs the detector and returns text quadrilaterals,
the line reader turns line crops into text with per-character confidences,
and the layout puts the read pieces into reading order. The stages hold no
Django and no global state; the networks are passed in, so several profiles
can share one loaded model.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from . import crops, preprocess
from .config import DetectorConfig, LayoutConfig, PreprocessConfig, RecognizerConfig, SpacingConfig, VocabularyConfig
from .confusions import fix_confusions
from .ctc import FRAME_STRIDE, CharHit, ctc_greedy
from .ctc_terms import ctc_with_terms
from .detection import detect
from .layout import reading_order
from .panels import find_panels
from .recognizer import iter_probabilities, normalise_rec
from .rows import join_row, row_cells
from .segments import Segment
from .spacing import assemble
from .types import Line
from .vocabulary import Vocabulary
from .words import ReadChar, char_extents

ModelCall = Callable[[np.ndarray], np.ndarray]


@dataclass
class LineReading:
    """What the reader made of one crop: the text, a confidence per read
    character, and where in the crop (of ``width`` pixels) each non-space
    character was read (words.py)."""

    text: str
    confs: list[float]
    chars: list[ReadChar] = field(default_factory=list)
    width: int = 0
    flipped: bool = False  # the crop was read upside down (direction classifier)


class Preprocessor:
    """Optional clean-up steps, in a fixed order (see preprocess.py)."""

    def __init__(self, config: PreprocessConfig) -> None:
        self.config = config

    def __call__(self, img: np.ndarray) -> np.ndarray:
        cfg = self.config
        if cfg.invert == "always" or (cfg.invert == "auto" and preprocess.is_dark_mode(img)):
            img = preprocess.invert(img)
        if cfg.denoise:
            img = preprocess.denoise(img)
        if cfg.grayscale:
            img = preprocess.to_grayscale(img)
        if cfg.clahe:
            img = preprocess.clahe(img)
        if cfg.binarize:
            img = preprocess.binarize(img)
        return img


class LineFinder:
    """Text-line quadrilaterals in page coordinates from the detector."""

    def __init__(self, run_detector: ModelCall, config: DetectorConfig, deskew: bool = False) -> None:
        self.run = run_detector
        self.config = config
        self.deskew = deskew

    def __call__(self, img: np.ndarray) -> list[np.ndarray]:
        cfg = self.config
        quads = [b.quad for b in detect(img, self.run, cfg.scale, cfg.boxes)]
        if self.deskew and quads:
            angle = preprocess.estimate_skew(quads)
            if 0.5 <= abs(angle) <= 20:
                # Detect again on the straightened page: boxes of tilted
                # lines in a tilted page overlap their neighbours.
                rotated, back = preprocess.rotate(img, angle)
                quads = [preprocess.map_points(b.quad, back) for b in detect(rotated, self.run, cfg.scale, cfg.boxes)]
        return quads


class LineReader:
    """Text and per-character confidences for 48-pixel-high line crops.

    Long crops are read in pieces (crops.split_long) and stitched by CTC
    frame position; spaces come from the image's gaps (spacing.py), then
    look-alike characters inside words are fixed (confusions.py). With a
    vocabulary, CTC decoding favours its terms where the network's evidence
    allows (ctc_terms.py); without one it is greedy.
    """

    def __init__(self, run_recognizer: ModelCall, charset: list[str], config: RecognizerConfig,
                 spacing: SpacingConfig, run_classifier: ModelCall | None = None,
                 fallback: tuple[ModelCall, list[str]] | None = None,
                 vocabulary: VocabularyConfig | None = None) -> None:
        self.run = run_recognizer
        self.charset = charset
        self.config = config
        self.spacing = spacing
        self.vocabulary = vocabulary or VocabularyConfig()
        self.run_classifier = run_classifier if config.use_classifier else None
        self.fallback = fallback if config.fallback else None

    def __call__(self, images: list[np.ndarray],
                 vocabulary: Vocabulary | None = None) -> list[tuple[str, list[float]]]:
        return [(r.text, r.confs) for r in self.read(images, vocabulary)]

    def read(self, images: list[np.ndarray], vocabulary: Vocabulary | None = None,
             run: ModelCall | None = None) -> list[LineReading]:
        """Like calling the reader, with where each character was read;
        ``run`` reads with another network of the same charset (a team's
        fine-tuned recognizer) in place of the reader's own."""
        flipped = [False] * len(images)
        if self.run_classifier is not None and images:
            turned = self._orient(images)
            flipped = [a is not b for a, b in zip(turned, images)]
            images = turned
        profiles = [crops.ink_profile(im) for im in images]
        lines = self._read(images, profiles, run or self.run, self.charset, vocabulary)
        if self.fallback is not None:
            lines = self._second_opinion(images, profiles, lines, vocabulary)
        for reading, flip in zip(lines, flipped):
            reading.flipped = flip
        return lines

    def _second_opinion(self, images: list[np.ndarray], profiles: list[crops.InkProfile],
                        lines: list[LineReading], vocabulary: Vocabulary | None) -> list[LineReading]:
        """Re-read the doubtful lines with the fallback recognizer; keep the
        more confident reading of each (both networks' confidences are
        calibrated softmax maxima of the same kind), on pages where the
        doubtful lines are few enough (``fallback_max_share``)."""
        doubtful = [i for i, r in enumerate(lines)
                    if r.confs and float(np.mean(r.confs)) < self.config.fallback_below]
        read = sum(1 for r in lines if r.confs)
        if not doubtful or len(doubtful) > self.config.fallback_max_share * read:
            return lines
        run, charset = self.fallback
        again = self._read([images[i] for i in doubtful], [profiles[i] for i in doubtful], run, charset, vocabulary)
        out = list(lines)
        for i, reading in zip(doubtful, again):
            if reading.confs and float(np.mean(reading.confs)) > float(np.mean(lines[i].confs)):
                out[i] = reading
        return out

    def _read(self, images: list[np.ndarray], profiles: list[crops.InkProfile], run: ModelCall,
              charset: list[str], vocabulary: Vocabulary | None = None) -> list[LineReading]:
        cfg = self.config
        trie = vocabulary.trie_for(charset) if vocabulary else None
        pieces: list[np.ndarray] = []
        owners: list[tuple[int, crops.Piece]] = []
        for i, (im, prof) in enumerate(zip(images, profiles)):
            for pc in crops.split_long(prof, im.shape[1], cfg.split_width, cfg.piece_width):
                pieces.append(im[:, pc.start:pc.end])
                owners.append((i, pc))
        hits: list[list[CharHit]] = [[] for _ in images]
        for k, p in iter_probabilities(pieces, run, cfg.batch_size, cfg.batch_columns):
            i, pc = owners[k]
            shift = pc.start // FRAME_STRIDE
            decoded = ctc_greedy(p, charset) if trie is None else ctc_with_terms(p, charset, trie, self.vocabulary)
            for h in decoded:
                h = h.shifted(shift)
                if pc.own_start <= h.center_px < pc.own_end:
                    hits[i].append(h)
        # Batches go by width, so a long line's pieces arrive in any order.
        for hs in hits:
            hs.sort(key=lambda h: h.start)
        return [self._text(hs, prof, im.shape[1]) for hs, prof, im in zip(hits, profiles, images)]

    def _text(self, hits: list[CharHit], profile: crops.InkProfile, width: int) -> LineReading:
        if self.spacing.insert_spaces:
            hits = assemble(hits, profile, self.spacing.gaps)
        text = "".join(h.char for h in hits).strip()
        if self.spacing.fix_confusions:
            text = fix_confusions(text)  # one character for one: positions stay aligned
        read = [h for h in hits if not h.char.isspace()]
        chars = [c for c in text if not c.isspace()]
        extents = char_extents(chars, [h.conf for h in read], [h.center_px for h in read], profile, width) \
            if len(chars) == len(read) else []
        return LineReading(text, [h.conf for h in read], extents, width)

    def _orient(self, images: list[np.ndarray], thresh: float = 0.9) -> list[np.ndarray]:
        """Turn crops the direction classifier is sure are upside down."""
        x = np.zeros((len(images), 3, 48, 192), np.float32)
        for k, im in enumerate(images):
            piece = im[:, :192]
            x[k, :, :, : piece.shape[1]] = normalise_rec(piece)
        probs = self.run_classifier(x)
        return [np.ascontiguousarray(im[::-1, ::-1]) if p[1] > thresh else im for im, p in zip(images, probs)]


class Layout:
    """Read pieces into lines in reading order (panels, sections, columns, rows)."""

    def __init__(self, config: LayoutConfig) -> None:
        self.config = config

    def __call__(self, img: np.ndarray, segments: list[Segment]) -> tuple[list[Line], list[float]]:
        cfg = self.config
        read = [s for s in segments if s.text]
        lines: list[Line] = []
        confidences: list[float] = []
        for row in self._rows(img, read):
            text, confs, quad = join_row(row, cfg.order)
            if not text:
                continue
            box = [[int(round(x)), int(round(y))] for x, y in quad]
            cells = row_cells(row, cfg.order) if "\t" in text else []
            words = [w for s in row if s.text for w in (s.words or [])]
            lines.append(Line(text=text, confidence=float(np.mean(confs)) if confs else 0.0, box=box,
                              cells=cells or None, words=words or None))
            confidences.extend(confs)
        return lines, confidences

    def _rows(self, img: np.ndarray, read: list[Segment]) -> list[list[Segment]]:
        cfg = self.config
        angle = preprocess.estimate_skew([s.quad for s in read]) if cfg.level_skew else 0.0
        if abs(angle) >= cfg.min_skew:
            # Order copies of the boxes turned level, hand back the originals.
            h, w = img.shape[:2]
            level = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            copies = [Segment(preprocess.map_points(s.quad, level), s.text, s.confs) for s in read]
            original = {id(c): s for c, s in zip(copies, read)}
            return [[original[id(c)] for c in row] for row in reading_order(copies, cfg.order)]
        panels = []
        if cfg.panels and len(read) > 2:
            panels = find_panels(img, float(np.median([s.height for s in read])), cfg.panel)
        return reading_order(read, cfg.order, panels=panels)
