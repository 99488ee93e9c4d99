"""The per-block settings of a :class:`ConvASREncoder`: one entry of NeMo's ``encoder.jasper`` list."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

from lhotse_lite.checks import check_int, check_probability
from lhotse_lite.errors import ConfigError

__all__ = ["BlockConfig", "as_block_configs", "matchboxnet_blocks"]


@dataclass(frozen=True)
class BlockConfig:
    """Settings of one encoder block, with the field names of NeMo's ``jasper`` YAML entries.

    Args:
        filters: Output channels of the block.
        repeat: Sub-blocks per block (``R``).
        kernel: Kernel size in frames (NeMo writes ``[11]``; one-element lists are accepted).
        stride: Stride in frames.
        dilation: Dilation factor.
        dropout: Dropout probability.
        residual: Whether the block has a residual branch.
        separable: Time-channel separable convolutions (depthwise + pointwise).
        groups: Convolution groups (with a channel shuffle when > 1).
        heads: Shared depthwise filters, ``-1`` for none.
        residual_mode: ``"add"`` / ``"stride_add"``; ``None`` takes the encoder's ``residual_mode``.
        kernel_size_factor: Kernel scale, see :func:`~lhotse_lite.models.matchbox.compute_new_kernel_size`.
        stride_last: Only the last sub-block strides.
        residual_dense: Dense residual (Jasper DR): the block also receives every earlier block input.
        se: Squeeze-and-excitation after the block's last sub-block (Citrinet).
        se_reduction_ratio: Squeeze-excite hidden units ``filters // se_reduction_ratio`` (NeMo's encoder
            default, 8).
        se_context_size: Frames the squeeze averages in training mode, ``-1`` for all (NeMo's key; the
            block's ``se_context_window``).
        se_interpolation_mode: Stored, unused (as in NeMo).
        future_context: Future frames each convolution may see, ``-1`` for symmetric padding; see
            :class:`~lhotse_lite.models.matchbox.ConvBlock`.

    Raises:
        ConfigError: A value of the wrong type or out of range.

    Example:
        >>> BlockConfig.from_dict({"filters": 64, "repeat": 2, "kernel": [13], "residual": True}).kernel
        13
    """

    filters: int
    repeat: int = 1
    kernel: int = 11
    stride: int = 1
    dilation: int = 1
    dropout: float = 0.0
    residual: bool = False
    separable: bool = False
    groups: int = 1
    heads: int = -1
    residual_mode: Optional[str] = None
    kernel_size_factor: float = 1.0
    stride_last: bool = False
    residual_dense: bool = False
    se: bool = False
    se_reduction_ratio: int = 8
    se_context_size: int = -1
    se_interpolation_mode: str = "nearest"
    future_context: int = -1

    def __post_init__(self) -> None:
        for name in ("kernel", "stride", "dilation"):
            value = getattr(self, name)
            if isinstance(value, (list, tuple)):
                if len(value) != 1:
                    raise ConfigError(f"BlockConfig.{name} must be one int (1-D convolutions), got {value!r}")
                object.__setattr__(self, name, value[0])
        for name in ("filters", "repeat", "kernel", "stride", "dilation", "se_reduction_ratio"):
            check_int("BlockConfig", name, getattr(self, name), minimum=1)
        check_int("BlockConfig", "se_context_size", self.se_context_size)
        check_int("BlockConfig", "future_context", self.future_context)
        check_probability("BlockConfig", "dropout", self.dropout)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "BlockConfig":
        """Builds a config from one entry of a NeMo ``encoder.jasper`` list (unknown keys are an error).

        Args:
            data: Mapping with at least ``filters``; other keys as the dataclass fields.

        Returns:
            The config.

        Raises:
            ConfigError: An unknown key or an invalid value.

        Example:
            >>> BlockConfig.from_dict({"filters": 128, "kernel": [29], "dilation": [2]}).dilation
            2
        """
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown MatchboxNet block setting(s) {unknown}; supported: {sorted(known)}")
        if "filters" not in data:
            raise ConfigError(f"a block config needs 'filters', got keys {sorted(data)}")
        return cls(**dict(data))


def as_block_configs(blocks: Sequence[Union[BlockConfig, Mapping[str, Any]]]) -> Sequence[BlockConfig]:
    """Normalises a list of :class:`BlockConfig` or NeMo-style dicts to configs.

    Args:
        blocks: Non-empty list of :class:`BlockConfig` or mappings accepted by :meth:`BlockConfig.from_dict`.

    Returns:
        The configs, in order.

    Raises:
        ConfigError: An empty or non-list ``blocks`` or an invalid entry.

    Example:
        >>> [c.filters for c in as_block_configs([{"filters": 8}, BlockConfig(filters=16)])]
        [8, 16]
    """
    if isinstance(blocks, (str, bytes)) or not isinstance(blocks, Sequence) or not blocks:
        raise ConfigError(f"blocks must be a non-empty list of BlockConfig or dicts, got {blocks!r}")
    return [b if isinstance(b, BlockConfig) else BlockConfig.from_dict(b) for b in blocks]


def matchboxnet_blocks(
    num_blocks: int = 3,
    repeat: int = 1,
    channels: int = 64,
    dropout: float = 0.0,
    kernel_size_factor: float = 1.0,
) -> Sequence[BlockConfig]:
    """The ``jasper`` block list of MatchboxNet-``B x R x C`` (Majumdar & Ginsburg, Interspeech 2020).

    Prologue: separable conv, kernel 11, 128 channels. Then ``B`` residual separable blocks of ``R``
    sub-blocks and ``C`` channels with kernels 13, 15, 17, ... (growing by 2; NeMo's 3x1x64 config uses
    13, 15, 17). Epilogue: separable conv, kernel 29, dilation 2, 128 channels, then a (not separable) 1x1
    conv, 128 channels. All strides are 1.

    Args:
        num_blocks: ``B``, residual blocks.
        repeat: ``R``, sub-blocks per residual block.
        channels: ``C``, channels of the residual blocks.
        dropout: Dropout probability everywhere (NeMo's configs use 0.0).
        kernel_size_factor: Kernel scale for every block but the final 1x1 conv.

    Returns:
        ``B + 3`` block configs.

    Example:
        >>> [b.kernel for b in matchboxnet_blocks(3, 2, 64)]
        [11, 13, 15, 17, 29, 1]
    """
    if num_blocks < 1 or repeat < 1 or channels < 1:
        raise ConfigError(f"MatchboxNet needs B, R, C >= 1, got B={num_blocks}, R={repeat}, C={channels}")
    separable = functools.partial(BlockConfig, dropout=dropout, separable=True, kernel_size_factor=kernel_size_factor)
    blocks = [separable(filters=128, repeat=1, kernel=11, residual=False)]
    for index in range(num_blocks):
        blocks.append(separable(filters=channels, repeat=repeat, kernel=13 + 2 * index, residual=True))
    blocks.append(separable(filters=128, repeat=1, kernel=29, dilation=2, residual=False))
    blocks.append(BlockConfig(filters=128, repeat=1, kernel=1, residual=False, dropout=dropout))
    return blocks
