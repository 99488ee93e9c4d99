"""A 1-D convolution that zeroes the padded frames of its input first (NeMo's ``MaskedConv1d``).

Padded batches carry garbage (or zeros that are not "silence") after each item's last valid frame.
Zeroing them before every convolution makes each item's valid output frames independent of how much
padding the batch has and of what the padding contains: a padded item then sees exactly the zeros a
convolution's own padding would give it if it were alone.
"""

from __future__ import annotations

from typing import Sequence, Tuple, Union

import torch
from torch import nn
from torch.nn import functional as F

from lhotse_lite.checks import check_int
from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.matchbox.conv_geometry import conv_output_lengths

__all__ = ["MaskedConv1d", "mask_padded_frames", "split_padding"]


def mask_padded_frames(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Sets every frame at or after each item's length to zero.

    ``masked_fill`` is used rather than a multiplication so that NaN or inf in the padding are cleared too.

    Args:
        x: Padded batch, shape ``(batch, channels, time)``.
        lengths: Valid frames per item, shape ``(batch,)``.

    Returns:
        A new tensor shaped like ``x`` with ``x[b, :, lengths[b]:] == 0``.

    Example:
        >>> mask_padded_frames(torch.ones(2, 1, 4), torch.tensor([4, 2]))
        tensor([[[1., 1., 1., 1.]],
        <BLANKLINE>
                [[1., 1., 0., 0.]]])
    """
    time = torch.arange(x.size(2), device=x.device)
    padded = time.unsqueeze(0) >= lengths.to(x.device).unsqueeze(1)
    return x.masked_fill(padded.unsqueeze(1), 0.0)


class MaskedConv1d(nn.Module):
    """``nn.Conv1d`` (kept as ``.conv``, so checkpoints use ``<name>.conv.weight``) with padding masks.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Kernel size in frames.
        stride: Stride in frames.
        padding: Zero padding on each side, in frames (an int; see
            :func:`~lhotse_lite.models.matchbox.get_same_padding`), or ``(left, right)`` for asymmetric
            padding (a block's ``future_context``, see
            :func:`~lhotse_lite.models.matchbox.get_asymmetric_padding`): the masked input is then
            zero-padded explicitly and convolved without padding, as NeMo does.
        dilation: Dilation factor.
        groups: Convolution groups (``in_channels`` for a depthwise convolution).
        heads: ``-1`` (default) disables heads. Otherwise a depthwise convolution whose ``heads`` filters
            are shared by all channel groups: the weight is ``(heads, 1, kernel_size)`` and channel ``c`` uses
            filter ``c % heads``. Needs ``groups == in_channels == out_channels`` divisible by ``heads``.
        bias: Whether the convolution has a bias (MatchboxNet convolutions have none).
        use_mask: Zero the padded frames of the input before convolving (default ``True``).

    Shapes:
        ``forward(x, lens)``: ``x`` is ``(batch, in_channels, time)``, ``lens`` is ``(batch,)``; returns
        ``(batch, out_channels, time')`` and the new lengths ``(batch,)``.

    Raises:
        ConfigError: Inconsistent ``heads`` / ``groups`` / channel settings or an invalid padding.

    Example:
        >>> conv = MaskedConv1d(4, 4, kernel_size=3, padding=1, groups=4)
        >>> y, lens = conv(torch.randn(2, 4, 10), torch.tensor([10, 6]))
        >>> tuple(y.shape), lens.tolist()
        ((2, 4, 10), [10, 6])
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
        heads: int = -1,
        bias: bool = False,
        use_mask: bool = True,
    ) -> None:
        super().__init__()
        kernel_size, stride, dilation = (
            _as_int(v, n) for v, n in ((kernel_size, "kernel_size"), (stride, "stride"), (dilation, "dilation"))
        )
        pad_left, pad_right, explicit = split_padding(padding, "MaskedConv1d")
        if heads != -1:
            if not (groups == in_channels == out_channels):
                raise ConfigError(
                    f"heads={heads} is only for depthwise convolutions with groups == in_channels == "
                    f"out_channels, got groups={groups}, in_channels={in_channels}, "
                    f"out_channels={out_channels}; use heads=-1"
                )
            if heads <= 0 or in_channels % heads != 0:
                raise ConfigError(f"in_channels={in_channels} must be a multiple of heads={heads}; pick a divisor")
        self.returns_lengths = True
        self.real_out_channels = int(out_channels)
        self.heads = int(heads)
        self.use_mask = bool(use_mask)
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = pad_left
        self.padding_right = pad_right
        self.explicit_padding = explicit
        self.dilation = dilation
        conv_in, conv_out, conv_groups = (heads, heads, heads) if heads != -1 else (in_channels, out_channels, groups)
        self.conv = nn.Conv1d(
            conv_in,
            conv_out,
            kernel_size,
            stride=stride,
            padding=0 if explicit else pad_left,
            dilation=dilation,
            groups=conv_groups,
            bias=bias,
        )

    def get_seq_len(self, lens: torch.Tensor) -> torch.Tensor:
        """Valid output frames for inputs with ``lens`` valid frames, shape ``(batch,)``."""
        return conv_output_lengths(lens, self.kernel_size, self.stride, self.padding, self.dilation, self.padding_right)

    def update_masked_length(self, x: torch.Tensor, lens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Zeroes the padded frames of ``x`` and returns it with the lengths the convolution will give.

        Args:
            x: Padded input, shape ``(batch, in_channels, time)``.
            lens: Valid input frames per item, shape ``(batch,)``.

        Returns:
            ``(masked x, output lengths)``.
        """
        return mask_padded_frames(x, lens), self.get_seq_len(lens)

    def forward(self, x: torch.Tensor, lens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Masks (when ``use_mask``), convolves and updates the lengths; shapes in the class docstring."""
        if x.dim() != 3:
            raise ShapeError(f"MaskedConv1d expects (batch, channels, time), got shape {list(x.shape)}")
        if self.use_mask:
            x, lens = self.update_masked_length(x, lens)
        else:
            lens = self.get_seq_len(lens)
        if self.explicit_padding:
            x = F.pad(x, [self.padding, self.padding_right])
        batch = x.size(0)
        if self.heads != -1:
            x = x.reshape(-1, self.heads, x.size(2))
        out = self.conv(x)
        if self.heads != -1:
            out = out.reshape(batch, self.real_out_channels, -1)
        return out, lens


def split_padding(padding: Union[int, Sequence[int]], where: str) -> Tuple[int, int, bool]:
    """``(left, right, explicit)`` for an int, a one-element list or a ``(left, right)`` pair of paddings.

    ``explicit`` is true for a pair (padded before the convolution, as NeMo's ``ConstantPad1d``).
    """
    if isinstance(padding, (list, tuple)) and len(padding) == 2:
        left, right = (check_int(where, "padding", value, minimum=0) for value in padding)
        return left, right, True
    value = check_int(where, "padding", _single_value(padding, "padding"), minimum=0)
    return value, value, False


def _single_value(value: object, name: str) -> object:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ConfigError(f"{name} must be one int or a (left, right) pair, got {value!r}")
        return value[0]
    return value


def _as_int(value: object, name: str) -> int:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ConfigError(f"{name} must be one int (1-D convolution), got {value!r}")
        value = value[0]
    return check_int("MaskedConv1d", name, value)
