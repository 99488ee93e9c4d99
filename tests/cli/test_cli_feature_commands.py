"""End-to-end tests of ``lite feat ...`` through click's CliRunner, checked against Lhotse 1.33's arrays."""

import gzip
import json
import pickle

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.manifest import load_manifest


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.fixture
def compat(lhotse_compat_dir, monkeypatch):
    monkeypatch.chdir(lhotse_compat_dir)  # manifests hold paths relative to this folder
    return lhotse_compat_dir


@pytest.fixture
def needs_extractors():
    pytest.importorskip("torch")
    import lhotse_lite.features.kaldi.layers  # noqa: F401  (an import error of ours fails the test)


def test_write_default_config_matches_lhotse_defaults(compat, tmp_path, needs_extractors):
    out = tmp_path / "fbank.yaml"
    result = run("feat", "write-default-config", out)
    assert result.exit_code == 0, result.output
    ours = yaml.safe_load(out.read_text())
    theirs = yaml.safe_load((compat / "fbank_config.yaml").read_text())  # written by Lhotse 1.33
    for key, value in theirs.items():
        assert ours[key] == value, key
    result = run("feat", "write-default-config", tmp_path / "mfcc.yaml", "-e", "kaldi-mfcc")
    assert yaml.safe_load((tmp_path / "mfcc.yaml").read_text())["feature_type"] == "kaldi-mfcc"


def test_unknown_extractor_is_an_error_line(tmp_path, needs_extractors):
    result = run("feat", "write-default-config", tmp_path / "x.yaml", "-e", "kaldi-fbnak")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown feature extractor 'kaldi-fbnak'")
    assert "kaldi-fbank" in result.stderr


def test_extract_matches_lhotse_and_resumes(compat, tmp_path, needs_extractors):
    out = tmp_path / "feats"
    args = (
        "feat",
        "extract",
        "recordings.jsonl",
        out,
        "--storage",
        "numpy_files",
        "--config",
        compat / "fbank_config.yaml",
    )
    result = run(*args)
    assert result.exit_code == 0, result.output
    feats = load_manifest(out / "feats.jsonl.gz")
    assert sorted((f.recording_id, f.channels) for f in feats) == [
        ("rec-mono", 0),
        ("rec-stereo", 0),
        ("rec-stereo", 1),
        ("rec-two-sources", 0),
        ("rec-two-sources", 1),
    ]
    expected = np.load(compat / "expected_features.npz")["float32/rec-mono"]  # Lhotse's unstored fbank
    mono = next(f for f in feats if f.recording_id == "rec-mono")
    np.testing.assert_allclose(mono.load(), expected, atol=2e-3, rtol=1e-4)

    before = gzip.decompress((out / "feats.jsonl.gz").read_bytes())
    storage_before = sorted(p.name for p in (out / "feats").rglob("*.npy"))
    again = run(*args)  # everything is done: nothing is extracted again
    assert again.exit_code == 0, again.output
    assert gzip.decompress((out / "feats.jsonl.gz").read_bytes()) == before
    assert sorted(p.name for p in (out / "feats").rglob("*.npy")) == storage_before
    with gzip.open(out / "feats.jsonl.gz", "wb") as f:  # as if interrupted after two matrices
        f.writelines(before.splitlines(keepends=True)[:2])
    resumed = run(*args)
    assert resumed.exit_code == 0, resumed.output
    assert sorted((f.recording_id, f.channels) for f in load_manifest(out / "feats.jsonl.gz")) == sorted(
        (f.recording_id, f.channels) for f in feats
    )

    stats_path = tmp_path / "stats.json"
    result = run("feat", "stats", out / "feats.jsonl.gz", stats_path)
    assert result.exit_code == 0, result.output
    stats = json.loads(stats_path.read_text())
    frames = np.concatenate([f.load() for f in feats]).astype(np.float64)
    np.testing.assert_allclose(stats["norm_means"], frames.mean(axis=0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(stats["norm_stds"], frames.std(axis=0), rtol=1e-6, atol=1e-6)


def test_extract_wrong_manifest_type_is_an_error(compat, tmp_path):
    result = run("feat", "extract", "supervisions.jsonl", tmp_path / "f")
    assert result.exit_code == 1 and "expected a recordings manifest, got supervisions" in result.stderr


@pytest.mark.parametrize("suffix", [".pkl", ".npz", ".json"])
def test_stats_formats_on_lhotse_features(compat, tmp_path, suffix):
    out = tmp_path / f"stats{suffix}"
    result = run("feat", "stats", "feats_lilcom_chunky.jsonl.gz", out)
    assert result.exit_code == 0, result.output
    if suffix == ".pkl":
        with open(out, "rb") as f:
            stats = pickle.load(f)
    elif suffix == ".npz":
        stats = dict(np.load(out))
    else:
        stats = json.loads(out.read_text())
    arrays = np.load("expected_features.npz")
    frames = np.concatenate([arrays[f"feats_lilcom_chunky/{r}"] for r in ("rec-mono", "rec-stereo", "rec-two-sources")])
    np.testing.assert_allclose(stats["norm_means"], frames.astype(np.float64).mean(axis=0), rtol=1e-5, atol=1e-5)


def test_inspect_text_and_json(compat):
    result = run("feat", "inspect", "feats_lilcom_files.jsonl.gz", "-r", "rec-stereo")
    assert result.exit_code == 0, result.output
    assert "Item rec-stereo" in result.stdout and "[200, 80]" in result.stdout
    data = json.loads(run("feat", "inspect", "feats_lilcom_files.jsonl.gz", "--json").stdout)
    expected = np.load("expected_features.npz")["feats_lilcom_files/rec-mono"].astype(np.float64)
    assert data["manifest"]["count"] == 3
    assert data["item"]["shape"] == [200, 80]
    assert data["item"]["max"] == pytest.approx(expected.max(), rel=1e-5)


def test_inspect_missing_item_and_stdin(compat):
    result = run("feat", "inspect", "feats_lilcom_files.jsonl.gz", "-i", 7)
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and "item 7" in result.stderr
    piped = run("feat", "inspect", "-", "--json", input=(compat / "feats_numpy_files.jsonl.gz").read_bytes())
    assert piped.exit_code == 1  # gzip bytes on stdin are not JSONL
    text = gzip.decompress((compat / "feats_numpy_files.jsonl.gz").read_bytes()).decode()
    piped = run("feat", "inspect", "-", "--json", input=text)
    assert piped.exit_code == 0, piped.output


def test_extract_on_dask_scheduler(compat, tmp_path, needs_extractors):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        result = run("feat", "extract", "recordings.jsonl", tmp_path, "--dask-scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    feats = load_manifest(tmp_path / "feats.jsonl.gz")
    assert len(feats) == 5
    mono = next(f for f in feats if f.recording_id == "rec-mono")
    expected = np.load("expected_features.npz")["feats_lilcom_chunky/rec-mono"]  # Lhotse's stored default fbank
    np.testing.assert_allclose(mono.load(), expected, atol=0.05)


def test_extract_bad_recording_stops_or_is_skipped(compat, tmp_path, needs_extractors):
    recs = tmp_path / "recs.jsonl"
    lines = (compat / "recordings.jsonl").read_text().splitlines()
    recs.write_text(
        "\n".join([lines[0], lines[0].replace('"rec-mono"', '"rec-gone"').replace("audio/mono.wav", "audio/gone.wav")])
        + "\n"
    )
    result = run("feat", "extract", recs, tmp_path / "a")
    assert result.exit_code == 1 and result.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert "rec-gone" in result.stderr and "Traceback" not in result.output
    result = run("feat", "extract", recs, tmp_path / "b", "--skip-errors")
    assert result.exit_code == 0, result.output
    assert "skipped rec-gone" in result.stderr
    assert [f.recording_id for f in load_manifest(tmp_path / "b" / "feats.jsonl.gz")] == ["rec-mono"]


def test_inspect_plot_saves_png(compat, tmp_path):
    out = tmp_path / "mono.png"
    result = run("feat", "inspect", "feats_lilcom_chunky.jsonl.gz", "-r", "rec-mono", "--plot", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
