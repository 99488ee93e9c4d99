"""Batch datasets for the three model families of :mod:`lhotse_lite.models`, in the layout each takes.

Each is indexed by a :class:`~lhotse_lite.dataset.SampledBatch` (see
:mod:`~lhotse_lite.dataset.batch_dataset`) and returns a dict whose tensors go into the model as they
are, plus the bookkeeping fields ``ids``, ``epoch``, ``batch_index``, ``skipped_ids``, ``num_items``:

* :class:`KeywordSpottingDataset` (MatchboxNet): ``inputs (batch, feature, time)``,
  ``input_lens (batch,)``, ``labels (batch,)`` -- ``model(batch["inputs"], batch["input_lens"])``.
* :class:`SpeechRecognitionDataset` (ConvEmformer): ``inputs (batch, time + R, feature)`` with ``R``
  right-context frames of padding, ``input_lens (batch,)``, ``texts``, ``token_ids (batch, tokens)``
  padded with ``pad_id``, ``token_lens`` -- ``model(batch["inputs"], batch["input_lens"])``.
* :class:`Wav2VecPretrainingDataset` (wav2vec 2.0): ``wavs (batch, samples)``, ``wav_lens (batch,)``
  relative, ``mask (batch, frames)`` from :func:`~lhotse_lite.models.wav2vec.w2v_mask_collate_fn`,
  ``num_samples (batch,)``.

Features come from a ``FeatureSet`` (``features=``, any storage backend) or are computed on the fly
(``recordings=`` and ``extractor=``, with optional ``speed_factors``/``volume_factors`` drawn per item):
item by item by default (in ``DataLoader`` workers), or with ``device=`` a whole batch at once on that
device (e.g. ``"cuda"`` with ``num_workers=0``), the batch's tensors returned there.
Batch augmentations (``transforms=``) are functions ``fn(features (batch, time, feature), lengths,
generator=) -> features`` such as ``functools.partial(spec_augment, num_time_masks=2)`` and
:func:`~lhotse_lite.dataset.random_time_shift`; they see the time-major layout before the
model-specific one is made.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

import torch

from lhotse_lite.dataset.batch_dataset import BatchDataset, make_source
from lhotse_lite.dataset.bucketing import SampledBatch
from lhotse_lite.dataset.collate import new_batch_tensor
from lhotse_lite.errors import ConfigError

__all__ = ["KeywordSpottingDataset", "SpeechRecognitionDataset", "Wav2VecPretrainingDataset"]

Transform = Callable[..., torch.Tensor]


class _FeatureBatchDataset(BatchDataset):
    """Shared by the feature datasets: read, pad to ``(batch, time, feature)``, augment."""

    def __init__(
        self,
        supervisions: Any,
        features: Any = None,
        recordings: Any = None,
        extractor: Any = None,
        normalizer: Any = None,
        transforms: Sequence[Transform] = (),
        speed_factors: Optional[Sequence[float]] = None,
        volume_factors: Optional[Sequence[float]] = None,
        seed: int = 0,
        skip_errors: bool = False,
        device: Optional[str] = None,
    ) -> None:
        source = make_source(features, recordings, extractor, speed_factors, volume_factors, device=device)
        super().__init__(supervisions, source, normalizer=normalizer, seed=seed, skip_errors=skip_errors)
        self.transforms = list(transforms)

    def _features(self, batch: SampledBatch, extra_frames: int = 0) -> Dict[str, Any]:
        """Reads and pads the batch; ``extra_frames`` of zeros are appended after the transforms."""
        # without transforms the extra frames are allocated with the batch (no second copy)
        segments, feats, lengths, skipped = self.load_padded(batch, 0 if self.transforms else extra_frames)
        out = self.batch_info(batch, segments, skipped)
        out["segments"] = segments
        if feats is None or lengths is None:
            return out
        if self.device is not None:
            feats, lengths = feats.to(self.device), lengths.to(self.device)
        if self.transforms:
            generator = self.generators(batch)[1]
            for transform in self.transforms:
                feats = transform(feats, lengths, generator=generator)
        if self.transforms and extra_frames:
            feats = torch.cat([feats, feats.new_zeros(feats.shape[0], extra_frames, feats.shape[2])], dim=1)
        out["inputs"], out["input_lens"] = feats, lengths
        return out


class KeywordSpottingDataset(_FeatureBatchDataset):
    """Classification batches for MatchboxNet: ``inputs (batch, feature, time)``, lengths, label ids.

    Args:
        supervisions: Supervisions (eager, indexed lazy, or an iterable read once).
        label_fn: ``segment -> int`` class id, e.g. :class:`~lhotse_lite.dataset.LabelTargets`.
        features: Precomputed features covering the supervisions.
        recordings: Recordings, for features computed on the fly with ``extractor``.
        extractor: A ``FeatureExtractor`` (on-the-fly path).
        normalizer: Per-item normalisation (:class:`~lhotse_lite.dataset.GlobalMVN` or a stats dict).
        transforms: Batch augmentations on ``(batch, time, feature)`` (module docstring).
        speed_factors: On-the-fly path: speed factors drawn per item.
        volume_factors: On-the-fly path: gains drawn per item.
        seed: Base seed of the per-batch generators.
        skip_errors: Leave out unreadable items (logged, counted) instead of raising.
        device: On-the-fly path: extract each batch at once on this device (``"cpu"``, ``"cuda"``,
            ``"cuda:1"``) and return ``inputs``/``input_lens`` there; ``None`` (default) extracts
            item by item (see :class:`~lhotse_lite.dataset.OnTheFlyFeatures`).

    Returns (``dataset[batch]``):
        ``{"inputs": (batch, feature, time) float32, "input_lens": (batch,) int64, "labels": (batch,)
        int64, "ids", "epoch", "batch_index", "skipped_ids", "num_items"}``.

    Raises:
        ConfigError: See :func:`~lhotse_lite.dataset.batch_dataset.make_source`.
    """

    def __init__(self, supervisions: Any, label_fn: Callable[[Any], int], **kwargs: Any) -> None:
        super().__init__(supervisions, **kwargs)
        self.label_fn = label_fn

    def __getitem__(self, batch: SampledBatch) -> Dict[str, Any]:
        """The collated batch (see the class docstring)."""
        out = self._features(batch)
        segments = out.pop("segments")
        if "inputs" in out:
            inputs = out["inputs"].transpose(1, 2)
            if inputs.device.type == "cpu":  # into shared memory in a worker (the DataLoader copies nothing)
                out["inputs"] = new_batch_tensor(tuple(inputs.shape), inputs.dtype)[0].copy_(inputs)
            else:
                out["inputs"] = inputs.contiguous()
        out["labels"] = torch.tensor([int(self.label_fn(s)) for s in segments], dtype=torch.int64, device=self.device)
        return out


def _text(segment: Any) -> str:
    return segment.text or ""


class SpeechRecognitionDataset(_FeatureBatchDataset):
    """Batches for streaming ASR (ConvEmformer): ``inputs (batch, time + R, feature)``, lengths, token ids.

    Args:
        supervisions: Supervisions with ``text``.
        tokenizer: ``text -> list of int`` token ids (a picklable callable, e.g. a SentencePiece
            model's ``encode``); ``None`` gives no ``token_ids``.
        right_context_frames: ``R``: frames of zero padding appended after the longest item, the
            look-ahead ConvEmformer's ``forward`` expects (``right_context_length``). (Default: ``0``)
        pad_id: Value of the padding in ``token_ids``. (Default: ``-1``)
        text_fn: ``segment -> text``. (Default: the segment's ``text``)
        **kwargs: ``features``/``recordings``/``extractor``/``normalizer``/``transforms``/
            ``speed_factors``/``volume_factors``/``seed``/``skip_errors``/``device`` as in
            :class:`KeywordSpottingDataset`.

    Returns (``dataset[batch]``):
        ``{"inputs": (batch, time + R, feature), "input_lens": (batch,) valid frames, "texts": list,
        "token_ids": (batch, max_tokens) int64, "token_lens": (batch,) int64, "ids", ...}``.

    Raises:
        ConfigError: ``right_context_frames < 0``, or see
            :func:`~lhotse_lite.dataset.batch_dataset.make_source`.
    """

    def __init__(
        self,
        supervisions: Any,
        tokenizer: Optional[Callable[[str], Sequence[int]]] = None,
        right_context_frames: int = 0,
        pad_id: int = -1,
        text_fn: Callable[[Any], str] = _text,
        **kwargs: Any,
    ) -> None:
        if right_context_frames < 0:
            raise ConfigError(f"right_context_frames must be >= 0, got {right_context_frames}")
        super().__init__(supervisions, **kwargs)
        self.tokenizer = tokenizer
        self.right_context_frames = int(right_context_frames)
        self.pad_id = int(pad_id)
        self.text_fn = text_fn

    def __getitem__(self, batch: SampledBatch) -> Dict[str, Any]:
        """The collated batch (see the class docstring)."""
        out = self._features(batch, extra_frames=self.right_context_frames)
        segments = out.pop("segments")
        texts = [self.text_fn(s) for s in segments]
        out["texts"] = texts
        if self.tokenizer is not None:
            tokens: List[List[int]] = [list(self.tokenizer(t)) for t in texts]
            lens = torch.tensor([len(t) for t in tokens], dtype=torch.int64)
            ids = torch.full((len(tokens), int(lens.max()) if tokens else 0), self.pad_id, dtype=torch.int64)
            for row, seq in enumerate(tokens):
                ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.int64)
            out["token_ids"], out["token_lens"] = ids.to(self.device or "cpu"), lens.to(self.device or "cpu")
        return out


class Wav2VecPretrainingDataset(BatchDataset):
    """Raw audio batches with the wav2vec 2.0 mask of ``w2v_mask_collate_fn``.

    Args:
        supervisions: Supervisions (their audio spans), or ``None`` to use whole ``recordings``
            (then build the sampler on the recordings).
        recordings: The recordings.
        get_out_len_fn: Samples -> latent frames, e.g. ``W2VLatentExtractor().get_output_lengths``.
        mask_prob: Approximate fraction of frames masked. (Default: ``0.65``)
        mask_length: Frames per masked span. (Default: ``10``)
        speed_factors: Speed factors drawn per item.
        volume_factors: Gains drawn per item.
        seed: Base seed of the per-batch generators (perturbation and mask).
        skip_errors: Leave out unreadable items (logged, counted) instead of raising.

    Returns (``dataset[batch]``):
        ``{"wavs": (batch, max_samples) float32, "wav_lens": (batch,) relative lengths, "mask": (batch,
        max_frames) bool, "num_samples": (batch,) int64, "ids", ...}``; ``wavs``/``wav_lens``/``mask``
        are exactly ``w2v_mask_collate_fn``'s outputs for the batch's signals and generator.
    """

    def __init__(
        self,
        supervisions: Any,
        recordings: Any,
        get_out_len_fn: Callable[[torch.Tensor], Any],
        mask_prob: float = 0.65,
        mask_length: int = 10,
        speed_factors: Optional[Sequence[float]] = None,
        volume_factors: Optional[Sequence[float]] = None,
        seed: int = 0,
        skip_errors: bool = False,
    ) -> None:
        source = make_source(
            recordings=recordings, speed_factors=speed_factors, volume_factors=volume_factors, raw_audio=True
        )
        super().__init__(
            recordings if supervisions is None else supervisions, source, seed=seed, skip_errors=skip_errors
        )
        self.get_out_len_fn = get_out_len_fn
        self.mask_prob = float(mask_prob)
        self.mask_length = int(mask_length)

    def __getitem__(self, batch: SampledBatch) -> Dict[str, Any]:
        """The collated batch (see the class docstring)."""
        from lhotse_lite.models.wav2vec.masking import w2v_mask_collate_fn

        rng, generator = self.generators(batch)
        segments, arrays, skipped = self.load_items(batch, rng)
        out = self.batch_info(batch, segments, skipped)
        if arrays:
            signals = [torch.from_numpy(a) for a in arrays]
            out["wavs"], out["wav_lens"], out["mask"] = w2v_mask_collate_fn(
                signals, self.get_out_len_fn, self.mask_prob, self.mask_length, generator=generator
            )
            out["num_samples"] = torch.tensor([s.numel() for s in signals], dtype=torch.int64)
        return out
