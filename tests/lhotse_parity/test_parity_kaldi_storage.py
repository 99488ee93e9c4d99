"""The ``kaldiio`` feature storage (Kaldi ark/scp) on Lhotse 1.33 and on lhotse_lite: the same files
and keys, each library reading what the other wrote, and Features manifests loading across.

Lhotse writes and reads these files with ``kaldi_native_io`` (Kaldi's own I/O code), lhotse_lite with
``kaldiio``; both are test dependencies. Compressed matrices are compared against what each library
reads back: the two decoders differ by float rounding only (a few 1e-6 on values of a few units), and
the two encoders round a handful of values to the neighbouring step.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")
pytest.importorskip("kaldi_native_io", reason="Lhotse's kaldiio storage reads and writes with kaldi_native_io")
pytest.importorskip("kaldiio", reason="lhotse_lite's kaldiio storage needs the kaldi extra")
import lhotse.features.io as lhotse_io  # noqa: E402

import lhotse_lite.audio  # noqa: E402
import lhotse_lite.features.io as our_io  # noqa: E402
from lhotse_lite.features.kaldi.extractors import Fbank  # noqa: E402
from lhotse_lite.features.manifest import Features  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")

DECODE_ATOL = 1e-5  # the two decoders of one compressed matrix (float rounding of min + range * q / 65535)


def _matrices() -> dict:
    rng = np.random.default_rng(3)
    return {
        f"utt{i}": (rng.standard_normal((n, 23)) * 4 + i).astype(np.float32) for i, n in enumerate((1, 8, 9, 100, 777))
    }


def _write(io, folder, matrices, **kwargs):
    with io.KaldiWriter(folder, **kwargs) as writer:
        keys = [writer.write(key, matrix) for key, matrix in matrices.items()]
    return writer.storage_path, keys


def _step(matrix: np.ndarray, method: int) -> float:
    """One quantisation step of Kaldi's compression of ``matrix`` (8 or 16 bits over its range)."""
    span = float(matrix.max() - matrix.min()) or 1.0
    return span / (255 if method == 5 else 65535) * (1 if method in (3, 5) else 256)


@pytest.mark.parametrize("method", [1, 2, 3, 5])
def test_same_files_and_keys(method, tmp_path, monkeypatch):
    matrices = _matrices()
    outputs = {}
    for lib, io in (("lhotse", lhotse_io), ("ours", our_io)):
        (tmp_path / lib).mkdir()
        monkeypatch.chdir(tmp_path / lib)  # both write the relative folder "feats": the .scp texts compare
        outputs[lib] = _write(io, "feats", matrices, compression_method=method)
    assert outputs["ours"] == outputs["lhotse"] == ("feats/feats.scp", list(matrices))
    theirs, ours = tmp_path / "lhotse" / "feats", tmp_path / "ours" / "feats"
    assert (ours / "feats.scp").read_text() == (theirs / "feats.scp").read_text()
    assert (ours / "feats.ark").stat().st_size == (theirs / "feats.ark").stat().st_size


@pytest.mark.parametrize("method", [1, 2, 3, 5, None])
def test_lhotse_reads_what_we_write(method, tmp_path):
    matrices = _matrices()
    scp, _ = _write(our_io, tmp_path / "ours", matrices, compression_method=method)
    for key, matrix in matrices.items():
        by_lhotse = lhotse_io.KaldiReader(scp).read(key)
        by_us = our_io.KaldiReader(scp).read(key)
        assert by_lhotse.shape == by_us.shape == matrix.shape and by_us.dtype == np.float32
        if method is None:
            np.testing.assert_array_equal(by_lhotse, matrix)
            np.testing.assert_array_equal(by_us, matrix)
        else:
            np.testing.assert_allclose(by_us, by_lhotse, atol=DECODE_ATOL, rtol=0)
            assert float(np.abs(by_us - matrix).max()) <= _step(matrix, method)
        np.testing.assert_array_equal(our_io.KaldiReader(scp).read(key, 3, 7), by_us[3:7])


@pytest.mark.parametrize("method", [1, 2, 3, 5])
def test_we_read_what_lhotse_writes(method, tmp_path):
    matrices = _matrices()
    scp, _ = _write(lhotse_io, tmp_path / "lhotse", matrices, compression_method=method)
    ours_scp, _ = _write(our_io, tmp_path / "ours", matrices, compression_method=method)
    for key, matrix in matrices.items():
        by_lhotse = lhotse_io.KaldiReader(scp).read(key)
        by_us = our_io.KaldiReader(scp).read(key)
        np.testing.assert_allclose(by_us, by_lhotse, atol=DECODE_ATOL, rtol=0)
        # our encoder rounds like Kaldi's: its error is Kaldi's error, up to one step on a few values
        ours_error = float(np.abs(our_io.KaldiReader(ours_scp).read(key) - matrix).max())
        theirs_error = float(np.abs(by_lhotse - matrix).max())
        assert ours_error <= theirs_error + _step(matrix, method) / 2 + DECODE_ATOL


def test_features_manifests_load_across(tmp_path, lhotse_compat_dir):
    path = lhotse_compat_dir / "audio" / "stereo.flac"
    theirs_rec, ours_rec = lhotse.Recording.from_file(path), lhotse_lite.audio.Recording.from_file(path)
    with (
        lhotse_io.KaldiWriter(tmp_path / "lhotse") as theirs_writer,
        our_io.KaldiWriter(tmp_path / "ours") as ours_writer,
    ):
        theirs = lhotse.Fbank().extract_from_recording_and_store(theirs_rec, theirs_writer, channels=1)
        ours = Fbank().extract_from_recording_and_store(ours_rec, ours_writer, channels=1)
    expected, actual = theirs.to_dict(), ours.to_dict()
    assert actual["storage_type"] == expected["storage_type"] == "kaldiio"
    assert Path(actual["storage_path"]).name == Path(expected["storage_path"]).name == "feats.scp"
    for field in ("storage_path", "storage_key"):  # each wrote its own files, under a random key
        expected.pop(field), actual.pop(field)
    assert actual == expected
    # each library loads the other's manifest line, and gets what the writer's library reads
    theirs_by_us = Features.from_dict(theirs.to_dict())
    ours_by_lhotse = lhotse.features.Features.from_dict(ours.to_dict())
    np.testing.assert_allclose(theirs_by_us.load(), theirs.load(), atol=DECODE_ATOL, rtol=0)
    np.testing.assert_allclose(ours_by_lhotse.load(), ours.load(), atol=DECODE_ATOL, rtol=0)
    np.testing.assert_allclose(
        theirs_by_us.load(start=0.25, duration=0.5), theirs.load(start=0.25, duration=0.5), atol=DECODE_ATOL, rtol=0
    )


def test_a_single_rxfilename_as_storage_path(tmp_path):
    # ``lhotse kaldi import`` stores each feats.scp line's "<ark>:<offset>" as storage_path.
    matrices = _matrices()
    scp, _ = _write(lhotse_io, tmp_path / "lhotse", matrices)
    entries = dict(line.split(" ", 1) for line in Path(scp).read_text().splitlines())
    for key in matrices:
        np.testing.assert_allclose(
            our_io.KaldiReader(entries[key]).read("any key"),
            lhotse_io.KaldiReader(entries[key]).read("any key"),
            atol=DECODE_ATOL,
            rtol=0,
        )


def test_names():
    for name in ("KaldiWriter", "KaldiReader"):
        assert getattr(our_io, name).name == getattr(lhotse_io, name).name == "kaldiio"
    assert our_io.get_writer("kaldiio").__name__ == lhotse_io.get_writer("kaldiio").__name__
    assert our_io.get_reader("kaldiio").__name__ == lhotse_io.get_reader("kaldiio").__name__
    assert "kaldiio" in our_io.available_storage_backends()
