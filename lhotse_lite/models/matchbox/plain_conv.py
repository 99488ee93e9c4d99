"""The convolution of a block built with ``conv_mask=False``: an ``nn.Conv1d`` that tracks lengths.

It is a subclass of ``nn.Conv1d``, so its checkpoint keys are those of NeMo's plain convolution
(``mconv.0.weight``, without the ``.conv`` level of :class:`MaskedConv1d`). It does not mask padded
frames, but the output lengths still follow the stride (NeMo leaves lengths unchanged in this mode).
"""

from __future__ import annotations

from typing import Tuple

import torch
from torch import nn

from lhotse_lite.models.matchbox.conv_geometry import conv_output_lengths

__all__ = ["LengthAwareConv1d"]


class LengthAwareConv1d(nn.Conv1d):
    """``nn.Conv1d`` with int geometry, called as ``(x, lengths) -> (y, lengths')``.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Kernel size in frames.
        stride: Stride in frames.
        padding: Zero padding on each side, in frames.
        dilation: Dilation factor.
        groups: Convolution groups.
        bias: Whether the convolution has a bias.

    Shapes:
        ``x``: ``(batch, in_channels, time)``, ``lengths``: ``(batch,)``; returns
        ``(batch, out_channels, time')`` and ``(batch,)``.

    Example:
        >>> conv = LengthAwareConv1d(2, 2, 3, stride=2, padding=1)
        >>> y, lens = conv(torch.randn(1, 2, 9), torch.tensor([7]))
        >>> tuple(y.shape), lens.tolist()
        ((1, 2, 5), [4])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        dilation: int = 1,
        groups: int = 1,
        bias: bool = False,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            bias=bias,
        )
        self.returns_lengths = True
        self.geometry = (int(kernel_size), int(stride), int(padding), int(dilation))

    def forward(self, x: torch.Tensor, lens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:  # type: ignore[override]
        """Convolves ``x`` and computes the valid output lengths."""
        kernel, stride, padding, dilation = self.geometry
        out = self._conv_forward(x, self.weight, self.bias)
        return out, conv_output_lengths(lens, kernel, stride, padding, dilation)
