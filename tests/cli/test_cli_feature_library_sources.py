"""``lite feat`` takes its storage choices and its stats writer from the library, so they cannot drift."""

import json

import numpy as np
from click.testing import CliRunner

import lhotse_lite.features.io as feature_io
import lhotse_lite.features.stats as feature_stats
from lhotse_lite.cli import cli
from lhotse_lite.cli.feature_commands import StorageChoice
from lhotse_lite.features.io import NumpyFilesWriter
from lhotse_lite.features.manifest import Features, FeatureSet


def test_storage_choices_are_the_registered_backends(monkeypatch):
    assert StorageChoice().choices == tuple(feature_io.available_storage_backends())
    monkeypatch.setattr(feature_io, "available_storage_backends", lambda: ["lilcom_chunky", "tape_drive"])
    result = CliRunner().invoke(cli, ["feat", "extract", "--help"])
    assert result.exit_code == 0 and "tape_drive" in result.output
    refused = CliRunner().invoke(cli, ["feat", "extract", "r.jsonl", "out", "--storage", "numpy_files"])
    assert refused.exit_code == 2 and "'numpy_files' is not one of 'lilcom_chunky', 'tape_drive'" in refused.stderr


def test_stats_are_written_by_the_library_writer(tmp_path, monkeypatch):
    calls = []
    original = feature_stats.write_global_stats

    def recording_writer(stats, path):
        calls.append(path)
        return original(stats, path)

    monkeypatch.setattr(feature_stats, "write_global_stats", recording_writer)
    features = tmp_path / "feats.jsonl"
    matrix = np.arange(12, dtype=np.float32).reshape(4, 3)
    with NumpyFilesWriter(tmp_path / "store") as writer:
        item = Features.from_array(matrix, writer, frame_shift=0.01, sampling_rate=16000, recording_id="r1")
    FeatureSet([item]).to_file(features)
    result = CliRunner().invoke(cli, ["feat", "stats", str(features), str(tmp_path / "stats.json")])
    assert result.exit_code == 0, result.output
    assert calls == [str(tmp_path / "stats.json")]
    stats = json.loads((tmp_path / "stats.json").read_text())
    np.testing.assert_allclose(stats["norm_means"], matrix.mean(axis=0))
    np.testing.assert_allclose(stats["norm_stds"], matrix.std(axis=0))
