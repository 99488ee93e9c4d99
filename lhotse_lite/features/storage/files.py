"""``lilcom_files`` and ``numpy_files``: one file per matrix in a folder.

Lhotse's layout: the file for key ``K`` is ``<storage_path>/<K[:3]>/<K><suffix>`` (the three-letter
sub-folder keeps folders small) and the ``storage_key`` is the relative path ``"<K[:3]>/<K><suffix>"``.
``lilcom_files`` files (``.llc``) hold one lilcom blob; ``numpy_files`` files (``.npy``) are plain
``np.save`` output. Files are written under a temporary name and renamed into place, so a crash never
leaves a half-written file under a name a manifest could point to. Several writers (processes) may
fill one folder, but none writes into a folder that a run holds (``<folder>.lock``, see
:meth:`~lhotse_lite.features.storage.base.FeaturesWriter.lock_output`).

A key is a path inside the storage folder (a leading ``/`` is dropped, as before). A key that leads
out of it (``../../etc/passwd``) is refused with :class:`~lhotse_lite.errors.StorageKeyRefusedError`,
so a manifest from elsewhere cannot make a reader open any file you can read; call
:func:`set_outside_storage_keys_allowed` with ``True`` or set ``LHOTSE_LITE_ALLOW_OUTSIDE_KEYS=1`` to
allow such keys (Lhotse reads them). Without a storage folder (``storage_path`` empty) the key is the
path itself and is not checked.

A ``storage_path`` may be a URL (``s3://bucket/feats``; see :mod:`lhotse_lite.remote`): each matrix
is then one object, put atomically, and read with one request.

Example:
    >>> import numpy as np, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> key = NumpyFilesWriter(folder).write("abcdef", np.eye(3, dtype=np.float32))
    >>> key
    'abc/abcdef.npy'
    >>> NumpyFilesReader(folder).read(key, 1).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from lhotse_lite import remote
from lhotse_lite.audio.command_guard import Switch
from lhotse_lite.errors import ShapeError, StorageKeyRefusedError
from lhotse_lite.features.storage.base import (
    FeaturesReader,
    FeaturesWriter,
    check_float_matrix,
    fill_out,
    register_reader,
    register_writer,
    storage_error,
)
from lhotse_lite.features.storage.codec import (
    DEFAULT_TICK_POWER,
    lilcom_decode_rows,
    lilcom_encode,
    npy_encode,
)
from lhotse_lite.safe_writes import naming_write_errors

__all__ = [
    "LilcomFilesWriter",
    "LilcomFilesReader",
    "NumpyFilesWriter",
    "NumpyFilesReader",
    "OUTSIDE_KEYS_ENV_VAR",
    "set_outside_storage_keys_allowed",
    "outside_storage_keys_allowed",
]

OUTSIDE_KEYS_ENV_VAR = "LHOTSE_LITE_ALLOW_OUTSIDE_KEYS"
"""The environment variable read when :func:`set_outside_storage_keys_allowed` was not called."""

_OUTSIDE_KEYS = Switch(OUTSIDE_KEYS_ENV_VAR, default=False, setter="set_outside_storage_keys_allowed")


def set_outside_storage_keys_allowed(allowed: Optional[bool]) -> None:
    """Allows (``True``) or refuses (``False``) folder storage keys that lead out of their folder.

    Args:
        allowed: ``True`` or ``False``; ``None`` goes back to the environment variable
            :data:`OUTSIDE_KEYS_ENV_VAR` (refused when it is not set).

    Raises:
        ConfigError: ``allowed`` is not a bool or ``None``.

    Example:
        >>> set_outside_storage_keys_allowed(True); outside_storage_keys_allowed()
        True
        >>> set_outside_storage_keys_allowed(None); outside_storage_keys_allowed()
        False
    """
    _OUTSIDE_KEYS.set(allowed)


def outside_storage_keys_allowed() -> bool:
    """Whether ``lilcom_files``/``numpy_files`` keys may lead out of their storage folder.

    Raises:
        ConfigError: The environment variable holds something other than a yes/no value.

    Example:
        >>> outside_storage_keys_allowed()
        False
    """
    return _OUTSIDE_KEYS.get()


def _key_path(storage_path: Optional[str], key: str) -> str:
    """The file of ``key``: inside ``storage_path`` unless outside keys are allowed."""
    if not storage_path:
        return key
    relative = os.path.normpath(key.lstrip("/"))
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
    if outside and not outside_storage_keys_allowed():
        raise StorageKeyRefusedError(
            f"storage key {key!r} leads out of the storage folder {storage_path!r}; "
            f"refusing to read it. If you trust the manifest, allow such keys with "
            f"set_outside_storage_keys_allowed(True) or {OUTSIDE_KEYS_ENV_VAR}=1"
        )
    return os.path.join(storage_path, key.lstrip("/"))


class _FolderWriter(FeaturesWriter):
    suffix = ""

    def __init__(self, storage_path: Union[str, Path], *args: Any, **kwargs: Any) -> None:
        self._url = str(storage_path).rstrip("/") if remote.is_url(storage_path) else None
        self._folder = Path(storage_path)
        self._checked = False

    @property
    def storage_path(self) -> str:
        return self._url or str(self._folder)

    def write_encoded(self, key: str, payload: bytes) -> str:
        if not self._checked:  # once: a folder that a run holds is not written into by others
            self.check_output_lock()
            self._checked = True
        name = key if key.endswith(self.suffix) else key + self.suffix
        if self._url:  # one atomic put per matrix
            remote.write_bytes(f"{self._url}/{name[:3]}/{name}", payload)
            return f"{name[:3]}/{name}"
        subdir = self._folder / name[:3]
        subdir.mkdir(parents=True, exist_ok=True)
        target = subdir / name
        partial = subdir / f".{name}.partial-{os.getpid()}"
        with naming_write_errors(target), open(partial, "wb") as file:
            file.write(payload)
        os.replace(partial, target)
        return f"{name[:3]}/{name}"


class _FolderReader(FeaturesReader[str]):
    def _load(self, key: str) -> bytes:
        path = _key_path(self.storage_path, key)
        try:
            return remote.read_bytes(path)
        except (OSError, ValueError) as err:  # ValueError: a NUL byte or an unencodable name in the key
            raise storage_error(remote.redact(str(self.storage_path)), key, err) from err


@register_writer
class LilcomFilesWriter(_FolderWriter):
    """Writes each matrix as a lilcom-compressed ``.llc`` file under ``storage_path``.

    Args:
        storage_path: The folder (created when needed).
        tick_power: Lilcom precision (values stored as multiples of ``2**tick_power``).

    Example:
        >>> import numpy as np, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> key = LilcomFilesWriter(folder).write("abcdef", np.full((4, 2), 0.5, dtype=np.float32))
        >>> key, LilcomFilesReader(folder).read(key).tolist()[0]
        ('abc/abcdef.llc', [0.5, 0.5])
    """

    name = "lilcom_files"
    suffix = ".llc"

    def __init__(
        self, storage_path: Union[str, Path], tick_power: int = DEFAULT_TICK_POWER, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(storage_path)
        self.tick_power = tick_power

    def encode(self, value: np.ndarray) -> bytes:
        check_float_matrix(value, self.name)
        return lilcom_encode(value, self.tick_power)


@register_reader
class LilcomFilesReader(_FolderReader):
    """Reads ``.llc`` files written by :class:`LilcomFilesWriter` (or Lhotse's).

    Example:
        >>> import numpy as np, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> key = LilcomFilesWriter(folder).write("utt1", np.full((6, 2), 0.25, dtype=np.float32))
        >>> LilcomFilesReader(folder).read(key, 4).tolist()
        [[0.25, 0.25], [0.25, 0.25]]
    """

    name = "lilcom_files"

    def read(
        self,
        key: str,
        left_offset_frames: int = 0,
        right_offset_frames: Optional[int] = None,
        out: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        data = self._load(key)
        path = str(self.storage_path)
        try:
            return lilcom_decode_rows(data, left_offset_frames, right_offset_frames, out, path, key)
        except ShapeError:
            raise
        except ValueError as err:
            raise storage_error(path, key, err) from err


@register_writer
class NumpyFilesWriter(_FolderWriter):
    """Writes each matrix uncompressed as a ``.npy`` file under ``storage_path``.

    Args:
        storage_path: The folder (created when needed).

    Example:
        >>> import numpy as np, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> with NumpyFilesWriter(folder) as writer:
        ...     key = writer.write("utt1", np.eye(2, dtype=np.float32))
        >>> key, NumpyFilesReader(folder).read(key).tolist()
        ('utt/utt1.npy', [[1.0, 0.0], [0.0, 1.0]])
    """

    name = "numpy_files"
    suffix = ".npy"

    def encode(self, value: np.ndarray) -> bytes:
        if not isinstance(value, np.ndarray):
            check_float_matrix(value, self.name)
        return npy_encode(value)


@register_reader
class NumpyFilesReader(_FolderReader):
    """Reads ``.npy`` files written by :class:`NumpyFilesWriter` (or Lhotse's); never unpickles.

    Only the requested rows are read from disk (a memory map).

    Example:
        >>> import numpy as np, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> key = NumpyFilesWriter(folder).write("utt1", np.arange(6, dtype=np.float32).reshape(3, 2))
        >>> NumpyFilesReader(folder).read(key, 1, 2).tolist()
        [[2.0, 3.0]]
    """

    name = "numpy_files"

    def read(
        self,
        key: str,
        left_offset_frames: int = 0,
        right_offset_frames: Optional[int] = None,
        out: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        path = _key_path(self.storage_path, key)
        try:
            # A memory map reads only the requested rows from disk (a URL is read whole: .npy files are small).
            if remote.is_url(path):
                array = np.load(io.BytesIO(remote.read_bytes(path)), allow_pickle=False)
            else:
                array = np.load(path, mmap_mode="r", allow_pickle=False)
            rows = array[left_offset_frames:right_offset_frames]
            return np.array(rows) if out is None else fill_out(out, rows, str(self.storage_path), key)
        except ShapeError:
            raise
        except (OSError, ValueError) as err:
            raise storage_error(str(self.storage_path), key, err) from err
