"""Kaldi data directories compared live with Lhotse 1.33's own reader and writer: imports of the same
directory give the same manifests, exports write the same tables, and what Lhotse writes verbatim.
"""

from pathlib import Path

import pytest

from lhotse_lite.kaldi_data_dir import export_to_kaldi_data_dir, import_kaldi_data_dir
from tests.kaldi_data_dir import test_kaldi_data_dir as data_dir_tests, test_kaldi_untrusted_input as untrusted_tests
from tests.kaldi_data_dir.test_kaldi_data_dir import _mono_manifests, write_dir
from tests.kaldi_data_dir.test_kaldi_untrusted_input import _recording

data_dir = data_dir_tests.data_dir  # fixture
_reset = untrusted_tests._reset  # autouse fixture: no command-source setting left over


def _tables(folder):
    return {p.name: p.read_text() for p in sorted(Path(folder).iterdir())}


def test_import_matches_lhotse(data_dir):
    kaldi = pytest.importorskip("lhotse.kaldi")
    (data_dir / "reco2dur").write_text("reco-a 2.0\nreco-b 2.0\n")  # Lhotse reads pipes only with kaldi_native_io
    theirs_recs, theirs_sups, _ = kaldi.load_kaldi_data_dir(data_dir, sampling_rate=16000)
    ours_recs, ours_sups = import_kaldi_data_dir(data_dir, sampling_rate=16000)
    theirs = [r.to_dict() for r in theirs_recs]
    for d in theirs:  # Lhotse keeps the space before the pipe ('cat x.wav |' -> 'cat x.wav '); we strip it
        d["sources"][0]["source"] = d["sources"][0]["source"].rstrip()
    assert [r.to_dict() for r in ours_recs] == theirs
    assert [s.to_dict() for s in ours_sups] == [s.to_dict() for s in theirs_sups]


def test_import_whole_recordings_from_utt2spk_like_lhotse(tmp_path, lhotse_compat_dir):
    kaldi = pytest.importorskip("lhotse.kaldi")
    mono = lhotse_compat_dir / "audio" / "mono.wav"
    data = write_dir(tmp_path / "d", **{"wav.scp": f"r1 {mono}\n", "utt2spk": "r1 spk\n", "text": "r1 HI\n"})
    theirs_recs, theirs_sups, _ = kaldi.load_kaldi_data_dir(data, sampling_rate=16000)
    ours_recs, ours_sups = import_kaldi_data_dir(data, sampling_rate=16000)
    assert [r.to_dict() for r in ours_recs] == [r.to_dict() for r in theirs_recs]
    assert [s.to_dict() for s in ours_sups] == [s.to_dict() for s in theirs_sups]


def test_export_matches_lhotse_tables(tmp_path, lhotse_compat_dir):
    kaldi = pytest.importorskip("lhotse.kaldi")
    lhotse = pytest.importorskip("lhotse")
    recs, sups = _mono_manifests(lhotse_compat_dir)
    export_to_kaldi_data_dir(recs, sups, tmp_path / "ours")
    kaldi.export_to_kaldi(
        lhotse.RecordingSet.from_dicts(recs.to_dicts()),
        lhotse.SupervisionSet.from_dicts(sups.to_dicts()),
        tmp_path / "theirs",
    )
    ours, theirs = _tables(tmp_path / "ours"), _tables(tmp_path / "theirs")
    for name in ("wav.scp", "segments", "text", "utt2spk", "reco2dur", "utt2dur", "utt2lang"):
        assert [line.split() for line in ours[name].splitlines()] == [
            line.split() for line in theirs[name].splitlines()
        ], name
    assert ours["spk2utt"] == "s1 u1\ns2 u2\n"
    assert ours["spk2gender"] == "s1 f\ns2 m\n"


def test_lhotse_writes_such_directories_verbatim(tmp_path):
    kaldi = pytest.importorskip("lhotse.kaldi")
    lhotse = pytest.importorskip("lhotse")
    recordings = lhotse.RecordingSet.from_recordings([lhotse.Recording.from_dict(_recording().to_dict())])
    supervisions = lhotse.SupervisionSet.from_segments(
        [lhotse.SupervisionSegment("utt 1", "a", 0, 0.5, text="two\nlines", speaker="s")]
    )
    kaldi.export_to_kaldi(recordings, supervisions, tmp_path / "lhotse")
    assert (tmp_path / "lhotse" / "text").read_text() == "utt 1 two\nlines\n"
    with pytest.raises(ValueError):  # its own reader cannot read it back
        kaldi.load_kaldi_data_dir(tmp_path / "lhotse", sampling_rate=16000)
