"""A map-style PyTorch ``Dataset`` over supervisions: one item = one supervision's features and target.

The bridge between manifests and models: it takes a ``SupervisionSet`` and either a ``FeatureSet``
(frames cut out of storage) or a ``RecordingSet`` plus an extractor (features computed on the fly,
optionally speed-perturbed), normalises them with global statistics if asked, and returns
``(features (frames, dim) float32 tensor, target)``. Batch it with :func:`collate_features` and
:class:`DurationBatchSampler`::

    loader = DataLoader(dataset, batch_sampler=DurationBatchSampler(dataset.durations, 60.0),
                        collate_fn=collate_features, num_workers=2)
    for features, lengths, targets in loader: ...

Lazy manifests are iterated once, when the dataset is built; only the supervisions and their
``Features``/``Recording`` items are kept (no feature data), so random access is cheap.

Example:
    >>> import numpy as np
    >>> from lhotse_lite.features.io import MemoryNpyWriter
    >>> from lhotse_lite.features.manifest import Features, FeatureSet
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> feats = FeatureSet([Features.from_array(np.ones((100, 4), np.float32), MemoryNpyWriter(), frame_shift=0.01,
    ...                                         sampling_rate=16000, recording_id="r", channels=0)])
    >>> sups = SupervisionSet([SupervisionSegment("a", "r", 0.0, 0.5, text="yes"),
    ...                        SupervisionSegment("b", "r", 0.5, 0.3, text="no")])
    >>> dataset = SupervisionDataset(sups, features=feats, target_fn=LabelTargets(["yes", "no"]))
    >>> x, y = dataset[1]
    >>> tuple(x.shape), y, dataset.durations
    ((30, 4), 1, [0.5, 0.3])
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch

from lhotse_lite.dataset.normalization import GlobalMVN
from lhotse_lite.dataset.sources import FeatureSource, OnTheFlyFeatures, PrecomputedFeatures
from lhotse_lite.errors import ConfigError, UnknownIdError

__all__ = ["SupervisionDataset", "LabelTargets"]

logger = logging.getLogger(__name__)


class LabelTargets:
    """Maps a supervision's ``text`` (or another attribute) to a class index; picklable.

    Args:
        labels: The class names, in index order.
        attribute: The supervision field holding the label (``"text"``, ``"speaker"``, ...).

    Raises:
        ConfigError: Duplicate labels.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment
        >>> LabelTargets(["yes", "no"])(SupervisionSegment("s", "r", 0.0, 1.0, text="no"))
        1
    """

    def __init__(self, labels: Sequence[str], attribute: str = "text") -> None:
        self.labels = list(labels)
        self.attribute = attribute
        self.index: Dict[str, int] = {label: i for i, label in enumerate(self.labels)}
        if len(self.index) != len(self.labels):
            raise ConfigError(f"LabelTargets: duplicate labels in {self.labels}")

    def __call__(self, segment: Any) -> int:
        """The index of ``segment``'s label.

        Raises:
            UnknownIdError: The label is not one of ``labels``.
        """
        label = getattr(segment, self.attribute)
        try:
            return self.index[label]
        except KeyError as err:
            raise UnknownIdError(
                f"supervision {segment.id!r}: {self.attribute}={label!r} is not one of the labels "
                f"{self.labels}; filter the supervisions or add the label"
            ) from err

    def __len__(self) -> int:
        return len(self.labels)


def _text(segment: Any) -> Any:
    return segment.text


class SupervisionDataset(torch.utils.data.Dataset):
    """One item per supervision: ``(features (frames, dim) float32 tensor, target_fn(supervision))``.

    Args:
        supervisions: A ``SupervisionSet`` (eager or lazy) or any iterable of segments.
        features: A ``FeatureSet`` covering the supervisions (precomputed path).
        recordings: A ``RecordingSet`` (on-the-fly path; needs ``extractor``).
        extractor: The ``FeatureExtractor`` for the on-the-fly path.
        target_fn: ``segment -> target``; default: the segment's ``text``. Use :class:`LabelTargets`
            for class indices (a picklable callable, so it works with any worker start method).
        normalizer: Applied to every matrix, e.g. ``GlobalMVN.from_stats(compute_global_stats(fs))``;
            a stats dict is accepted too.
        speed_factors: On-the-fly path only: draw a speed factor per item from these (e.g.
            ``(0.9, 1.0, 1.1)``).
        transform: Optional ``fn(features np.ndarray) -> np.ndarray`` applied last (augmentation).

    Attributes:
        segments: The supervisions, in item order.
        durations: Their durations in seconds (for :class:`DurationBatchSampler`).

    Raises:
        ConfigError: Neither or both of ``features`` and ``recordings`` are given, ``recordings``
            without ``extractor``, or ``speed_factors`` with precomputed features.
        UnknownIdError: A supervision has no features / recording (the message names it).

    Example:
        >>> import numpy as np
        >>> from lhotse_lite.features.io import MemoryNpyWriter
        >>> from lhotse_lite.features.manifest import Features, FeatureSet
        >>> from lhotse_lite.supervision import SupervisionSegment
        >>> stored = FeatureSet([Features.from_array(np.full((100, 2), 3.0, np.float32), MemoryNpyWriter(),
        ...                      frame_shift=0.01, sampling_rate=16000, recording_id="r", channels=0)])
        >>> dataset = SupervisionDataset([SupervisionSegment("s", "r", 0.0, 0.2, text="go")], features=stored,
        ...                              normalizer={"norm_means": [1.0, 1.0], "norm_stds": [2.0, 2.0]})
        >>> x, text = dataset[0]
        >>> tuple(x.shape), x[0].tolist(), text
        ((20, 2), [1.0, 1.0], 'go')
    """

    def __init__(
        self,
        supervisions: Any,
        features: Any = None,
        recordings: Any = None,
        extractor: Any = None,
        target_fn: Optional[Callable[[Any], Any]] = None,
        normalizer: Any = None,
        speed_factors: Optional[Sequence[float]] = None,
        transform: Optional[Callable[[Any], Any]] = None,
    ) -> None:
        super().__init__()
        if (features is None) == (recordings is None):
            raise ConfigError(
                "SupervisionDataset needs exactly one of features= (a FeatureSet) or "
                "recordings= (a RecordingSet, with extractor=)"
            )
        source: FeatureSource
        if features is not None:
            if speed_factors is not None and tuple(speed_factors) != (1.0,):
                raise ConfigError(
                    "speed_factors needs the on-the-fly path (recordings= and extractor=); "
                    "for stored features, extract perturbed copies (RecordingSet.perturb_speed)"
                )
            source = PrecomputedFeatures(features)
        else:
            if extractor is None:
                raise ConfigError("SupervisionDataset(recordings=...) needs extractor= (e.g. Mfcc())")
            source = OnTheFlyFeatures(recordings, extractor, speed_factors)
        if isinstance(normalizer, dict):
            normalizer = GlobalMVN.from_stats(normalizer)
        self.source = source
        self.target_fn = target_fn or _text
        self.normalizer = normalizer
        self.transform = transform
        self._handles = [source.resolve(segment) for segment in supervisions]
        self.segments = [h.segment for h in self._handles]
        self.durations: List[float] = [float(s.duration) for s in self.segments]
        self._targets = [self.target_fn(s) for s in self.segments]  # fails early on unknown labels
        logger.info("SupervisionDataset: %d supervisions, %.1f s", len(self.segments), sum(self.durations))

    def __len__(self) -> int:
        return len(self._handles)

    def __getitem__(self, index: int) -> Tuple[torch.Tensor, Any]:
        """``(features (frames, dim) float32, target)`` of supervision ``index``."""
        feats = self.source.load(self._handles[index])
        if self.normalizer is not None:
            feats = self.normalizer(feats)
        if self.transform is not None:
            feats = self.transform(feats)
        return torch.as_tensor(feats, dtype=torch.float32), self._targets[index]

    @property
    def targets(self) -> List[Any]:
        """The target of every item, in order (e.g. for class counts)."""
        return list(self._targets)

    @property
    def on_the_fly(self) -> bool:
        """Whether features are computed from audio when loaded."""
        return isinstance(self.source, OnTheFlyFeatures)
