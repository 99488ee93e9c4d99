"""The wav2vec 2.0 context network input stage: projection, masking, positions, encoder.

:class:`EncoderWrapper` projects latent frames to the encoder size, applies dropout, replaces the
masked frames by a learned mask embedding, adds sinusoidal positions and runs a latent encoder (for
example :class:`~lhotse_lite.models.wav2vec.transformer.TransformerEncoder`) with a padding mask taken
from ``wav_lens`` or given directly, as SpeechBrain's ``EncoderWrapper`` does (Baevski et al., 2020,
https://arxiv.org/abs/2006.11477, section 3.1).

Example:
    >>> import torch
    >>> from lhotse_lite.models.wav2vec.transformer import TransformerEncoder
    >>> encoder = TransformerEncoder(d_model=768, num_layers=4, nhead=4, d_ffn=1024)
    >>> wrapper = EncoderWrapper(1024, 768, encoder)
    >>> wrapper(torch.rand(10, 12, 1024))["embeddings"].shape
    torch.Size([10, 12, 768])
    >>> sum(p.numel() for p in wrapper.parameters())
    16549888
"""

from __future__ import annotations

from typing import Callable, Dict, Optional

import torch
from torch import nn

from lhotse_lite.checks import check_probability
from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.wav2vec.transformer import SinusoidalPositionalEncoding

__all__ = ["EncoderWrapper", "lengths_to_padding_mask"]


def lengths_to_padding_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """Bool padding mask ``(batch, max_len)``, ``True`` at frames ``>= lengths[b]``.

    Example:
        >>> import torch
        >>> lengths_to_padding_mask(torch.tensor([3, 1]), 3).int()
        tensor([[0, 0, 0],
                [0, 1, 1]], dtype=torch.int32)
    """
    frames = torch.arange(max_len, device=lengths.device)
    return frames.unsqueeze(0) >= lengths.to(torch.long).unsqueeze(1)


class EncoderWrapper(nn.Module):
    """Project, mask and position-encode latent frames, then run a latent encoder.

    Args:
        in_dim: Size of the latent frames (last input dimension).
        embedding_dim: Size the latents are projected to; the latent encoder's model size.
        latent_encoder: An initialised module called as ``latent_encoder(x,
            src_key_padding_mask=padding_mask)`` on ``(batch, time, embedding_dim)``; it returns a tensor
            of that shape (or a tuple starting with one, as SpeechBrain's encoders do).
        positional_encoding: A module class called as ``positional_encoding(embedding_dim)``; its
            ``forward(x)`` returns the position embeddings to add (broadcastable to ``x``).
        dropout_encoder_input: Dropout on the projected latents (before masking).

    Raises:
        ConfigError: A size is not positive or the dropout is outside ``[0, 1)``.

    Shapes:
        ``forward(latents, wav_lens=None, padding_mask=None, mask=None)``: ``latents`` ``(batch, time,
        in_dim)``; ``wav_lens`` ``(batch,)`` relative lengths in ``(0, 1]`` (padding starts at frame
        ``round(wav_lens * time)``) or ``padding_mask`` bool ``(batch, time)`` (``True`` = padding);
        ``mask`` bool ``(batch, time)`` (``True`` = replace by the mask embedding). Returns a dict with
        ``"embeddings"`` ``(batch, time, embedding_dim)`` and, when ``mask`` is given, ``"num_masked"``
        (0-dim, masked frames in the batch) and ``"ratio_masked"`` (``num_masked / mask.numel()``).

    State dict: ``mask_emb (embedding_dim,)``, ``input_projector.{weight (embedding_dim, in_dim),
    bias}``, ``latent_encoder.*``; the sinusoidal table is a non-persistent buffer.

    Example:
        >>> import torch
        >>> from lhotse_lite.models.wav2vec.transformer import TransformerEncoder
        >>> wrapper = EncoderWrapper(8, 16, TransformerEncoder(16, 1, 2, 32)).eval()
        >>> mask = torch.zeros(2, 5, dtype=torch.bool); mask[:, 1:3] = True
        >>> out = wrapper(torch.rand(2, 5, 8), wav_lens=torch.tensor([1.0, 0.8]), mask=mask)
        >>> out["embeddings"].shape, int(out["num_masked"]), round(float(out["ratio_masked"]), 3)
        (torch.Size([2, 5, 16]), 4, 0.4)
    """

    def __init__(
        self,
        in_dim: int,
        embedding_dim: int,
        latent_encoder: nn.Module,
        positional_encoding: Callable[[int], nn.Module] = SinusoidalPositionalEncoding,
        dropout_encoder_input: float = 0.05,
    ) -> None:
        super().__init__()
        if min(in_dim, embedding_dim) < 1:
            raise ConfigError(
                f"EncoderWrapper: expected positive sizes, got in_dim={in_dim}, embedding_dim={embedding_dim}"
            )
        check_probability("EncoderWrapper", "dropout_encoder_input", dropout_encoder_input)
        self.in_dim = in_dim
        self.embedding_dim = embedding_dim
        self.input_projector = nn.Linear(in_dim, embedding_dim)
        self.latent_encoder = latent_encoder
        self.positional_encoding = positional_encoding(embedding_dim)
        self.dropout_encoder_input = nn.Dropout(dropout_encoder_input)
        self.mask_emb = nn.Parameter(torch.empty(embedding_dim).uniform_())

    def forward(
        self,
        latents: torch.Tensor,
        wav_lens: Optional[torch.Tensor] = None,
        padding_mask: Optional[torch.Tensor] = None,
        mask: Optional[torch.Tensor] = None,
    ) -> Dict[str, torch.Tensor]:
        """Encode ``latents``; see the class docstring for shapes and the returned dict.

        Raises:
            ShapeError: ``latents`` is not ``(batch, time, in_dim)`` or a mask has the wrong shape.
            ConfigError: Both ``wav_lens`` and ``padding_mask`` are given.
        """
        if latents.dim() != 3 or latents.size(-1) != self.in_dim:
            raise ShapeError(
                f"EncoderWrapper: expected latents (batch, time, {self.in_dim}), got shape {list(latents.shape)}"
            )
        batch, time = latents.size(0), latents.size(1)
        results: Dict[str, torch.Tensor] = {}
        x = self.dropout_encoder_input(self.input_projector(latents))
        if mask is not None:
            _check_mask(mask, batch, time, "mask")
            x = torch.where(mask.unsqueeze(-1), self.mask_emb.to(x.dtype), x)
            num_masked = mask.sum()
            results["num_masked"] = num_masked
            results["ratio_masked"] = num_masked / mask.numel()
        if wav_lens is not None:
            if padding_mask is not None:
                raise ConfigError("EncoderWrapper: got both wav_lens and padding_mask; pass only one of them")
            padding_mask = lengths_to_padding_mask(torch.round(wav_lens * time), time)
        if padding_mask is not None:
            _check_mask(padding_mask, batch, time, "padding_mask")
        x = x + self.positional_encoding(x)
        out = self.latent_encoder(x, src_key_padding_mask=padding_mask)
        if isinstance(out, tuple):
            out = out[0]
        results["embeddings"] = out
        return results


def _check_mask(mask: torch.Tensor, batch: int, time: int, name: str) -> None:
    if mask.dim() != 2 or mask.size(0) != batch or mask.size(1) != time or mask.dtype != torch.bool:
        raise ShapeError(
            f"EncoderWrapper: expected {name} to be a bool tensor ({batch}, {time}) like the latents, "
            f"got {mask.dtype} of shape {list(mask.shape)}"
        )
