"""Training data loading: from manifests to model batches.

This package is the bridge between manifests and models (it imports torch and the manifests;
feature layers and models still never import manifests).

* :class:`DynamicBucketingSampler`: duration-bucketed, distributed, exactly resumable batches of item
  indices (:class:`SampledBatch`), planned per epoch with numpy; :class:`LoaderProgress`,
  :func:`save_loader_state`, :func:`load_loader_state` keep the position beside a checkpoint.
* :class:`KeywordSpottingDataset`, :class:`SpeechRecognitionDataset`, :class:`Wav2VecPretrainingDataset`:
  ``dataset[sampled_batch]`` -> a dict in the layout MatchboxNet, ConvEmformer and wav2vec 2.0 take
  (``DataLoader(dataset, sampler=sampler, batch_size=None)``); see docs/training.rst.

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
from lhotse_lite.dataset.batch_dataset import BatchDataset
from lhotse_lite.dataset.batch_plan import estimate_duration_buckets
from lhotse_lite.dataset.bucketing import DynamicBucketingSampler, SampledBatch
from lhotse_lite.dataset.collate import FeatureBatch, collate_features, pad_features
from lhotse_lite.dataset.durations import manifest_durations
from lhotse_lite.dataset.model_datasets import (
    KeywordSpottingDataset,
    SpeechRecognitionDataset,
    Wav2VecPretrainingDataset,
)
from lhotse_lite.dataset.normalization import GlobalMVN
from lhotse_lite.dataset.resume import LoaderProgress, load_loader_state, save_loader_state
from lhotse_lite.dataset.sampler import DurationBatchSampler
from lhotse_lite.dataset.sources import FeatureSource, OnTheFlyFeatures, PrecomputedFeatures, RawAudio
from lhotse_lite.dataset.supervision_dataset import LabelTargets, SupervisionDataset

__all__ = [
    "BatchDataset",
    "DurationBatchSampler",
    "DynamicBucketingSampler",
    "KeywordSpottingDataset",
    "LoaderProgress",
    "RawAudio",
    "SampledBatch",
    "SpeechRecognitionDataset",
    "Wav2VecPretrainingDataset",
    "estimate_duration_buckets",
    "load_loader_state",
    "manifest_durations",
    "save_loader_state",
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
