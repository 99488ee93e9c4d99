"""Per-frame signal processing shared by every layer: DC removal, energy, pre-emphasis, window, spectra.

Kaldi processes each frame ``f`` (``length`` samples) as: subtract its mean (``remove_dc_offset``),
measure the *raw* log energy, apply pre-emphasis ``y[i] = f[i] - c * f[i - 1]`` (``y[0] = f[0] - c *
f[0]``), multiply by the window, zero-pad to the FFT size. All three steps are linear, so
:func:`window_frames` applies them as two fused multiply-adds with precomputed weights
(:func:`analysis_weights`) and corrects the mean afterwards (pre-emphasis turns a constant ``m`` into
``(1 - c) * m``), instead of writing four intermediate copies of every frame. When the caller also
has the frames moved one sample left (a second strided view of the same signal), pre-emphasis is
one out-of-place multiply-add over aligned views, which is about twice as fast as updating
``out[..., 1:]`` in place. Frames may be wider
than ``length`` (strided views of the signal); the weights past ``length`` are zero.

Log floors follow Kaldi: energies and mel/power values are floored at ``FLT_EPSILON`` before the log,
and the log energy is additionally floored at ``log(energy_floor)`` when ``energy_floor > 0``.

Example:
    >>> import torch
    >>> from lhotse_lite.features.kaldi.analysis import analysis_weights, window_frames
    >>> w = analysis_weights(torch.ones(4), width=6, preemph_coeff=0.5).float()
    >>> out, log_e = window_frames(torch.ones(1, 1, 6), w[0], w[1], w[2], 4, True, 0.5, 1, 0.0)
    >>> out.abs().max().item() < 1e-7, log_e.item() == torch.log(torch.tensor(FLT_EPSILON)).item()
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
    """The three weight vectors :func:`window_frames` uses, stacked as ``(3, width)``, in float64.

    Row 0 multiplies ``f[i]`` (window, with ``(1 - c)`` folded into sample 0), row 1 multiplies
    ``f[i - 1]`` (``-c * window[i]``, zero at ``i = 0``), row 2 is the window response to a constant
    (``(1 - c) * window``) used to remove the frame mean. Columns past ``len(window)`` are zero.

    Args:
        window: The analysis window, shape ``(length,)``.
        width: The frame width (``>= length``).
        preemph_coeff: Pre-emphasis coefficient ``c``.

    Example:
        >>> analysis_weights(torch.ones(2), 3, 0.5).tolist()
        [[0.5, 1.0, 0.0], [0.0, -0.5, 0.0], [0.5, 0.5, 0.0]]
    """
    length = window.numel()
    w = window.to(torch.float64)
    weights = torch.zeros(3, width, dtype=torch.float64)
    weights[0, :length] = w
    weights[0, 0] = w[0] * (1.0 - preemph_coeff)
    weights[1, 1:length] = -preemph_coeff * w[1:]
    weights[2, :length] = (1.0 - preemph_coeff) * w
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


def window_frames(
    frames: torch.Tensor,
    current: torch.Tensor,
    previous: torch.Tensor,
    constant: torch.Tensor,
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
        current: Row 0 of :func:`analysis_weights` ``(width,)``, in the dtype of ``frames``.
        previous: Row 1 ``(width,)`` (its first element is 0).
        constant: Row 2 ``(width,)``.
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
        ``length``) and the log energy ``(batch, num_frames)`` or ``None``.
    """
    if preemph_coeff == 0.0:
        out = frames * current
    elif previous_frames is not None:
        out = torch.addcmul(frames * current, previous_frames, previous)
    else:
        out = frames * current
        out[:, :, 1:].addcmul_(frames[:, :, :-1], previous[1:])
    energy: Optional[torch.Tensor] = None
    if remove_dc_offset:
        valid = frames if frames.size(2) == length else frames[:, :, :length]
        total = valid.sum(dim=-1, keepdim=True)
        out.addcmul_(total, constant, value=-1.0 / length)
        if energy_mode == 1:  # ENERGY_RAW (TorchScript cannot read module constants)
            energy = (valid - total / length).square().sum(dim=-1)
    elif energy_mode == 1:
        energy = frames[:, :, :length].square().sum(dim=-1)
    if energy_mode == 2:  # ENERGY_WINDOWED
        energy = out.square().sum(dim=-1)
    if energy is None:
        return out, None
    return out, log_energy(energy, energy_floor)


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
