"""Devices: auto picks CUDA only where torch sees a GPU; batches scale with
the device; on a machine with a GPU the engine reads the same text there."""
from __future__ import annotations

import pytest
import torch

from recognition.engine import EngineConfig
from recognition.engine.pool import GPU_BATCHES, for_device, resolve_device

HAS_GPU = torch.cuda.is_available()


def test_explicit_devices_are_kept_and_auto_follows_torch():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("cuda:1") == "cuda:1"
    assert resolve_device("auto").startswith("cuda") == HAS_GPU


@pytest.mark.skipif(HAS_GPU, reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match="sees no GPU"):
        resolve_device("cuda")


def test_gpu_batches_are_speed_only():
    cpu = EngineConfig.for_profile("accurate")
    gpu = for_device(EngineConfig.for_profile("accurate", device="cuda"))
    assert for_device(cpu) == cpu
    assert gpu.recognizer.batch_size == GPU_BATCHES["recognizer.batch_size"]
    assert gpu.fingerprint() == cpu.fingerprint()


@pytest.mark.skipif(not HAS_GPU, reason="no CUDA GPU on this machine (torch.cuda.is_available() is False)")
def test_engine_reads_the_same_text_on_the_gpu(render, fonts):
    from recognition.engine import OcrEngine

    image = render(["Invoice 2026-0457 total 1,299.00", "发票号码 合计金额"], fonts["cjk"], 22)
    on_cpu = OcrEngine(EngineConfig.for_profile("accurate", threads=2)).recognize(image)
    on_gpu = OcrEngine(for_device(EngineConfig.for_profile("accurate", device="cuda"))).recognize(image)
    assert on_gpu.text == on_cpu.text and on_gpu.engine_version == on_cpu.engine_version
