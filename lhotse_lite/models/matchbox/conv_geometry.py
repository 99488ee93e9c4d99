"""Kernel sizes, "same" padding and output lengths of the 1-D convolutions in MatchboxNet blocks.

Pure integer/tensor arithmetic shared by :class:`~lhotse_lite.models.matchbox.MaskedConv1d` and
:class:`~lhotse_lite.models.matchbox.ConvBlock`, so the length bookkeeping lives in one place.

For a convolution with kernel ``k``, stride ``s``, dilation ``d`` and symmetric padding ``p``, an input of
``T`` valid frames gives ``floor((T + 2p - d(k - 1) - 1) / s) + 1`` valid output frames (the formula of
``torch.nn.Conv1d``). With "same" padding ``p = d(k - 1) // 2`` and an odd ``k`` this is ``T`` for ``s = 1``
and ``ceil(T / s)`` otherwise.
"""

from __future__ import annotations

import torch

from lhotse_lite.errors import ConfigError

__all__ = ["compute_new_kernel_size", "get_same_padding", "conv_output_lengths"]


def compute_new_kernel_size(kernel_size: int, kernel_width: float) -> int:
    """Scales a kernel size by a factor and forces the result to be odd.

    The product is truncated to an integer (at least 1); an even result is bumped up by one. This is the
    arithmetic NeMo's Jasper blocks use for ``kernel_size_factor`` (the NeMo docstring says "rounded
    down to the nearest odd integer", but its code rounds an even size *up*; checkpoints follow the code).

    Args:
        kernel_size: Kernel size before scaling, in frames.
        kernel_width: Scale factor (``kernel_size_factor``), e.g. ``1.0`` or ``0.5``.

    Returns:
        The first odd integer >= ``max(int(kernel_size * kernel_width), 1)``.

    Example:
        >>> compute_new_kernel_size(13, 1.0), compute_new_kernel_size(11, 2.0), compute_new_kernel_size(13, 0.5)
        (13, 23, 7)
    """
    new_size = max(int(kernel_size * float(kernel_width)), 1)
    if new_size % 2 == 0:
        new_size += 1
    return new_size


def get_same_padding(kernel_size: int, stride: int, dilation: int) -> int:
    """Symmetric padding that keeps the length of a stride-1 convolution ("same" padding).

    Args:
        kernel_size: Kernel size in frames (odd for an exact "same" result).
        stride: Stride in frames; only checked (stride and dilation cannot both exceed 1).
        dilation: Dilation factor.

    Returns:
        ``dilation * (kernel_size - 1) // 2`` frames of zeros on each side.

    Raises:
        ConfigError: Both ``stride`` and ``dilation`` are greater than 1.

    Example:
        >>> get_same_padding(11, 1, 1), get_same_padding(29, 1, 2), get_same_padding(13, 2, 1)
        (5, 28, 6)
    """
    if stride > 1 and dilation > 1:
        raise ConfigError(
            f"only stride OR dilation may be greater than 1, got stride={stride} and dilation={dilation}; "
            f"set one of them to 1"
        )
    return (dilation * (kernel_size - 1)) // 2


def conv_output_lengths(
    lengths: torch.Tensor, kernel_size: int, stride: int, padding: int, dilation: int
) -> torch.Tensor:
    """Number of valid output frames of a 1-D convolution for each input length.

    Args:
        lengths: Valid input frames per item, shape ``(batch,)``, integer dtype.
        kernel_size: Kernel size in frames.
        stride: Stride in frames.
        padding: Zero padding added on each side, in frames.
        dilation: Dilation factor.

    Returns:
        Valid output frames per item, shape ``(batch,)``, same dtype as ``lengths``.

    Example:
        >>> conv_output_lengths(torch.tensor([10, 7]), kernel_size=3, stride=2, padding=1, dilation=1)
        tensor([5, 4])
    """
    span = dilation * (kernel_size - 1) + 1
    return torch.div(lengths + 2 * padding - span, stride, rounding_mode="floor") + 1
