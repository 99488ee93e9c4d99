"""The storage registry in lhotse_lite.features.io, the storage error types and LilcomChunkyWriter.storage_path_."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lhotse_lite.errors import ConfigError, StorageError, StorageFormatError, StorageNotFoundError, UnknownNameError
from lhotse_lite.features import io


def test_the_storage_interface_imports_no_backend():
    code = "import sys, lhotse_lite.features.storage.base; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    backends = [m for m in loaded if m.startswith("lhotse_lite.features.storage.") and not m.endswith(".base")]
    assert backends == []
    assert "lhotse_lite.features.io" not in loaded


def test_lookup_by_name():
    optional = ["kaldiio"] if importlib.util.find_spec("kaldiio") else []  # the `kaldi` extra
    assert io.available_storage_backends() == [
        *optional,
        "lilcom_chunky",
        "lilcom_files",
        "memory_lilcom",
        "memory_npy",
        "numpy_files",
    ]
    for name in io.available_storage_backends():
        assert io.get_writer(name).name == io.get_reader(name).name == name
    with pytest.raises(UnknownNameError, match="did you mean 'lilcom_chunky'"):
        io.get_reader("lilcom_chunk")
    assert [s.name for s in io.storage_backend_statuses()] == io.available_storage_backends()
    assert all(s.available and s.install_hint is None for s in io.storage_backend_statuses())


def test_memory_writer_lookup():
    assert io.get_memory_writer("memory_npy") is io.MemoryNpyWriter
    with pytest.raises(ConfigError, match="not an in-memory"):
        io.get_memory_writer("numpy_files")
    with pytest.raises(UnknownNameError):
        io.get_memory_writer("memory_raw")


def test_default_backend_follows_lhotses_environment_variable(monkeypatch):
    monkeypatch.delenv("LHOTSE_FEATURES_STORAGE_BACKEND", raising=False)
    assert io.default_features_storage_backend() is io.NumpyFilesWriter
    monkeypatch.setenv("LHOTSE_FEATURES_STORAGE_BACKEND", "lilcom_chunky")
    assert io.default_features_storage_backend() is io.LilcomChunkyWriter
    monkeypatch.setenv("LHOTSE_FEATURES_STORAGE_BACKEND", "hdf5")
    with pytest.raises(ConfigError, match=r"LHOTSE_FEATURES_STORAGE_BACKEND='hdf5'.*lilcom_chunky"):
        io.default_features_storage_backend_name()


def test_storage_path_attribute(tmp_path):
    writer = io.LilcomChunkyWriter(tmp_path / "sub" / "feats")
    assert writer.storage_path_ == tmp_path / "sub" / "feats.lca" and isinstance(writer.storage_path_, Path)
    assert writer.storage_path == str(writer.storage_path_)
    assert not writer.storage_path_.exists()  # opened on the first write, so a new writer truncates nothing
    with writer:
        writer.write("k", np.zeros((3, 2), np.float32))
    assert writer.storage_path_.stat().st_size > 0


@pytest.mark.parametrize(
    "backend,key", [("lilcom_chunky", "0,10"), ("lilcom_files", "abc/abc.llc"), ("numpy_files", "abc/abc.npy")]
)
def test_missing_storage_is_a_file_not_found_error(tmp_path, backend, key):
    path = tmp_path / "missing.lca" if backend == "lilcom_chunky" else tmp_path
    with pytest.raises(StorageNotFoundError, match=r"abc|0,10") as err:
        io.get_reader(backend)(str(path)).read(key)
    assert isinstance(err.value, FileNotFoundError) and isinstance(err.value, StorageError)


def test_undecodable_storage_is_a_value_error(tmp_path):
    with io.LilcomChunkyWriter(tmp_path / "a.lca") as writer:
        key = writer.write("k", np.zeros((10, 2), np.float32))
    reader = io.LilcomChunkyReader(writer.storage_path)
    with pytest.raises(StorageFormatError, match="not a lilcom_chunky storage key"):
        reader.read("0;12")
    with pytest.raises(StorageFormatError, match="truncated"):
        reader.read(f"{key},5000")
    for reader_type in (io.MemoryLilcomReader, io.MemoryNpyReader):
        with pytest.raises(StorageFormatError, match="bytes"):
            reader_type().read(b"not stored features")
    (tmp_path / "abc").mkdir()
    (tmp_path / "abc" / "abc.npy").write_bytes(b"not npy")
    with pytest.raises(StorageFormatError) as err:
        io.NumpyFilesReader(str(tmp_path)).read("abc/abc.npy")
    assert isinstance(err.value, ValueError)


def test_close_cached_file_handles_then_read_again(tmp_path):
    with io.LilcomChunkyWriter(tmp_path / "a.lca") as writer:
        key = writer.write("k", np.ones((700, 3), np.float32))
    reader = io.LilcomChunkyReader(writer.storage_path)
    first = reader.read(key, 400, 600)
    io.close_cached_file_handles()
    io.close_cached_file_handles()  # twice is fine
    np.testing.assert_array_equal(reader.read(key, 400, 600), first)
