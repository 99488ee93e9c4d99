"""Resuming a feature output with another extractor, config or storage type is refused, not mixed in.

Before, ``lite feat extract`` into a folder holding fbank output, run with an MFCC config (or another
``num_mel_bins``, or another storage type), kept the old rows and appended new ones: one manifest
with 80-dimensional fbank and 13-dimensional MFCC rows, exit 0.
"""

import json
import os

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.cli import cli
from lhotse_lite.errors import ResumeMismatchError
from lhotse_lite.features.base import FeatureSetBuilder
from lhotse_lite.features.io import LilcomChunkyWriter
from lhotse_lite.features.kaldi.extractors import Fbank, Mfcc
from lhotse_lite.features.manifest import FeatureSet


def _recordings(tmp_path, count=3):
    recs = []
    for i in range(count):
        sf.write(
            tmp_path / f"a{i}.wav",
            (0.1 * np.random.default_rng(i).standard_normal(4000 + 800 * i)).astype(np.float32),
            16000,
        )
        recs.append(Recording.from_file(tmp_path / f"a{i}.wav"))
    RecordingSet.from_recordings(recs).to_file(tmp_path / "recs.jsonl")
    return recs


def _snapshot(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def _error_line(result):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if "Error: " in line]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "change,difference",
    [
        (["-e", "kaldi-mfcc"], "extractor: 'kaldi-fbank' (kept) vs 'kaldi-mfcc' (this run)"),
        (["-c", "CONFIG"], "extractor_config.num_filters: 80 (kept) vs 40 (this run)"),
        (["-s", "numpy_files"], "storage_type: 'lilcom_chunky' (kept) vs 'numpy_files' (this run)"),
    ],
)
def test_cli_resume_with_another_job_is_refused(tmp_path, change, difference):
    _recordings(tmp_path)
    (tmp_path / "fbank40.yaml").write_text("feature_type: kaldi-fbank\nnum_filters: 40\n")
    change = [str(tmp_path / "fbank40.yaml") if arg == "CONFIG" else arg for arg in change]
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(cli, ["feat", "extract", str(tmp_path / "recs.jsonl"), str(out)])
    assert first.exit_code == 0, first.output
    before = _snapshot(out)
    line = _error_line(runner.invoke(cli, ["feat", "extract", str(tmp_path / "recs.jsonl"), str(out), *change]))
    assert difference in line and "--overwrite" in line and "another folder" in line
    assert _snapshot(out) == before  # nothing of the first run touched
    again = runner.invoke(cli, ["feat", "extract", str(tmp_path / "recs.jsonl"), str(out), *change, "--overwrite"])
    assert again.exit_code == 0, again.output
    feats = FeatureSet.from_file(out / "feats.jsonl.gz")
    assert len(feats) == 3 and len({(f.type, f.num_features, f.storage_type) for f in feats}) == 1
    assert all(f.load().shape == (f.num_frames, f.num_features) for f in feats)
    producer = json.loads((out / "feats.jsonl.gz.producer.json").read_text())
    assert (producer["extractor"], producer["storage_type"]) == (feats[0].type, feats[0].storage_type)


def test_builder_resume_with_another_config_is_refused(tmp_path):
    recs = _recordings(tmp_path)
    manifest = tmp_path / "feats.jsonl"
    with LilcomChunkyWriter(tmp_path / "feats") as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(recs[:2], manifest, progress_bar=False)
    before = _snapshot(tmp_path)
    with LilcomChunkyWriter(tmp_path / "feats") as storage, pytest.raises(ResumeMismatchError, match="extractor"):
        FeatureSetBuilder(Mfcc(), storage).process_and_store_recordings(recs, manifest, progress_bar=False)
    assert _snapshot(tmp_path) == before
    with LilcomChunkyWriter(tmp_path / "feats") as storage:  # the same job resumes
        feats = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(recs, manifest, progress_bar=False)
    assert [f.num_features for f in feats] == [80, 80, 80]


def test_output_without_sidecar_is_checked_by_its_rows(tmp_path):
    recs = _recordings(tmp_path)
    manifest = tmp_path / "feats.jsonl"
    with LilcomChunkyWriter(tmp_path / "feats") as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(recs[:1], manifest, progress_bar=False)
    (tmp_path / "feats.jsonl.producer.json").unlink()  # as written by Lhotse or an older lhotse_lite
    with (
        LilcomChunkyWriter(tmp_path / "feats") as storage,
        pytest.raises(ResumeMismatchError, match="feature type 'kaldi-fbank' \\(kept rows\\) vs 'kaldi-mfcc'"),
    ):
        FeatureSetBuilder(Mfcc(), storage).process_and_store_recordings(recs, manifest, progress_bar=False)
    assert not (tmp_path / "feats.jsonl.producer.json").exists()
    with LilcomChunkyWriter(tmp_path / "feats") as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(recs, manifest, progress_bar=False)
    assert json.loads((tmp_path / "feats.jsonl.producer.json").read_text())["extractor"] == "kaldi-fbank"
