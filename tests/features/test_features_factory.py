"""Every way of storing features describes them through Features.from_stored, with the same fields."""

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import Recording
from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.features.builder import FeatureSetBuilder
from lhotse_lite.features.io import NumpyFilesWriter
from lhotse_lite.features.kaldi.extractors import Fbank
from lhotse_lite.features.manifest import Features


def test_from_stored_fields():
    feats = Features.from_stored(
        "k",
        (3, 5),
        storage_type="numpy_files",
        storage_path=Path("feats"),
        frame_shift=0.1,
        sampling_rate=8000,
        type="x",
        recording_id="r",
        channels=1,
    )
    assert (feats.num_frames, feats.num_features, feats.frame_shift, feats.sampling_rate) == (3, 5, 0.1, 8000)
    assert feats.duration == 0.3  # 3 * 0.1 is 0.30000000000000004 before rounding to 8 decimals
    assert feats.storage_path == "feats" and isinstance(feats.storage_path, str)
    assert (feats.storage_type, feats.storage_key, feats.type, feats.start) == ("numpy_files", "k", "x", 0.0)
    assert (feats.recording_id, feats.channels) == ("r", 1)
    one_column = Features.from_stored(
        "k", (7,), storage_type="memory_npy", storage_path=None, frame_shift=0.01, sampling_rate=16000, duration=0.5
    )
    assert (one_column.num_features, one_column.duration, one_column.storage_path) == (1, 0.5, None)


def test_from_stored_refuses_nan_times():
    with pytest.raises(ManifestFieldError, match="finite"):
        Features.from_stored(
            "k",
            (3, 5),
            storage_type="memory_npy",
            storage_path=None,
            frame_shift=0.01,
            sampling_rate=16000,
            start=float("nan"),
        )


def test_extractor_and_builder_describe_the_same_matrix(tmp_path):
    audio = np.random.default_rng(0).uniform(-0.5, 0.5, 12345).astype(np.float32)
    path = str(tmp_path / "a.wav")
    sf.write(path, audio, 16000, subtype="FLOAT")
    recording = Recording.from_file(path)
    storage = NumpyFilesWriter(os.path.join(tmp_path, "feats"))
    direct = Fbank().extract_from_samples_and_store(audio, storage, 16000, channel=0)
    built = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings([recording], progress_bar=False)[0]
    for feats in (direct, built):
        # 12345 samples: 77 frames of 10 ms (Lhotse's count without snipped edges), 0.7715625 s
        assert (feats.num_frames, feats.num_features, feats.frame_shift) == (77, 80, 0.01)
        assert (feats.sampling_rate, feats.start, feats.duration) == (16000, 0, 0.7715625)
        assert (feats.storage_type, feats.storage_path, feats.type) == (
            "numpy_files",
            storage.storage_path,
            "kaldi-fbank",
        )
        np.testing.assert_array_equal(feats.load(), Fbank().extract(audio, 16000))
    assert built.recording_id == "a" and built.channels == 0 and direct.channels == 0
