"""The platform's one door to the OCR engine.

The web process only *probes* images (format, size and structure from the
headers: no pixel decoding, no torch). Inference runs in django-q2 worker
processes, which fork from the cluster's parent:
torch must not be imported before the fork (its thread pools and OpenMP state
do not survive it) and the web process must stay small, so the engine is
imported and loaded lazily in each worker process (one engine per profile
used, kept within a memory budget by ``recognition.engine.pool``).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from django.conf import settings

from recognition import documents
from recognition.engine import ImageError, ImageTooLarge, decode_image, probe_image  # no torch behind these

if TYPE_CHECKING:
    from collections.abc import Callable

    from recognition.documents import DocumentInfo
    from recognition.engine import DecodedImage, EngineConfig, ImageInfo, OcrEngine, Vocabulary
    from recognition.engine.pool import EnginePool
    from recognition.engine.tuned import TunedRecognizer

__all__ = ["ImageError", "probe", "decode", "engine_config", "get_engine", "vocabulary", "tuned_recognizer",
           "trainable_recognizer", "after_task", "warm_up"]

log = logging.getLogger(__name__)
_engines: "EnginePool | None" = None
_lock = threading.Lock()
# Built vocabularies by (team id, version), most recently used last. Building
# one (and its trie, on first use per recognizer) takes milliseconds per
# thousand terms; a worker serving many teams keeps the last few.
_vocabularies: "OrderedDict[tuple[int, int], Vocabulary]" = OrderedDict()
VOCABULARY_CACHE = 32


def probe(data: bytes) -> "ImageInfo | DocumentInfo":
    """Format and pixel size of an upload, validated against the limits,
    from its headers only.

    Nothing is decoded here (a daphne process validates every upload): the
    format is sniffed from the bytes, the size and the pixel limit read from
    the header, and a file cut short is refused from its structure
    (``engine.completeness``). Pixel data that is damaged behind a sound
    structure is found by the worker, which decodes the image to read it,
    and fails that upload with a message. Raises ``ImageError`` (with a
    message for the user) for anything that is not a supported, sane image.

    A PDF (recognised from its bytes) is checked by ``documents.probe``:
    its pages, each page's pixels at the rendering DPI, no password; the
    answer then has ``pages`` too.
    """
    if documents.is_pdf(data):
        if len(data) > settings.OCRSPACE_MAX_UPLOAD_BYTES:
            raise ImageTooLarge(f"The file is {len(data) / 1e6:.1f} MB; the limit is "
                                f"{settings.OCRSPACE_MAX_UPLOAD_BYTES / 1e6:.1f} MB.")
        return documents.probe(data, max_pages=settings.OCRSPACE_PDF_MAX_PAGES,
                               max_pixels=settings.OCRSPACE_MAX_IMAGE_PIXELS, dpi=settings.OCRSPACE_PDF_DPI)
    return probe_image(data, max_bytes=settings.OCRSPACE_MAX_UPLOAD_BYTES, max_pixels=settings.OCRSPACE_MAX_IMAGE_PIXELS)


def decode(data: bytes) -> "DecodedImage":
    """A stored image decoded in full (upright RGB array), within the
    deployment's limits; raises ``ImageError`` when its pixels are damaged."""
    return decode_image(data, max_bytes=settings.OCRSPACE_MAX_UPLOAD_BYTES, max_pixels=settings.OCRSPACE_MAX_IMAGE_PIXELS)


def engine_config(profile: str | None = None, **runtime) -> "EngineConfig":
    """The settings of ``profile`` (default: the deployment's) with this
    deployment's limits, threads and device."""
    from recognition.engine import EngineConfig
    from recognition.engine.pool import for_device, resolve_device

    options = {
        "threads": settings.OCRSPACE_TORCH_THREADS,
        "max_bytes": settings.OCRSPACE_MAX_UPLOAD_BYTES,
        "max_pixels": settings.OCRSPACE_MAX_IMAGE_PIXELS,
        "device": resolve_device(settings.OCRSPACE_DEVICE, _worker_index()),
    }
    return for_device(EngineConfig.for_profile(profile or settings.OCRSPACE_DEFAULT_PROFILE, **{**options, **runtime}))


def _worker_index() -> int:
    """This cluster worker's ordinal (``Process-1:3`` -> 2), to spread workers over GPUs."""
    import multiprocessing

    tail = multiprocessing.current_process().name.rsplit(":", 1)[-1]
    return int(tail) - 1 if tail.isdigit() else 0


def _pool() -> "EnginePool":
    global _engines
    with _lock:
        if _engines is None:
            from recognition.engine.pool import EnginePool

            _engines = EnginePool(engine_config, settings.OCRSPACE_ENGINE_MEMORY_MB)
        return _engines


def get_engine(profile: str | None = None) -> "OcrEngine":
    """This worker's engine for ``profile`` (default: the deployment's), loaded on first use."""
    return _pool().get(profile or settings.OCRSPACE_DEFAULT_PROFILE)


def vocabulary(team_id: int, version: int, load_terms: "Callable[[], list[str]]") -> "Vocabulary | None":
    """The team's vocabulary at ``version`` for ``OcrEngine.recognize``
    (None without terms: plain greedy decoding), built once per version."""
    if version <= 0:
        return None
    key = (team_id, version)
    with _lock:
        found = _vocabularies.get(key)
        if found is not None:
            _vocabularies.move_to_end(key)
            return found or None
    from recognition.engine import Vocabulary

    built = Vocabulary(load_terms())
    with _lock:
        for old in [k for k in _vocabularies if k[0] == team_id]:
            del _vocabularies[old]  # older versions of this team are never asked for again
        _vocabularies[key] = built
        while len(_vocabularies) > VOCABULARY_CACHE:
            _vocabularies.popitem(last=False)
    return built or None


_tuned: "OrderedDict[str, TunedRecognizer]" = OrderedDict()


def tuned_recognizer(family: str, tag: str, load_weights: "Callable[[], bytes]") -> "TunedRecognizer":
    """A team's fine-tuned recognizer (``tag`` names model and file), loaded
    on first use; the last ``OCRSPACE_TEAM_MODELS_LOADED`` are kept."""
    with _lock:
        found = _tuned.get(tag)
        if found is not None:
            _tuned.move_to_end(tag)
            return found
    from recognition.engine.pool import resolve_device
    from recognition.engine.tuned import load_tuned

    built = load_tuned(family, tag, load_weights(), device=resolve_device(settings.OCRSPACE_DEVICE, _worker_index()))
    with _lock:
        _tuned[tag] = built
        while len(_tuned) > settings.OCRSPACE_TEAM_MODELS_LOADED:
            _tuned.popitem(last=False)
    return built


def trainable_recognizer(family: str, base_weights: bytes | None = None):
    """A private, trainable copy of ``family``'s recognizer (with a team's
    earlier weights over it) and its charset (``engine.tuned.load_trainable``)."""
    from recognition.engine.tuned import load_trainable

    return load_trainable(family, base_weights, threads=settings.OCRSPACE_TORCH_THREADS)


def after_task() -> None:
    """Keep the worker within its memory budget (see recognition.engine.pool)."""
    if _engines is not None:
        for name in _engines.trim():
            log.info("Dropped the %s engine to stay within OCRSPACE_ENGINE_MEMORY_MB", name)


def warm_up() -> None:
    """Load the default profile and read one synthetic page, before the
    worker takes its first task."""
    get_engine().warm_up()
