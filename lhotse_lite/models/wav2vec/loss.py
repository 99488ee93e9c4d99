"""The wav2vec 2.0 pre-training objective: contrastive loss plus codebook diversity loss.

For every masked frame the context network's output ``c_t`` must pick its quantised target ``q_t``
among ``K`` distractors: ``-log(exp(sim(c_t, q_t) / k) / sum_q exp(sim(c_t, q) / k))`` with cosine
similarity ``sim`` and temperature ``k`` (Baevski et al., 2020, https://arxiv.org/abs/2006.11477,
eq. 3). The diversity loss ``(G V - prob_perplex) / (G V)`` pushes the quantiser to use all ``G V``
codewords (eq. 4); :class:`~lhotse_lite.models.wav2vec.quantiser.W2VTargetQuantiser` returns it.

:func:`contrastive_loss` is the loss on already selected frames (SpeechBrain's ``ContrastiveLoss``);
:func:`w2v_pretraining_loss` does the whole step from encoder output, targets and mask: it selects the
masked frames, samples negatives among the masked frames of the same utterance and adds the weighted
diversity loss.

Example:
    >>> import torch
    >>> x = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> negatives = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])  # (1 negative, 2 frames, 2 channels)
    >>> loss, accuracy = contrastive_loss(x, x, negatives, temperature=1.0)
    >>> round(float(loss), 4), float(accuracy)  # -log(e / (e + 1))
    (0.3133, 1.0)
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.wav2vec.masking import sample_negatives

__all__ = ["contrastive_loss", "w2v_pretraining_loss"]


def contrastive_loss(
    predictions: torch.Tensor,
    targets: torch.Tensor,
    negatives: torch.Tensor,
    temperature: float = 0.1,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """InfoNCE over cosine similarities: pick the target among ``[target, *negatives]``.

    Negatives equal to their target (all channels) are excluded from the softmax (logit ``-inf``), as
    in fairseq and SpeechBrain.

    Args:
        predictions: Context vectors ``(..., channels)``, e.g. ``(frames, channels)``.
        targets: Positive targets, the shape of ``predictions``.
        negatives: Distractors ``(num_neg, ..., channels)``.
        temperature: Divides the cosine similarities (0.1 in wav2vec 2.0).

    Returns:
        ``(loss, accuracy)``: the mean cross-entropy over frames and the fraction of frames whose
        target scores at least as high as every negative (both 0-dim).

    Raises:
        ShapeError: The shapes do not fit together or there are no frames.
        ConfigError: ``temperature`` is not positive.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> x, negs = torch.randn(5, 8, generator=g), torch.randn(3, 5, 8, generator=g)
        >>> loss, accuracy = contrastive_loss(x, x, negs)
        >>> float(loss) < 0.05, float(accuracy)
        (True, 1.0)
    """
    if temperature <= 0:
        raise ConfigError(f"contrastive_loss: expected a positive temperature, got {temperature}")
    if (
        predictions.shape != targets.shape
        or negatives.dim() != targets.dim() + 1
        or negatives.shape[1:] != targets.shape
        or targets.numel() == 0
    ):
        raise ShapeError(
            "contrastive_loss: expected predictions and targets of one shape (..., channels) and "
            f"negatives (num_neg, ..., channels), got {list(predictions.shape)}, {list(targets.shape)} "
            f"and {list(negatives.shape)}"
        )
    neg_is_pos = (negatives == targets.unsqueeze(0)).all(dim=-1)
    candidates = torch.cat([targets.unsqueeze(0), negatives], dim=0)
    logits = F.cosine_similarity(predictions.unsqueeze(0).float(), candidates.float(), dim=-1)
    logits = logits / temperature
    exclude = torch.cat([torch.zeros_like(neg_is_pos[:1]), neg_is_pos], dim=0)
    logits = logits.masked_fill(exclude, float("-inf"))
    logits = logits.reshape(logits.size(0), -1).t()  # (frames, 1 + num_neg)
    labels = torch.zeros(logits.size(0), dtype=torch.long, device=logits.device)
    loss = F.cross_entropy(logits, labels)
    accuracy = (logits[:, 0:1] >= logits[:, 1:]).all(dim=1).float().mean()
    return loss, accuracy


def w2v_pretraining_loss(
    embeddings: torch.Tensor,
    targets: torch.Tensor,
    mask: torch.Tensor,
    diversity_loss: Optional[torch.Tensor] = None,
    *,
    num_negatives: int = 100,
    temperature: float = 0.1,
    diversity_weight: float = 0.1,
    generator: Optional[torch.Generator] = None,
    speechbrain_compat: bool = False,
) -> Dict[str, torch.Tensor]:
    """The wav2vec 2.0 loss of one batch, from encoder outputs, quantised targets and the mask.

    The masked frames of every utterance are gathered (in time order); for each, ``num_negatives``
    negatives are drawn among the *other masked frames of the same utterance* with
    :func:`~lhotse_lite.models.wav2vec.masking.sample_negatives`, and the :func:`contrastive_loss` is
    averaged over all masked frames. ``loss = contrastive + diversity_weight * diversity_loss``.

    Args:
        embeddings: Context network outputs projected to the target size ``(batch, time, channels)``.
        targets: Quantised targets ``(batch, time, channels)`` of the *unmasked* latents.
        mask: Bool ``(batch, time)``, the mask given to the encoder; every utterance needs at least two
            masked frames. Rows may have different counts.
        diversity_loss: ``meta["diversity_loss"]`` from the target quantiser, or ``None`` to skip it.
        num_negatives: Negatives per masked frame.
        temperature: Temperature of the contrastive softmax.
        diversity_weight: Weight of the diversity loss.
        generator: Random source for the negatives.
        speechbrain_compat: Draw negatives with SpeechBrain's cross-utterance indexing (see
            :func:`~lhotse_lite.models.wav2vec.masking.sample_negatives`); needs equal counts per row.

    Returns:
        Dict of 0-dim tensors: ``"loss"`` (to back-propagate), ``"contrastive_loss"``,
        ``"diversity_loss"`` (0 when not given), ``"accuracy"`` and ``"num_masked"``.

    Raises:
        ShapeError: Shapes differ, or an utterance has fewer than two masked frames.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> y = torch.randn(2, 20, 8, generator=g)
        >>> mask = torch.zeros(2, 20, dtype=torch.bool); mask[:, 5:15] = True
        >>> out = w2v_pretraining_loss(y, y, mask, num_negatives=5, generator=g)
        >>> float(out["accuracy"]), int(out["num_masked"])
        (1.0, 20)
    """
    if embeddings.shape != targets.shape or embeddings.dim() != 3 or mask.shape != embeddings.shape[:2]:
        raise ShapeError(
            "w2v_pretraining_loss: expected embeddings and targets (batch, time, channels) and a mask "
            f"(batch, time), got {list(embeddings.shape)}, {list(targets.shape)} and {list(mask.shape)}; "
            "project the encoder output to the target size first"
        )
    mask = mask.to(torch.bool)
    counts = mask.sum(dim=1)
    if int(counts.min()) < 2:
        raise ShapeError(
            "w2v_pretraining_loss: every utterance needs at least 2 masked frames (a target and a "
            f"negative), got counts {counts.tolist()}; raise mask_prob or check the mask"
        )
    if speechbrain_compat and int(counts.max()) != int(counts.min()):
        raise ShapeError(
            f"w2v_pretraining_loss: speechbrain_compat needs the same number of masked frames in every "
            f"row, got {counts.tolist()}"
        )
    width = int(counts.max())
    # masked frames first, in time order (stable sort), then pad with whatever follows
    order = torch.sort((~mask).to(torch.uint8), dim=1, stable=True).indices[:, :width]
    index = order.unsqueeze(-1).expand(-1, -1, targets.size(-1))
    y = targets.gather(1, index)
    x = embeddings.gather(1, index)
    valid = torch.arange(width, device=mask.device).unsqueeze(0) < counts.unsqueeze(1)
    negs = sample_negatives(
        y,
        num_negatives,
        sample_lens=None if speechbrain_compat else counts.tolist(),
        generator=generator,
        speechbrain_compat=speechbrain_compat,
    )
    contrastive, accuracy = contrastive_loss(x[valid], y[valid], negs[:, valid], temperature)
    diversity = torch.zeros_like(contrastive) if diversity_loss is None else diversity_loss
    return {
        "loss": contrastive + diversity_weight * diversity,
        "contrastive_loss": contrastive,
        "diversity_loss": diversity,
        "accuracy": accuracy,
        "num_masked": counts.sum(),
    }
