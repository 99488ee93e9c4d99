"""Kaldi's analysis windows.

Every window is computed in float64 with Kaldi's formulas (``a = 2*pi / (N - 1)``, so the windows
are symmetric) and returned in the requested dtype:

========================  ===============================================
``window_type``           ``w[n]`` for ``n = 0 .. N-1``
========================  ===============================================
``"hanning"``             ``0.5 - 0.5 cos(a n)``
``"hamming"``             ``0.54 - 0.46 cos(a n)``
``"povey"`` (default)     ``(0.5 - 0.5 cos(a n)) ** 0.85``
``"rectangular"``         ``1``
``"blackman"``            ``c - 0.5 cos(a n) + (0.5 - c) cos(2 a n)``, ``c = 0.42``
``"sine"``                ``sin(a n / 2)``
========================  ===============================================

Example:
    >>> from lhotse_lite.features.kaldi.windows import frame_window
    >>> w = frame_window(5, "hanning")
    >>> [round(v, 3) for v in w.tolist()]
    [0.0, 0.5, 1.0, 0.5, 0.0]
"""

from __future__ import annotations

import math
from typing import List

import torch

from lhotse_lite.errors import ConfigError
from lhotse_lite.features.kaldi.options import WINDOW_TYPES, check_window_type

__all__ = [
    "WINDOW_TYPES",
    "BLACKMAN_COEFF",
    "check_window_type",
    "frame_window",
    "available_windows",
    "create_frame_window",
]

BLACKMAN_COEFF = 0.42
"""Kaldi's default ``--blackman-coeff``."""


def frame_window(
    length: int,
    window_type: str = "povey",
    blackman_coeff: float = BLACKMAN_COEFF,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Kaldi's window function of ``length`` samples.

    Args:
        length: Window length in samples (>= 1).
        window_type: One of :data:`WINDOW_TYPES`.
        blackman_coeff: The constant ``c`` of the Blackman window.
        dtype: Output dtype (the window is computed in float64 first).

    Returns:
        A tensor of shape ``(length,)``.

    Raises:
        ConfigError: unknown ``window_type`` or ``length < 1``.

    Example:
        >>> frame_window(3, "rectangular").tolist()
        [1.0, 1.0, 1.0]
    """
    check_window_type(window_type)
    if length < 1:
        raise ConfigError(f"the window must have at least 1 sample, got length={length}")
    n = torch.arange(length, dtype=torch.float64)
    a = 2.0 * math.pi / (length - 1) if length > 1 else 0.0
    if window_type == "hanning":
        w = 0.5 - 0.5 * torch.cos(a * n)
    elif window_type == "hamming":
        w = 0.54 - 0.46 * torch.cos(a * n)
    elif window_type == "povey":
        w = (0.5 - 0.5 * torch.cos(a * n)).pow(0.85)
    elif window_type == "rectangular":
        w = torch.ones(length, dtype=torch.float64)
    elif window_type == "blackman":
        w = blackman_coeff - 0.5 * torch.cos(a * n) + (0.5 - blackman_coeff) * torch.cos(2.0 * a * n)
    else:  # sine
        w = torch.sin(0.5 * a * n)
    return w.to(dtype)


def available_windows() -> List[str]:
    """The window names the layers accept (Lhotse's function; ours adds ``"sine"``).

    Example:
        >>> available_windows()
        ['hamming', 'hanning', 'povey', 'rectangular', 'blackman', 'sine']
    """
    return list(WINDOW_TYPES)


def create_frame_window(
    window_size: int, window_type: str = "povey", blackman_coeff: float = BLACKMAN_COEFF
) -> torch.Tensor:
    """Lhotse's name for :func:`frame_window`, in torch's default dtype.

    The windows are Kaldi's (the blackman window is the symmetric one, ``a = 2 pi / (N - 1)``;
    Lhotse 1.33's uses ``2 pi / N``).

    Raises:
        ConfigError: unknown ``window_type`` or ``window_size < 1``.

    Example:
        >>> create_frame_window(400).shape, create_frame_window(400).dtype
        (torch.Size([400]), torch.float32)
    """
    return frame_window(window_size, window_type, blackman_coeff, dtype=torch.get_default_dtype())
