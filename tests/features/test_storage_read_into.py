"""Reading stored features into a given array (``out=``): equal to the ordinary read on every back end.

``FeaturesReader.read(..., out=)``, :func:`~lhotse_lite.features.storage.base.read_into` and
``Features.load(out=)`` write the frames into the caller's array (the data loader passes an item's rows
of the padded batch); the values must be exactly those of the read without ``out``, and a destination
of the wrong shape or dtype is refused with a message naming both.
"""

import numpy as np
import pytest

from lhotse_lite.errors import ShapeError, StorageError
from lhotse_lite.features.io import get_reader, get_writer
from lhotse_lite.features.manifest import Features
from lhotse_lite.features.storage.base import FeaturesReader, read_into
from lhotse_lite.features.storage.kaldi_ark import kaldiio_available
from lhotse_lite.features.storage.lilcom_chunky import set_chunk_cache_size

BACKENDS = ["lilcom_chunky", "lilcom_files", "numpy_files", "memory_lilcom", "memory_npy"]
if kaldiio_available():  # the kaldi extra; without it the kaldiio back end cannot be built at all
    BACKENDS.append("kaldiio")
RANGES = [(0, None), (0, 100), (450, 550), (499, 500), (500, 1000), (1200, None), (1000, 5000), (3, 3), (5000, None)]


def _stored(name, tmp_path, frames=1234, dim=20, dtype=np.float32):
    values = (np.random.default_rng(0).standard_normal((frames, dim)) * 3).astype(dtype)
    cls = get_writer(name)
    if name.startswith("memory"):
        writer = cls()
    elif name == "kaldiio":
        writer = cls(tmp_path / "ark", compression_method=None)
    else:
        writer = cls(tmp_path / name)
    with writer:
        key = writer.write("utt0123456", values)
    reader = get_reader(name)(writer.storage_path)
    if name == "kaldiio":  # the reader is given the scp entry, as the Features manifest records it
        key = "utt0123456"
    return reader, key


@pytest.fixture(params=[True, False], ids=["chunk-cache", "no-chunk-cache"])
def chunk_cache(request):
    set_chunk_cache_size(64 << 20 if request.param else 0)
    yield
    set_chunk_cache_size(64 << 20)


@pytest.mark.parametrize("name", BACKENDS)
def test_out_equals_the_ordinary_read(name, tmp_path, chunk_cache):
    reader, key = _stored(name, tmp_path)
    for left, right in RANGES:
        expected = reader.read(key, left, right)
        expected = expected.reshape(-1, 20) if expected.size == 0 else expected
        out = np.full(expected.shape, np.nan, dtype=np.float32)
        returned = reader.read(key, left, right, out=out)
        assert returned is out, (left, right)
        np.testing.assert_array_equal(out, expected, err_msg=f"{name} [{left}:{right}]")


@pytest.mark.parametrize("name", BACKENDS)
def test_out_may_be_rows_of_a_padded_batch(name, tmp_path):
    reader, key = _stored(name, tmp_path)
    batch = np.zeros((3, 800, 20), dtype=np.float32)
    read_into(reader, key, batch[1, :700], 450, 1150)
    np.testing.assert_array_equal(batch[1, :700], reader.read(key, 450, 1150))
    assert not batch[[0, 2]].any() and not batch[1, 700:].any()  # nothing written outside its rows


@pytest.mark.parametrize("name", BACKENDS)
def test_out_of_another_float_dtype_or_layout_gets_the_same_values(name, tmp_path):
    reader, key = _stored(name, tmp_path)
    expected = reader.read(key, 10, 610)
    wide = np.empty((600, 20), dtype=np.float64)
    reader.read(key, 10, 610, out=wide)
    np.testing.assert_array_equal(wide, expected.astype(np.float64))
    transposed = np.empty((20, 600), dtype=np.float32).T  # not C-contiguous: decoded, then copied
    reader.read(key, 10, 610, out=transposed)
    np.testing.assert_array_equal(transposed, expected)


@pytest.mark.parametrize("name", BACKENDS)
def test_out_of_the_wrong_shape_is_refused_naming_both_shapes(name, tmp_path):
    reader, key = _stored(name, tmp_path)
    with pytest.raises(ShapeError, match=r"must have shape \(100, 20\).*got \(101, 20\)"):
        reader.read(key, 0, 100, out=np.empty((101, 20), dtype=np.float32))
    with pytest.raises(ShapeError, match=r"must have shape \(34, 20\)"):  # the matrix ends at frame 1234
        reader.read(key, 1200, 1300, out=np.empty((100, 20), dtype=np.float32))


@pytest.mark.parametrize("name", BACKENDS)
def test_out_of_a_wrong_dtype_or_read_only_is_refused(name, tmp_path):
    reader, key = _stored(name, tmp_path)
    with pytest.raises(ShapeError, match=r"floating-point dtype.*int32"):
        reader.read(key, 0, 10, out=np.empty((10, 20), dtype=np.int32))
    frozen = np.empty((10, 20), dtype=np.float32)
    frozen.flags.writeable = False
    with pytest.raises(ShapeError, match="read-only"):
        reader.read(key, 0, 10, out=frozen)
    with pytest.raises(ShapeError, match="NumPy array, got list"):
        reader.read(key, 0, 10, out=[[0.0] * 20] * 10)


def test_shape_errors_are_not_reported_as_unreadable_storage(tmp_path):
    reader, key = _stored("memory_lilcom", tmp_path)
    with pytest.raises(ShapeError) as info:
        reader.read(key, 0, 10, out=np.empty((9, 20), dtype=np.float32))
    assert not isinstance(info.value, StorageError)


def test_numpy_files_of_float64_read_into_float32(tmp_path):
    reader, key = _stored("numpy_files", tmp_path, dtype=np.float64)
    out = np.empty((100, 20), dtype=np.float32)
    reader.read(key, 5, 105, out=out)
    np.testing.assert_array_equal(out, reader.read(key, 5, 105).astype(np.float32))


def test_a_reader_without_out_is_read_and_copied(tmp_path):
    class PlainReader(FeaturesReader):  # written for the interface before it had out=
        name = "plain_for_test"

        def read(self, key, left_offset_frames=0, right_offset_frames=None):
            return np.arange(40, dtype=np.float32).reshape(10, 4)[left_offset_frames:right_offset_frames]

    out = np.empty((3, 4), dtype=np.float32)
    assert read_into(PlainReader(), "k", out, 2, 5) is out
    np.testing.assert_array_equal(out, np.arange(8, 20, dtype=np.float32).reshape(3, 4))
    with pytest.raises(ShapeError, match=r"must have shape \(3, 4\)"):
        read_into(PlainReader(), "k", np.empty((4, 4), dtype=np.float32), 2, 5)


def test_a_reader_that_takes_out_but_returns_another_array_still_fills_out():
    class IgnoringReader(FeaturesReader):
        name = "ignoring_for_test"

        def read(self, key, left_offset_frames=0, right_offset_frames=None, out=None):
            return np.ones((10, 4), dtype=np.float32)[left_offset_frames:right_offset_frames]

    out = np.zeros((3, 4), dtype=np.float32)
    assert read_into(IgnoringReader(), "k", out, 2, 5) is out
    assert (out == 1).all()


@pytest.mark.parametrize("name", BACKENDS)
def test_features_load_into_its_rows_of_a_batch(name, tmp_path):
    values = (np.random.default_rng(1).standard_normal((700, 20)) * 2).astype(np.float32)
    cls = get_writer(name)
    if name.startswith("memory"):
        writer = cls()
    elif name == "kaldiio":
        writer = cls(tmp_path / "ark", compression_method=None)
    else:
        writer = cls(tmp_path / name)
    with writer:
        item = Features.from_array(
            values, writer, frame_shift=0.01, sampling_rate=16000, recording_id="rec", channels=0, start=1.0
        )
    for start, duration in [(None, None), (1.0, 7.0), (2.13, 1.5), (6.5, 3.0), (7.5, None)]:
        expected = item.load(start=start, duration=duration)
        frames = item.num_frames_in(start, duration)
        assert frames == expected.shape[0], (start, duration)
        batch = np.zeros((2, frames + 5, 20), dtype=np.float32)
        assert item.load(start=start, duration=duration, out=batch[1, :frames]) is not None
        np.testing.assert_array_equal(batch[1, :frames], expected)
        assert not batch[0].any() and not batch[1, frames:].any()


def test_features_load_out_of_the_wrong_shape_names_the_fix(tmp_path):
    item = Features.from_array(
        np.zeros((50, 4), dtype=np.float32),
        get_writer("memory_npy")(),
        frame_shift=0.01,
        sampling_rate=16000,
        recording_id="rec",
        channels=0,
    )
    with pytest.raises(ShapeError, match=r"shape \(20, 4\).*num_frames_in"):
        item.load(start=0.1, duration=0.2, out=np.empty((21, 4), dtype=np.float32))
