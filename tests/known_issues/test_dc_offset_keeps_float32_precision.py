"""A DC offset in the signal does not cost the Kaldi layers float32 precision.

The layers used to subtract each frame's windowed mean after the window (``f * w - mean * w``, equal in exact
arithmetic), which left the rounding of the offset in every windowed sample: with a DC offset of 0.2 and
default options the fbank and MFCCs of a pause in speech were further from a float64 reference than
torchaudio's float32 code (fbank 1.3x, MFCC 12x, largest differences). Reference: torchaudio 2.7.1's
``compliance.kaldi`` run in float64 (see ``tests/reference/reference_code.py``).
"""

import math

import pytest
import torch

from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank, Wav2MFCC
from tests.reference.reference_code import default_dtype, torchaudio_compliance_kaldi

OPTIONS = dict(sample_frequency=16000.0, snip_edges=False, dither=0.0, energy_floor=1e-10, high_freq=-400.0)


def _offset_speech(dc_offset: float) -> torch.Tensor:
    t = torch.arange(16000, dtype=torch.float64) / 16000
    x = sum(torch.sin(2 * math.pi * 120.0 * k * t + k) / k for k in range(1, 40))
    x = x * (0.55 + 0.45 * torch.sin(2 * math.pi * 2.5 * t))
    x[6000:8000] *= 1e-3  # a pause: there the offset is nearly all of the signal
    return (0.6 * x / x.abs().max() + dc_offset).float()


def _errors(ours: torch.Tensor, theirs: torch.Tensor, reference: torch.Tensor):
    def error(values: torch.Tensor, quantile: float) -> float:
        differences = (values.double() - reference).abs().flatten()
        return float(differences.max()) if quantile == 1.0 else float(torch.quantile(differences, quantile))

    return [(error(ours, q), error(theirs, q)) for q in (0.75, 1.0)]


@pytest.mark.parametrize("kind", ["fbank", "mfcc", "fbank_windowed_energy"])
def test_dc_offset_keeps_float32_precision(kind):
    kaldi = torchaudio_compliance_kaldi()
    x = _offset_speech(0.2)
    if kind == "mfcc":
        layer, function, extra = Wav2MFCC(), kaldi.mfcc, dict(num_mel_bins=23)
    else:
        windowed = kind == "fbank_windowed_energy"
        layer = Wav2LogFilterBank(use_energy=windowed, raw_energy=not windowed)
        function, extra = kaldi.fbank, dict(num_mel_bins=80, use_energy=windowed, raw_energy=not windowed)
    with default_dtype(torch.float64):
        reference = function(x.double()[None], **OPTIONS, **extra)
    theirs = function(x[None], **OPTIONS, **extra)
    ours = layer(x[None])[0]
    for our_error, their_error in _errors(ours, theirs, reference):
        assert our_error <= 1.1 * their_error, (kind, our_error, their_error)
