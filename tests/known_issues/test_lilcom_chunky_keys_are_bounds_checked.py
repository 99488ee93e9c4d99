"""A ``lilcom_chunky`` storage key is checked against the archive's size before anything is read.

A key of ``0,99999999999999999`` made the reader allocate that many bytes (``MemoryError``), and one
above 2**63 overflowed (``OverflowError``); Lhotse 1.33 raises the same two. Now both, and negative
offsets or empty chunks, are a ``StorageFormatError`` naming the key and the archive.
"""

import numpy as np
import pytest

from lhotse_lite.errors import StorageFormatError
from lhotse_lite.features.io import LilcomChunkyReader, LilcomChunkyWriter


@pytest.fixture
def archive(tmp_path):
    with LilcomChunkyWriter(tmp_path / "feats") as writer:
        key = writer.write("a", np.ones((10, 3), dtype=np.float32))
    return writer.storage_path, key


@pytest.mark.parametrize("key", ["0,99999999999999999", f"0,{2**64}", f"{2**63},1", "0,-5", "-1,10", "0,0"])
def test_out_of_range_keys_name_the_key_and_the_archive(archive, key):
    path, good = archive
    with pytest.raises(StorageFormatError) as caught:
        LilcomChunkyReader(path).read(key)
    assert repr(key) in str(caught.value) and path in str(caught.value)
    assert LilcomChunkyReader(path).read(good).shape == (10, 3)


def test_a_key_one_byte_past_the_end_is_refused(archive):
    path, good = archive
    offset, length = map(int, good.split(","))
    with pytest.raises(StorageFormatError, match=f"has {offset + length} bytes"):
        LilcomChunkyReader(path).read(f"{offset},{length + 1}")
