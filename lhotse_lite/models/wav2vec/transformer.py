"""A small Transformer encoder and sinusoidal positions for the wav2vec 2.0 context network.

:class:`TransformerEncoder` has SpeechBrain's ``TransformerEncoder`` layout with its defaults
(post-norm layers: self-attention, residual, layer norm, then a ReLU feed-forward, residual, layer
norm; layer norms with ``eps=1e-6``; a final layer norm), so parameter counts match: with
``d_model=768, num_layers=4, nhead=4, d_ffn=1024`` it has 15,761,920 parameters. It is built on
``torch.nn.MultiheadAttention`` and returns the output tensor only (SpeechBrain also returns the
attention maps). :class:`SinusoidalPositionalEncoding` is the fixed sine/cosine table of Vaswani et
al. (2017), https://arxiv.org/abs/1706.03762.

Example:
    >>> import torch
    >>> encoder = TransformerEncoder(d_model=768, num_layers=4, nhead=4, d_ffn=1024)
    >>> sum(p.numel() for p in encoder.parameters())
    15761920
    >>> encoder(torch.rand(2, 5, 768)).shape
    torch.Size([2, 5, 768])
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Optional

import torch
from torch import nn

from lhotse_lite.checks import check_probability
from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.activations import make_activation

__all__ = ["TransformerEncoder", "TransformerEncoderLayer", "SinusoidalPositionalEncoding", "sinusoids"]


def sinusoids(num_positions: int, dim: int) -> torch.Tensor:
    """The sinusoidal position table: ``[p, 2i] = sin(p / 10000^(2i/dim))``, ``[p, 2i+1] = cos(...)``.

    Args:
        num_positions: Number of positions (rows).
        dim: Embedding size (columns); an odd size drops the last cosine column.

    Returns:
        Float tensor ``(num_positions, dim)``.

    Example:
        >>> sinusoids(3, 4)[1]
        tensor([0.8415, 0.5403, 0.0100, 0.9999])
    """
    positions = torch.arange(num_positions, dtype=torch.float32).unsqueeze(1)
    rates = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(num_positions, dim)
    table[:, 0::2] = torch.sin(positions * rates)
    table[:, 1::2] = torch.cos(positions * rates)[:, : dim // 2]
    return table


class SinusoidalPositionalEncoding(nn.Module):
    """Fixed sinusoidal position embeddings: ``forward(x)`` returns the ``(1, time, dim)`` table to add.

    Args:
        input_size: Embedding size ``dim``.
        max_len: Positions precomputed in a non-persistent buffer; longer inputs compute the table on
            the fly.

    Example:
        >>> import torch
        >>> SinusoidalPositionalEncoding(8)(torch.zeros(2, 5, 8)).shape
        torch.Size([1, 5, 8])
    """

    if TYPE_CHECKING:  # for the type checker only: TorchScript cannot read postponed annotations
        pe: torch.Tensor  # non-persistent buffer ``(1, max_len, input_size)``

    def __init__(self, input_size: int, max_len: int = 2500) -> None:
        super().__init__()
        if input_size < 1 or max_len < 1:
            raise ConfigError(
                f"SinusoidalPositionalEncoding: expected positive sizes, got input_size={input_size}, max_len={max_len}"
            )
        self.input_size = input_size
        self.register_buffer("pe", sinusoids(max_len, input_size).unsqueeze(0), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Position table for ``x`` of shape ``(batch, time, input_size)``: ``(1, time, input_size)``."""
        time = x.size(1)
        if time <= self.pe.size(1):
            return self.pe[:, :time].to(x.dtype)
        return sinusoids(time, self.input_size).unsqueeze(0).to(device=x.device, dtype=x.dtype)


class TransformerEncoderLayer(nn.Module):
    """One encoder layer: self-attention and feed-forward, each with a residual and a layer norm.

    Args:
        d_model: Model size.
        nhead: Attention heads (``d_model`` divisible by ``nhead``).
        d_ffn: Hidden size of the feed-forward block.
        dropout: Dropout on attention weights, in the feed-forward block and on both residual branches.
        activation: ``"relu"`` or ``"gelu"``.
        normalize_before: Pre-norm (normalise each branch's input) instead of post-norm.

    Example:
        >>> layer = TransformerEncoderLayer(d_model=16, nhead=4, d_ffn=32).eval()
        >>> padding = torch.tensor([[False, False, False], [False, False, True]])  # True: padded frame
        >>> layer(torch.rand(2, 3, 16), key_padding_mask=padding).shape
        torch.Size([2, 3, 16])
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        d_ffn: int,
        dropout: float = 0.0,
        activation: str = "relu",
        normalize_before: bool = False,
    ) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=True)
        self.ffn = nn.Sequential(
            nn.Linear(d_model, d_ffn),
            make_activation(activation, "TransformerEncoder"),
            nn.Dropout(dropout),
            nn.Linear(d_ffn, d_model),
        )
        self.norm1 = nn.LayerNorm(d_model, eps=1e-6)
        self.norm2 = nn.LayerNorm(d_model, eps=1e-6)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.normalize_before = normalize_before

    def forward(
        self,
        x: torch.Tensor,
        attn_mask: Optional[torch.Tensor] = None,
        key_padding_mask: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """``(batch, time, d_model)`` -> same shape; masks as in ``torch.nn.MultiheadAttention``."""
        h = self.norm1(x) if self.normalize_before else x
        h, _ = self.self_attn(h, h, h, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False)
        x = x + self.dropout1(h)
        if not self.normalize_before:
            x = self.norm1(x)
        h = self.norm2(x) if self.normalize_before else x
        x = x + self.dropout2(self.ffn(h))
        if not self.normalize_before:
            x = self.norm2(x)
        return x


class TransformerEncoder(nn.Module):
    """A stack of :class:`TransformerEncoderLayer` and a final layer norm, on ``(batch, time, d_model)``.

    Args:
        d_model: Model size.
        num_layers: Number of layers.
        nhead: Attention heads; ``d_model`` must be divisible by it.
        d_ffn: Hidden size of the feed-forward blocks.
        dropout: Dropout probability (0 by default, as in SpeechBrain).
        activation: ``"relu"`` (default) or ``"gelu"``.
        normalize_before: Pre-norm layers instead of post-norm.
        causal: Mask attention to future frames, so output frame ``t`` only sees inputs ``<= t``.

    Raises:
        ConfigError: A size is not positive, ``d_model % nhead != 0``, dropout is outside ``[0, 1)`` or
            the activation is unknown.

    Shapes:
        ``forward(src, src_key_padding_mask=None)``: ``src`` is ``(batch, time, d_model)``,
        ``src_key_padding_mask`` is bool ``(batch, time)`` with ``True`` at padding frames (which no
        frame attends to); the result has the shape of ``src``.

    Example:
        >>> import torch
        >>> encoder = TransformerEncoder(d_model=16, num_layers=2, nhead=2, d_ffn=32).eval()
        >>> padding = torch.tensor([[False] * 4, [False, False, True, True]])
        >>> encoder(torch.rand(2, 4, 16), src_key_padding_mask=padding).shape
        torch.Size([2, 4, 16])
    """

    def __init__(
        self,
        d_model: int,
        num_layers: int,
        nhead: int,
        d_ffn: int,
        dropout: float = 0.0,
        activation: str = "relu",
        normalize_before: bool = False,
        causal: bool = False,
    ) -> None:
        super().__init__()
        if min(d_model, num_layers, nhead, d_ffn) < 1 or d_model % nhead:
            raise ConfigError(
                "TransformerEncoder: expected positive sizes with d_model divisible by nhead, got "
                f"d_model={d_model}, num_layers={num_layers}, nhead={nhead}, d_ffn={d_ffn}"
            )
        check_probability("TransformerEncoder", "dropout", dropout)
        make_activation(activation, "TransformerEncoder")  # fail early on an unknown name
        self.d_model = d_model
        self.causal = causal
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(d_model, nhead, d_ffn, dropout, activation, normalize_before)
            for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model, eps=1e-6)

    def forward(self, src: torch.Tensor, src_key_padding_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Encode ``(batch, time, d_model)``; see the class docstring for the masks."""
        if src.dim() != 3 or src.size(-1) != self.d_model:
            raise ShapeError(
                f"TransformerEncoder: expected input (batch, time, {self.d_model}), got shape {list(src.shape)}"
            )
        attn_mask: Optional[torch.Tensor] = None
        if self.causal:
            time = src.size(1)
            attn_mask = torch.ones(time, time, dtype=torch.bool, device=src.device).triu(1)
        if src_key_padding_mask is not None:
            src_key_padding_mask = src_key_padding_mask.to(torch.bool)
        x = src
        for layer in self.layers:
            x = layer(x, attn_mask, src_key_padding_mask)
        return self.norm(x)
