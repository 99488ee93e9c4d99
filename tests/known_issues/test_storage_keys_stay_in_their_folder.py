"""``numpy_files``/``lilcom_files`` keys that lead out of their storage folder are refused.

A key ``../secret.npy`` read a file next to the storage folder (Lhotse 1.33 reads it too), so a
features manifest from elsewhere could read any file you can read. Now it is a
``StorageKeyRefusedError`` unless allowed by ``set_outside_storage_keys_allowed(True)`` or
``LHOTSE_LITE_ALLOW_OUTSIDE_KEYS=1``. A leading ``/`` keeps the key inside the folder, as before.
"""

import numpy as np
import pytest

from lhotse_lite.errors import StorageKeyRefusedError
from lhotse_lite.features.io import LilcomFilesReader, LilcomFilesWriter, NumpyFilesReader
from lhotse_lite.features.storage.files import OUTSIDE_KEYS_ENV_VAR, set_outside_storage_keys_allowed


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    monkeypatch.delenv(OUTSIDE_KEYS_ENV_VAR, raising=False)
    set_outside_storage_keys_allowed(None)
    yield
    set_outside_storage_keys_allowed(None)


@pytest.fixture
def layout(tmp_path):
    (tmp_path / "store" / "abc").mkdir(parents=True)
    np.save(tmp_path / "secret.npy", np.eye(2, dtype=np.float32))
    np.save(tmp_path / "store" / "abc" / "inside.npy", np.ones((2, 2), dtype=np.float32))
    return tmp_path


@pytest.mark.parametrize("key", ["../secret.npy", "abc/../../secret.npy", "/../secret.npy"])
def test_outside_keys_are_refused(layout, key):
    with pytest.raises(StorageKeyRefusedError, match="leads out of the storage folder") as caught:
        NumpyFilesReader(str(layout / "store")).read(key)
    assert isinstance(caught.value, PermissionError) and repr(key) in str(caught.value)


def test_lilcom_files_too(layout):
    key = LilcomFilesWriter(str(layout / "other")).write("abcdef", np.ones((3, 2), dtype=np.float32))
    with pytest.raises(StorageKeyRefusedError):
        LilcomFilesReader(str(layout / "store")).read(f"../other/{key}")


def test_allowed_by_the_switch_and_the_environment(layout, monkeypatch):
    set_outside_storage_keys_allowed(True)
    assert NumpyFilesReader(str(layout / "store")).read("../secret.npy").tolist() == [[1, 0], [0, 1]]
    set_outside_storage_keys_allowed(None)
    monkeypatch.setenv(OUTSIDE_KEYS_ENV_VAR, "1")
    assert NumpyFilesReader(str(layout / "store")).read("../secret.npy").shape == (2, 2)


def test_keys_inside_still_read(layout):
    reader = NumpyFilesReader(str(layout / "store"))
    assert reader.read("abc/inside.npy").shape == reader.read("/abc/inside.npy").shape == (2, 2)
    assert reader.read("abc/../abc/inside.npy").shape == (2, 2)
