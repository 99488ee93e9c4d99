"""lilcom_chunky reads: chunks decoded straight into one array, the cache kept for partial reads."""

import os

import lilcom
import numpy as np
import pytest

from lhotse_lite.features.storage import lilcom_chunky
from lhotse_lite.features.storage.codec import lilcom_decode_into
from lhotse_lite.features.storage.lilcom_chunky import LilcomChunkyReader, LilcomChunkyWriter


@pytest.fixture
def archive(tmp_path):
    lilcom_chunky.close_cached_file_handles()
    feats = np.random.default_rng(0).standard_normal((1234, 7)).astype(np.float32)
    with LilcomChunkyWriter(tmp_path / "feats") as writer:
        key = writer.write("a", feats)
    yield writer.storage_path, key
    lilcom_chunky.close_cached_file_handles()


def _reference(path, key):
    """The matrix decoded by the lilcom package itself, chunk by chunk."""
    fields = [int(f) for f in key.split(",")]
    with open(path, "rb") as f:
        f.seek(fields[0])
        return np.concatenate([lilcom.decompress(f.read(length)) for length in fields[1:]])


@pytest.mark.parametrize(
    "left, right", [(0, None), (0, 1234), (0, 500), (499, 501), (10, 20), (600, 1234), (1000, None), (501, 999)]
)
def test_reads_equal_lilcom_decompress(archive, left, right):
    path, key = archive
    expected = _reference(path, key)[left:right]
    got = LilcomChunkyReader(path).read(key, left, right)
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert np.array_equal(got, expected)
    again = LilcomChunkyReader(path).read(key, left, right)  # possibly from the cache
    assert np.array_equal(again, expected)


def test_whole_reads_leave_the_cache_to_partial_reads(archive):
    path, key = archive
    LilcomChunkyReader(path).read(key)
    assert lilcom_chunky._CACHE._bytes == 0  # a whole matrix shares no chunk with another read
    LilcomChunkyReader(path).read(key, 10, 20)
    assert lilcom_chunky._CACHE._bytes == 500 * 7 * 4  # the chunk a neighbouring segment may need


def test_returned_arrays_are_private(archive):
    path, key = archive
    first = LilcomChunkyReader(path).read(key, 0, 600)
    first[:] = 1e6
    assert np.array_equal(LilcomChunkyReader(path).read(key, 0, 600), _reference(path, key)[:600])


def test_one_stat_per_read(archive, monkeypatch):
    path, key = archive
    calls = []
    real = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
    LilcomChunkyReader(path).read(key)
    assert calls == [path]


def test_decode_into_refuses_a_wrong_array():
    data = lilcom.compress(np.ones((5, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(5, 3\)"):
        lilcom_decode_into(data, np.empty((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="C-contiguous"):
        lilcom_decode_into(data, np.empty((5, 6), dtype=np.float32)[:, :3])
