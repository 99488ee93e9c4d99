"""Factory functions for the MatchboxNet sizes of the paper: 3x1x64, 3x2x64 and 6x2x64.

Majumdar & Ginsburg, "MatchboxNet: 1D Time-Channel Separable Convolutional Neural Network Architecture
for Speech Commands Recognition", Interspeech 2020 (arXiv:2004.08531). Parameter counts with 64 input
features (30 / 35 classes): 3x1x64 77,214 / 77,859; 3x2x64 92,766 / 93,411 (NeMo's counts; the paper rounds
to 77K and 93K); 6x2x64 138,846 / 139,491 (the paper: 140K).
"""

from __future__ import annotations

from typing import Any, Optional

from lhotse_lite.models.matchbox.block_config import matchboxnet_blocks
from lhotse_lite.models.matchbox.decoder import ConvASRDecoderClassification
from lhotse_lite.models.matchbox.encoder import ConvASREncoder
from lhotse_lite.models.matchbox.model import MatchboxNet

__all__ = ["matchboxnet", "matchboxnet_3x1x64", "matchboxnet_3x2x64", "matchboxnet_6x2x64"]


def matchboxnet(
    num_blocks: int,
    repeat: int,
    channels: int = 64,
    num_classes: int = 30,
    feat_in: int = 64,
    dropout: float = 0.0,
    activation: str = "relu",
    conv_mask: bool = True,
    init_mode: Optional[str] = "xavier_uniform",
    pooling_type: str = "avg",
    return_logits: bool = True,
) -> MatchboxNet:
    """Builds MatchboxNet-``num_blocks x repeat x channels`` (blocks as in
    :func:`~lhotse_lite.models.matchbox.block_config.matchboxnet_blocks`).

    Args:
        num_blocks: ``B``, residual blocks.
        repeat: ``R``, sub-blocks per residual block.
        channels: ``C``, channels of the residual blocks.
        num_classes: Output classes (30 for Google Speech Commands v1, 35 for v2).
        feat_in: Features per frame (64 MFCCs in NeMo's configs).
        dropout: Dropout probability (NeMo's configs: 0.0).
        activation: Activation name.
        conv_mask: Masked convolutions (zero padded frames before each conv).
        init_mode: Weight initialisation mode.
        pooling_type: ``"avg"`` or ``"max"`` pooling in the decoder.
        return_logits: Logits (default) or softmax probabilities.

    Returns:
        A :class:`~lhotse_lite.models.matchbox.model.MatchboxNet` in training mode.

    Example:
        >>> model = matchboxnet(3, 1, num_classes=35)
        >>> sum(p.numel() for p in model.parameters())
        77859
    """
    encoder = ConvASREncoder(
        activation=activation,
        feat_in=feat_in,
        conv_mask=conv_mask,
        init_mode=init_mode,
        blocks=matchboxnet_blocks(num_blocks, repeat, channels, dropout=dropout),
    )
    decoder = ConvASRDecoderClassification(
        encoder.feat_out,
        num_classes,
        init_mode=init_mode,
        return_logits=return_logits,
        pooling_type=pooling_type,
    )
    return MatchboxNet(encoder, decoder)


def matchboxnet_3x1x64(num_classes: int = 30, feat_in: int = 64, **kwargs: Any) -> MatchboxNet:
    """MatchboxNet-3x1x64: 77,214 parameters with 30 classes (NeMo ``commandrecognition_en_matchboxnet3x1x64_v1``).

    Args:
        num_classes: Output classes.
        feat_in: Features per frame.
        **kwargs: Other arguments of :func:`matchboxnet`.

    Returns:
        The model.

    Example:
        >>> sum(p.numel() for p in matchboxnet_3x1x64().parameters())
        77214
    """
    return matchboxnet(3, 1, 64, num_classes=num_classes, feat_in=feat_in, **kwargs)


def matchboxnet_3x2x64(num_classes: int = 30, feat_in: int = 64, **kwargs: Any) -> MatchboxNet:
    """MatchboxNet-3x2x64: 92,766 parameters with 30 classes, 93,411 with 35 (97.29% on Speech Commands v2).

    Args:
        num_classes: Output classes.
        feat_in: Features per frame.
        **kwargs: Other arguments of :func:`matchboxnet`.

    Returns:
        The model.

    Example:
        >>> sum(p.numel() for p in matchboxnet_3x2x64().parameters())
        92766
    """
    return matchboxnet(3, 2, 64, num_classes=num_classes, feat_in=feat_in, **kwargs)


def matchboxnet_6x2x64(num_classes: int = 30, feat_in: int = 64, **kwargs: Any) -> MatchboxNet:
    """MatchboxNet-6x2x64: residual kernels 13, 15, ..., 23; 138,846 parameters with 30 classes (paper: 140K).

    NeMo ships no 6x2x64 config; the kernels continue the 3xRx64 progression (an assumption, see the docs).

    Args:
        num_classes: Output classes.
        feat_in: Features per frame.
        **kwargs: Other arguments of :func:`matchboxnet`.

    Returns:
        The model.

    Example:
        >>> sum(p.numel() for p in matchboxnet_6x2x64().parameters())
        138846
    """
    return matchboxnet(6, 2, 64, num_classes=num_classes, feat_in=feat_in, **kwargs)
