"""The model families the engine can load, and loading them by name.

Each family has its own weights directory under the weights root
(``recognition/engine/weights/<family>/``): ``det.pt``, ``rec.pt``, an
optional ``cls.pt`` and ``meta.json`` (charset, source hashes), built at
set-up by ``python -m tools.convert_weights``. A profile names a detector family
and a recognizer family; loaded networks are kept per process and shared by
every engine that names them, so two profiles with the same detector hold
it once.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import threading
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from .loading import CONVERT_HINT, LoadedModels, WeightsInvalid, WeightsNotFound, build_module, trace_and_freeze

DEFAULT_WEIGHTS_ROOT = pathlib.Path(__file__).resolve().parent.parent / "weights"


@dataclass(frozen=True)
class Family:
    """One pretrained model family: how to build each of its networks."""

    name: str
    detector: Callable[[], nn.Module]
    recognizer: Callable[[], nn.Module]
    num_classes: int  # recognizer outputs: blank + dictionary + space
    classifier: Callable[[], nn.Module] | None = None
    # Frozen TorchScript is faster for the detector of every family;
    # recognizers stay eager (tracing was slower over varied line widths).
    trace_detector: bool = True


def _v4_detector() -> nn.Module:
    from .models import TextDetector

    return TextDetector()


def _v4_recognizer() -> nn.Module:
    from .models import TextRecognizer

    return TextRecognizer()


def _v4_classifier() -> nn.Module:
    from .models import DirectionClassifier

    return DirectionClassifier()


def _v6_detector(variant: str) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        from .ppocrv6_det import TextDetectorV6

        return TextDetectorV6(variant)

    return build


def _v6_recognizer(variant: str) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        from .ppocrv6_rec import TextRecognizerV6

        return TextRecognizerV6(variant)

    return build


FAMILIES: dict[str, Family] = {
    "ppocrv4": Family("ppocrv4", _v4_detector, _v4_recognizer, 6625, classifier=_v4_classifier),
    "ppocrv6-small": Family("ppocrv6-small", _v6_detector("small"), _v6_recognizer("small"), 18710),
    "ppocrv6-tiny": Family("ppocrv6-tiny", _v6_detector("tiny"), _v6_recognizer("tiny"), 6906),
}

_loaded: dict[tuple, tuple[nn.Module, str]] = {}
_lock = threading.Lock()


def family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise WeightsNotFound(f"unknown model family {name!r}; known: {', '.join(FAMILIES)}") from None


def read_meta(directory: pathlib.Path) -> dict:
    path = directory / "meta.json"
    if not path.is_file():
        raise WeightsNotFound(f"{path} not found; {CONVERT_HINT}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["charset"] = list(meta["charset"])
    except (ValueError, KeyError, TypeError) as exc:
        raise WeightsInvalid(f"{path} is unreadable: {exc}; {CONVERT_HINT}") from exc
    return meta


def _file_version(directory: pathlib.Path, file_name: str) -> str:
    path = directory / file_name
    if not path.is_file():
        raise WeightsNotFound(f"{path} not found; {CONVERT_HINT}")
    return f"{directory.name}.{hashlib.sha256(path.read_bytes()).hexdigest()[:8]}"


def _build(name: str, role: str, root: pathlib.Path, device: str, optimize: bool,
           trace: bool | None) -> tuple[nn.Module, str]:
    fam = family(name)
    directory = root / name
    factory = {"det": fam.detector, "rec": fam.recognizer, "cls": fam.classifier}[role]
    if factory is None:
        raise WeightsNotFound(f"the {name} family has no {role} network")
    module = build_module(factory, directory / f"{role}.pt", device, optimize)
    if role == "det" and (optimize and fam.trace_detector if trace is None else trace):
        module = trace_and_freeze(module, torch.zeros(1, 3, 320, 320, device=device))
    return module, _file_version(directory, f"{role}.pt")


def _network(name: str, role: str, root: pathlib.Path, device: str, optimize: bool,
             trace: bool | None, shared: bool) -> tuple[nn.Module, str]:
    """The network of family ``name`` in ``role`` (det/rec/cls); with
    ``shared``, loaded once per process and handed to every caller."""
    if not shared:
        return _build(name, role, root, device, optimize, trace)
    key = (name, role, str(root), device, optimize, trace)
    with _lock:
        if key not in _loaded:
            _loaded[key] = _build(name, role, root, device, optimize, trace)
        return _loaded[key]


def load_models(detector: str, recognizer: str, *, weights_root: pathlib.Path | str | None = None,
                device: str = "cpu", with_classifier: bool = False, optimize: bool = True,
                trace_detector: bool | None = None, shared: bool = True, fallback: str = "") -> LoadedModels:
    """The detector of family ``detector`` and the recognizer (with its
    charset) of family ``recognizer``, ready to run. ``optimize`` folds
    batch norms and uses channels-last (``loading.build_module``);
    ``trace_detector`` (default: the family's choice when optimizing) runs
    the detector as frozen TorchScript; ``shared=False`` loads private
    copies (for callers that modify them). Raises ``WeightsNotFound`` /
    ``WeightsInvalid`` with a hint to build them. ``fallback`` names a
    second recognizer family (with its own charset) to load as well."""
    root = pathlib.Path(weights_root) if weights_root else DEFAULT_WEIGHTS_ROOT
    meta = read_meta(root / recognizer)
    expected = family(recognizer).num_classes
    if len(meta["charset"]) != expected:
        raise WeightsInvalid(f"{root / recognizer / 'meta.json'}: charset has {len(meta['charset'])} entries, "
                             f"expected {expected}; {CONVERT_HINT}")
    det, det_version = _network(detector, "det", root, device, optimize, trace_detector, shared)
    rec, rec_version = _network(recognizer, "rec", root, device, optimize, None, shared)
    cls = None
    if with_classifier and family(recognizer).classifier is not None:
        cls, _ = _network(recognizer, "cls", root, device, optimize, None, shared)
    version = f"{det_version}+{rec_version}"
    second = second_charset = None
    if fallback:
        second_charset = read_meta(root / fallback)["charset"]
        second, second_version = _network(fallback, "rec", root, device, optimize, None, shared)
        version += f"+{second_version}"
    return LoadedModels(detector=det, recognizer=rec, classifier=cls, charset=meta["charset"], version=version,
                        fallback=second, fallback_charset=second_charset)


def load_recognizer(name: str, *, weights_root: pathlib.Path | str | None = None, device: str = "cpu",
                    optimize: bool = True, overrides: dict[str, torch.Tensor] | None = None) -> tuple[nn.Module, list[str]]:
    """A private copy of family ``name``'s recognizer and its charset.

    ``optimize=False`` keeps batch norms and the layout as trained (for
    fine-tuning); ``overrides`` puts a team's fine-tuned weights over the
    pretrained ones (``loading.build_module``).
    """
    root = pathlib.Path(weights_root) if weights_root else DEFAULT_WEIGHTS_ROOT
    charset = read_meta(root / name)["charset"]
    module = build_module(family(name).recognizer, root / name / "rec.pt", device, optimize, overrides)
    return module, charset


def forget_loaded() -> None:
    """Drop the process's loaded networks (their memory goes with the last engine using them)."""
    with _lock:
        _loaded.clear()
