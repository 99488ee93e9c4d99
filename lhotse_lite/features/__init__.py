"""Feature extraction: Kaldi-compatible layers, registered extractors, storage and feature manifests.

Names are re-exported lazily so that ``import lhotse_lite.features`` for manifests (``Features``,
``FeatureSet``) does not import torch; the layers and extractors import it when first used.
"""

from __future__ import annotations

from typing import Dict, List

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

__all__: List[str] = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
