"""describe_manifests / format_description / describe_feature_matrix on hand-checked inputs."""

import json

import numpy as np
import pytest

from lhotse_lite.describe import describe_feature_matrix, describe_manifests, format_description
from lhotse_lite.features.manifest import FeatureSet
from lhotse_lite.manifest import load_manifest


def test_percentiles_match_numpy(lhotse_compat_dir):
    sups = load_manifest(lhotse_compat_dir / "supervisions.jsonl")
    summary = describe_manifests(supervisions=sups)["supervisions"]
    durations = [0.8, 1.0, 0.5]  # the fixture's three segments
    for pct, value in summary["duration_percentiles_s"].items():
        assert value == pytest.approx(round(float(np.percentile(durations, float(pct))), 3))
    assert summary["recordings_covered"] == 2
    assert summary["languages"] == {"English": 1}


def test_recordings_channels_and_rates(lhotse_compat_dir):
    summary = describe_manifests(recordings=load_manifest(lhotse_compat_dir / "recordings.yaml"))["recordings"]
    assert summary["count"] == 3 and summary["total_duration_s"] == 6.0
    assert summary["channels"] == {1: 1, 2: 2} and summary["sampling_rates"] == {16000: 3}


def test_features_section_and_json_ready(lhotse_compat_dir):
    feats = FeatureSet.from_file(lhotse_compat_dir / "feats_numpy_files.jsonl.gz")
    summary = describe_manifests(features=feats)
    section = summary["features"]
    assert section["total_frames"] == 600 and section["num_features"] == {80: 3}
    assert section["storage_types"] == {"numpy_files": 3}
    json.dumps(summary)  # int/float keys become strings, nothing else needed
    text = format_description(summary)
    assert "total frames          600" in text and "storage types         numpy_files: 3" in text


def test_empty_manifests():
    summary = describe_manifests(recordings=[], supervisions=[])
    assert summary["recordings"]["count"] == 0 and summary["recordings"]["duration_percentiles_s"] == {}
    assert format_description(summary).splitlines()[0] == "Recordings"


def test_feature_matrix_matches_lhotse_loaded_values(lhotse_compat_dir, monkeypatch):
    monkeypatch.chdir(lhotse_compat_dir)
    feats = FeatureSet.from_file("feats_numpy_files.jsonl.gz")
    expected = np.load("expected_features.npz")["feats_numpy_files/rec-mono"].astype(np.float64)
    info = describe_feature_matrix(next(f for f in feats if f.recording_id == "rec-mono"))
    assert info["shape"] == list(expected.shape)
    assert info["mean"] == pytest.approx(expected.mean(), rel=1e-5)
    assert info["std"] == pytest.approx(expected.std(), rel=1e-5)
    assert info["bin_means"] == pytest.approx(expected.mean(axis=0).tolist(), rel=1e-5, abs=1e-5)
