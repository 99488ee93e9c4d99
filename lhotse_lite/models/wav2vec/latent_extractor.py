"""The convolutional feature encoder of wav2vec 2.0: raw audio -> latent frames.

A stack of 1-D convolutions (no bias, "valid" padding), each followed by a layer norm over channels,
GELU and dropout, then a final layer norm. With the defaults (7 blocks of 512 channels, kernels
``[11, 3, 3, 3, 3, 3, 3]``, strides ``[5, 2, 2, 2, 2, 2, 2]``) it has 4,732,416 parameters and turns
16 kHz audio into about 50 frames per second, like SpeechBrain's ``W2VLatentExtractor`` (Baevski et
al., 2020, https://arxiv.org/abs/2006.11477; channel sizes after https://arxiv.org/abs/2109.06870).

Example:
    >>> import torch
    >>> extractor = W2VLatentExtractor()
    >>> extractor(torch.rand(10, 5000)).shape
    torch.Size([10, 14, 512])
    >>> sum(p.numel() for p in extractor.parameters())
    4732416
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from lhotse_lite.checks import check_probability
from lhotse_lite.errors import ConfigError, ShapeError

__all__ = ["W2VLatentExtractor", "conv_output_lengths"]

_CONV_INITS = ("kaiming", "normal", "zero", None)


def conv_output_lengths(input_lengths: torch.Tensor, kernel_sizes: List[int], strides: List[int]) -> torch.Tensor:
    """Number of output frames of a stack of unpadded ("valid") convolutions.

    Each layer maps ``L`` frames to ``floor((L - kernel) / stride) + 1`` frames, and to 0 when ``L`` is
    shorter than the kernel (SpeechBrain lets this go negative; we clamp at 0).

    Args:
        input_lengths: Lengths in input samples, any shape, integer or float.
        kernel_sizes: Kernel size of every layer.
        strides: Stride of every layer.

    Returns:
        ``torch.long`` tensor of output frame counts, same shape as ``input_lengths``.

    Example:
        >>> import torch
        >>> conv_output_lengths(torch.tensor([400, 1000, 5000]), [11] + [3] * 6, [5] + [2] * 6)
        tensor([ 0,  2, 14])
    """
    lengths = input_lengths.to(torch.long)
    for kernel, stride in zip(kernel_sizes, strides):
        lengths = torch.clamp(torch.div(lengths - kernel, stride, rounding_mode="floor") + 1, min=0)
    return lengths


class _ConvBlock(nn.Module):
    """Conv1d (no bias) -> LayerNorm over channels -> GELU -> Dropout, on ``(batch, channel, time)``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int, dropout: float) -> None:
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride, bias=False)
        self.norm = nn.LayerNorm(out_channels)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        x = self.norm(x.transpose(1, 2)).transpose(1, 2)
        return self.dropout(F.gelu(x))


class W2VLatentExtractor(nn.Module):
    """Convolutional feature encoder of wav2vec 2.0: ``(batch, samples)`` audio to ``(batch, frames, C)``.

    Args:
        out_channels: Output channels of every conv block; the last one is the latent size ``C``.
        kernel_sizes: Kernel size of every block, in input frames (samples for the first block).
        strides: Stride of every block.
        dropout: Dropout probability after every block.
        conv_init: Conv weight initialisation: ``"kaiming"`` (Kaiming normal, the default),
            ``"normal"`` (normal, std 1e-6), ``"zero"``, or ``None`` (PyTorch's default).

    Raises:
        ConfigError: The three lists differ in length or are empty, a size is not positive, dropout is
            outside ``[0, 1)``, or ``conv_init`` is unknown.

    Shapes:
        ``forward(x)``: ``x`` is ``(batch, samples)``; the result is ``(batch, frames, out_channels[-1])``
        with ``frames = get_output_lengths(samples)``.

    Example:
        >>> import torch
        >>> extractor = W2VLatentExtractor([32, 32], [10, 3], [5, 2])
        >>> extractor(torch.randn(2, 1600)).shape
        torch.Size([2, 159, 32])
        >>> extractor.get_output_lengths(torch.tensor([1600, 800]))
        tensor([159,  79])
    """

    def __init__(
        self,
        out_channels: Sequence[int] = (512, 512, 512, 512, 512, 512, 512),
        kernel_sizes: Sequence[int] = (11, 3, 3, 3, 3, 3, 3),
        strides: Sequence[int] = (5, 2, 2, 2, 2, 2, 2),
        dropout: float = 0.0,
        conv_init: Optional[str] = "kaiming",
    ) -> None:
        super().__init__()
        out_channels, kernel_sizes, strides = list(out_channels), list(kernel_sizes), list(strides)
        if not out_channels or not len(out_channels) == len(kernel_sizes) == len(strides):
            raise ConfigError(
                "W2VLatentExtractor: expected out_channels, kernel_sizes and strides of one non-zero "
                f"length, got {len(out_channels)}, {len(kernel_sizes)} and {len(strides)} entries"
            )
        if min(out_channels + kernel_sizes + strides) < 1:
            raise ConfigError(
                "W2VLatentExtractor: channels, kernel sizes and strides must be positive, got "
                f"out_channels={out_channels}, kernel_sizes={kernel_sizes}, strides={strides}"
            )
        check_probability("W2VLatentExtractor", "dropout", dropout)
        if conv_init not in _CONV_INITS:
            raise ConfigError(f"W2VLatentExtractor: unknown conv_init {conv_init!r}; use one of {list(_CONV_INITS)}")
        self.kernel_sizes: List[int] = kernel_sizes
        self.strides: List[int] = strides
        self.out_dim = out_channels[-1]
        in_channels = [1, *out_channels[:-1]]
        blocks = [
            _ConvBlock(c_in, c_out, k, s, dropout)
            for c_in, c_out, k, s in zip(in_channels, out_channels, kernel_sizes, strides)
        ]
        self.blocks = nn.ModuleList(blocks)
        self.norm = nn.LayerNorm(self.out_dim)
        for block in blocks:
            _init_conv(block.conv.weight, conv_init)

    def forward(self, x: torch.Tensor, normalize_signal: bool = True) -> torch.Tensor:
        """Compute latent frames from raw audio.

        Args:
            x: Audio ``(batch, samples)``.
            normalize_signal: Normalise every signal to zero mean and unit variance first (over the
                whole padded signal, as SpeechBrain does).

        Returns:
            Latents ``(batch, frames, out_channels[-1])``.

        Raises:
            ShapeError: ``x`` is not 2-D or too short to give one frame.
        """
        if x.dim() != 2:
            raise ShapeError(
                f"W2VLatentExtractor: expected audio shaped (batch, samples), got {x.dim()}-D input of "
                f"shape {list(x.shape)}; add a batch dimension with x.unsqueeze(0)"
            )
        frames = x.size(1)
        for kernel, stride in zip(self.kernel_sizes, self.strides):
            frames = (frames - kernel) // stride + 1 if frames >= kernel else 0
        if frames < 1:
            raise ShapeError(
                f"W2VLatentExtractor: {x.size(1)} samples are too short for one latent frame (the "
                f"receptive field needs more); pad or drop such inputs"
            )
        if normalize_signal:
            x = F.layer_norm(x, x.shape[1:])
        x = x.unsqueeze(1)
        for block in self.blocks:
            x = block(x)
        return self.norm(x.transpose(1, 2))

    @torch.jit.export
    def get_output_lengths(self, input_lengths: torch.Tensor) -> torch.Tensor:
        """Number of latent frames for inputs of ``input_lengths`` samples.

        Args:
            input_lengths: Lengths in samples, any shape.

        Returns:
            ``torch.long`` frame counts of the same shape (0 for inputs shorter than the receptive field).

        Example:
            >>> import torch
            >>> W2VLatentExtractor().get_output_lengths(torch.tensor([400, 1000, 5000, 16000, 160000]))
            tensor([  0,   2,  14,  48, 498])
        """
        return conv_output_lengths(input_lengths, self.kernel_sizes, self.strides)


def _init_conv(weight: torch.Tensor, conv_init: Optional[str]) -> None:
    """Initialise a conv weight in place the way SpeechBrain's ``Conv1d(conv_init=...)`` does."""
    if conv_init == "kaiming":
        nn.init.kaiming_normal_(weight)
    elif conv_init == "normal":
        nn.init.normal_(weight, std=1e-6)
    elif conv_init == "zero":
        nn.init.zeros_(weight)
