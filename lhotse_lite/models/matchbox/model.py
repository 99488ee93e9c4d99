"""MatchboxNet as one module: encoder + classification head, with NeMo's model-level key names."""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from lhotse_lite.errors import ConfigError
from lhotse_lite.models.matchbox.decoder import ConvASRDecoderClassification
from lhotse_lite.models.matchbox.encoder import ConvASREncoder

__all__ = ["MatchboxNet"]


class MatchboxNet(nn.Module):
    """An encoder and a classification decoder under the attribute names a NeMo checkpoint uses.

    ``state_dict()`` keys are ``encoder.encoder.<block>...`` and ``decoder.decoder_layers.0.*``, the
    ``encoder.*`` / ``decoder.*`` entries of a NeMo ``EncDecClassificationModel`` checkpoint (which also
    holds ``preprocessor.*`` buffers that this module does not have; see
    :func:`~lhotse_lite.models.matchbox.nemo_checkpoint.select_nemo_weights`).

    Args:
        encoder: The :class:`ConvASREncoder`.
        decoder: The :class:`ConvASRDecoderClassification`; its ``feat_in`` must equal ``encoder.feat_out``.
        pool_valid_frames: When lengths are given, pool only each item's valid encoder frames (default);
            ``False`` pools every frame of the padded batch, like NeMo.

    Shapes:
        ``forward(features, lengths=None)``: ``features`` is ``(batch, feat_in, time)``, ``lengths``
        ``(batch,)`` valid frames; returns ``(batch, num_classes)`` logits (or probabilities when the
        decoder has ``return_logits=False``).

    Example:
        >>> from lhotse_lite.models.matchbox import matchboxnet_3x1x64
        >>> model = matchboxnet_3x1x64(num_classes=30).eval()
        >>> tuple(model(torch.randn(2, 64, 98), torch.tensor([98, 60])).shape)
        (2, 30)
    """

    def __init__(
        self,
        encoder: ConvASREncoder,
        decoder: ConvASRDecoderClassification,
        pool_valid_frames: bool = True,
    ) -> None:
        super().__init__()
        if decoder.feat_in != encoder.feat_out:
            raise ConfigError(f"decoder.feat_in ({decoder.feat_in}) must equal encoder.feat_out ({encoder.feat_out})")
        self.encoder = encoder
        self.decoder = decoder
        self.pool_valid_frames = bool(pool_valid_frames)

    def forward(self, features: torch.Tensor, lengths: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Classifies a padded batch of features; shapes in the class docstring."""
        encoded, encoded_lengths = self.encoder(features, lengths)
        if lengths is not None and self.pool_valid_frames:
            return self.decoder(encoded, encoded_lengths)
        return self.decoder(encoded, None)
