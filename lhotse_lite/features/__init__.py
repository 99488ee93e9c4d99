"""Feature extraction: Kaldi-compatible layers, registered extractors, storage and feature manifests.

Names are re-exported lazily so that ``import lhotse_lite.features`` for manifests (``Features``,
``FeatureSet``) does not import torch; the layers and extractors import it when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

from lhotse_lite.lazy_exports import lazy_exports

_EXPORTS: Dict[str, str] = {
    "Features": "lhotse_lite.features.manifest",
    "FeatureSet": "lhotse_lite.features.manifest",
    "FeatureExtractor": "lhotse_lite.features.base",
    "FeatureSetBuilder": "lhotse_lite.features.base",
    "register_extractor": "lhotse_lite.features.base",
    "get_extractor_type": "lhotse_lite.features.base",
    "create_default_feature_extractor": "lhotse_lite.features.base",
    "store_feature_array": "lhotse_lite.features.base",
    "compute_global_stats": "lhotse_lite.features.base",
    "StatsAccumulator": "lhotse_lite.features.base",
    "Fbank": "lhotse_lite.features.kaldi.extractors",
    "FbankConfig": "lhotse_lite.features.kaldi.extractors",
    "Mfcc": "lhotse_lite.features.kaldi.extractors",
    "MfccConfig": "lhotse_lite.features.kaldi.extractors",
    "Spectrogram": "lhotse_lite.features.kaldi.extractors",
    "SpectrogramConfig": "lhotse_lite.features.kaldi.extractors",
    "LogSpectrogram": "lhotse_lite.features.kaldi.extractors",
    "LogSpectrogramConfig": "lhotse_lite.features.kaldi.extractors",
    **dict.fromkeys(
        [
            "get_reader",
            "get_writer",
            "FeaturesReader",
            "FeaturesWriter",
            "KaldiReader",
            "LilcomChunkyReader",
            "LilcomChunkyWriter",
            "LilcomFilesReader",
            "LilcomFilesWriter",
            "NumpyFilesReader",
            "NumpyFilesWriter",
            "StorageBackendInfo",
            "available_storage_backends",
            "close_cached_file_handles",
            "storage_backend_statuses",
        ],
        "lhotse_lite.features.io",
    ),
}

if TYPE_CHECKING:  # the same names for type checkers (tests/test_public_api.py checks they match)
    from lhotse_lite.features.base import (
        FeatureExtractor as FeatureExtractor,
        FeatureSetBuilder as FeatureSetBuilder,
        StatsAccumulator as StatsAccumulator,
        compute_global_stats as compute_global_stats,
        create_default_feature_extractor as create_default_feature_extractor,
        get_extractor_type as get_extractor_type,
        register_extractor as register_extractor,
        store_feature_array as store_feature_array,
    )
    from lhotse_lite.features.io import (
        FeaturesReader as FeaturesReader,
        FeaturesWriter as FeaturesWriter,
        KaldiReader as KaldiReader,
        LilcomChunkyReader as LilcomChunkyReader,
        LilcomChunkyWriter as LilcomChunkyWriter,
        LilcomFilesReader as LilcomFilesReader,
        LilcomFilesWriter as LilcomFilesWriter,
        NumpyFilesReader as NumpyFilesReader,
        NumpyFilesWriter as NumpyFilesWriter,
        StorageBackendInfo as StorageBackendInfo,
        available_storage_backends as available_storage_backends,
        close_cached_file_handles as close_cached_file_handles,
        get_reader as get_reader,
        get_writer as get_writer,
        storage_backend_statuses as storage_backend_statuses,
    )
    from lhotse_lite.features.kaldi.extractors import (
        Fbank as Fbank,
        FbankConfig as FbankConfig,
        LogSpectrogram as LogSpectrogram,
        LogSpectrogramConfig as LogSpectrogramConfig,
        Mfcc as Mfcc,
        MfccConfig as MfccConfig,
        Spectrogram as Spectrogram,
        SpectrogramConfig as SpectrogramConfig,
    )
    from lhotse_lite.features.manifest import (
        Features as Features,
        FeatureSet as FeatureSet,
    )

__all__: List[str] = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
