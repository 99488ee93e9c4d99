"""The utterance classification head of MatchboxNet (NeMo's ``ConvASRDecoderClassification``)."""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.matchbox.init import init_weights

__all__ = ["ConvASRDecoderClassification", "POOLING_TYPES"]

POOLING_TYPES = ("avg", "max")


class ConvASRDecoderClassification(nn.Module):
    """Global pooling over time followed by one linear layer (``decoder_layers.0``), as in NeMo.

    Args:
        feat_in: Channels of the encoder output (128 for MatchboxNet).
        num_classes: Number of output classes (30 for Speech Commands v1, 35 for v2).
        init_mode: Initialisation of the linear weight, see :func:`~lhotse_lite.models.matchbox.init_weights`.
        return_logits: Return logits (default) or, when ``False``, softmax probabilities.
        pooling_type: ``"avg"`` or ``"max"`` pooling over time.

    Shapes:
        ``forward(encoder_output, lengths=None)``: ``encoder_output`` is ``(batch, feat_in, time)``;
        returns ``(batch, num_classes)``. Without ``lengths`` every frame is pooled, padding included,
        exactly like NeMo; with ``lengths`` (``(batch,)``, an extension) only each item's valid frames are,
        so a padded batch gives the same result as the items one by one.

    Raises:
        ConfigError: ``pooling_type`` is not ``"avg"`` / ``"max"`` or a size is < 1.

    Example:
        >>> decoder = ConvASRDecoderClassification(feat_in=128, num_classes=30)
        >>> sum(p.numel() for p in decoder.parameters())
        3870
        >>> tuple(decoder(torch.randn(2, 128, 50)).shape)
        (2, 30)
    """

    def __init__(
        self,
        feat_in: int,
        num_classes: int,
        init_mode: Optional[str] = "xavier_uniform",
        return_logits: bool = True,
        pooling_type: str = "avg",
    ) -> None:
        super().__init__()
        if pooling_type not in POOLING_TYPES:
            raise ConfigError(f"pooling_type must be one of {POOLING_TYPES}, got {pooling_type!r}")
        if feat_in < 1 or num_classes < 1:
            raise ConfigError(f"feat_in and num_classes must be >= 1, got {feat_in} and {num_classes}")
        self.feat_in = int(feat_in)
        self.num_classes = int(num_classes)
        self.return_logits = bool(return_logits)
        self.pooling_type = pooling_type
        self.decoder_layers = nn.Sequential(nn.Linear(feat_in, num_classes, bias=True))
        self.apply(lambda module: init_weights(module, mode=init_mode))

    def forward(self, encoder_output: torch.Tensor, lengths: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Pools over time and classifies; shapes in the class docstring.

        Raises:
            ShapeError: ``encoder_output`` is not ``(batch, feat_in, time)``.
        """
        if encoder_output.dim() != 3 or encoder_output.size(1) != self.feat_in:
            raise ShapeError(
                f"ConvASRDecoderClassification expects (batch, {self.feat_in}, time), got shape "
                f"{list(encoder_output.shape)}"
            )
        if lengths is None:
            if self.pooling_type == "avg":
                pooled = encoder_output.mean(dim=2)
            else:
                pooled = encoder_output.amax(dim=2)
        else:
            time = torch.arange(encoder_output.size(2), device=encoder_output.device)
            valid = (time.unsqueeze(0) < lengths.to(encoder_output.device).unsqueeze(1)).unsqueeze(1)
            if self.pooling_type == "avg":
                total = encoder_output.masked_fill(~valid, 0.0).sum(dim=2)
                count = lengths.to(encoder_output.device).clamp(min=1).unsqueeze(1).to(encoder_output.dtype)
                pooled = total / count
            else:
                pooled = encoder_output.masked_fill(~valid, float("-inf")).amax(dim=2)
        logits = self.decoder_layers(pooled)
        if self.return_logits:
            return logits
        return torch.softmax(logits, dim=-1)
