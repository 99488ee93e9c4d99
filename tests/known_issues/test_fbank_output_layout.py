"""Regression: the layout of an fbank result must not depend on its length.

``Wav2LogFilterBank`` without ``use_energy`` returned a transposed view (``is_contiguous()`` False) for
inputs computed by the sparse filter sums in one block (50-512 frames with 80 filters) and a
contiguous tensor otherwise, so ``.view`` on the result worked or failed depending on the audio's length.
"""

import pytest
import torch

from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank, Wav2MFCC

# 0 to 2000 frames at 16 kHz: dense path (< 50 frames), sparse in one block (50-512), several blocks.
LENGTHS = [0, 1, 400, 4000, 7840, 8000, 16000, 81920, 82080, 160000, 320000]


@pytest.mark.parametrize("num_samples", LENGTHS)
@pytest.mark.parametrize("batch", [1, 3])
def test_fbank_is_contiguous_at_every_length(num_samples, batch):
    x = torch.randn(batch, num_samples) * 0.1
    for layer in (
        Wav2LogFilterBank(),
        Wav2LogFilterBank(use_energy=True),
        Wav2LogFilterBank(num_filters=23),
        Wav2MFCC(),
    ):
        out = layer(x)
        assert out.is_contiguous(), (type(layer).__name__, num_samples, batch)
        assert out.view(-1).numel() == out.numel()  # .view needs a contiguous tensor


def test_fbank_is_contiguous_with_autograd_and_torchscript():
    layer = Wav2LogFilterBank()
    x = (torch.randn(2, 16000) * 0.1).requires_grad_(True)
    out = layer(x)
    assert out.is_contiguous()
    out.sum().backward()
    assert x.grad is not None and bool(x.grad.abs().sum() > 0)
    scripted = torch.jit.script(layer)
    assert scripted(x.detach()).is_contiguous()
    torch.testing.assert_close(scripted(x.detach()), layer(x.detach()))


def test_streaming_chunks_are_contiguous():
    layer = Wav2LogFilterBank()
    x = torch.randn(1, 16000) * 0.1
    context = None
    for start in range(0, 16000, 8000):  # 50-frame chunks take the sparse path
        (feats, _), context = layer.online_inference(x[:, start : start + 8000], context)
        assert feats.is_contiguous()
