"""Channel shuffle after a grouped convolution (ShuffleNet style), as in NeMo's Jasper blocks."""

from __future__ import annotations

import torch
from torch import nn

from lhotse_lite.errors import ConfigError, ShapeError

__all__ = ["GroupShuffle"]


class GroupShuffle(nn.Module):
    """Interleaves the channels of ``groups`` groups so the next grouped layer mixes information.

    Channels are viewed as a ``(groups, channels_per_group)`` grid and read back column by column: output
    channel ``j * groups + g`` is input channel ``g * channels_per_group + j``. No parameters.

    Args:
        groups: Number of channel groups.
        channels: Total channels, a multiple of ``groups``.

    Shapes:
        ``(batch, channels, time)`` -> ``(batch, channels, time)``.

    Raises:
        ConfigError: ``channels`` is not a positive multiple of ``groups``.

    Example:
        >>> x = torch.arange(6.0).reshape(1, 6, 1)
        >>> GroupShuffle(groups=2, channels=6)(x).flatten().tolist()
        [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    """

    def __init__(self, groups: int, channels: int) -> None:
        super().__init__()
        if groups <= 0 or channels <= 0 or channels % groups != 0:
            raise ConfigError(
                f"GroupShuffle needs channels to be a positive multiple of groups, got channels={channels}, "
                f"groups={groups}"
            )
        self.groups = int(groups)
        self.channels_per_group = int(channels) // int(groups)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Shuffles the channel axis of ``x`` (``(batch, channels, time)``)."""
        if x.dim() != 3 or x.size(1) != self.groups * self.channels_per_group:
            raise ShapeError(
                f"GroupShuffle expects (batch, {self.groups * self.channels_per_group}, time), "
                f"got shape {list(x.shape)}"
            )
        time = x.size(2)
        x = x.reshape(-1, self.groups, self.channels_per_group, time).transpose(1, 2)
        return x.reshape(-1, self.groups * self.channels_per_group, time)
