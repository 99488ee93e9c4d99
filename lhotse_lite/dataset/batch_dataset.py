"""The base of the batch datasets: ``dataset[SampledBatch]`` reads the batch's items and collates them.

A batch dataset is indexed by what :class:`~lhotse_lite.dataset.DynamicBucketingSampler` yields, as
Lhotse's datasets are indexed by a ``CutSet``; use it as ``DataLoader(dataset, sampler=sampler,
batch_size=None, num_workers=n)``. Each worker reads only the supervisions of its batches
(``supervisions[i]``: O(1) on eager and indexed lazy manifests) and their features or audio.

Randomness (perturbation choices, SpecAugment masks, wav2vec masks) comes from generators seeded by
``(seed, epoch, batch index)``: a batch is the same whichever worker builds it, and a resumed job
rebuilds the same batches without saving any generator state.

Read errors name the item: by default they raise (an ``AudioLoadingError`` or ``StorageError``
naming the supervision id, chained to the cause); with ``skip_errors=True`` the item is left out,
logged with its id, listed in the batch's ``"skipped_ids"`` and counted in :attr:`num_skipped`
(and by :class:`~lhotse_lite.dataset.resume.LoaderProgress` across workers).
"""

from __future__ import annotations

import logging
import random
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from lhotse_lite.dataset.bucketing import SampledBatch
from lhotse_lite.dataset.collate import new_batch_tensor, pad_features
from lhotse_lite.dataset.durations import random_access
from lhotse_lite.dataset.normalization import GlobalMVN
from lhotse_lite.dataset.sources import FeatureSource, OnTheFlyFeatures, PrecomputedFeatures, RawAudio
from lhotse_lite.errors import AudioLoadingError, ConfigError, LhotseLiteError, StorageError

__all__ = ["BatchDataset", "batch_seed"]

logger = logging.getLogger(__name__)

_READ_ERRORS = (OSError, ValueError, RuntimeError, KeyError, IndexError, LhotseLiteError)


def batch_seed(seed: int, epoch: int, index: int) -> int:
    """The 63-bit seed of batch ``index`` of ``epoch`` (one ``SeedSequence`` draw).

    Example:
        >>> batch_seed(0, 1, 2) == batch_seed(0, 1, 2) != batch_seed(0, 1, 3)
        True
    """
    return int(
        np.random.SeedSequence([seed, epoch, index])
        .generate_state(2, np.uint32)
        .astype(np.uint64)
        .dot(np.array([1 << 31, 1], dtype=np.uint64))
    )


class BatchDataset(torch.utils.data.Dataset):
    """Reads the items of a :class:`SampledBatch`; subclasses collate them for a model family.

    Args:
        supervisions: The manifest the sampler was built on: supervisions (eager, indexed lazy, or any
            iterable, which is then read into a list once) or, with ``recordings`` only, recordings.
        source: Where samples come from (a :class:`FeatureSource`).
        normalizer: Per-item feature normalisation (a :class:`GlobalMVN` or its stats dict).
        seed: Base seed of the per-batch generators.
        skip_errors: Leave out items whose read fails (logged and counted) instead of raising.
    """

    def __init__(
        self,
        supervisions: Any,
        source: FeatureSource,
        normalizer: Optional[Union[Callable[[np.ndarray], np.ndarray], Mapping[str, np.ndarray]]] = None,
        seed: int = 0,
        skip_errors: bool = False,
    ) -> None:
        super().__init__()
        self.supervisions = random_access(supervisions)
        self.source = source
        self.normalizer: Optional[Callable[[np.ndarray], np.ndarray]] = (
            GlobalMVN.from_stats(normalizer) if isinstance(normalizer, Mapping) else normalizer
        )
        self.seed = int(seed)
        self.skip_errors = bool(skip_errors)
        self.num_skipped = 0

    def __len__(self) -> int:
        """Items in the manifest (a DataLoader driven by the sampler does not use it)."""
        return len(self.supervisions)

    def generators(self, batch: SampledBatch) -> Tuple[random.Random, torch.Generator]:
        """The batch's ``random.Random`` (perturbation choices) and ``torch.Generator`` (masks)."""
        seed = batch_seed(self.seed, batch.epoch, batch.index)
        return random.Random(seed), torch.Generator().manual_seed(seed)

    def load_items(self, batch: SampledBatch, rng: random.Random) -> Tuple[List[Any], List[np.ndarray], List[str]]:
        """``(segments, arrays, skipped_ids)`` of the batch's items, in the batch's order.

        Raises:
            AudioLoadingError: Reading audio (or computing features from it) failed; names the item.
            StorageError: Reading stored features failed; names the item.
        """
        segments: List[Any] = []
        arrays: List[np.ndarray] = []
        skipped: List[str] = []
        batched = isinstance(self.source, OnTheFlyFeatures) and self.source.batched
        rates: List[int] = []
        for position in batch.indices.tolist():
            segment = self.supervisions[position]
            item_id = getattr(segment, "id", str(position))
            try:
                handle = self.source.resolve(segment)
                if batched:  # samples now, features for the whole batch below
                    samples, rate = self.source.load_samples(handle, rng)  # type: ignore[attr-defined]
                    rates.append(rate)
                    array = samples
                else:
                    array = self.source.load(handle, rng)
                    if self.normalizer is not None and array.ndim == 2:
                        array = self.normalizer(array)
            except _READ_ERRORS as err:
                self._read_failed(err, item_id, position, batch, skipped)
                continue
            segments.append(segment)
            arrays.append(np.asarray(array, dtype=np.float32))
        if batched and arrays:
            arrays = self._extract_batch(arrays, rates, segments, batch)
        return segments, arrays, skipped

    def load_padded(
        self, batch: SampledBatch, extra_frames: int = 0
    ) -> Tuple[List[Any], Optional[torch.Tensor], Optional[torch.Tensor], List[str]]:
        """``(segments, features, lengths, skipped_ids)``: the batch's feature matrices, padded.

        ``features`` is ``(batch, max_frames + extra_frames, dim)`` float32, zero after each item's
        frames (in shared memory inside a ``DataLoader`` worker), ``lengths`` the ``(batch,)`` int64
        frame counts; both are ``None`` when no item could be read. Stored features are decoded
        straight into their rows of the batch (no per-item array and copy) when the manifest's frame
        counts size the batch (a :class:`PrecomputedFeatures` source whose ``load`` is not overridden,
        no normaliser or a :class:`GlobalMVN`); a batch with a read error, or whose stored frames
        differ from what the manifest says, is read again item by item (:meth:`load_items`), which
        raises or skips as configured.

        Raises:
            AudioLoadingError: See :meth:`load_items`.
            StorageError: See :meth:`load_items`.
        """
        decodable = isinstance(self.source, PrecomputedFeatures) and type(self.source).load is PrecomputedFeatures.load
        if decodable and (self.normalizer is None or isinstance(self.normalizer, GlobalMVN)):
            padded = self._read_padded(batch, extra_frames)
            if padded is not None:
                return padded
        segments, arrays, skipped = self.load_items(batch, self.generators(batch)[0])
        if not arrays:
            return segments, None, None, skipped
        feats, lengths = pad_features(arrays, extra_frames=extra_frames)
        return segments, feats, lengths, skipped

    def _read_padded(
        self, batch: SampledBatch, extra_frames: int
    ) -> Optional[Tuple[List[Any], torch.Tensor, torch.Tensor, List[str]]]:
        """Stored features decoded into their rows of the padded batch; ``None`` when the general path
        must read the batch (a read failed, or the stored frames differ from the manifest's counts)."""
        source: PrecomputedFeatures = self.source  # type: ignore[assignment]  # checked by the caller
        segments: List[Any] = []
        items: List[Any] = []
        counts: List[int] = []
        try:
            for position in batch.indices.tolist():
                segment = self.supervisions[position]
                item = source.resolve(segment).item
                segments.append(segment)
                items.append(item)
                counts.append(item.num_frames_in(segment.start, segment.duration))
            if not items or len({item.num_features for item in items}) != 1:
                return None
            tensor, zeroed = new_batch_tensor((len(items), max(counts) + extra_frames, items[0].num_features))
            out = tensor.numpy()
            for row, (segment, item, count) in enumerate(zip(segments, items, counts)):
                frames = out[row, :count]
                item.load(start=segment.start, duration=segment.duration, out=frames)
                if self.normalizer is not None:
                    frames[...] = self.normalizer(frames)
                if not zeroed:
                    out[row, count:] = 0.0
        except _READ_ERRORS:
            return None
        return segments, tensor, torch.from_numpy(np.array(counts, dtype=np.int64)), []

    def _read_failed(
        self, err: Exception, item_id: str, position: int, batch: SampledBatch, skipped: List[str]
    ) -> None:
        """Raises the error naming the item, or logs, counts and lists it when skipping."""
        if not self.skip_errors:
            kind = StorageError if isinstance(self.source, PrecomputedFeatures) else AudioLoadingError
            raise kind(
                f"item {item_id!r} (manifest position {position}, epoch {batch.epoch}, batch "
                f"{batch.index}) could not be read: {err}; fix or filter it, or pass "
                "skip_errors=True to leave such items out"
            ) from err
        logger.warning("skipping item %r (epoch %d, batch %d): %s", item_id, batch.epoch, batch.index, err)
        self.num_skipped += 1
        skipped.append(item_id)

    def _extract_batch(
        self, signals: List[np.ndarray], rates: List[int], segments: List[Any], batch: SampledBatch
    ) -> List[np.ndarray]:
        """Features of all of a batch's signals in one call on the source's device, normalised."""
        source: OnTheFlyFeatures = self.source  # type: ignore[assignment]  # checked by the caller
        if len(set(rates)) != 1:
            raise ConfigError(
                f"batch {batch.index} of epoch {batch.epoch} mixes sampling rates {sorted(set(rates))} "
                f"(items {[s.id for s in segments][:8]}); resample the recordings to one rate"
            )
        try:
            feats = source.extract_batch(signals, rates[0])
        except _READ_ERRORS as err:
            raise AudioLoadingError(
                f"batch {batch.index} of epoch {batch.epoch} (items "
                f"{[s.id for s in segments][:8]}): feature extraction on {source.device!r} "
                f"failed: {err}"
            ) from err
        if self.normalizer is not None:
            feats = [self.normalizer(f) for f in feats]
        return feats

    @property
    def device(self) -> Optional[str]:
        """The device the batches' tensors are put on (on-the-fly sources with ``device=``), or ``None``."""
        return getattr(self.source, "device", None)

    def batch_info(self, batch: SampledBatch, segments: Sequence[Any], skipped: List[str]) -> Dict[str, Any]:
        """The bookkeeping fields of every output: ids, epoch, batch index, skipped ids."""
        return {
            "ids": [s.id for s in segments],
            "epoch": batch.epoch,
            "batch_index": batch.index,
            "skipped_ids": skipped,
            "num_items": len(segments),
        }


def make_source(
    features: Any = None,
    recordings: Any = None,
    extractor: Any = None,
    speed_factors: Optional[Sequence[float]] = None,
    volume_factors: Optional[Sequence[float]] = None,
    raw_audio: bool = False,
    device: Optional[str] = None,
) -> FeatureSource:
    """The source for ``features=`` (precomputed), ``recordings=`` + ``extractor=`` (on the fly) or audio.

    Raises:
        ConfigError: Neither or both of ``features`` and ``recordings``, ``recordings`` without
            ``extractor`` for features, perturbation asked of precomputed features, or ``device``
            without the on-the-fly path.
    """
    if device is not None and (recordings is None or extractor is None or raw_audio):
        raise ConfigError(
            f"device={device!r} extracts features on the fly, batch by batch: it needs recordings= "
            "and extractor= (stored features and raw audio are read on the CPU)"
        )
    if raw_audio:
        if recordings is None or features is not None:
            raise ConfigError("raw audio batches need recordings= (a RecordingSet) and no features=")
        return RawAudio(recordings, speed_factors, volume_factors)
    if (features is None) == (recordings is None):
        raise ConfigError(
            "pass exactly one of features= (a FeatureSet: precomputed) or recordings= (a "
            "RecordingSet, with extractor=: features computed on the fly)"
        )
    if features is not None:
        if tuple(speed_factors or (1.0,)) != (1.0,) or tuple(volume_factors or (1.0,)) != (1.0,):
            raise ConfigError(
                "speed_factors/volume_factors need the on-the-fly path (recordings= and "
                "extractor=); for stored features, extract perturbed copies"
            )
        return PrecomputedFeatures(features)
    if extractor is None:
        raise ConfigError("recordings= needs extractor= (e.g. Fbank()) to compute features on the fly")
    return OnTheFlyFeatures(recordings, extractor, speed_factors, volume_factors, device=device)
