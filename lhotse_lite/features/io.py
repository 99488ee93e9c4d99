"""Feature storage: Lhotse-compatible writers and readers, looked up by the name stored in manifests.

This is Lhotse's ``lhotse.features.io`` path and the place where storage backends are looked up by
name, in the registries of :mod:`lhotse_lite.features.storage.base` (:class:`~lhotse_lite.registry.Registry`):
a built-in backend's module is imported when its name is first looked up, or when one of its classes
re-exported here (``LilcomChunkyWriter``, ...) is first used, so importing this module imports none.

======================  ==========================================  ===========================
``storage_type``        layout                                      partial reads
======================  ==========================================  ===========================
``lilcom_chunky``       one ``.lca`` archive, 500-frame lilcom      only the overlapping chunks
                        chunks, key = offset + chunk lengths
``lilcom_files``        one ``.llc`` lilcom file per matrix         whole file
``numpy_files``         one ``.npy`` file per matrix                only the requested rows
``memory_lilcom``       lilcom bytes held in the manifest           whole blob
``memory_npy``          ``.npy`` bytes held in the manifest         whole blob
``kaldiio``             Kaldi ``feats.ark`` + ``feats.scp`` in a    whole matrix
                        folder, key = utterance id (needs the
                        ``kaldi`` extra: ``kaldiio``)
======================  ==========================================  ===========================

Example:
    >>> import numpy as np, tempfile
    >>> from lhotse_lite.features.io import get_reader, get_writer
    >>> folder = tempfile.mkdtemp()
    >>> with get_writer("lilcom_files")(folder) as writer:
    ...     key = writer.write("abc123", np.ones((10, 4), dtype=np.float32))
    >>> get_reader("lilcom_files")(folder).read(key, 2, 5).shape
    (3, 4)
    >>> get_writer("hdf5")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.UnknownNameError: unknown feature storage writer 'hdf5' Available: kaldiio,
    lilcom_chunky, lilcom_files, memory_lilcom, memory_npy, numpy_files
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, List, NamedTuple, Optional, Type

from lhotse_lite.errors import ConfigError
from lhotse_lite.features.storage.base import (
    READERS,
    WRITERS,
    FeaturesReader,
    FeaturesWriter,
    register_reader,
    register_writer,
)
from lhotse_lite.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from lhotse_lite.features.storage.codec import (
        CHUNK_FRAMES as CHUNK_FRAMES,
        DEFAULT_TICK_POWER as DEFAULT_TICK_POWER,
    )
    from lhotse_lite.features.storage.files import (
        LilcomFilesReader as LilcomFilesReader,
        LilcomFilesWriter as LilcomFilesWriter,
        NumpyFilesReader as NumpyFilesReader,
        NumpyFilesWriter as NumpyFilesWriter,
    )
    from lhotse_lite.features.storage.kaldi_ark import KaldiReader as KaldiReader, KaldiWriter as KaldiWriter
    from lhotse_lite.features.storage.lilcom_chunky import (
        LilcomChunkyReader as LilcomChunkyReader,
        LilcomChunkyWriter as LilcomChunkyWriter,
        close_cached_file_handles as close_cached_file_handles,
    )
    from lhotse_lite.features.storage.memory import (
        MemoryLilcomReader as MemoryLilcomReader,
        MemoryLilcomWriter as MemoryLilcomWriter,
        MemoryNpyReader as MemoryNpyReader,
        MemoryNpyWriter as MemoryNpyWriter,
    )

_STORAGE = "lhotse_lite.features.storage."
__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "CHUNK_FRAMES": _STORAGE + "codec",
        "DEFAULT_TICK_POWER": _STORAGE + "codec",
        "LilcomFilesReader": _STORAGE + "files",
        "LilcomFilesWriter": _STORAGE + "files",
        "NumpyFilesReader": _STORAGE + "files",
        "NumpyFilesWriter": _STORAGE + "files",
        "KaldiReader": _STORAGE + "kaldi_ark",
        "KaldiWriter": _STORAGE + "kaldi_ark",
        "LilcomChunkyReader": _STORAGE + "lilcom_chunky",
        "LilcomChunkyWriter": _STORAGE + "lilcom_chunky",
        "close_cached_file_handles": _STORAGE + "lilcom_chunky",
        "MemoryLilcomReader": _STORAGE + "memory",
        "MemoryLilcomWriter": _STORAGE + "memory",
        "MemoryNpyReader": _STORAGE + "memory",
        "MemoryNpyWriter": _STORAGE + "memory",
    },
)

__all__ = [
    "FeaturesReader",
    "FeaturesWriter",
    "get_reader",
    "get_writer",
    "get_memory_writer",
    "register_reader",
    "register_writer",
    "available_storage_backends",
    "storage_backend_statuses",
    "StorageBackendInfo",
    "default_features_storage_backend_name",
    "default_features_storage_backend",
    "close_cached_file_handles",
    "is_in_memory",
    "CHUNK_FRAMES",
    "DEFAULT_TICK_POWER",
    "LilcomChunkyReader",
    "LilcomChunkyWriter",
    "LilcomFilesReader",
    "LilcomFilesWriter",
    "NumpyFilesReader",
    "NumpyFilesWriter",
    "MemoryLilcomReader",
    "MemoryLilcomWriter",
    "MemoryNpyReader",
    "MemoryNpyWriter",
    "KaldiReader",
    "KaldiWriter",
    "check_kaldi_native_io_installed",
]

_DEFAULT_BACKEND_ENV = "LHOTSE_FEATURES_STORAGE_BACKEND"


def get_writer(name: str) -> Type[FeaturesWriter]:
    """The writer class registered as ``name`` (e.g. ``"lilcom_chunky"``).

    Raises:
        UnknownNameError: ``name`` is not registered; the message lists the available backends
            (Lhotse returns ``None`` instead).

    Example:
        >>> get_writer("numpy_files").__name__
        'NumpyFilesWriter'
    """
    return WRITERS.get(name)


def get_reader(name: str) -> Type[FeaturesReader]:
    """The reader class registered as ``name`` (the ``storage_type`` of a manifest).

    Raises:
        UnknownNameError: ``name`` is not registered; the message lists the available backends
            (Lhotse returns ``None`` instead).

    Example:
        >>> get_reader("lilcom_chunky").__name__
        'LilcomChunkyReader'
    """
    return READERS.get(name)


def get_memory_writer(name: str) -> Type[FeaturesWriter]:
    """The writer class of an in-memory backend (``memory_lilcom``, ``memory_npy``).

    Raises:
        ConfigError: ``name`` is not an in-memory backend.
        UnknownNameError: ``name`` is not registered.

    Example:
        >>> get_memory_writer("memory_lilcom").__name__
        'MemoryLilcomWriter'
    """
    if not is_in_memory(name):
        raise ConfigError(f"get_memory_writer: {name!r} is not an in-memory storage backend (memory_*)")
    return get_writer(name)


def available_storage_backends() -> List[str]:
    """Names that have both a reader and a writer registered and can be used now, sorted.

    ``kaldiio`` is listed when its optional package is installed (``lhotse_lite[kaldi]``).

    Example:
        >>> [name for name in available_storage_backends() if name != "kaldiio"]
        ['lilcom_chunky', 'lilcom_files', 'memory_lilcom', 'memory_npy', 'numpy_files']
    """
    return [name for name in _registered_backends() if not _missing_packages(name)]


def _registered_backends() -> List[str]:
    return sorted(set(READERS.names()) & set(WRITERS.names()))


def _missing_packages(name: str) -> List[str]:
    if name != "kaldiio":
        return []
    from lhotse_lite.features.storage.kaldi_ark import kaldiio_available

    return [] if kaldiio_available() else ["kaldiio"]


class StorageBackendInfo(NamedTuple):
    """One storage backend and whether it can be used (Lhotse's tuple).

    Every built-in backend but ``kaldiio`` is always available (lilcom is a required dependency of
    lhotse_lite); ``kaldiio`` needs the optional extra, named by its ``install_hint``.

    Example:
        >>> StorageBackendInfo("numpy_files", True)
        StorageBackendInfo(name='numpy_files', available=True, install_hint=None)
    """

    name: str
    available: bool
    install_hint: Optional[str] = None


def storage_backend_statuses() -> List[StorageBackendInfo]:
    """Every registered storage backend with its availability.

    Example:
        >>> storage_backend_statuses()[1]
        StorageBackendInfo(name='lilcom_chunky', available=True, install_hint=None)
    """
    from lhotse_lite.features.storage.kaldi_ark import INSTALL_HINT

    return [
        StorageBackendInfo(
            name=name,
            available=not _missing_packages(name),
            install_hint=INSTALL_HINT if _missing_packages(name) else None,
        )
        for name in _registered_backends()
    ]


def default_features_storage_backend_name() -> str:
    """Lhotse's default storage backend: ``numpy_files``, or ``$LHOTSE_FEATURES_STORAGE_BACKEND``.

    Raises:
        ConfigError: the environment variable names a backend that is not available.

    Example:
        >>> default_features_storage_backend_name()
        'numpy_files'
    """
    name = os.environ.get(_DEFAULT_BACKEND_ENV)
    if name is None:
        return "numpy_files"
    available = available_storage_backends()
    if name not in available:
        raise ConfigError(
            f"{_DEFAULT_BACKEND_ENV}={name!r} is not a storage backend; available: {', '.join(available)}"
        )
    return name


def default_features_storage_backend() -> Type[FeaturesWriter]:
    """The writer class of :func:`default_features_storage_backend_name`.

    Example:
        >>> default_features_storage_backend().__name__
        'NumpyFilesWriter'
    """
    return get_writer(default_features_storage_backend_name())


def is_in_memory(storage_type: str) -> bool:
    """Whether ``storage_type`` keeps the data inside the manifest (``memory_*``).

    Example:
        >>> is_in_memory("memory_lilcom"), is_in_memory("lilcom_chunky")
        (True, False)
    """
    return storage_type.startswith("memory")


def check_kaldi_native_io_installed() -> None:
    """Raises unless the package behind the ``kaldiio`` storage is installed (Lhotse's name).

    lhotse_lite reads and writes Kaldi ark/scp files with ``kaldiio`` where Lhotse uses
    ``kaldi_native_io``; this checks for ``kaldiio``.

    Raises:
        ConfigError: It is missing (a ``ValueError``, as Lhotse's); the message names the extra to install.
    """
    from lhotse_lite.features.storage.kaldi_ark import check_kaldiio_installed

    check_kaldiio_installed()
