"""Features / FeatureSet: Lhotse's fields and JSON, loading slices, find, memory, copies."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from lhotse_lite.errors import ManifestError, ManifestFieldError, UnknownIdError
from lhotse_lite.features.io import get_writer
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.manifest import load_manifest

STORED = ["lilcom_chunky", "lilcom_files", "numpy_files"]


def _features(tmp_path, storage="numpy_files", num_frames=300, start=0.0, recording_id="rec", channels=0):
    rng = np.random.default_rng(0)
    arr = rng.standard_normal((num_frames, 4)).astype(np.float32)
    target = tmp_path / ("f.lca" if storage == "lilcom_chunky" else storage)
    with get_writer(storage)(target) as writer:
        feats = Features.from_array(
            arr,
            writer,
            frame_shift=0.01,
            sampling_rate=16000,
            type="kaldi-fbank",
            start=start,
            recording_id=recording_id,
            channels=channels,
        )
    return feats, arr


@pytest.mark.parametrize("name", STORED)
def test_lhotse_feature_manifests_load(name, lhotse_compat_dir):
    expected = np.load(lhotse_compat_dir / "expected_features.npz")
    feature_set = FeatureSet.from_file(lhotse_compat_dir / f"feats_{name}.jsonl.gz").with_path_prefix(lhotse_compat_dir)
    assert len(feature_set) == 3
    for item in feature_set:
        assert item.type == "kaldi-fbank" and item.num_features == 80 and item.channels == 0
        np.testing.assert_array_equal(item.load(), expected[f"feats_{name}/{item.recording_id}"])
    part = feature_set.load("rec-stereo", channel_id=0, start=0.5, duration=1.0)
    np.testing.assert_array_equal(part, expected[f"feats_{name}/rec-stereo"][50:150])


def test_load_manifest_detects_feature_set(lhotse_compat_dir):
    assert isinstance(load_manifest(lhotse_compat_dir / "feats_lilcom_chunky.jsonl.gz"), FeatureSet)


def test_from_dict_rejects_unknown_fields():
    with pytest.raises(ManifestFieldError, match="bogus"):
        Features.from_dict(
            {
                "type": "x",
                "num_frames": 1,
                "num_features": 1,
                "frame_shift": 0.01,
                "sampling_rate": 16000,
                "start": 0,
                "duration": 0.01,
                "storage_type": "numpy_files",
                "storage_path": "p",
                "storage_key": "k",
                "bogus": 1,
            }
        )


def test_from_dict_names_missing_fields_and_the_recording():
    with pytest.raises(ManifestFieldError, match=r"features of recording 'r1': missing field\(s\) num_features"):
        Features.from_dict(
            {
                "type": "x",
                "num_frames": 1,
                "frame_shift": 0.01,
                "sampling_rate": 16000,
                "start": 0,
                "duration": 0.01,
                "storage_type": "numpy_files",
                "storage_key": "k",
                "recording_id": "r1",
            }
        )
    with pytest.raises(ManifestFieldError, match="expected a dict, got list"):
        Features.from_dict(["not", "a", "dict"])


@pytest.mark.parametrize("storage", STORED)
def test_load_slices(storage, tmp_path):
    feats, arr = _features(tmp_path, storage, start=2.0)
    assert feats.end == 5.0
    tol = 0 if storage == "numpy_files" else 2.0**-6 + 1e-6
    np.testing.assert_allclose(feats.load(), arr, atol=tol)
    np.testing.assert_allclose(feats.load(start=3.0, duration=0.5), arr[100:150], atol=tol)
    with pytest.raises(ManifestError, match="stored range"):
        feats.load(start=1.0)


def test_move_to_memory_and_copy_feats(tmp_path):
    feats, arr = _features(tmp_path)
    in_memory = feats.move_to_memory()
    assert in_memory.storage_type == "memory_npy" and in_memory.storage_path is None
    np.testing.assert_array_equal(in_memory.load(), arr)
    part = feats.move_to_memory(start=1.0, duration=1.0, lilcom=True)
    assert part.storage_type == "memory_lilcom" and part.start == 0.0 and part.num_frames == 100
    np.testing.assert_allclose(part.load(), arr[100:200], atol=2.0**-6 + 1e-6)
    with get_writer("lilcom_chunky")(tmp_path / "copy.lca") as writer:
        copied = FeatureSet([feats]).copy_feats(writer)
    item = copied[0]
    assert item.storage_type == "lilcom_chunky" and item.recording_id == "rec"
    np.testing.assert_allclose(item.load(), arr, atol=2.0**-6 + 1e-6)


def test_find_picks_the_best_fit(tmp_path):
    a, _ = _features(tmp_path / "a", start=0.0)
    b, _ = _features(tmp_path / "b", start=2.5)
    c, _ = _features(tmp_path / "c", start=0.0, channels=1)
    feature_set = FeatureSet([a, b, c])
    assert feature_set.find("rec", 0, start=2.6, duration=1.0) is b
    assert feature_set.find("rec", 0, start=0.5, duration=1.0) is a
    assert feature_set.find("rec", 1, start=0.5) is c
    with pytest.raises(UnknownIdError, match="rec2"):
        feature_set.find("rec2")
    with pytest.raises(KeyError):
        feature_set.find("rec", 0, start=10.0)


def test_with_path_prefix_is_a_copy(tmp_path):
    feats, _ = _features(tmp_path)
    feats = dataclasses.replace(feats, storage_path="numpy_files")
    prefixed = FeatureSet([feats]).with_path_prefix("/data")
    assert prefixed[0].storage_path == "/data/numpy_files"
    assert feats.storage_path == "numpy_files"


def test_manifest_module_does_not_import_torch():
    code = (
        "import sys, lhotse_lite.features.manifest, lhotse_lite.features.io, lhotse_lite.features.stats, "
        "lhotse_lite.features.config, lhotse_lite.features.batching, lhotse_lite.features.kaldi.options, "
        "lhotse_lite.features.kaldi.extractor_configs; print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
