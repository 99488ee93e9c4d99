"""A ``numpy_files``/``lilcom_files`` key holding a NUL byte is a ``StorageFormatError``.

``open()`` raised a bare ``ValueError: embedded null byte`` naming neither the key nor the folder
(found by the storage-key fuzz test, ``tests/features/test_storage_keys_fuzz.py``).
"""

import numpy as np
import pytest

from lhotse_lite.errors import StorageFormatError
from lhotse_lite.features.io import LilcomFilesReader, LilcomFilesWriter, NumpyFilesReader


@pytest.mark.parametrize("reader", [NumpyFilesReader, LilcomFilesReader])
def test_nul_byte_in_key(tmp_path, reader):
    LilcomFilesWriter(tmp_path).write("abc", np.ones((2, 2), dtype=np.float32))
    with pytest.raises(StorageFormatError, match="abc/x\\\\x00y") as caught:
        reader(str(tmp_path)).read("abc/x\x00y")
    assert str(tmp_path) in str(caught.value)
