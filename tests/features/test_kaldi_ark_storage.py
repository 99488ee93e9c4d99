"""The ``kaldiio`` storage (Kaldi ark/scp): round trips, hostile files, resume, and the missing extra.

Comparisons with Lhotse 1.33 are in tests/lhotse_parity/test_parity_kaldi_storage.py.
"""

from __future__ import annotations

import os
import struct
import sys

import numpy as np
import pytest

from lhotse_lite.errors import ConfigError, LhotseLiteError, ShapeError, StorageError, StorageFormatError
from lhotse_lite.features.io import KaldiReader, KaldiWriter, get_reader, storage_backend_statuses
from lhotse_lite.features.storage.kaldi_ark import read_matrix_shape, read_scp

kaldiio = pytest.importorskip("kaldiio", reason="the kaldiio storage needs the kaldi extra")


def _feats(rows=120, cols=13, seed=0):
    return (np.random.default_rng(seed).standard_normal((rows, cols)) * 3).astype(np.float32)


def test_kaldiio_reads_our_files_and_we_read_kaldiio_files(tmp_path):
    feats = {"utt1": _feats(), "utt2": _feats(7, 13, 1)}
    with KaldiWriter(tmp_path / "ours", compression_method=None) as writer:
        for key, value in feats.items():
            writer.write(key, value)
    loaded = kaldiio.load_scp(writer.storage_path)
    for key, value in feats.items():
        np.testing.assert_array_equal(loaded[key], value)
    kaldiio.save_ark(str(tmp_path / "k.ark"), {"a": feats["utt1"].astype(np.float64)}, scp=str(tmp_path / "k.scp"))
    np.testing.assert_array_equal(KaldiReader(str(tmp_path / "k.scp")).read("a"), feats["utt1"])


def test_row_ranges_and_shapes(tmp_path):
    with KaldiWriter(tmp_path, compression_method=None) as writer:
        writer.write("utt1", _feats())
    entry = read_scp(writer.storage_path)["utt1"]
    assert read_matrix_shape(entry) == (120, 13)
    assert read_matrix_shape(entry + "[10:19]") == (10, 13)
    np.testing.assert_array_equal(KaldiReader(entry + "[10:19]").read("x"), _feats()[10:20])


def test_commands_are_never_run(tmp_path):
    marker = tmp_path / "ran"
    scp = tmp_path / "feats.scp"
    scp.write_text(f"utt1 touch {marker} |\n")
    with pytest.raises(StorageError, match="never runs commands"):
        KaldiReader(str(scp)).read("utt1")
    assert not marker.exists()


def test_pickled_entries_are_never_unpickled(tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'ran'}",))

    kaldiio.save_ark(str(tmp_path / "p.ark"), {"utt1": Boom()}, scp=str(tmp_path / "p.scp"), write_function="pickle")
    with pytest.raises(StorageFormatError, match=r"p\.ark:5: expected a binary Kaldi matrix"):
        KaldiReader(str(tmp_path / "p.scp")).read("utt1")
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize(
    "header",
    [
        b"\0BFM \4" + struct.pack("<i", 2**31 - 1) + b"\4" + struct.pack("<i", 2**31 - 1),  # 2^62 values announced
        b"\0BFM \4" + struct.pack("<i", -5) + b"\4" + struct.pack("<i", 3),
        b"\0BCM " + struct.pack("<ffii", 0.0, 1.0, 10**9, 10**9),
        b"\0BFM \4\1\0",  # cut off
        b"\0BXYZ ",
        b" [ 1 2 3 ]\n",  # a text matrix
    ],
)
def test_malformed_headers_are_refused_before_allocating(header, tmp_path):
    (tmp_path / "bad.ark").write_bytes(b"utt1 " + header)
    (tmp_path / "bad.scp").write_text(f"utt1 {tmp_path / 'bad.ark'}:5\n")
    with pytest.raises(StorageFormatError):
        KaldiReader(str(tmp_path / "bad.scp")).read("utt1")


def test_missing_files_and_keys(tmp_path):
    with pytest.raises(FileNotFoundError):
        KaldiReader(str(tmp_path / "missing.scp")).read("utt1")
    (tmp_path / "feats.scp").write_text(f"utt1 {tmp_path / 'missing.ark'}:5\n")
    with pytest.raises(FileNotFoundError, match=r"missing\.ark"):
        KaldiReader(str(tmp_path / "feats.scp")).read("utt1")
    with pytest.raises(StorageFormatError, match="no entry for the key 'utt9'"):
        KaldiReader(str(tmp_path / "feats.scp")).read("utt9")
    (tmp_path / "dup.scp").write_text("a x.ark:1\na x.ark:2\n")
    with pytest.raises(StorageFormatError, match=r"dup\.scp:2"):
        read_scp(tmp_path / "dup.scp")


def test_writer_checks(tmp_path):
    with pytest.raises(ConfigError, match="compression_method"):
        KaldiWriter(tmp_path, compression_method=9)
    with KaldiWriter(tmp_path) as writer:
        with pytest.raises(ShapeError, match="2-D"):
            writer.write("utt1", np.zeros(5, dtype=np.float32))
        with pytest.raises(ConfigError, match="whitespace"):
            writer.write("utt 1", _feats())


def test_a_resume_drops_what_no_kept_line_references(tmp_path):
    with KaldiWriter(tmp_path) as writer:
        writer.write("a", _feats(50))
        writer.write("b", _feats(60, seed=1))  # stored, but its manifest line was never written
    with open(tmp_path / "feats.ark", "ab") as ark:
        ark.write(b"c \0BCM")  # and a crash in the middle of the next matrix
    resumed = KaldiWriter(tmp_path, mode="ab")
    assert resumed.truncate_after(["a"]) > 0
    resumed.write("c", _feats(70, seed=2))
    resumed.close()
    assert list(read_scp(tmp_path / "feats.scp")) == ["a", "c"]
    loaded = kaldiio.load_scp(str(tmp_path / "feats.scp"))
    assert loaded["a"].shape == (50, 13) and loaded["c"].shape == (70, 13)
    with pytest.raises(StorageError, match="no entry for 1 kept key"):
        KaldiWriter(tmp_path, mode="ab").truncate_after(["a", "zzz"])


def test_feature_set_builder_stores_and_resumes(tmp_path):
    import soundfile as sf

    from lhotse_lite.audio import Recording
    from lhotse_lite.features.builder import FeatureSetBuilder
    from lhotse_lite.features.kaldi.extractors import Fbank

    recordings = []
    for i in range(3):
        sf.write(tmp_path / f"rec{i}.wav", np.random.default_rng(i).standard_normal(16000) * 0.1, 16000)
        recordings.append(Recording.from_file(tmp_path / f"rec{i}.wav"))
    manifest = tmp_path / "feats.jsonl.gz"
    with KaldiWriter(tmp_path / "feats") as storage:
        first = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(recordings[:2], manifest)
    with KaldiWriter(tmp_path / "feats") as storage:
        every = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(recordings, manifest)
    assert len(first) == 2 and len(every) == 3
    assert list(read_scp(tmp_path / "feats" / "feats.scp")) == [f.storage_key for f in every]
    for item in every:
        assert item.load().shape == (100, 80)


def test_without_kaldiio_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "kaldiio", None)  # import kaldiio now raises ImportError
    for use in (lambda: KaldiWriter(tmp_path), lambda: get_reader("kaldiio")(str(tmp_path / "feats.scp"))):
        with pytest.raises(ConfigError, match=r"lhotse_lite\[kaldi\]") as info:
            use()
        assert isinstance(info.value, (ValueError, LhotseLiteError))
    status = {s.name: s for s in storage_backend_statuses()}["kaldiio"]
    assert not status.available and "lhotse_lite[kaldi]" in status.install_hint


def test_lite_feat_extract_into_kaldi_ark(tmp_path):
    import soundfile as sf
    from click.testing import CliRunner

    from lhotse_lite.audio import Recording, RecordingSet
    from lhotse_lite.cli import cli
    from lhotse_lite.serialization import load_manifest

    for i in range(2):
        sf.write(tmp_path / f"rec{i}.wav", np.random.default_rng(i).standard_normal(8000 * (i + 1)) * 0.1, 16000)
    RecordingSet(Recording.from_file(tmp_path / f"rec{i}.wav") for i in range(2)).to_file(tmp_path / "recs.jsonl")
    result = CliRunner().invoke(
        cli, ["feat", "extract", str(tmp_path / "recs.jsonl"), str(tmp_path / "out"), "--storage", "kaldiio"]
    )
    assert result.exit_code == 0, result.output
    features = list(load_manifest(tmp_path / "out" / "feats.jsonl.gz"))
    assert {f.storage_path for f in features} == {str(tmp_path / "out" / "feats" / "feats.scp")}
    loaded = kaldiio.load_scp(str(tmp_path / "out" / "feats" / "feats.scp"))
    assert sorted(loaded[f.storage_key].shape[0] for f in features) == [50, 100]
    for item in features:
        np.testing.assert_array_equal(item.load(), loaded[item.storage_key])
