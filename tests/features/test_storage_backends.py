"""Storage backends: round trips, slices, archives Lhotse 1.33 wrote.

Lhotse reading ours is tested live in tests/lhotse_parity/test_parity_feature_storage.py.
"""

import gzip
import json
import os

import numpy as np
import pytest

from lhotse_lite.errors import ShapeError, StorageError, UnknownNameError
from lhotse_lite.features import io as storage_io
from lhotse_lite.features.io import available_storage_backends, get_reader, get_writer
from lhotse_lite.features.storage.kaldi_ark import kaldiio_available
from lhotse_lite.features.storage.lilcom_chunky import set_chunk_cache_size

BACKENDS = ["lilcom_chunky", "lilcom_files", "numpy_files", "memory_lilcom", "memory_npy"]
LOSSY = {"lilcom_chunky", "lilcom_files", "memory_lilcom"}


def _feats(num_frames=1234, dim=80, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((num_frames, dim)) * 3 - 5).astype(np.float32)


def _writer(name, tmp_path):
    cls = get_writer(name)
    if name.startswith("memory"):
        return cls()
    return cls(tmp_path / ("feats" if name == "lilcom_chunky" else name))


def _reader(name, writer):
    return get_reader(name)(writer.storage_path)


def test_registered_names_are_lhotses():
    optional = ["kaldiio"] if kaldiio_available() else []  # the kaldi extra (tests/features/test_kaldi_ark_storage.py)
    assert available_storage_backends() == sorted(BACKENDS + optional)


def test_unknown_backend_lists_available():
    with pytest.raises(UnknownNameError, match="lilcom_chunky"):
        get_reader("lilcom_chunk")


@pytest.mark.parametrize("name", BACKENDS)
def test_round_trip_and_slices(name, tmp_path):
    feats = _feats()
    with _writer(name, tmp_path) as writer:
        key = writer.write("0123456789", feats)
    reader = _reader(name, writer)
    tol = 2.0**-6 + 1e-6 if name in LOSSY else 0.0
    full = reader.read(key)
    assert full.shape == feats.shape and full.dtype == np.float32
    np.testing.assert_allclose(full, feats, atol=tol, rtol=0)
    for left, right in [(0, 100), (450, 550), (499, 500), (500, 1000), (1200, None), (1000, 5000)]:
        np.testing.assert_array_equal(reader.read(key, left, right), full[left:right])


@pytest.mark.parametrize("name", BACKENDS)
def test_writers_do_not_modify_their_input(name, tmp_path):
    feats = _feats(700)
    before = feats.copy()
    with _writer(name, tmp_path) as writer:
        writer.write("abcdef", feats)
    np.testing.assert_array_equal(feats, before)


@pytest.mark.parametrize("name", ["lilcom_chunky", "lilcom_files", "memory_lilcom"])
def test_lilcom_writers_reject_integer_arrays(name, tmp_path):
    with pytest.raises(ShapeError, match="floating-point"):
        _writer(name, tmp_path).write("abc", np.ones((3, 2), dtype=np.int64))


def test_chunky_reads_only_the_needed_chunks(tmp_path, monkeypatch):
    feats = _feats(2100)
    with get_writer("lilcom_chunky")(tmp_path / "a.lca") as writer:
        key = writer.write("x", feats)
    lengths = [int(v) for v in key.split(",")[1:]]
    assert len(lengths) == 5  # 500-frame chunks
    calls = []
    real = os.pread

    def spy(fd, size, offset):
        calls.append((size, offset))
        return real(fd, size, offset)

    monkeypatch.setattr(os, "pread", spy)
    reader = get_reader("lilcom_chunky")(writer.storage_path)
    set_chunk_cache_size(0)
    try:
        reader.read(key, 1100, 1200)
        assert calls == [(lengths[2], sum(lengths[:2]))]
        calls.clear()
        reader.read(key, 990, 1010)
        assert calls == [(lengths[1] + lengths[2], lengths[0])]
    finally:
        set_chunk_cache_size(64 << 20)
    calls.clear()
    first = reader.read(key, 1100, 1200)
    again = reader.read(key, 1200, 1300)  # same chunk: decoded once, not read again
    assert len(calls) == 1
    first[:] = 0  # callers get copies, never the cached chunk
    np.testing.assert_array_equal(reader.read(key, 1100, 1200), reader.read(key, 1100, 1200))
    assert np.abs(reader.read(key, 1100, 1200)).sum() > 0 and again.shape == (100, 80)


def test_chunk_cache_never_serves_a_rewritten_archive(tmp_path):
    path = tmp_path / "a.lca"
    with get_writer("lilcom_chunky")(path) as writer:
        key = writer.write("x", _feats(100, seed=1))
    reader = get_reader("lilcom_chunky")(str(path))
    old = reader.read(key)
    with get_writer("lilcom_chunky")(path) as writer:  # "wb": a new archive at the same path
        new_key = writer.write("x", _feats(100, seed=2) + 100)
    assert new_key.split(",")[0] == key.split(",")[0] == "0"  # same offset, same cache slot
    assert reader.read(new_key).mean() > old.mean() + 50


def test_chunky_writer_appends_and_keeps_offsets(tmp_path):
    a, b = _feats(600, seed=1), _feats(300, seed=2)
    with get_writer("lilcom_chunky")(tmp_path / "x") as writer:
        key_a = writer.write("a", a)
    assert writer.storage_path == str(tmp_path / "x.lca")
    with get_writer("lilcom_chunky")(tmp_path / "x.lca", mode="a") as writer:
        key_b = writer.write("b", b)
    reader = get_reader("lilcom_chunky")(str(tmp_path / "x.lca"))
    np.testing.assert_allclose(reader.read(key_a), a, atol=2.0**-6 + 1e-6)
    np.testing.assert_allclose(reader.read(key_b), b, atol=2.0**-6 + 1e-6)


def test_chunky_constructor_does_not_truncate(tmp_path):
    with get_writer("lilcom_chunky")(tmp_path / "x.lca") as writer:
        key = writer.write("a", _feats(10))
    get_writer("lilcom_chunky")(tmp_path / "x.lca")  # never written to
    assert get_reader("lilcom_chunky")(str(tmp_path / "x.lca")).read(key).shape == (10, 80)


def test_truncated_archive_is_a_clear_error(tmp_path):
    with get_writer("lilcom_chunky")(tmp_path / "x.lca") as writer:
        key = writer.write("a", _feats(1000))
    path = tmp_path / "x.lca"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(StorageError, match="truncated"):
        get_reader("lilcom_chunky")(str(path)).read(key)


def test_missing_file_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError, match=r"abc/abc\.npy"):
        get_reader("numpy_files")(str(tmp_path)).read("abc/abc.npy")


# ---- Lhotse 1.33 interchange -------------------------------------------------------------------

STORED = ["lilcom_chunky", "lilcom_files", "numpy_files"]


def _fixture_manifests(folder, name):
    with gzip.open(folder / f"feats_{name}.jsonl.gz", "rt") as file:
        return [json.loads(line) for line in file]


@pytest.mark.parametrize("name", STORED)
def test_lhotse_written_features_load_identically(name, lhotse_compat_dir):
    expected = np.load(lhotse_compat_dir / "expected_features.npz")
    manifests = _fixture_manifests(lhotse_compat_dir, name)
    assert manifests
    for item in manifests:
        reader = get_reader(item["storage_type"])(str(lhotse_compat_dir / item["storage_path"]))
        ours = reader.read(item["storage_key"])
        np.testing.assert_array_equal(ours, expected[f"feats_{name}/{item['recording_id']}"])
        part = reader.read(item["storage_key"], 37, 137)
        np.testing.assert_array_equal(part, ours[37:137])


def test_io_module_exports_lhotse_class_names():
    for name in [
        "LilcomChunkyWriter",
        "LilcomChunkyReader",
        "LilcomFilesWriter",
        "NumpyFilesWriter",
        "MemoryLilcomWriter",
        "MemoryNpyReader",
    ]:
        assert hasattr(storage_io, name)
