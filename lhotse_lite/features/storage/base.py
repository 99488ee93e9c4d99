"""The storage interface for feature matrices: writers, readers and their registries.

A *writer* stores a numpy array and returns a ``storage_key``; the ``Features`` manifest records the
writer's ``name`` (``storage_type``), its ``storage_path`` and that key, so the manifest alone is enough
to rebuild the matching *reader*. :data:`READERS` and :data:`WRITERS` (:class:`~lhotse_lite.registry.Registry`)
name the built-in back ends as lazy ``"module:Class"`` entries, so a back end's module is imported when its
name is first looked up (:func:`lhotse_lite.features.io.get_reader` / :func:`~lhotse_lite.features.io.get_writer`);
other back ends register with :func:`register_reader` and :func:`register_writer`.
The names and on-disk layouts are Lhotse's, so features stored by Lhotse load here and ours load in
Lhotse.

Writing is split in two steps so that the expensive part can run in worker processes:
:meth:`FeaturesWriter.encode` turns an array into a picklable payload (e.g. lilcom bytes) without
touching the storage, and :meth:`FeaturesWriter.write_encoded` puts a payload into the storage.
:meth:`FeaturesWriter.write` does both. Writers never modify the arrays they are given.

One writer per output: :meth:`FeaturesWriter.lock_output` takes the lock of the writer's
``storage_path`` (:class:`~lhotse_lite.output_lock.OutputLock`, the file ``<storage_path>.lock``), held
until :meth:`~FeaturesWriter.close`; :class:`~lhotse_lite.features.builder.FeatureSetBuilder` takes it
before it resumes or writes, so a second run on the same storage fails at once with
:class:`~lhotse_lite.errors.OutputLockedError`. A ``lilcom_chunky`` writer (one archive, appended to)
takes it itself before it opens or cuts the archive; folder writers (one file per matrix, renamed into
place, safe to use from several processes) only refuse to write into a folder that a run holds. A
writer sent to a worker process never carries the lock.

Example:
    >>> import numpy as np
    >>> from lhotse_lite.features.io import get_reader, get_writer
    >>> writer = get_writer("memory_npy")()
    >>> key = writer.write("any", np.ones((3, 2), dtype=np.float32))
    >>> get_reader("memory_npy")(None).read(key, 1, 3).shape
    (2, 2)
"""

from __future__ import annotations

import functools
import inspect
import os
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, Generic, Optional, Tuple, TypeVar, Union

import numpy as np

from lhotse_lite import remote
from lhotse_lite.errors import ShapeError, StorageError, StorageFormatError, StorageNotFoundError
from lhotse_lite.output_lock import OutputLock
from lhotse_lite.registry import Registry

__all__ = [
    "FeaturesWriter",
    "FeaturesReader",
    "READERS",
    "WRITERS",
    "register_reader",
    "register_writer",
    "check_float_matrix",
    "check_out",
    "fill_out",
    "read_into",
    "storage_error",
]

StorageKey = Union[str, bytes]

# The built-in back ends: storage_type -> (module, reader class, writer class); each module is imported
# when one of its names is first looked up.
_BUILTINS = {
    "lilcom_chunky": ("lilcom_chunky", "LilcomChunkyReader", "LilcomChunkyWriter"),
    "lilcom_files": ("files", "LilcomFilesReader", "LilcomFilesWriter"),
    "numpy_files": ("files", "NumpyFilesReader", "NumpyFilesWriter"),
    "memory_lilcom": ("memory", "MemoryLilcomReader", "MemoryLilcomWriter"),
    "memory_npy": ("memory", "MemoryNpyReader", "MemoryNpyWriter"),
    "kaldiio": ("kaldi_ark", "KaldiReader", "KaldiWriter"),
}
READERS: Registry = Registry(
    "feature storage reader",
    {name: f"lhotse_lite.features.storage.{module}:{reader}" for name, (module, reader, _) in _BUILTINS.items()},
)
WRITERS: Registry = Registry(
    "feature storage writer",
    {name: f"lhotse_lite.features.storage.{module}:{writer}" for name, (module, _, writer) in _BUILTINS.items()},
)

KeyT = TypeVar("KeyT", str, bytes)
"""The type of the ``storage_key`` a reader reads: ``str`` (files, archives) or ``bytes`` (memory)."""

W = TypeVar("W", bound="type[FeaturesWriter]")
R = TypeVar("R", bound="type[FeaturesReader[Any]]")


class FeaturesWriter(ABC):
    """Stores numpy arrays in one storage backend (a folder of files, one archive, memory, ...).

    Subclasses set the class attribute ``name`` (the ``storage_type`` written into manifests) and
    implement :meth:`encode`, :meth:`write_encoded` and the ``storage_path`` property. A writer is a
    context manager; leaving the ``with`` block closes it (a no-op for most backends).

    Example:
        A writer that keeps float16 ``.npy`` bytes in the manifest (payload = key, like ``memory_npy``):

        >>> import io, numpy as np
        >>> class HalfNpyWriter(FeaturesWriter):
        ...     name = "memory_half_npy"
        ...     storage_path = None
        ...     def encode(self, value):
        ...         buffer = io.BytesIO()
        ...         np.save(buffer, value.astype(np.float16))
        ...         return buffer.getvalue()
        ...     def write_encoded(self, key, payload):
        ...         return payload
        >>> with HalfNpyWriter() as writer:
        ...     key = writer.write("utt1", np.ones((2, 3), dtype=np.float32))
        >>> np.load(io.BytesIO(key)).dtype
        dtype('float16')
    """

    name: str = ""
    _output_lock: Optional[OutputLock] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: B027
        """Backends take their ``storage_path`` first, then their options (Lhotse's constructors)."""

    @property
    @abstractmethod
    def storage_path(self) -> Optional[str]:
        """Where the data goes (a folder or an archive file); ``None`` for in-memory storage."""

    @abstractmethod
    def encode(self, value: np.ndarray) -> Any:
        """Serialises ``value`` into a picklable payload without touching the storage.

        Pure: ``value`` is never modified. Safe to call in a worker process.
        """

    @abstractmethod
    def write_encoded(self, key: str, payload: Any) -> StorageKey:
        """Puts a payload made by :meth:`encode` into the storage under (a key derived from) ``key``.

        Returns:
            The ``storage_key`` to record in the manifest.
        """

    def write(self, key: str, value: np.ndarray) -> StorageKey:
        """Stores ``value`` (time along axis 0) and returns its ``storage_key``.

        Args:
            key: A unique name for the array (e.g. a uuid); backends may add a suffix or a folder.
            value: The array; it is not modified.

        Returns:
            The ``storage_key`` to record in the manifest.
        """
        return self.write_encoded(key, self.encode(value))

    def flush(self) -> None:  # noqa: B027  (optional hook: backends without buffers need nothing)
        """Makes everything written so far durable enough to survive a crash of this process."""

    def close(self) -> None:
        """Releases open files and the output lock; further writes are an error for archive backends."""
        self.release_output_lock()

    def lock_output(self) -> None:
        """Holds the lock of :attr:`storage_path` until :meth:`close` (a no-op for in-memory storage).

        Raises:
            OutputLockedError: Another writer or run holds it (the message names its process id).

        Example:
            >>> import tempfile
            >>> from lhotse_lite.features.io import get_writer
            >>> folder = tempfile.mkdtemp() + "/feats"
            >>> first, second = get_writer("numpy_files")(folder), get_writer("numpy_files")(folder)
            >>> first.lock_output()
            >>> second.lock_output()  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            lhotse_lite.errors.OutputLockedError: .../feats is being written by process ...
            >>> first.close(); second.lock_output(); second.close()
        """
        if self.storage_path is None:
            return
        if self._output_lock is None:
            self._output_lock = OutputLock(_lock_target(self.storage_path))
        self._output_lock.acquire()

    @property
    def holds_output_lock(self) -> bool:
        """Whether this writer holds the lock of its :attr:`storage_path` (see :meth:`lock_output`)."""
        return self._output_lock is not None and self._output_lock.held

    def check_output_lock(self) -> None:
        """Fails if another writer or run holds the lock of :attr:`storage_path`; takes nothing.

        Raises:
            OutputLockedError: It is held elsewhere.
        """
        if self.storage_path is None or self.holds_output_lock:
            return
        OutputLock(_lock_target(self.storage_path)).check()

    def release_output_lock(self) -> None:
        """Releases the lock taken by :meth:`lock_output` (a no-op if it is not held)."""
        if self._output_lock is not None:
            self._output_lock.release()

    def __getstate__(self) -> Dict[str, Any]:
        # A copy in a worker process only encodes: it never holds this writer's lock.
        state = dict(self.__dict__)
        state.pop("_output_lock", None)
        return state

    def __enter__(self) -> "FeaturesWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FeaturesReader(ABC, Generic[KeyT]):
    """Reads arrays stored by the writer of the same ``name``; generic in the type of its keys.

    Args:
        storage_path: The ``storage_path`` recorded in the manifest.

    Example:
        >>> import io, numpy as np
        >>> class HalfNpyReader(FeaturesReader):
        ...     name = "memory_half_npy"
        ...     def read(self, key, left_offset_frames=0, right_offset_frames=None):
        ...         return np.load(io.BytesIO(key)).astype(np.float32)[left_offset_frames:right_offset_frames]
        >>> buffer = io.BytesIO()
        >>> np.save(buffer, np.eye(3, dtype=np.float16))
        >>> HalfNpyReader().read(buffer.getvalue(), 1).tolist()
        [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """

    name: str = ""

    def __init__(self, storage_path: Optional[Union[str, os.PathLike]] = None, *args: Any, **kwargs: Any) -> None:
        # the path map rebinds where features are read from (a local mirror of a bucket, or the reverse)
        self.storage_path = None if storage_path is None else remote.map_path(str(storage_path))

    @abstractmethod
    def read(
        self,
        key: KeyT,
        left_offset_frames: int = 0,
        right_offset_frames: Optional[int] = None,
        out: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        """Returns frames ``[left_offset_frames, right_offset_frames)`` of the stored array.

        The built-in readers accept ``out``; a reader written without it still works with
        :func:`read_into` and ``Features.load(out=...)``, which then copy what it returns.

        Args:
            key: The ``storage_key`` from the manifest.
            left_offset_frames: First frame to return.
            right_offset_frames: One past the last frame to return; ``None`` means the end.
            out: Optional destination (see :func:`check_out`): the frames are written into it (the
                ``lilcom`` back ends decode straight into a C-contiguous float32 ``out``) and it is
                returned. (Default: ``None``: a new array)

        Returns:
            A float32 (or the stored dtype) array, time along axis 0; ``out`` when it is given.

        Raises:
            ShapeError: ``out`` does not have the shape of the frames read, or is not a writable
                floating-point array.
        """


def _lock_target(storage_path: str) -> str:
    """What is locked for an output: the path itself, or for a URL its local staging file (this machine's writers)."""
    return str(remote.staging_path(storage_path)) if remote.is_url(storage_path) else storage_path


def register_writer(cls: W) -> W:
    """Class decorator registering a :class:`FeaturesWriter` under its ``name``.

    Raises:
        DuplicateRegistrationError: The name is taken.
    """
    WRITERS.register(cls.name, cls)
    return cls


def register_reader(cls: R) -> R:
    """Class decorator registering a :class:`FeaturesReader` under its ``name``.

    Raises:
        DuplicateRegistrationError: The name is taken.
    """
    READERS.register(cls.name, cls)
    return cls


def check_float_matrix(value: Any, backend: str) -> np.ndarray:
    """Checks that ``value`` is a floating-point numpy array with at least one axis.

    Raises:
        ShapeError: It is not.
    """
    if not isinstance(value, np.ndarray):
        raise ShapeError(f"{backend} stores numpy arrays, got {type(value).__name__}; convert with .numpy() first")
    if value.ndim < 1 or not np.issubdtype(value.dtype, np.floating):
        raise ShapeError(
            f"{backend} stores floating-point arrays with time on axis 0, got dtype {value.dtype} "
            f"and shape {value.shape}"
        )
    return value


def check_out(out: Any, shape: Tuple[int, ...], path: Optional[str], key: Any) -> np.ndarray:
    """Checks that ``out`` can receive frames of ``shape`` read from ``key`` in ``path``.

    ``out`` must be a writable NumPy array of exactly ``shape`` with a floating-point dtype; the values
    are cast to it as NumPy's ``same_kind`` casting allows (float32 data into float64, float64 data
    into float32).

    Returns:
        ``out``.

    Raises:
        ShapeError: ``out`` is not a NumPy array, is read-only, has another shape, or is not floating-point.

    Example:
        >>> check_out(np.empty((2, 3), dtype=np.float32), (2, 3), "feats.lca", "0,10").shape
        (2, 3)
        >>> check_out(np.empty((3, 3), dtype=np.float32), (2, 3), "feats.lca", "0,10")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ShapeError: out= for stored features '0,10' in 'feats.lca' must have shape (2, 3) ...
    """
    where = f"stored features {_shown_key(key)!r} in {path!r}"
    if not isinstance(out, np.ndarray):
        raise ShapeError(
            f"out= for {where} must be a NumPy array, got {type(out).__name__}; pass tensor.numpy() for a CPU tensor"
        )
    if tuple(out.shape) != tuple(shape):
        raise ShapeError(
            f"out= for {where} must have shape {tuple(shape)} (the frames read), got {tuple(out.shape)}; "
            "size it with Features.num_frames_in(start, duration) and the feature dimension"
        )
    if not np.issubdtype(out.dtype, np.floating):
        raise ShapeError(f"out= for {where} must have a floating-point dtype (e.g. float32), got {out.dtype}")
    if not out.flags.writeable:
        raise ShapeError(f"out= for {where} is read-only; pass a writable array")
    return out


def fill_out(out: Optional[np.ndarray], frames: np.ndarray, path: Optional[str], key: Any) -> np.ndarray:
    """``frames`` itself when ``out`` is ``None``, else ``frames`` copied into ``out`` (checked by :func:`check_out`).

    For back ends that decode into a temporary array (Kaldi archives, ``.npy`` data); a memory-mapped
    ``frames`` is read straight into ``out``.

    Example:
        >>> out = np.zeros((2, 2), dtype=np.float32)
        >>> fill_out(out, np.ones((2, 2)), None, "k") is out, out.tolist()
        (True, [[1.0, 1.0], [1.0, 1.0]])
    """
    if out is None:
        return frames
    check_out(out, frames.shape, path, key)
    try:
        np.copyto(out, frames, casting="same_kind")
    except TypeError as err:
        raise ShapeError(
            f"out= for stored features {_shown_key(key)!r} in {path!r}: cannot cast the stored {frames.dtype} "
            f"into {out.dtype} ({err}); pass an out of a floating-point dtype"
        ) from err
    return out


@functools.lru_cache(maxsize=None)
def _accepts_out(read: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(read).parameters
    except (TypeError, ValueError):
        return False
    return "out" in parameters


def read_into(
    reader: "FeaturesReader[Any]",
    key: Any,
    out: np.ndarray,
    left_offset_frames: int = 0,
    right_offset_frames: Optional[int] = None,
) -> np.ndarray:
    """Reads frames ``[left_offset_frames, right_offset_frames)`` of ``key`` into ``out`` and returns ``out``.

    Calls ``reader.read(..., out=out)`` when the reader's ``read`` names an ``out`` parameter (every
    built-in one does), else copies what ``read`` returns into ``out`` (also when a reader given
    ``out`` returns another array).

    Raises:
        ShapeError: See :func:`check_out`.

    Example:
        >>> from lhotse_lite.features.io import get_reader, get_writer
        >>> key = get_writer("memory_npy")().write("any", np.arange(6, dtype=np.float32).reshape(3, 2))
        >>> out = np.empty((2, 2), dtype=np.float32)
        >>> read_into(get_reader("memory_npy")(None), key, out, 1).tolist()
        [[2.0, 3.0], [4.0, 5.0]]
    """
    if _accepts_out(type(reader).read):
        frames = reader.read(key, left_offset_frames, right_offset_frames, out=out)
    else:
        frames = reader.read(key, left_offset_frames, right_offset_frames)
    if frames is out:
        return out
    return fill_out(out, np.asarray(frames), None if reader.storage_path is None else str(reader.storage_path), key)


def _shown_key(key: Any) -> str:
    return key if isinstance(key, str) else f"<{len(key)} bytes>"


def storage_error(path: str, key: Any, err: BaseException) -> StorageError:
    """The error for stored features ``key`` in ``path`` that could not be read because of ``err``.

    A missing file gives :class:`StorageNotFoundError` (a ``FileNotFoundError``), undecodable bytes
    (``ValueError``/``TypeError`` of the decoder) :class:`StorageFormatError` (a ``ValueError``), any
    other failure a :class:`StorageError`: the builtin types Lhotse's readers raise there.

    Example:
        >>> type(storage_error("feats", "abc/x.npy", FileNotFoundError(2, "No such file"))).__name__
        'StorageNotFoundError'
    """
    message = f"cannot read stored features {_shown_key(key)!r} from {path!r}: {err}"
    if isinstance(err, FileNotFoundError):
        return StorageNotFoundError(message)
    if isinstance(err, (ValueError, TypeError)):
        return StorageFormatError(message)
    return StorageError(message)
