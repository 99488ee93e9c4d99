"""Lhotse's ``lhotse.features.base`` names, for code that switches by renaming the import.

The implementations live in small modules: :mod:`~lhotse_lite.features.extractor` (the extractor
interface and registry), :mod:`~lhotse_lite.features.manifest` (``Features``, ``FeatureSet``),
:mod:`~lhotse_lite.features.builder` (``FeatureSetBuilder``) and :mod:`~lhotse_lite.features.stats`.

Example:
    >>> from lhotse_lite.features.base import create_default_feature_extractor
    >>> create_default_feature_extractor("kaldi-fbank").name
    'kaldi-fbank'
"""

from lhotse_lite.features.builder import FeatureSetBuilder, SkippedRecording
from lhotse_lite.features.extractor import (
    FeatureExtractor,
    create_default_feature_extractor,
    get_extractor_type,
    register_extractor,
    store_feature_array,
)
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.features.stats import StatsAccumulator, compute_global_stats

__all__ = [
    "FeatureExtractor",
    "Features",
    "FeatureSet",
    "FeatureSetBuilder",
    "SkippedRecording",
    "register_extractor",
    "get_extractor_type",
    "create_default_feature_extractor",
    "store_feature_array",
    "compute_global_stats",
    "StatsAccumulator",
]
