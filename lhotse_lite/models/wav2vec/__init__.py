"""wav2vec 2.0 building blocks (after SpeechBrain's ``speechbrain.lobes.models.wav2vec``).

Baevski, Zhou, Mohamed, Auli: *wav2vec 2.0: A Framework for Self-Supervised Learning of Speech
Representations*, NeurIPS 2020, https://arxiv.org/abs/2006.11477.

* :class:`W2VLatentExtractor`: raw audio ``(batch, samples)`` -> latents ``(batch, frames, 512)``;
* :class:`GumbelVectorQuantizer`, :class:`W2VTargetQuantiser`: latents -> quantised targets + metrics;
* :class:`EncoderWrapper` with :class:`TransformerEncoder`: masked latents -> context vectors;
* :func:`compute_mask`, :func:`sample_negatives`, :func:`w2v_mask_collate_fn`: masks, negatives, batches;
* :func:`contrastive_loss`, :func:`w2v_pretraining_loss`: the pre-training objective;
* :func:`convert_speechbrain_state_dict`: load SpeechBrain checkpoints.

Example:
    >>> import torch
    >>> from lhotse_lite.models.wav2vec import W2VLatentExtractor, W2VTargetQuantiser
    >>> latents = W2VLatentExtractor()(torch.rand(2, 5000))
    >>> targets, meta = W2VTargetQuantiser()(latents)
    >>> latents.shape, targets.shape
    (torch.Size([2, 14, 512]), torch.Size([2, 14, 256]))
"""

from lhotse_lite.models.wav2vec.checkpoint import convert_speechbrain_state_dict
from lhotse_lite.models.wav2vec.encoder_wrapper import EncoderWrapper, lengths_to_padding_mask
from lhotse_lite.models.wav2vec.latent_extractor import W2VLatentExtractor
from lhotse_lite.models.wav2vec.loss import contrastive_loss, w2v_pretraining_loss
from lhotse_lite.models.wav2vec.masking import compute_mask, sample_negatives, w2v_mask_collate_fn
from lhotse_lite.models.wav2vec.quantiser import GumbelVectorQuantizer, W2VTargetQuantiser
from lhotse_lite.models.wav2vec.transformer import SinusoidalPositionalEncoding, TransformerEncoder

__all__ = [
    "W2VLatentExtractor",
    "GumbelVectorQuantizer",
    "W2VTargetQuantiser",
    "EncoderWrapper",
    "TransformerEncoder",
    "SinusoidalPositionalEncoding",
    "compute_mask",
    "sample_negatives",
    "w2v_mask_collate_fn",
    "contrastive_loss",
    "w2v_pretraining_loss",
    "lengths_to_padding_mask",
    "convert_speechbrain_state_dict",
]
