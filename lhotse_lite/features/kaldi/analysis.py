"""Per-frame signal processing shared by every layer: DC removal, energy, pre-emphasis, window, spectra.

Kaldi processes each frame ``f`` (``length`` samples) as: subtract its mean ``m`` (``remove_dc_offset``),
measure the *raw* log energy, apply pre-emphasis ``y[i] = f[i] - c * f[i - 1]`` (``y[0] = f[0] - c *
f[0]``), multiply by the window, zero-pad to the FFT size. :func:`window_frames` computes the same values
in three passes over the frames, arranged so that float32 rounding stays at the level of the result:

``w[i] * y[i] = (1 - c) * w[i] * f[i] + c * w[i] * (f[i] - f[i - 1]) - (1 - c) * w[i] * m``

* The differences of neighbouring samples ``f[i] - f[i - 1]`` are formed first, from the samples
  themselves (exact where neighbours are close, i.e. for the low-frequency content pre-emphasis
  removes): one subtraction of the frames and the frames moved one sample left (two strided views of
  the signal). Pre-emphasis as the sum of two windowed products (``w f[i] - c w f[i - 1]``) keeps the
  rounding of products as large as the samples, not as small as their pre-emphasised difference: 6-7x
  the windowed frames' error of exactly rounded frames in the low bands.
* The mean, and with it any DC offset, only meets the weight ``(1 - c) * w`` (``0.03 * w`` by default), so
  subtracting it after the window costs nothing measurable; without pre-emphasis the mean is subtracted
  before the window (where ``f[i] - m`` is exact for a sample close to the mean). Subtracting
  ``m * w`` after ``f * w`` would leave the rounding of the offset in every sample: with a DC offset of
  0.2 that made the low mel bands and the energy 10-80x less precise than torchaudio's in float32.
* The energy is computed in float64 (for ``raw_energy=False`` from the windowed frames computed once
  more in float64) and its log rounded once to the frames' dtype.

Frames may be wider than ``length`` (strided views of the signal); the weights past ``length`` are zero.

Log floors follow Kaldi: energies and mel/power values are floored at ``FLT_EPSILON`` before the log,
and the log energy is additionally floored at ``log(energy_floor)`` when ``energy_floor > 0``.

Example:
    >>> import torch
    >>> from lhotse_lite.features.kaldi.analysis import analysis_weights, window_frames
    >>> w = analysis_weights(torch.ones(4), width=6, preemph_coeff=0.5).float()
    >>> out, log_e = window_frames(torch.ones(1, 1, 6), w[0], w[1], 4, True, 0.5, 1, 0.0)
    >>> out.abs().max().item() == 0.0, log_e.item() == torch.log(torch.tensor(FLT_EPSILON)).item()
    (True, True)
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import torch

__all__ = [
    "FLT_EPSILON",
    "ENERGY_NONE",
    "ENERGY_RAW",
    "ENERGY_WINDOWED",
    "analysis_weights",
    "log_energy",
    "window_frames",
    "power_spectrum",
    "floored_log",
]

FLT_EPSILON = 1.1920928955078125e-07
"""``std::numeric_limits<float>::epsilon()``: Kaldi's floor before every log."""

ENERGY_NONE = 0
"""No log energy is computed."""
ENERGY_RAW = 1
"""Log energy of the frame after DC removal, before pre-emphasis and window (``raw_energy=True``)."""
ENERGY_WINDOWED = 2
"""Log energy of the windowed frame (``raw_energy=False``)."""


def analysis_weights(window: torch.Tensor, width: int, preemph_coeff: float) -> torch.Tensor:
    """The two weight vectors :func:`window_frames` uses, stacked as ``(2, width)``, in float64.

    Pre-emphasis and window together are ``w[i] * (y[i] - c * y[i - 1]) = (1 - c) * w[i] * y[i] + c *
    w[i] * (y[i] - y[i - 1])``: row 0 multiplies the (mean-free) sample ``y[i]``, row 1 the difference of
    neighbouring samples ``y[i] - y[i - 1]``, and is zero at ``i = 0`` (Kaldi's first sample is ``y[0] - c
    * y[0]``). Columns past ``len(window)`` are zero.

    Args:
        window: The analysis window, shape ``(length,)``.
        width: The frame width (``>= length``).
        preemph_coeff: Pre-emphasis coefficient ``c``.

    Example:
        >>> analysis_weights(torch.ones(2), 3, 0.25).tolist()
        [[0.75, 0.75, 0.0], [0.0, 0.25, 0.0]]
    """
    length = window.numel()
    w = window.to(torch.float64)
    weights = torch.zeros(2, width, dtype=torch.float64)
    weights[0, :length] = (1.0 - preemph_coeff) * w
    weights[1, 1:length] = preemph_coeff * w[1:]
    return weights


def log_energy(energy: torch.Tensor, energy_floor: float) -> torch.Tensor:
    """Kaldi's log energy: ``log(max(energy, FLT_EPSILON))``, then at least ``log(energy_floor)``.

    Example:
        >>> [round(v, 4) for v in log_energy(torch.tensor([0.0, 1.0]), energy_floor=0.5).tolist()]
        [-0.6931, 0.0]
    """
    out = torch.log(torch.clamp_min(energy, 1.1920928955078125e-07))  # FLT_EPSILON (TorchScript: literal)
    if energy_floor > 0.0:
        out = torch.clamp_min(out, math.log(energy_floor))
    return out


def _windowed(
    frames: torch.Tensor,
    sample_weights: torch.Tensor,
    difference_weights: torch.Tensor,
    length: int,
    remove_dc_offset: bool,
    preemph_coeff: float,
    previous_frames: Optional[torch.Tensor],
) -> torch.Tensor:
    """DC removal, pre-emphasis and window (see the module docstring), in the dtype of ``frames``."""
    total: Optional[torch.Tensor] = None
    if remove_dc_offset:
        total = (frames if frames.size(2) == length else frames[:, :, :length]).sum(dim=-1, keepdim=True)
    if preemph_coeff == 0.0:
        if total is None:
            return frames * sample_weights
        return (frames - total / length).mul_(sample_weights)
    if previous_frames is not None:
        differences = frames - previous_frames
    else:
        differences = torch.cat([torch.zeros_like(frames[:, :, :1]), frames[:, :, 1:] - frames[:, :, :-1]], dim=2)
    out = frames * sample_weights
    out.addcmul_(differences, difference_weights)
    if total is not None:
        out.addcmul_(total, sample_weights, value=-1.0 / length)
    return out


def window_frames(
    frames: torch.Tensor,
    sample_weights: torch.Tensor,
    difference_weights: torch.Tensor,
    length: int,
    remove_dc_offset: bool,
    preemph_coeff: float,
    energy_mode: int,
    energy_floor: float,
    previous_frames: Optional[torch.Tensor] = None,
) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """DC removal, log energy, pre-emphasis and window of each frame.

    Args:
        frames: ``(batch, num_frames, width)``; only the first ``length`` samples of a frame count.
        sample_weights: Row 0 of :func:`analysis_weights` ``(width,)``, in the dtype of ``frames``.
        difference_weights: Row 1 ``(width,)`` (its first element is 0).
        length: Frame length in samples.
        remove_dc_offset: Subtract each frame's mean first.
        preemph_coeff: Pre-emphasis coefficient (0 disables it).
        energy_mode: :data:`ENERGY_NONE`, :data:`ENERGY_RAW` or :data:`ENERGY_WINDOWED`.
        energy_floor: Floor of the energy (linear scale; 0 disables it).
        previous_frames: Optional ``frames`` moved one sample left (same shape; column 0 is ignored),
            e.g. from :func:`lhotse_lite.features.kaldi.framing.frame_signal_with_previous`; a faster
            route to the same values.

    Returns:
        ``(windowed, log_energy)``: windowed frames ``(batch, num_frames, width)`` (contiguous, zero past
        ``length``) and the log energy ``(batch, num_frames)`` in the dtype of ``frames``, or ``None``.
    """
    out = _windowed(
        frames, sample_weights, difference_weights, length, remove_dc_offset, preemph_coeff, previous_frames
    )
    if energy_mode == 0:  # ENERGY_NONE (TorchScript cannot read module constants)
        return out, None
    if energy_mode == 1:  # ENERGY_RAW
        samples = (frames if frames.size(2) == length else frames[:, :, :length]).to(torch.float64)
        if remove_dc_offset:
            samples = samples - samples.mean(dim=-1, keepdim=True)
    else:  # ENERGY_WINDOWED: the windowed frames once more in float64, not the rounded ``out``
        samples = _windowed(
            frames.to(torch.float64),
            sample_weights.to(torch.float64),
            difference_weights.to(torch.float64),
            length,
            remove_dc_offset,
            preemph_coeff,
            None if previous_frames is None else previous_frames.to(torch.float64),
        )
    return out, log_energy(samples.square().sum(dim=-1), energy_floor).to(frames.dtype)


def power_spectrum(spectrum: torch.Tensor, magnitude: bool) -> torch.Tensor:
    """``|X|^2`` (or ``|X|`` when ``magnitude``) of a complex spectrum, computed from its real and imaginary parts.

    Example:
        >>> power_spectrum(torch.tensor([3.0 + 4.0j]), magnitude=False).tolist()
        [25.0]
    """
    re2, im2 = torch.view_as_real(spectrum).square().unbind(-1)
    power = re2 + im2
    if magnitude:
        return power.sqrt()
    return power


def floored_log(values: torch.Tensor) -> torch.Tensor:
    """``log(max(values, FLT_EPSILON))``, Kaldi's guard for power and mel energies.

    Example:
        >>> [round(v, 4) for v in floored_log(torch.tensor([1.0, 0.0])).tolist()]
        [0.0, -15.9424]
    """
    return torch.log(torch.clamp_min(values, 1.1920928955078125e-07))  # FLT_EPSILON
