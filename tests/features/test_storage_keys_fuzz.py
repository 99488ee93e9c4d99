"""Any storage key a manifest can hold makes a reader return a matrix or raise one of our errors.

Keys come from manifests, so they are input: hypothesis draws keys of every shape (huge, negative,
empty, non-numeric, paths with ``..``, NUL bytes) and the readers must never raise an exception outside
:class:`~lhotse_lite.errors.LhotseLiteError` (no ``MemoryError``, ``OverflowError``, ``ValueError``).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lhotse_lite.errors import LhotseLiteError
from lhotse_lite.features.io import (
    LilcomChunkyReader,
    LilcomChunkyWriter,
    LilcomFilesReader,
    LilcomFilesWriter,
    NumpyFilesReader,
    NumpyFilesWriter,
)

_NUMBERS = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=0, max_value=400))
_CHUNKY_KEYS = st.one_of(
    st.lists(_NUMBERS, min_size=0, max_size=6).map(lambda fields: ",".join(map(str, fields))),
    st.text(alphabet="0123456789,-+ _.e", max_size=30),
    st.text(max_size=20),
)
_FOLDER_KEYS = st.one_of(
    st.lists(st.sampled_from(["..", ".", "abc", "abc.npy", "abc.llc", "", "/", "x\x00y", "\u00e9"]), max_size=6).map(
        "/".join
    ),
    st.text(max_size=30),
)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def chunky(tmp_path):
    with LilcomChunkyWriter(tmp_path / "feats") as writer:
        writer.write("a", np.ones((700, 3), dtype=np.float32))
    return LilcomChunkyReader(writer.storage_path)


@pytest.fixture
def folders(tmp_path):
    NumpyFilesWriter(tmp_path / "npy").write("abc", np.ones((2, 2), dtype=np.float32))
    LilcomFilesWriter(tmp_path / "llc").write("abc", np.ones((2, 2), dtype=np.float32))
    return NumpyFilesReader(str(tmp_path / "npy")), LilcomFilesReader(str(tmp_path / "llc"))


def _read(reader, key, *frames):
    try:
        result = reader.read(key, *frames)
    except LhotseLiteError:
        return
    assert isinstance(result, np.ndarray)


@_SETTINGS
@given(key=_CHUNKY_KEYS, left=st.integers(-5, 1000), right=st.one_of(st.none(), st.integers(-5, 1000)))
def test_lilcom_chunky_keys(chunky, key, left, right):
    _read(chunky, key, left, right)


@_SETTINGS
@given(key=_FOLDER_KEYS)
def test_folder_keys(folders, key):
    for reader in folders:
        _read(reader, key)
