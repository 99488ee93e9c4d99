"""Features in Kaldi data directories: ``lite kaldi export --features`` writes feats.ark/feats.scp that
kaldiio reads, and ``lite kaldi import --frame-shift`` turns a feats.scp into a features manifest."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.cli import cli
from lhotse_lite.serialization import load_manifest
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

kaldiio = pytest.importorskip("kaldiio", reason="feats.ark needs the kaldi extra")
pytest.importorskip("torch", reason="the features are extracted with lite feat extract")


def _invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def corpus(tmp_path):
    rng = np.random.default_rng(0)
    for name, shape in (("spk1-a", 32000), ("spk2-b", (24000, 2))):
        sf.write(tmp_path / f"{name}.flac", rng.uniform(-0.5, 0.5, shape), 16000, subtype="PCM_16")
    recordings = RecordingSet(Recording.from_file(tmp_path / f"{n}.flac") for n in ("spk1-a", "spk2-b"))
    supervisions = SupervisionSet(
        [
            SupervisionSegment(
                id="spk1-a-1", recording_id="spk1-a", start=0.25, duration=1.0, speaker="spk1", text="A"
            ),
            SupervisionSegment(id="spk1-a-2", recording_id="spk1-a", start=1.5, duration=0.5, speaker="spk1", text="B"),
            SupervisionSegment(
                id="spk2-b-1", recording_id="spk2-b", start=0.0, duration=1.5, speaker="spk2", text="C", channel=[0, 1]
            ),
        ]
    )
    recordings.to_file(tmp_path / "recordings.jsonl.gz")
    supervisions.to_file(tmp_path / "supervisions.jsonl.gz")
    _invoke("feat", "extract", tmp_path / "recordings.jsonl.gz", tmp_path / "feats")
    return tmp_path, supervisions


def test_export_writes_feats_that_kaldiio_reads(corpus):
    tmp_path, supervisions = corpus
    data = tmp_path / "data"
    _invoke(
        "kaldi",
        "export",
        tmp_path / "recordings.jsonl.gz",
        tmp_path / "supervisions.jsonl.gz",
        data,
        "--features",
        tmp_path / "feats" / "feats.jsonl.gz",
        "--compression-method",
        "none",
    )
    features = load_manifest(tmp_path / "feats" / "feats.jsonl.gz")
    loaded = kaldiio.load_scp(str(data / "feats.scp"))
    lines = (data / "feats.scp").read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["spk1-a-1", "spk1-a-2", "spk2-b-1-0", "spk2-b-1-1"]
    assert all(line.split()[1].startswith(str(data.resolve())) for line in lines)  # absolute, as Kaldi's scripts
    num_frames = dict(line.split() for line in (data / "utt2num_frames").read_text().splitlines())
    for uid, matrix in loaded.items():
        sup = supervisions[uid.rsplit("-", 1)[0] if uid.startswith("spk2") else uid]
        channel = int(uid[-1]) if uid.startswith("spk2") else 0
        source = next(f for f in features if f.recording_id == sup.recording_id and f.channels == channel)
        np.testing.assert_array_equal(matrix, source.load(start=sup.start, duration=sup.duration))
        assert int(num_frames[uid]) == matrix.shape[0] == round(sup.duration * 100)


def test_import_of_feats_scp_and_round_trip(corpus):
    tmp_path, _ = corpus
    data = tmp_path / "data"
    _invoke(
        "kaldi",
        "export",
        tmp_path / "recordings.jsonl.gz",
        tmp_path / "supervisions.jsonl.gz",
        data,
        "--features",
        tmp_path / "feats" / "feats.jsonl.gz",
    )
    result = _invoke("kaldi", "import", data, tmp_path / "imported", "-f", "0.01", "-t", "kaldi-fbank")
    assert "4 features" in result.output
    features = list(load_manifest(tmp_path / "imported" / "features.jsonl.gz"))
    by_key = {f.storage_key: f for f in features}
    assert by_key["spk1-a-2"].recording_id == "spk1-a" and by_key["spk1-a-2"].start == 1.5
    assert by_key["spk2-b-1-1"].recording_id == "spk2-b_1" and by_key["spk2-b-1-1"].num_features == 80
    loaded = kaldiio.load_scp(str(data / "feats.scp"))
    for key, item in by_key.items():
        assert item.storage_type == "kaldiio" and item.storage_path.startswith(f"{(data / 'feats.ark').resolve()}:")
        np.testing.assert_allclose(item.load(), loaded[key], atol=1e-5, rtol=0)
        np.testing.assert_allclose(item.load(start=item.start + 0.1, duration=0.2), loaded[key][10:30], atol=1e-5)


def test_import_without_frame_shift_says_how_to_import_feats(corpus):
    tmp_path, _ = corpus
    data = tmp_path / "data"
    _invoke(
        "kaldi",
        "export",
        tmp_path / "recordings.jsonl.gz",
        tmp_path / "supervisions.jsonl.gz",
        data,
        "--features",
        tmp_path / "feats" / "feats.jsonl.gz",
    )
    result = _invoke("kaldi", "import", data, tmp_path / "imported")
    assert "pass --frame-shift" in result.output
    assert not (tmp_path / "imported" / "features.jsonl.gz").exists()


def test_export_refuses_utterances_without_features(corpus):
    tmp_path, _ = corpus
    features = load_manifest(tmp_path / "feats" / "feats.jsonl.gz")
    features.filter(lambda f: f.recording_id == "spk1-a").to_file(tmp_path / "some.jsonl.gz")
    result = CliRunner().invoke(
        cli,
        [
            "kaldi",
            "export",
            str(tmp_path / "recordings.jsonl.gz"),
            str(tmp_path / "supervisions.jsonl.gz"),
            str(tmp_path / "data"),
            "--features",
            str(tmp_path / "some.jsonl.gz"),
        ],
    )
    assert result.exit_code == 1 and "utterance 'spk2-b-1-0'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "data").exists()  # nothing written


def test_help_names_the_new_options():
    assert "--frame-shift" in _invoke("kaldi", "import", "--help").output
    assert "--feature-type" in _invoke("kaldi", "import", "--help").output
    export_help = _invoke("kaldi", "export", "--help").output
    assert "--features" in export_help and "--compression-method" in export_help


def test_a_relative_ark_path_that_does_not_resolve_names_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "wav.scp").write_text("utt1 /corpus/utt1.wav\n")
    (tmp_path / "data" / "reco2dur").write_text("utt1 1.0\n")
    (tmp_path / "data" / "feats.scp").write_text("utt1 mfcc/raw_mfcc.1.ark:5\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["kaldi", "import", "data", "out", "-s", "16000", "-f", "0.01"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "relative to the working directory" in result.output and str(tmp_path) in result.output
