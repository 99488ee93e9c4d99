"""Feature storage: Lhotse-compatible writers and readers, looked up by the name stored in manifests.

======================  ==========================================  ===========================
``storage_type``        layout                                      partial reads
======================  ==========================================  ===========================
``lilcom_chunky``       one ``.lca`` archive, 500-frame lilcom      only the overlapping chunks
                        chunks, key = offset + chunk lengths
``lilcom_files``        one ``.llc`` lilcom file per matrix         whole file
``numpy_files``         one ``.npy`` file per matrix                only the requested rows
``memory_lilcom``       lilcom bytes held in the manifest           whole blob
``memory_npy``          ``.npy`` bytes held in the manifest         whole blob
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
    lhotse_lite.errors.UnknownNameError: unknown feature storage writer 'hdf5' Available: lilcom_chunky,
    lilcom_files, memory_lilcom, memory_npy, numpy_files
"""

from __future__ import annotations

from lhotse_lite.features.storage.base import (
    FeaturesReader,
    FeaturesWriter,
    get_reader,
    get_writer,
    register_reader,
    register_writer,
)
from lhotse_lite.features.storage.codec import CHUNK_FRAMES, DEFAULT_TICK_POWER
from lhotse_lite.features.storage.files import (
    LilcomFilesReader,
    LilcomFilesWriter,
    NumpyFilesReader,
    NumpyFilesWriter,
)
from lhotse_lite.features.storage.lilcom_chunky import LilcomChunkyReader, LilcomChunkyWriter
from lhotse_lite.features.storage.memory import (
    MemoryLilcomReader,
    MemoryLilcomWriter,
    MemoryNpyReader,
    MemoryNpyWriter,
)

__all__ = [
    "FeaturesReader",
    "FeaturesWriter",
    "get_reader",
    "get_writer",
    "register_reader",
    "register_writer",
    "available_storage_backends",
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
]


def available_storage_backends() -> list:
    """Names that have both a reader and a writer registered.

    Example:
        >>> available_storage_backends()
        ['lilcom_chunky', 'lilcom_files', 'memory_lilcom', 'memory_npy', 'numpy_files']
    """
    from lhotse_lite.features.storage.base import READERS, WRITERS

    return sorted(set(READERS.names()) & set(WRITERS.names()))


def is_in_memory(storage_type: str) -> bool:
    """Whether ``storage_type`` keeps the data inside the manifest (``memory_*``).

    Example:
        >>> is_in_memory("memory_lilcom"), is_in_memory("lilcom_chunky")
        (True, False)
    """
    return storage_type.startswith("memory")
