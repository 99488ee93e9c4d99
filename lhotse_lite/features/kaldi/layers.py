"""Kaldi-compatible feature extractors as ``torch.nn`` layers (Lhotse's ``lhotse.features.kaldi.layers`` API).

Six layers, each a thin module over the pure functions of this package (windows, framing, analysis,
mel, cepstrum): :class:`Wav2Win` (windowed frames), :class:`Wav2FFT` (complex spectrum),
:class:`Wav2Spec` (power or magnitude spectrum), :class:`Wav2LogSpec`, :class:`Wav2LogFilterBank`
("fbank") and :class:`Wav2MFCC`. Input is ``(batch, num_samples)`` float audio; outputs are
``(batch, num_frames, dim)``. The values are Kaldi's for the samples given (Lhotse passes ``[-1, 1]``
audio; multiply by :data:`INT16_SCALE` for Kaldi's 16-bit scale). They script with TorchScript, pass
gradients to the input, follow the input's device and dtype (float32 or float64), and stream exactly:
``online_inference`` chunk by chunk plus a final ``flush`` reproduces ``forward``.

This module is the public import path for all six and for Lhotse's helper functions of the same
module (``available_windows``, ``create_frame_window``, ``create_mel_scale``, ``get_mel_banks``,
``lin2mel``, ``mel2lin``, ``next_power_of_2``, and the framing helpers ``_get_strided_batch`` and
``_get_strided_batch_streaming`` from :mod:`~lhotse_lite.features.kaldi.framing`); the spectral layers are defined in
:mod:`lhotse_lite.features.kaldi.spectral_layers`, the mel layers in
:mod:`lhotse_lite.features.kaldi.mel_layers`, the functions in :mod:`~lhotse_lite.features.kaldi.windows`,
:mod:`~lhotse_lite.features.kaldi.mel` and :mod:`~lhotse_lite.features.kaldi.frontend`.

Example:
    >>> import torch
    >>> x = torch.randn(1, 16000) * 0.1
    >>> Wav2LogFilterBank()(x).shape, Wav2MFCC()(x).shape
    (torch.Size([1, 100, 80]), torch.Size([1, 100, 13]))
"""

from lhotse_lite.features.kaldi.framing import (
    _get_strided_batch as _get_strided_batch,
    _get_strided_batch_streaming as _get_strided_batch_streaming,
)
from lhotse_lite.features.kaldi.frontend import INT16_SCALE, next_power_of_2
from lhotse_lite.features.kaldi.mel import create_mel_scale, get_mel_banks, lin2mel, mel2lin
from lhotse_lite.features.kaldi.mel_layers import Wav2LogFilterBank, Wav2MFCC
from lhotse_lite.features.kaldi.spectral_layers import Wav2FFT, Wav2LogSpec, Wav2Spec, Wav2Win
from lhotse_lite.features.kaldi.windows import available_windows, create_frame_window

__all__ = [
    "Wav2Win",
    "Wav2FFT",
    "Wav2Spec",
    "Wav2LogSpec",
    "Wav2LogFilterBank",
    "Wav2MFCC",
    "INT16_SCALE",
    "available_windows",
    "create_frame_window",
    "create_mel_scale",
    "get_mel_banks",
    "lin2mel",
    "mel2lin",
    "next_power_of_2",
]
