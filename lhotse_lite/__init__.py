"""lhotse_lite: speech data preparation with Lhotse's manifests and fast Kaldi-compatible features.

Importing the package is cheap and has no side effects: the everyday names below are re-exported
lazily, so ``import lhotse_lite`` (and everything manifest-related) never imports torch. Feature
layers, extractors and models import torch when first used.

Example:
    >>> import sys, lhotse_lite
    >>> lhotse_lite.__version__ == lhotse_lite.version.__version__
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

from lhotse_lite.lazy_exports import lazy_exports
from lhotse_lite.version import __version__

# public name -> module that defines it
_EXPORTS: Dict[str, str] = {
    # manifests
    "AlignmentItem": "lhotse_lite.supervision",
    "SupervisionSegment": "lhotse_lite.supervision",
    "SupervisionSet": "lhotse_lite.supervision",
    "AudioSource": "lhotse_lite.audio",
    "Recording": "lhotse_lite.audio",
    "RecordingSet": "lhotse_lite.audio",
    "set_audio_duration_mismatch_tolerance": "lhotse_lite.audio",
    "get_audio_duration_mismatch_tolerance": "lhotse_lite.audio",
    "combine": "lhotse_lite.manifest",
    "load_manifest": "lhotse_lite.manifest",
    "load_manifest_lazy": "lhotse_lite.manifest",
    "store_manifest": "lhotse_lite.manifest",
    "open_writer": "lhotse_lite.manifest",
    "fastcopy": "lhotse_lite.utils",
    "compute_num_samples": "lhotse_lite.utils",
    "compute_num_frames": "lhotse_lite.utils",
    "add_durations": "lhotse_lite.utils",
    # features
    "Features": "lhotse_lite.features",
    "FeatureSet": "lhotse_lite.features",
    "FeatureExtractor": "lhotse_lite.features",
    "FeatureSetBuilder": "lhotse_lite.features",
    "Fbank": "lhotse_lite.features",
    "FbankConfig": "lhotse_lite.features",
    "Mfcc": "lhotse_lite.features",
    "MfccConfig": "lhotse_lite.features",
    "Spectrogram": "lhotse_lite.features",
    "SpectrogramConfig": "lhotse_lite.features",
    "LogSpectrogram": "lhotse_lite.features",
    "LogSpectrogramConfig": "lhotse_lite.features",
    "create_default_feature_extractor": "lhotse_lite.features",
    "compute_global_stats": "lhotse_lite.features",
    "get_extractor_type": "lhotse_lite.features",
    "register_extractor": "lhotse_lite.features",
    "store_feature_array": "lhotse_lite.features",
    # storage (Lhotse's top-level storage names)
    **dict.fromkeys(
        [
            "LilcomChunkyWriter",
            "LilcomFilesWriter",
            "NumpyFilesWriter",
            "LilcomChunkyReader",
            "LilcomFilesReader",
            "NumpyFilesReader",
            "FeaturesReader",
            "FeaturesWriter",
            "StorageBackendInfo",
            "available_storage_backends",
            "storage_backend_statuses",
            "close_cached_file_handles",
            "KaldiReader",
        ],
        "lhotse_lite.features.io",
    ),
    # checks and summaries
    "validate_manifests": "lhotse_lite.validation",
    "fix_manifests": "lhotse_lite.qa",
    "validate": "lhotse_lite.qa",
    "validate_recordings_and_supervisions": "lhotse_lite.qa",
    "describe_manifests": "lhotse_lite.describe",
    # errors
    "LhotseLiteError": "lhotse_lite.errors",
}

if TYPE_CHECKING:  # the same names for type checkers (tests/test_public_api.py checks they match)
    from lhotse_lite.audio import (
        AudioSource as AudioSource,
        Recording as Recording,
        RecordingSet as RecordingSet,
        get_audio_duration_mismatch_tolerance as get_audio_duration_mismatch_tolerance,
        set_audio_duration_mismatch_tolerance as set_audio_duration_mismatch_tolerance,
    )
    from lhotse_lite.describe import (
        describe_manifests as describe_manifests,
    )
    from lhotse_lite.errors import (
        LhotseLiteError as LhotseLiteError,
    )
    from lhotse_lite.features import (
        Fbank as Fbank,
        FbankConfig as FbankConfig,
        FeatureExtractor as FeatureExtractor,
        Features as Features,
        FeatureSet as FeatureSet,
        FeatureSetBuilder as FeatureSetBuilder,
        LogSpectrogram as LogSpectrogram,
        LogSpectrogramConfig as LogSpectrogramConfig,
        Mfcc as Mfcc,
        MfccConfig as MfccConfig,
        Spectrogram as Spectrogram,
        SpectrogramConfig as SpectrogramConfig,
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
        storage_backend_statuses as storage_backend_statuses,
    )
    from lhotse_lite.manifest import (
        combine as combine,
        load_manifest as load_manifest,
        load_manifest_lazy as load_manifest_lazy,
        open_writer as open_writer,
        store_manifest as store_manifest,
    )
    from lhotse_lite.qa import (
        fix_manifests as fix_manifests,
        validate as validate,
        validate_recordings_and_supervisions as validate_recordings_and_supervisions,
    )
    from lhotse_lite.supervision import (
        AlignmentItem as AlignmentItem,
        SupervisionSegment as SupervisionSegment,
        SupervisionSet as SupervisionSet,
    )
    from lhotse_lite.utils import (
        add_durations as add_durations,
        compute_num_frames as compute_num_frames,
        compute_num_samples as compute_num_samples,
        fastcopy as fastcopy,
    )
    from lhotse_lite.validation import (
        validate_manifests as validate_manifests,
    )

__all__: List[str] = ["__version__", *_EXPORTS]  # noqa: PLE0604  (the keys of the lazy-export table)


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
