"""torch.export, the replacement of the deprecated torch.jit.script: every layer exports and the program
computes what eager mode computes, offline and streaming."""

from __future__ import annotations

import pytest
import torch
from torch.export import Dim, export

from lhotse_lite.features.kaldi.layers import Wav2FFT, Wav2LogFilterBank, Wav2LogSpec, Wav2MFCC, Wav2Spec, Wav2Win

LAYERS = [Wav2Win, Wav2FFT, Wav2Spec, Wav2LogSpec, Wav2LogFilterBank, Wav2MFCC]


def _first(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("cls", LAYERS, ids=lambda c: c.__name__)
def test_exported_program_equals_eager(cls):
    layer = cls().eval()
    example = torch.randn(2, 16000) * 0.1
    program = export(layer, (example,)).module()
    x = torch.randn(2, 16000) * 0.1
    expected, actual = _first(layer(x)), _first(program(x))
    assert actual.shape == expected.shape and actual.is_contiguous()
    torch.testing.assert_close(actual, expected, rtol=0, atol=0)


def test_exported_program_keeps_the_nan_check_as_a_runtime_assert():
    program = export(Wav2LogFilterBank().eval(), (torch.randn(1, 8000) * 0.1,)).module()
    x = torch.randn(1, 8000) * 0.1
    x[0, 100] = float("nan")
    with pytest.raises(RuntimeError, match="NaN or infinite"):
        program(x)


def test_auto_dynamic_shapes_specialise_on_the_layers_branches():
    # The program keeps the branches the example took (here: sparse filter sums, one 512-frame block)
    # and accepts every shape that takes them; other shapes fail a guard instead of computing wrongly.
    layer = Wav2MFCC().eval()
    exported = export(layer, (torch.randn(2, 16000) * 0.1,), dynamic_shapes={"x": {0: Dim.AUTO, 1: Dim.AUTO}})
    program = exported.module()
    for batch, num_samples in [(3, 12345), (2, 20000), (2, 24000)]:
        x = torch.randn(batch, num_samples) * 0.1
        torch.testing.assert_close(program(x), layer(x), rtol=0, atol=1e-6)
    with pytest.raises(AssertionError, match="Guard failed"):
        program(torch.randn(2, 8000) * 0.1)  # 100 frames: the dense filter sums


class _StreamStep(torch.nn.Module):
    """One streaming call with the remainder passed in and out, as a deployment exports it."""

    def __init__(self, layer: torch.nn.Module) -> None:
        super().__init__()
        self.layer = layer

    def forward(self, chunk: torch.Tensor, context: torch.Tensor):
        (features, _), remainder = self.layer.online_inference(chunk, context)
        return features, remainder


def test_exported_streaming_step_equals_eager():
    layer = Wav2LogFilterBank().eval()
    signal = torch.randn(1, 16000) * 0.1
    _, context = layer.online_inference(signal[:, :1600])
    step = export(_StreamStep(layer), (signal[:, 1600:3200], context)).module()
    eager_context, program_context = context, context
    for start in range(1600, 16000, 1600):
        chunk = signal[:, start : start + 1600]
        (expected, _), eager_context = layer.online_inference(chunk, eager_context)
        actual, program_context = step(chunk, program_context)
        torch.testing.assert_close(actual, expected, rtol=0, atol=0)
        torch.testing.assert_close(program_context, eager_context, rtol=0, atol=0)
