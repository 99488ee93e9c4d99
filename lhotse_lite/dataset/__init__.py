"""Training data loading: a PyTorch ``Dataset`` over supervisions, its collate function, a duration sampler.

This package is the bridge between manifests and models (it imports torch and the manifests;
feature layers and models still never import manifests).

* :class:`SupervisionDataset`: one item per supervision, features cut out of a ``FeatureSet`` or
  computed on the fly from a ``RecordingSet`` (optionally speed-perturbed), optionally normalised
  with :class:`GlobalMVN`; targets from :class:`LabelTargets` or any callable.
* :func:`collate_features`: padded ``FeatureBatch(features, lengths, targets)``.
* :class:`DurationBatchSampler`: batches up to a total duration of speech.
* :func:`spec_augment`, :func:`random_time_shift`: batch augmentations for training.

Example:
    >>> import numpy as np, torch
    >>> from lhotse_lite.features.io import MemoryNpyWriter
    >>> from lhotse_lite.features.manifest import Features, FeatureSet
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> feats = FeatureSet([Features.from_array(np.ones((100, 4), np.float32), MemoryNpyWriter(), frame_shift=0.01,
    ...                                         sampling_rate=16000, recording_id="r", channels=0)])
    >>> sups = SupervisionSet([SupervisionSegment(f"s{i}", "r", i * 0.1, 0.1 * (i + 1), text="yes")
    ...                        for i in range(4)])
    >>> dataset = SupervisionDataset(sups, features=feats, target_fn=LabelTargets(["no", "yes"]))
    >>> loader = torch.utils.data.DataLoader(
    ...     dataset, batch_sampler=DurationBatchSampler(dataset.durations, max_duration=0.5, shuffle=False),
    ...     collate_fn=collate_features)
    >>> [(tuple(x.shape), n.tolist(), y.tolist()) for x, n, y in loader]
    [((2, 20, 4), [10, 20], [1, 1]), ((1, 30, 4), [30], [1]), ((1, 40, 4), [40], [1])]
"""

from lhotse_lite.dataset.augment import random_time_shift, spec_augment
from lhotse_lite.dataset.collate import FeatureBatch, collate_features, pad_features
from lhotse_lite.dataset.normalization import GlobalMVN
from lhotse_lite.dataset.sampler import DurationBatchSampler
from lhotse_lite.dataset.sources import FeatureSource, OnTheFlyFeatures, PrecomputedFeatures
from lhotse_lite.dataset.supervision_dataset import LabelTargets, SupervisionDataset

__all__ = [
    "DurationBatchSampler",
    "FeatureBatch",
    "FeatureSource",
    "GlobalMVN",
    "LabelTargets",
    "OnTheFlyFeatures",
    "PrecomputedFeatures",
    "SupervisionDataset",
    "collate_features",
    "pad_features",
    "random_time_shift",
    "spec_augment",
]
