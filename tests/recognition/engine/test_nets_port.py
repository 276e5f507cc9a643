"""The PyTorch port of the PP-OCRv4 networks against the original ONNX models.

Runs onnxruntime on the ONNX files from the rapidocr-onnxruntime wheel and our
modules (loaded from weights converted into a temporary directory) on real
receipt scans, text lines cut from them, and rendered lines in several widths
and scripts. These tests need onnx, onnxruntime and the wheel (installed by
`make install-dev`); they fail, not skip, when those are missing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from tests.support import TESTDATA

REPO_ROOT = Path(__file__).resolve().parents[3]
SCANS = sorted((TESTDATA / "real-scans").glob("*.jpg"))
ONNX_NAMES = {
    "det": "ch_PP-OCRv4_det_infer.onnx",
    "rec": "ch_PP-OCRv4_rec_infer.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_infer.onnx",
}
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/wqy")]

# Tolerances: float32 with a different op order (folded batch norms, another
# GEMM library) gives ~1e-5 typically. The recogniser's softmax over 6,625
# classes has large logits, so on a few ambiguous characters (p ~ 0.5) a 1e-4
# relative logit difference shows as up to ~7e-4 in probability (measured,
# folded or not); its typical difference must stay tiny (REC_MEAN_TOL) and
# every decoded string must be identical.
DET_TOL = 1e-3
REC_TOL = 3e-3
REC_MEAN_TOL = 1e-5
CLS_TOL = 1e-4

DET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
DET_STD = np.array([0.229, 0.224, 0.225], np.float32)


# ------------------------------------------------------------------ helpers


def _load_converter():
    from tools import convert_weights

    return convert_weights


def det_input(image: np.ndarray, long_side: int) -> np.ndarray:
    """BGR uint8 image -> normalised [1, 3, H, W], long side ~long_side, sides multiples of 32."""
    h, w = image.shape[:2]
    ratio = long_side / max(h, w)
    nh, nw = (max(32, int(round(s * ratio / 32)) * 32) for s in (h, w))
    resized = cv2.resize(image, (nw, nh)).astype(np.float32) / 255.0
    return ((resized - DET_MEAN) / DET_STD).transpose(2, 0, 1)[None].copy()


def line_input(crop: np.ndarray, height: int = 48, max_width: int = 1600) -> np.ndarray:
    """BGR line crop -> normalised [3, 48, W] (aspect kept, W rounded to a multiple of 8)."""
    h, w = crop.shape[:2]
    width = int(min(max_width, max(8, round(height * w / h / 8) * 8)))
    resized = cv2.resize(crop, (width, height)).astype(np.float32) / 255.0
    return ((resized - 0.5) / 0.5).transpose(2, 0, 1).copy()


def pad_batch(lines: list[np.ndarray], width: int | None = None) -> np.ndarray:
    """Right-pad normalised lines with 0 (mid grey) to a common width, as PaddleOCR batches them."""
    width = width or max(x.shape[2] for x in lines)
    batch = np.zeros((len(lines), 3, lines[0].shape[1], width), np.float32)
    for i, x in enumerate(lines):
        batch[i, :, :, : x.shape[2]] = x
    return batch


def boxes_from_probability(prob: np.ndarray, threshold: float = 0.3, min_size: int = 3) -> list[tuple[int, int, int, int]]:
    """Axis-aligned text boxes (x0, y0, x1, y1) from a DB map, expanded like DB's unclip."""
    mask = (prob > threshold).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if min(w, h) < min_size:
            continue
        grow = int(round(w * h * 1.5 / (2 * (w + h))))
        boxes.append((max(0, x - grow), max(0, y - grow), min(prob.shape[1], x + w + grow), min(prob.shape[0], y + h + grow)))
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def ctc_greedy(probs: np.ndarray, charset: list[str]) -> str:
    best = probs.argmax(-1)
    keep = (best != 0) & np.concatenate([[True], best[1:] != best[:-1]])
    return "".join(charset[i] for i in best[keep])


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


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def onnx_dir() -> Path:
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("rapidocr-onnxruntime is not installed: pip install --no-deps rapidocr-onnxruntime==1.4.4 (make install-dev)")
    directory = Path(next(iter(spec.submodule_search_locations))) / "models"
    missing = [n for n in ONNX_NAMES.values() if not (directory / n).is_file()]
    if missing:
        pytest.fail(f"ONNX files missing from {directory}: {missing}")
    return directory


@pytest.fixture(scope="module")
def sessions(onnx_dir):
    try:
        import onnxruntime
    except ImportError:
        pytest.fail("onnxruntime is needed for the port-equivalence tests: pip install -r requirements-dev.txt")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    return {
        key: onnxruntime.InferenceSession(str(onnx_dir / name), options, providers=["CPUExecutionProvider"])
        for key, name in ONNX_NAMES.items()
    }


@pytest.fixture(scope="module")
def weights_dir(onnx_dir, tmp_path_factory) -> Path:
    """The v4 family's directory inside a temporary weights root."""
    out = tmp_path_factory.mktemp("weights") / "ppocrv4"
    _load_converter().convert(onnx_dir, out, check=False, log=lambda *_: None)
    return out


def load_v4(weights_dir: Path, **options):
    from recognition.engine.nets import load_models

    return load_models("ppocrv4", "ppocrv4", weights_root=weights_dir.parent, **options)


@pytest.fixture(scope="module")
def models(weights_dir):
    return load_v4(weights_dir, with_classifier=True)


@pytest.fixture(scope="module")
def plain_models(weights_dir):
    """Loaded without folding: the modules exactly as converted."""
    return load_v4(weights_dir, with_classifier=True, optimize=False)


@pytest.fixture(scope="module")
def scans() -> list[np.ndarray]:
    assert SCANS, f"the receipt scans in {TESTDATA / 'real-scans'} are missing"
    return [cv2.imread(str(p)) for p in SCANS]


@pytest.fixture(scope="module")
def line_crops(scans, sessions) -> list[np.ndarray]:
    """Text lines cut from the receipts with the ONNX detector's boxes (original resolution)."""
    crops = []
    for image in scans:
        x = det_input(image, 960)
        prob = run_ort(sessions["det"], x)[0, 0]
        sy, sx = image.shape[0] / prob.shape[0], image.shape[1] / prob.shape[1]
        for x0, y0, x1, y1 in boxes_from_probability(prob):
            crop = image[int(y0 * sy) : int(np.ceil(y1 * sy)), int(x0 * sx) : int(np.ceil(x1 * sx))]
            if crop.shape[0] >= 8 and crop.shape[1] >= 8:
                crops.append(crop)
    assert len(crops) >= 40, f"too few text lines found in the receipts ({len(crops)})"
    return crops


@pytest.fixture(scope="module")
def rendered_lines() -> list[np.ndarray]:
    latin = FONT_DIRS[0] / "DejaVuSans.ttf"
    mono = FONT_DIRS[0] / "DejaVuSansMono.ttf"
    serif = FONT_DIRS[0] / "DejaVuSerif.ttf"
    cjk = FONT_DIRS[1] / "wqy-microhei.ttc"
    assert latin.is_file(), f"{latin} missing (apt-get install fonts-dejavu-core)"
    texts = [
        (latin, "Hi"),
        (latin, "TOTAL"),
        (mono, "RM 12.50"),
        (serif, "Invoice No: 2018-0457"),
        (latin, "The quick brown fox jumps over the lazy dog"),
        (mono, "Qty 2 x 4.90  Subtotal 9.80  GST 6% 0.59  Rounding -0.01"),
        (serif, "Thank you for shopping with us, please come again! Goods sold are not returnable."),
    ]
    if cjk.is_file():  # Chinese lines when the font is there (it is on CI images)
        texts += [(cjk, "发票"), (cjk, "欢迎光临，谢谢惠顾"), (cjk, "合计金额：人民币 128.00 元")]
    return [render_line(text, font) for font, text in texts]


# -------------------------------------------------------------------- tests


def test_converter_output(onnx_dir, weights_dir):
    meta = json.loads((weights_dir / "meta.json").read_text(encoding="utf-8"))
    charset = meta["charset"]
    assert len(charset) == 6625 and charset[0] == "blank" and charset[-1] == " "
    assert meta["cls_labels"] == ["0", "180"]
    for key, name in ONNX_NAMES.items():
        entry = meta["files"][key]
        assert entry["onnx_sha256"] == hashlib.sha256((onnx_dir / name).read_bytes()).hexdigest()
        assert entry["weights_sha256"] == hashlib.sha256((weights_dir / f"{key}.pt").read_bytes()).hexdigest()
        state = torch.load(weights_dir / f"{key}.pt", weights_only=True)
        assert all(v.dtype in (torch.float32, torch.int64) for v in state.values())


def test_converter_is_idempotent(onnx_dir, weights_dir, tmp_path):
    _load_converter().convert(onnx_dir, tmp_path, check=False, log=lambda *_: None)
    for name in ("det.pt", "rec.pt", "cls.pt", "meta.json"):
        assert (tmp_path / name).read_bytes() == (weights_dir / name).read_bytes(), name


def test_converter_reports_missing_onnx_cleanly(tmp_path):
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "tools.convert_weights", "--onnx-dir", str(tmp_path), "--out", str(tmp_path / "w")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "ONNX model file(s) not found" in result.stderr and "Traceback" not in result.stderr


def test_load_models_without_weights_says_how_to_build_them(tmp_path):
    from recognition.engine.nets import WeightsNotFound

    with pytest.raises(WeightsNotFound, match="tools.convert_weights"):
        load_v4(tmp_path / "ppocrv4")
    assert issubclass(WeightsNotFound, FileNotFoundError)


def test_loaded_models_interface(models, weights_dir):
    assert len(models.charset) == 6625 and models.charset[0] == "blank" and models.charset[-1] == " "
    assert not models.detector.training and not models.recognizer.training and not models.classifier.training
    without_classifier = load_v4(weights_dir)
    assert models.version.startswith("ppocrv4.") and models.version == without_classifier.version
    assert without_classifier.classifier is None
    from recognition.engine.nets import FrozenModule, TextDetector

    assert isinstance(models.detector, FrozenModule)  # traced + frozen by default
    assert isinstance(load_v4(weights_dir, trace_detector=False).detector, TextDetector)


@pytest.mark.parametrize("long_side", [960, 640, 1280])
def test_detector_matches_onnx_on_receipts(models, sessions, scans, long_side):
    worst = 0.0
    for image in scans:
        x = det_input(image, long_side)
        expected = run_ort(sessions["det"], x)
        got = run_torch(models.detector, x)
        assert got.shape == expected.shape == (1, 1, *x.shape[2:])
        worst = max(worst, float(np.abs(got - expected).max()))
    print(f"detector long side {long_side}: max abs diff {worst:.2e}")
    assert worst < DET_TOL


def test_detector_unfolded_and_batched(plain_models, models, sessions, scans):
    # All four receipts brought to one size (W 384 x H 800) to make a batch of 4.
    x = np.concatenate([det_input(cv2.resize(image, (384, 800)), 800) for image in scans])
    assert x.shape == (4, 3, 800, 384)
    expected = run_ort(sessions["det"], x)
    assert np.abs(run_torch(plain_models.detector, x) - expected).max() < DET_TOL
    assert np.abs(run_torch(models.detector, x) - expected).max() < DET_TOL


def _compare_recognizer(module, session, charset, batches):
    worst, same, total, mismatches = 0.0, 0, 0, []
    for batch in batches:
        expected = run_ort(session, batch)
        got = run_torch(module, batch)
        assert got.shape == expected.shape == (batch.shape[0], batch.shape[3] // 8, 6625)
        worst = max(worst, float(np.abs(got - expected).max()))
        assert float(np.abs(got - expected).mean()) < REC_MEAN_TOL
        for e, g in zip(expected, got):
            total += 1
            text_e, text_g = ctc_greedy(e, charset), ctc_greedy(g, charset)
            same += text_e == text_g
            if text_e != text_g:
                mismatches.append((text_e, text_g))
    return worst, same, total, mismatches


def test_recognizer_matches_onnx_on_receipt_lines(models, sessions, line_crops):
    lines = [line_input(c) for c in line_crops]
    singles = [x[None] for x in lines[::3]]  # batch size 1 on a third of them (time)
    # Batches of neighbouring lines (different widths, right-padded), 2..8 per batch.
    groups = [lines[i : i + size] for i, size in zip(range(0, len(lines), 6), [2, 3, 6, 8] * len(lines))]
    batches = singles + [pad_batch(g) for g in groups if len(g) > 1]
    worst, same, total, mismatches = _compare_recognizer(models.recognizer, sessions["rec"], models.charset, batches)
    widths = sorted({x.shape[2] for x in lines})
    print(f"recognizer, {len(lines)} receipt lines (widths {widths[0]}..{widths[-1]}), {total} decodes: max abs diff {worst:.2e}, {same}/{total} identical strings")
    assert worst < REC_TOL
    assert not mismatches


def test_recognizer_matches_onnx_on_rendered_lines(models, sessions, rendered_lines):
    lines = [line_input(c, max_width=1200) for c in rendered_lines]
    # Also stretch one line over the whole 80..1200 range of input widths.
    stretched = [line_input(cv2.resize(rendered_lines[4], (w, 48))) for w in (80, 160, 320, 640, 1200)]
    batches = [x[None] for x in lines + stretched] + [pad_batch(lines), pad_batch(stretched), pad_batch(lines[:3], 320)]
    worst, same, total, mismatches = _compare_recognizer(models.recognizer, sessions["rec"], models.charset, batches)
    decoded = [ctc_greedy(p, models.charset) for p in run_torch(models.recognizer, lines[4][None])]
    print(f"recognizer, rendered lines, {total} decodes: max abs diff {worst:.2e}, {same}/{total} identical strings; e.g. {decoded[0]!r}")
    assert worst < REC_TOL
    assert not mismatches


def test_recognizer_unfolded_matches_onnx(plain_models, sessions, rendered_lines):
    batch = pad_batch([line_input(c) for c in rendered_lines])
    assert np.abs(run_torch(plain_models.recognizer, batch) - run_ort(sessions["rec"], batch)).max() < REC_TOL


def test_classifier_matches_onnx(models, plain_models, sessions, line_crops, rendered_lines):
    def cls_input(crop):
        return pad_batch([line_input(crop, max_width=192)], 192)[0]

    upright = [cls_input(c) for c in line_crops[:24] + rendered_lines]
    flipped = [cls_input(cv2.rotate(c, cv2.ROTATE_180)) for c in line_crops[:24] + rendered_lines]
    batch = np.stack(upright + flipped)
    expected = run_ort(sessions["cls"], batch)
    worst = 0.0
    for module in (models.classifier, plain_models.classifier):
        got = run_torch(module, batch)
        assert got.shape == expected.shape == (len(batch), 2)
        worst = max(worst, float(np.abs(got - expected).max()))
        assert (got.argmax(1) == expected.argmax(1)).all()
    single = run_torch(models.classifier, batch[:1])
    assert np.abs(single - expected[:1]).max() < CLS_TOL
    print(f"classifier, {len(batch)} lines (upright + rotated): max abs diff {worst:.2e}")
    assert worst < CLS_TOL


def test_traced_modules_keep_dynamic_shapes(plain_models):
    """Traced once, the modules must still accept other batch sizes and widths."""
    models = plain_models
    torch.manual_seed(0)
    with torch.inference_mode():
        rec = torch.jit.trace(models.recognizer, torch.randn(2, 3, 48, 160), check_trace=False)
        det = torch.jit.trace(models.detector, torch.randn(1, 3, 128, 160), check_trace=False)
        for shape in [(1, 3, 48, 84), (5, 3, 48, 648)]:  # 84: not a multiple of 8
            x = torch.randn(shape)
            assert torch.allclose(rec(x), models.recognizer(x), atol=1e-5)
        for shape in [(2, 3, 96, 224), (1, 3, 320, 64)]:
            x = torch.randn(shape)
            assert torch.allclose(det(x), models.detector(x), atol=1e-5)
