"""The convolution of a block built with ``conv_mask=False``: an ``nn.Conv1d`` that tracks lengths.

It is a subclass of ``nn.Conv1d``, so its checkpoint keys are those of NeMo's plain convolution
(``mconv.0.weight``, without the ``.conv`` level of :class:`MaskedConv1d`). It does not mask padded
frames, but the output lengths still follow the stride (NeMo leaves lengths unchanged in this mode).
"""

from __future__ import annotations

from typing import Sequence, Tuple, Union

import torch
from torch import nn
from torch.nn import functional as F

from lhotse_lite.models.matchbox.conv_geometry import conv_output_lengths
from lhotse_lite.models.matchbox.masked_conv import split_padding

__all__ = ["LengthAwareConv1d"]


class LengthAwareConv1d(nn.Conv1d):
    """``nn.Conv1d`` with int geometry, called as ``(x, lengths) -> (y, lengths')``.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Kernel size in frames.
        stride: Stride in frames.
        padding: Zero padding on each side, in frames, or ``(left, right)`` (padded explicitly before
            the convolution; NeMo's plain ``nn.Conv1d`` cannot take such a pair and fails in forward).
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
        padding: Union[int, Sequence[int]] = 0,
        dilation: int = 1,
        groups: int = 1,
        bias: bool = False,
    ) -> None:
        pad_left, pad_right, explicit = split_padding(padding, "LengthAwareConv1d")
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=0 if explicit else pad_left,
            dilation=dilation,
            groups=groups,
            bias=bias,
        )
        self.returns_lengths = True
        self.geometry = (int(kernel_size), int(stride), pad_left, int(dilation), pad_right)
        self.explicit_padding = explicit

    # Conv1d.forward takes no lengths (TorchScript reads a def line's "# type:" comment: no reason after it)
    def forward(self, x: torch.Tensor, lens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:  # type: ignore[override]
        """Convolves ``x`` and computes the valid output lengths."""
        kernel, stride, padding, dilation, padding_right = self.geometry
        if self.explicit_padding:
            x = F.pad(x, [padding, padding_right])
        out = self._conv_forward(x, self.weight, self.bias)
        return out, conv_output_lengths(lens, kernel, stride, padding, dilation, padding_right)
