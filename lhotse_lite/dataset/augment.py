"""Batch augmentations for training on features: SpecAugment-style masks and random time shifts.

Pure functions on padded batches ``(batch, frames, dim)`` with ``lengths``; they return new tensors
(the input is not modified) and touch only each item's valid frames. Randomness comes from an
optional ``torch.Generator``.

* :func:`spec_augment`: Park et al., "SpecAugment", Interspeech 2019 -- ``num_time_masks`` bands of
  at most ``max_time_width`` frames and ``num_freq_masks`` bands of at most ``max_freq_width`` bins
  set to ``fill`` (0 = the mean after global normalisation).
* :func:`random_time_shift`: moves each item's frames by up to ``max_shift`` frames left or right,
  filling the vacated frames with ``fill`` (the keyword moves inside its one-second clip).

Example:
    >>> import torch
    >>> x = torch.ones(2, 50, 8)
    >>> y = spec_augment(x, torch.tensor([50, 30]), generator=torch.Generator().manual_seed(0))
    >>> y.shape, bool((y == 0).any()), bool((x == 1).all())
    (torch.Size([2, 50, 8]), True, True)
"""

from __future__ import annotations

from typing import Optional

import torch

from lhotse_lite.errors import ConfigError, ShapeError

__all__ = ["spec_augment", "random_time_shift"]


def _check(features: torch.Tensor, lengths: torch.Tensor, where: str) -> None:
    if features.ndim != 3 or lengths.shape != (features.shape[0],):
        raise ShapeError(
            f"{where} expects features (batch, frames, dim) and lengths (batch,), got "
            f"{tuple(features.shape)} and {tuple(lengths.shape)}"
        )


def _randint(high: int, generator: Optional[torch.Generator]) -> int:
    """Uniform integer in ``[0, high]``."""
    return int(torch.randint(0, max(high, 0) + 1, (1,), generator=generator))


def spec_augment(
    features: torch.Tensor,
    lengths: torch.Tensor,
    num_time_masks: int = 2,
    max_time_width: int = 10,
    num_freq_masks: int = 2,
    max_freq_width: int = 8,
    fill: float = 0.0,
    generator: Optional[torch.Generator] = None,
) -> torch.Tensor:
    """Time and frequency masking of a padded batch.

    Args:
        features: ``(batch, frames, dim)``.
        lengths: ``(batch,)`` valid frames; time masks stay inside them.
        num_time_masks: Time bands per item.
        max_time_width: Largest time band, frames (widths are uniform in ``[0, max]``).
        num_freq_masks: Frequency bands per item.
        max_freq_width: Largest frequency band, bins.
        fill: Value of masked cells.
        generator: Source of randomness.

    Returns:
        The masked copy, ``(batch, frames, dim)``.

    Raises:
        ShapeError: Wrong shapes.
        ConfigError: Negative counts or widths.

    Example:
        >>> x = torch.ones(1, 20, 4)
        >>> y = spec_augment(x, torch.tensor([20]), num_time_masks=1, max_time_width=20, num_freq_masks=0,
        ...                  generator=torch.Generator().manual_seed(0))
        >>> bool(((y == 0).all(dim=2) | (y == 1).all(dim=2)).all())  # whole frames masked
        True
    """
    _check(features, lengths, "spec_augment")
    if min(num_time_masks, max_time_width, num_freq_masks, max_freq_width) < 0:
        raise ConfigError(
            "spec_augment: mask counts and widths must be >= 0, got "
            f"{(num_time_masks, max_time_width, num_freq_masks, max_freq_width)}"
        )
    out = features.clone()
    dim = features.shape[2]
    for i, length in enumerate(lengths.tolist()):
        for _ in range(num_time_masks):
            width = min(_randint(max_time_width, generator), length)
            start = _randint(length - width, generator)
            out[i, start : start + width, :] = fill
        for _ in range(num_freq_masks):
            width = min(_randint(max_freq_width, generator), dim)
            start = _randint(dim - width, generator)
            out[i, :length, start : start + width] = fill
    return out


def random_time_shift(
    features: torch.Tensor,
    lengths: torch.Tensor,
    max_shift: int = 10,
    fill: float = 0.0,
    generator: Optional[torch.Generator] = None,
) -> torch.Tensor:
    """Shifts each item's valid frames by a uniform ``[-max_shift, max_shift]`` frames (lengths unchanged).

    Args:
        features: ``(batch, frames, dim)``.
        lengths: ``(batch,)`` valid frames.
        max_shift: Largest shift in frames.
        fill: Value of the frames shifted in.
        generator: Source of randomness.

    Returns:
        The shifted copy.

    Raises:
        ShapeError: Wrong shapes.
        ConfigError: ``max_shift < 0``.

    Example:
        >>> x = torch.arange(5.0).reshape(1, 5, 1)
        >>> random_time_shift(x, torch.tensor([5]), max_shift=0).flatten().tolist()
        [0.0, 1.0, 2.0, 3.0, 4.0]
    """
    _check(features, lengths, "random_time_shift")
    if max_shift < 0:
        raise ConfigError(f"random_time_shift: max_shift must be >= 0, got {max_shift}")
    out = features.clone()
    for i, length in enumerate(lengths.tolist()):
        shift = _randint(2 * max_shift, generator) - max_shift
        if shift == 0 or abs(shift) >= length:
            continue
        valid = features[i, :length]
        out[i, :length] = fill
        if shift > 0:
            out[i, shift:length] = valid[: length - shift]
        else:
            out[i, : length + shift] = valid[-shift:]
    return out
