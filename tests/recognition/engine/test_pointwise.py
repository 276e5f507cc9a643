"""1x1 convolutions as matrix products: same numbers, same weights, only where exact."""

import pytest
import torch
from torch import nn

from recognition.engine.nets.pointwise import PointwiseConv2d, run_pointwise_as_matmul


def _pointwise(conv: nn.Conv2d) -> nn.Conv2d:
    return run_pointwise_as_matmul(nn.Sequential(conv))[0]


@pytest.mark.parametrize("shape", [(2, 16, 3, 40), (1, 16, 1, 1), (3, 16, 6, 7)])
@pytest.mark.parametrize("layout", [torch.channels_last, torch.contiguous_format])
def test_matches_the_convolution(shape, layout):
    torch.manual_seed(0)
    conv = nn.Conv2d(16, 24, 1)
    x = torch.randn(*shape).contiguous(memory_format=layout)
    expected = conv(x)
    fast = _pointwise(conv)
    assert type(fast) is PointwiseConv2d
    got = fast(x)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, atol=1e-5)


def test_channels_last_stays_channels_last():
    conv = _pointwise(nn.Conv2d(8, 12, 1))
    x = torch.randn(2, 8, 4, 9).contiguous(memory_format=torch.channels_last)
    assert conv(x).is_contiguous(memory_format=torch.channels_last)


def test_only_plain_one_by_one_convolutions_change():
    model = nn.Sequential(
        nn.Conv2d(8, 8, 1),                      # converted
        nn.Conv2d(8, 8, 3, padding=1),           # 3x3
        nn.Conv2d(8, 8, 1, groups=2),            # grouped
        nn.Conv2d(8, 8, 1, stride=2),            # strided
        nn.Conv2d(8, 8, 1, bias=False),          # converted, no bias
    )
    before = {k: v.clone() for k, v in model.state_dict().items()}
    run_pointwise_as_matmul(model)
    assert [type(m) is PointwiseConv2d for m in model] == [True, False, False, False, True]
    after = model.state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    x = torch.randn(1, 8, 5, 5).contiguous(memory_format=torch.channels_last)
    assert model(x).shape == (1, 8, 3, 3)


def test_the_engine_loads_recognizers_with_matrix_products_and_detectors_without(tmp_path):
    from recognition.engine.nets.ppocrv6_det import TextDetectorV6
    from recognition.engine.nets.ppocrv6_rec import TextRecognizerV6
    from recognition.engine.nets.loading import build_module

    for factory, expected in ((lambda: TextRecognizerV6("tiny"), True), (lambda: TextDetectorV6("tiny"), False)):
        path = tmp_path / "w.pt"
        torch.save(factory().state_dict(), path)
        model = build_module(factory, path, "cpu", optimize=True)
        assert any(type(m) is PointwiseConv2d for m in model.modules()) is expected
        plain = build_module(factory, path, "cpu", optimize=False)
        assert not any(type(m) is PointwiseConv2d for m in plain.modules())
