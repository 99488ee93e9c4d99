"""Feature storage on Lhotse 1.33 and on lhotse_lite: same keys and bytes, cross-reading, Features
manifests of an extraction, the registry, and the error types of bad storage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")
import lhotse.features.io as lhotse_io  # noqa: E402

import lhotse_lite.audio  # noqa: E402
import lhotse_lite.features.io as our_io  # noqa: E402
from lhotse_lite.features.kaldi.extractors import Fbank  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")

FILE_BACKENDS = ["lilcom_chunky", "lilcom_files", "numpy_files"]
LILCOM_STEP = 2.0**-5  # lilcom's default precision (tick_power=-5), the same in both


def _matrix(num_frames: int = 1234, dim: int = 40, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal((num_frames, dim)) * 4).astype(np.float32)


def _target(tmp_path: Path, lib: str, backend: str) -> str:
    (tmp_path / lib).mkdir(exist_ok=True)  # Lhotse's LilcomChunkyWriter opens its file without creating folders
    return str(tmp_path / lib / ("feats" if backend == "lilcom_chunky" else backend))


@pytest.mark.parametrize("backend", FILE_BACKENDS)
def test_same_keys_and_bytes_and_cross_reading(backend, tmp_path):
    matrices = [_matrix(n, seed=n) for n in (1, 499, 500, 1234)]
    keys, paths = {}, {}
    for lib, io in (("lhotse", lhotse_io), ("ours", our_io)):
        with io.get_writer(backend)(_target(tmp_path, lib, backend)) as writer:
            keys[lib] = [writer.write(f"utt{i}-{backend}", m) for i, m in enumerate(matrices)]
            paths[lib] = writer.storage_path
    assert keys["ours"] == keys["lhotse"]
    for key in keys["ours"]:
        if backend == "lilcom_chunky":
            assert Path(paths["ours"]).read_bytes() == Path(paths["lhotse"]).read_bytes()
        else:
            assert (Path(paths["ours"]) / key).read_bytes() == (Path(paths["lhotse"]) / key).read_bytes()
    for key, matrix in zip(keys["ours"], matrices):
        for left, right in ((0, None), (0, 1), (498, 502), (500, 1000), (1200, 1234), (3, 3)):
            from_lhotse = our_io.get_reader(backend)(paths["lhotse"]).read(key, left, right)
            from_ours = lhotse_io.get_reader(backend)(paths["ours"]).read(key, left, right)
            ours_own = our_io.get_reader(backend)(paths["ours"]).read(key, left, right)
            np.testing.assert_array_equal(from_lhotse, from_ours)
            np.testing.assert_array_equal(ours_own, from_ours)
            if len(ours_own):
                assert ours_own.shape == matrix[left:right].shape


def test_memory_lilcom(tmp_path):
    matrix = _matrix()
    theirs = lhotse_io.MemoryLilcomWriter().write("k", matrix)
    mine = our_io.MemoryLilcomWriter().write("k", matrix)
    assert mine == theirs
    np.testing.assert_array_equal(
        our_io.MemoryLilcomReader().read(theirs, 10, 20), lhotse_io.MemoryLilcomReader().read(theirs, 10, 20)
    )


def test_memory_npy_is_read_by_lhotse():
    # Lhotse 1.33 has a memory_npy reader but no writer; ours writes what it reads.
    matrix = _matrix()
    key = our_io.MemoryNpyWriter().write("k", matrix)
    np.testing.assert_array_equal(lhotse_io.MemoryNpyReader().read(key), matrix)


def test_lilcom_chunky_storage_path_attribute(tmp_path):
    (tmp_path / "sub").mkdir()
    for path in ("feats", "feats.lca", "sub/feats.x"):
        theirs = lhotse_io.LilcomChunkyWriter(tmp_path / path)
        ours = our_io.LilcomChunkyWriter(tmp_path / path)
        assert isinstance(ours.storage_path_, Path) and ours.storage_path_ == theirs.storage_path_
        assert ours.storage_path == theirs.storage_path == str(theirs.storage_path_)
        theirs.close()
        ours.close()


def test_registry_lookups():
    shared = [name for name in our_io.available_storage_backends() if name != "memory_npy"]  # Lhotse: reader only
    assert set(shared) <= set(lhotse_io.available_storage_backends())
    for name in shared:
        assert our_io.get_writer(name).__name__ == lhotse_io.get_writer(name).__name__
    for name in our_io.available_storage_backends():
        assert our_io.get_reader(name).__name__ == lhotse_io.get_reader(name).__name__
        assert our_io.is_in_memory(name) == lhotse_io.is_in_memory(name)
    statuses = {s.name: s for s in lhotse_io.storage_backend_statuses()}
    for status in our_io.storage_backend_statuses():
        assert status._fields == statuses["numpy_files"]._fields
        if status.name in shared:
            assert tuple(status) == tuple(statuses[status.name])
    assert our_io.get_memory_writer("memory_lilcom").__name__ == lhotse_io.get_memory_writer("memory_lilcom").__name__
    assert our_io.default_features_storage_backend_name() == lhotse_io.default_features_storage_backend_name()
    assert our_io.default_features_storage_backend().name == lhotse_io.default_features_storage_backend().name


def test_unknown_backend():
    # Lhotse returns None (the caller fails later with "'NoneType' object is not callable"); ours raises a
    # KeyError listing the available backends.
    assert lhotse_io.get_writer("hdf5") is None and lhotse_io.get_reader("hdf5") is None
    for lookup in (our_io.get_writer, our_io.get_reader):
        with pytest.raises(KeyError, match="lilcom_chunky"):
            lookup("hdf5")


@pytest.mark.parametrize("backend", FILE_BACKENDS)
def test_extracting_and_storing_gives_the_same_manifest(backend, tmp_path, lhotse_compat_dir):
    path = lhotse_compat_dir / "audio" / "stereo.flac"
    theirs_rec, ours_rec = lhotse.Recording.from_file(path), lhotse_lite.audio.Recording.from_file(path)
    # (Lhotse 1.33 cannot store a shorter span this way: it records the recording's duration and then
    # refuses its own manifest; ours records the span.)
    spans = [{}, {"channels": 1}]
    with (
        lhotse_io.get_writer(backend)(_target(tmp_path, "lhotse", backend)) as theirs_writer,
        our_io.get_writer(backend)(_target(tmp_path, "ours", backend)) as ours_writer,
    ):
        pairs = [
            (
                lhotse.Fbank().extract_from_recording_and_store(theirs_rec, theirs_writer, **span),
                Fbank().extract_from_recording_and_store(ours_rec, ours_writer, **span),
            )
            for span in spans
        ]
    for theirs, ours in pairs:
        expected, actual = theirs.to_dict(), ours.to_dict()
        for field in ("storage_path", "storage_key"):  # where each wrote its own copy
            expected.pop(field), actual.pop(field)
        assert actual == expected
        a, b = theirs.load(), ours.load()
        assert a.shape == b.shape
        if backend == "numpy_files":
            np.testing.assert_allclose(b, a, atol=1e-3, rtol=1e-4)
        else:  # each side is within half a lilcom step of its float32 features, which are 1e-3 apart
            assert float(np.abs(a - b).max()) <= LILCOM_STEP + 1e-3
        np.testing.assert_array_equal(
            ours.load(start=0.25, duration=0.5),
            lhotse_io.get_reader(backend)(ours.storage_path).read(ours.storage_key, 25, 75),
        )


# ------------------------------------------------------------------------------------------- errors


def _same_error_kind(theirs: BaseException, mine: BaseException) -> None:
    assert type(theirs).__module__ == "builtins", type(theirs)
    assert isinstance(mine, type(theirs)), (type(theirs), type(mine).__mro__)
    assert type(mine).__module__ == "lhotse_lite.errors", type(mine)


def _chunky_archive(io, tmp_path, name):
    with io.LilcomChunkyWriter(tmp_path / name) as writer:
        return writer.storage_path, writer.write("k", _matrix(10, 4))


ERROR_CASES = {
    "chunky writer in read mode": lambda io, tmp: io.LilcomChunkyWriter(tmp / "x", mode="r"),
    "chunky archive missing": lambda io, tmp: io.LilcomChunkyReader(tmp / "missing.lca").read("0,100"),
    "chunky key not numbers": lambda io, tmp: io.LilcomChunkyReader(_chunky_archive(io, tmp, "a")[0]).read("abc"),
    "lilcom file missing": lambda io, tmp: io.LilcomFilesReader(tmp).read("abc/missing.llc"),
    "numpy file missing": lambda io, tmp: io.NumpyFilesReader(tmp).read("abc/missing.npy"),
    "memory lilcom not lilcom": lambda io, tmp: io.MemoryLilcomReader().read(b"garbage bytes"),
    "memory npy not npy": lambda io, tmp: io.MemoryNpyReader().read(b"garbage bytes"),
    "memory lilcom of integers": lambda io, tmp: io.MemoryLilcomWriter().write("k", np.zeros((3, 3), np.int32)),
    "memory writer of a file backend": lambda io, tmp: io.get_memory_writer("lilcom_files"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_caught_by_lhotses_except_clauses(case, tmp_path, raised):
    (tmp_path / "lhotse").mkdir()
    (tmp_path / "ours").mkdir()
    theirs = raised(lambda: ERROR_CASES[case](lhotse_io, tmp_path / "lhotse"))
    mine = raised(lambda: ERROR_CASES[case](our_io, tmp_path / "ours"))
    _same_error_kind(theirs, mine)
