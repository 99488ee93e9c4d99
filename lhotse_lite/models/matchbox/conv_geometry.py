"""Kernel sizes, "same" padding and output lengths of the 1-D convolutions in MatchboxNet blocks.

Pure integer/tensor arithmetic shared by :class:`~lhotse_lite.models.matchbox.MaskedConv1d` and
:class:`~lhotse_lite.models.matchbox.ConvBlock`, so the length bookkeeping lives in one place.

For a convolution with kernel ``k``, stride ``s``, dilation ``d`` and symmetric padding ``p``, an input of
``T`` valid frames gives ``floor((T + 2p - d(k - 1) - 1) / s) + 1`` valid output frames (the formula of
``torch.nn.Conv1d``). With "same" padding ``p = d(k - 1) // 2`` and an odd ``k`` this is ``T`` for ``s = 1``
and ``ceil(T / s)`` otherwise. A block with ``future_context`` pads asymmetrically
(:func:`get_asymmetric_padding`): ``left + right`` replaces ``2p``.
"""

from __future__ import annotations

import logging
from typing import Optional, Tuple, Union

import torch

from lhotse_lite.errors import ConfigError

__all__ = [
    "compute_new_kernel_size",
    "get_same_padding",
    "get_asymmetric_padding",
    "get_asymtric_padding",
    "conv_output_lengths",
]

logger = logging.getLogger(__name__)


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


def get_asymmetric_padding(
    kernel_size: int, stride: int, dilation: int, future_context: int
) -> Union[int, Tuple[int, int]]:
    """Padding of a convolution that looks at most ``future_context`` frames ahead (NeMo's streaming rule).

    The left side gets ``kernel_size - 1 - future_context`` frames of zeros and the right side
    ``future_context``, so each output frame sees ``future_context`` future input frames instead of half
    the kernel. Exactly NeMo's ``get_asymtric_padding`` (that name is an alias here), quirks included:

    * ``kernel_size <= future_context``: the kernel cannot see that far anyway; the symmetric "same"
      padding is returned (an int), with a warning;
    * ``future_context`` above half the kernel is allowed, with a warning (the layer then sees more
      future than past; NeMo's check compares the undilated left context with the dilated padding, so
      it also warns for some dilated layers that do not);
    * ``dilation > 1``: ``(dilation * kernel_size - 1 - dilation * future_context, dilation *
      future_context)``; the total ``dilation * kernel_size - 1`` is ``dilation - 1`` frames more than
      "same" padding, so such a convolution makes its output ``dilation - 1`` frames longer than its
      input (NeMo does the same; its checkpoints were trained with it).

    Args:
        kernel_size: Kernel size in frames.
        stride: Stride in frames (stride and dilation cannot both exceed 1).
        dilation: Dilation factor.
        future_context: Future (right) context in frames, ``>= 0``.

    Returns:
        ``(left, right)`` zero padding in frames, or the symmetric padding (an int) as above.

    Raises:
        ConfigError: Both ``stride`` and ``dilation`` are greater than 1.

    Example:
        >>> get_asymmetric_padding(11, 1, 1, 2), get_asymmetric_padding(13, 2, 1, 0)
        ((8, 2), (12, 0))
        >>> get_asymmetric_padding(3, 1, 2, 1)  # dilation 2: one frame more than "same" padding
        (3, 2)
        >>> get_asymmetric_padding(5, 1, 1, 8)  # kernel shorter than the future context: "same"
        2
    """
    symmetric = get_same_padding(kernel_size, stride, dilation)
    if kernel_size <= future_context:
        logger.warning(
            "future_context=%d is not less than kernel_size=%d: the kernel cannot be limited to it, so the "
            "symmetric padding (%d frames each side) is used",
            future_context,
            kernel_size,
            symmetric,
        )
        return symmetric
    left, right = kernel_size - 1 - future_context, future_context
    if dilation > 1:
        left, right = dilation * kernel_size - 1 - dilation * future_context, dilation * future_context
    if right > left:
        logger.warning(
            "future_context=%d is more than half of kernel_size=%d: the convolution sees more future than "
            "past frames (left padding %d, right padding %d)",
            future_context,
            kernel_size,
            left,
            right,
        )
    return left, right


get_asymtric_padding = get_asymmetric_padding
"""NeMo's name (sic) of :func:`get_asymmetric_padding`, for code ported from ``jasper.py``."""


def conv_output_lengths(
    lengths: torch.Tensor,
    kernel_size: int,
    stride: int,
    padding: int,
    dilation: int,
    padding_right: Optional[int] = None,
) -> torch.Tensor:
    """Number of valid output frames of a 1-D convolution for each input length.

    Args:
        lengths: Valid input frames per item, shape ``(batch,)``, integer dtype.
        kernel_size: Kernel size in frames.
        stride: Stride in frames.
        padding: Zero padding added on the left (and on the right when ``padding_right`` is ``None``).
        dilation: Dilation factor.
        padding_right: Zero padding added on the right, when it differs from the left.

    Returns:
        Valid output frames per item, shape ``(batch,)``, same dtype as ``lengths``.

    Example:
        >>> conv_output_lengths(torch.tensor([10, 7]), kernel_size=3, stride=2, padding=1, dilation=1)
        tensor([5, 4])
        >>> conv_output_lengths(torch.tensor([10, 7]), kernel_size=3, stride=1, padding=3, dilation=2,
        ...                     padding_right=2)
        tensor([11,  8])
    """
    span = dilation * (kernel_size - 1) + 1
    total = 2 * padding if padding_right is None else padding + padding_right
    return torch.div(lengths + total - span, stride, rounding_mode="floor") + 1
