"""Masks, negatives and batches for wav2vec 2.0 pre-training.

* :func:`compute_mask` draws the spans of latent frames to mask (never in the padding);
* :func:`sample_negatives` draws distractor frames for the contrastive task;
* :func:`w2v_mask_collate_fn` pads raw audio into a batch and draws its latent-frame mask.

They follow SpeechBrain's ``speechbrain.lobes.models.wav2vec`` functions with three changes: every
function takes an optional seeded ``torch.Generator`` (SpeechBrain uses the global NumPy/Python/torch
random state), :func:`compute_mask` returns a torch bool tensor and never fails when the spans cannot
all fit, and :func:`sample_negatives` fixes SpeechBrain's indexing, where batch item ``b`` is offset by
``b * (T - 1)`` instead of ``b * T`` so that negatives leak in from the previous utterance and can be
the target frame itself. ``speechbrain_compat=True`` restores that indexing (bit for bit, given the
same random state) for comparison with models trained that way; the default is the fixed behaviour.

Example:
    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> mask = compute_mask((2, 50), [50, 40], mask_prob=0.5, mask_length=5, generator=g)
    >>> mask.shape, mask[1, 40:].any().item()
    (torch.Size([2, 50]), False)
    >>> sample_negatives(torch.randn(2, 50, 8), 10, generator=g).shape
    torch.Size([10, 2, 50, 8])
"""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple

import torch

from lhotse_lite.checks import check_int
from lhotse_lite.errors import ConfigError, ShapeError

__all__ = ["compute_mask", "sample_negatives", "w2v_mask_collate_fn"]


def compute_mask(
    shape: Tuple[int, int],
    sample_lens: Sequence[int],
    mask_prob: float,
    mask_length: int,
    *,
    generator: Optional[torch.Generator] = None,
) -> torch.Tensor:
    """Draw a boolean span mask over latent frames that stays inside every utterance.

    With ``L_min = min(sample_lens)``, ``num_mask = int(mask_prob * L_min / mask_length + u + 1)`` spans
    (``u`` uniform in ``[0, 1)``: SpeechBrain's rule) of ``mask_length`` frames start at distinct random
    frames of each utterance; where spans overlap or run past the end, random unmasked frames of the
    utterance are added, so that row ``b`` has exactly ``min(num_mask * mask_length, sample_lens[b])``
    masked frames: the same count for every row unless the shortest utterance would be masked entirely.
    ``mask_prob=0`` masks nothing. No frame at or after ``sample_lens[b]`` is ever masked.

    Args:
        shape: ``(batch, frames)`` of the mask (``frames`` is the padded number of latent frames).
        sample_lens: Number of real (non-padding) latent frames of each utterance, each in
            ``[1, frames]``.
        mask_prob: Approximate fraction of the shortest utterance's frames to mask, in ``[0, 1]``.
        mask_length: Frames per masked span (10 in wav2vec 2.0).
        generator: Random source; seed it for a reproducible mask. ``None`` uses torch's global one.

    Returns:
        Bool tensor of ``shape``, ``True`` at masked frames.

    Raises:
        ConfigError: ``mask_prob`` or ``mask_length`` is out of range.
        ShapeError: ``sample_lens`` does not have ``batch`` entries in ``[1, frames]``.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(1)
        >>> mask = compute_mask((3, 20), [20, 12, 16], 0.4, 2, generator=g)
        >>> counts = mask.sum(dim=1).tolist()  # int(0.4 * 12 / 2 + u + 1) = 3 or 4 spans of 2
        >>> counts[0] == counts[1] == counts[2] and counts[0] in (6, 8)
        True
        >>> mask[1, 12:].any().item(), mask[2, 16:].any().item()
        (False, False)
    """
    batch, frames = (int(n) for n in shape)
    lens = [int(n) for n in sample_lens]
    if not 0.0 <= mask_prob <= 1.0:
        raise ConfigError(f"compute_mask: expected mask_prob in [0, 1], got {mask_prob}")
    check_int("compute_mask", "mask_length", mask_length, minimum=1)
    if len(lens) != batch or not lens or min(lens) < 1 or max(lens) > frames:
        raise ShapeError(
            f"compute_mask: expected {batch} sample_lens in [1, {frames}] for a mask of shape "
            f"{(batch, frames)}, got {lens}"
        )
    mask = torch.zeros(batch, frames, dtype=torch.bool)
    if mask_prob == 0.0:
        return mask
    u = float(torch.rand((), generator=generator))
    num_mask = int(mask_prob * min(lens) / float(mask_length) + u + 1)
    offsets = torch.arange(mask_length)
    for row, length in enumerate(lens):
        num_starts = max(length - mask_length + 1, 1)
        starts = torch.randperm(num_starts, generator=generator)[: min(num_mask, num_starts)]
        idx = (starts.unsqueeze(1) + offsets).flatten()
        mask[row, idx[idx < length]] = True
        missing = min(num_mask * mask_length, length) - int(mask[row].sum())
        if missing > 0:
            free = torch.nonzero(~mask[row, :length]).flatten()
            mask[row, free[torch.randperm(free.numel(), generator=generator)[:missing]]] = True
    return mask


def sample_negatives(
    y: torch.Tensor,
    num_neg: int,
    *,
    sample_lens: Optional[Sequence[int]] = None,
    generator: Optional[torch.Generator] = None,
    speechbrain_compat: bool = False,
) -> torch.Tensor:
    """Draw ``num_neg`` distractor frames for every frame of ``y``.

    By default (``speechbrain_compat=False``) the negatives of frame ``t`` of utterance ``b`` are drawn
    uniformly, with replacement, from the other frames of the same utterance: never frame ``t`` itself,
    never another utterance, never a frame at or after ``sample_lens[b]``. (A negative can still have the
    same *value* as the target when two frames quantise to the same codewords; the contrastive loss
    ignores those.) With ``speechbrain_compat=True`` the draws reproduce SpeechBrain's indexing exactly,
    quirks included: utterance ``b > 0`` draws from a window shifted ``b`` frames back, reaching into
    utterance ``b - 1`` and possibly returning the target frame; ``sample_lens`` is ignored there.

    Args:
        y: Frames ``(batch, time, channels)``, typically the quantised targets of the masked frames.
        num_neg: Negatives per frame (100 in wav2vec 2.0).
        sample_lens: Real frames of each utterance (each in ``[2, time]``); ``None`` means all ``time``.
        generator: Random source; seed it for reproducible draws.
        speechbrain_compat: Reproduce SpeechBrain's (cross-utterance) indexing; see above.

    Returns:
        Negatives ``(num_neg, batch, time, channels)``; gradients flow back to ``y``.

    Raises:
        ConfigError: ``num_neg`` is not a positive int.
        ShapeError: ``y`` is not 3-D, or an utterance has fewer than 2 frames (no other frame to draw).

    Example:
        >>> import torch
        >>> y = torch.arange(6.0).view(2, 3, 1)  # utterance 0: 0, 1, 2; utterance 1: 3, 4, 5
        >>> negs = sample_negatives(y, 4, generator=torch.Generator().manual_seed(0))
        >>> negs.shape
        torch.Size([4, 2, 3, 1])
        >>> bool((negs[:, 1] >= 3).all()), bool((negs != y.unsqueeze(0)).all())
        (True, True)
    """
    check_int("sample_negatives", "num_neg", num_neg, minimum=1)
    if y.dim() != 3:
        raise ShapeError(f"sample_negatives: expected y shaped (batch, time, channels), got {list(y.shape)}")
    batch, time, channels = y.shape
    if time < 2:
        raise ShapeError(
            f"sample_negatives: need at least 2 frames to draw a negative different from the target, "
            f"got y of shape {list(y.shape)}"
        )
    targets = torch.arange(time).repeat_interleave(num_neg).unsqueeze(0)  # (1, T * N)
    with torch.no_grad():
        if speechbrain_compat or sample_lens is None:
            neg = torch.randint(0, time - 1, (batch, time * num_neg), generator=generator)
        else:
            lens = torch.as_tensor([int(n) for n in sample_lens], dtype=torch.long)
            if lens.numel() != batch or int(lens.min()) < 2 or int(lens.max()) > time:
                raise ShapeError(
                    f"sample_negatives: expected {batch} sample_lens in [2, {time}] (a negative must be "
                    f"another real frame of the utterance), got {lens.tolist()}"
                )
            draws = torch.rand((batch, time * num_neg), generator=generator)
            neg = (draws * (lens - 1).unsqueeze(1)).long()
        neg = neg + (neg >= targets).long()  # skip the target frame, keeping the draw uniform
        stride = time - 1 if speechbrain_compat else time
        neg = neg + torch.arange(batch).unsqueeze(1) * stride
    negs = y.reshape(batch * time, channels)[neg.flatten().to(y.device)]
    return negs.view(batch, time, num_neg, channels).permute(2, 0, 1, 3)


def _signal(sample: Any, index: int) -> torch.Tensor:
    """The 1-D signal of one collate sample: a tensor/array or a mapping with ``"sig"``."""
    if isinstance(sample, Mapping):
        if "sig" not in sample:
            raise ShapeError(
                f"w2v_mask_collate_fn: sample {index} (id {sample.get('id')!r}) has no 'sig' entry; "
                f"expected a dict with 'sig' (1-D audio) or a 1-D tensor, got keys {sorted(sample)}"
            )
        sample = sample["sig"]
    sig = torch.as_tensor(sample)
    if sig.dim() != 1 or sig.numel() == 0:
        raise ShapeError(
            f"w2v_mask_collate_fn: expected sample {index} to be non-empty 1-D audio (samples,), "
            f"got shape {list(sig.shape)}"
        )
    return sig


def w2v_mask_collate_fn(
    samples_lst: Sequence[Any],
    get_out_len_fn: Callable[[torch.Tensor], Any],
    mask_prob: float,
    mask_length: int,
    *,
    generator: Optional[torch.Generator] = None,
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad raw audio into a batch and draw the latent-frame mask for it (a DataLoader ``collate_fn``).

    The mask is drawn here, not per sample, because the number of spans depends on the shortest
    utterance of the batch (see :func:`compute_mask`); it never covers a padding frame.

    Args:
        samples_lst: Samples, each 1-D audio ``(samples,)`` (tensor or array) or a mapping with ``"sig"``
            (and optionally ``"id"``), as SpeechBrain's audio pipelines produce.
        get_out_len_fn: Maps a number of samples (a 0-dim tensor) to a number of latent frames, e.g.
            ``W2VLatentExtractor().get_output_lengths``.
        mask_prob: Approximate fraction of frames to mask.
        mask_length: Frames per masked span.
        generator: Random source for the mask; seed it for reproducible batches.

    Returns:
        ``(wavs_padded, wav_lens, mask)``: audio ``(batch, max_samples)`` padded on the right with
        zeros; relative lengths ``(batch,)`` (``samples / max_samples``); bool mask ``(batch,
        max_frames)`` where ``max_frames = max(get_out_len_fn(samples))``.

    Raises:
        ShapeError: The batch is empty, a sample is not 1-D audio, or one is too short to give a frame.

    Example:
        >>> import torch
        >>> from lhotse_lite.models.wav2vec.latent_extractor import W2VLatentExtractor
        >>> out_len = W2VLatentExtractor().get_output_lengths
        >>> batch = [{"id": "a", "sig": torch.rand(16000)}, {"id": "b", "sig": torch.rand(12000)}]
        >>> wavs, wav_lens, mask = w2v_mask_collate_fn(batch, out_len, 0.65, 10)
        >>> wavs.shape, wav_lens.tolist(), mask.shape
        (torch.Size([2, 16000]), [1.0, 0.75], torch.Size([2, 48]))
        >>> mask[1, int(out_len(torch.tensor(12000))):].any().item()
        False
    """
    if not samples_lst:
        raise ShapeError("w2v_mask_collate_fn: got an empty list of samples; a batch needs at least one")
    signals = [_signal(sample, i) for i, sample in enumerate(samples_lst)]
    lengths = [sig.numel() for sig in signals]
    max_len = max(lengths)
    wavs = torch.zeros(len(signals), max_len, dtype=torch.result_type(signals[0], 0.0))
    for row, sig in enumerate(signals):
        wavs[row, : sig.numel()] = sig
    wav_lens = torch.tensor(lengths, dtype=torch.float32) / max_len
    latent_lens: List[int] = [int(get_out_len_fn(torch.as_tensor(n))) for n in lengths]
    short = [i for i, n in enumerate(latent_lens) if n < 1]
    if short:
        raise ShapeError(
            f"w2v_mask_collate_fn: samples {short} (of {lengths} samples) are too short to give a latent "
            "frame; drop such utterances before batching"
        )
    mask = compute_mask((len(signals), max(latent_lens)), latent_lens, mask_prob, mask_length, generator=generator)
    return wavs, wav_lens, mask
