"""Byte-offset indexes of JSONL manifests: O(1) random reads and an O(1)-memory global shuffle.

The index format is Lhotse 2.0's (``lhotse.indexing``), so an index written by either library works
with the other:

* name: ``<data file>.idx`` next to the data file (``cuts.jsonl`` -> ``cuts.jsonl.idx``);
* layout: ``N + 1`` little-endian ``uint64`` values for a file of ``N`` lines: the byte offset where
  each line starts, then the size of the data file (a sentinel), so line ``i`` is the bytes
  ``[offset[i], offset[i + 1])`` and the file is exactly ``(N + 1) * 8`` bytes long;
* every line counts, as ``readline`` splits the file (the last line may lack its newline); a blank
  line has an entry, and reading it is an error.

A file is *stale* when the data file changed after it was indexed. The sentinel makes that cheap to
notice: :class:`IndexedJsonlReader` refuses an index whose last value is not the data file's size
(:class:`~lhotse_lite.errors.StaleIndexError`, naming both files) instead of returning wrong items.

:class:`LazyShuffledRange` is Lhotse 2.0's permutation of ``range(n)``: a 6-round balanced Feistel
network on the smallest even number of bits covering ``n``, cycle-walking values that fall outside
``[0, n)``, round keys drawn from ``numpy.random.RandomState(seed & 0xFFFFFFFF)``. The same ``n`` and
``seed`` give the same order as Lhotse 2.0 (a differential test checks it); iteration computes the
permutation in vectorised blocks, so a pass costs O(1) memory.

Both indexed readers (this module's :class:`IndexedJsonlReader` and
:class:`~lhotse_lite.manifest.blocked_gzip.BlockedGzipReader`) fetch their bytes through one
:class:`ByteRanges` object (``size`` and ``read(offset, length) -> bytes``): :class:`LocalByteRanges`
reads a local file with one ``pread`` per call; an object behind a URL is read with one ranged
request per call (:mod:`lhotse_lite.manifest.remote_indexed`).

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl")
    >>> _ = open(path, "w").write('{"id": "a"}\\n{"id": "bb"}\\n')
    >>> str(create_jsonl_index(path)).endswith("a.jsonl.idx"), read_index(path + ".idx").tolist()
    (True, [0, 12, 25])
    >>> reader = IndexedJsonlReader(path)
    >>> len(reader), reader[1], reader[-2]
    (2, {'id': 'bb'}, {'id': 'a'})
    >>> sorted(LazyShuffledRange(10, seed=3)) == list(range(10))
    True
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Protocol

import numpy as np
import orjson

from lhotse_lite.errors import (
    ItemIndexError,
    ManifestArgumentError,
    ManifestFormatError,
    ManifestNotFoundError,
    StaleIndexError,
)
from lhotse_lite.safe_writes import make_temp_file, naming_write_errors
from lhotse_lite.types import Pathlike

__all__ = [
    "index_file_path",
    "index_exists",
    "read_index",
    "create_jsonl_index",
    "check_index",
    "IndexedJsonlReader",
    "LazyShuffledRange",
    "ByteRanges",
    "LocalByteRanges",
    "check_position",
]


_OFFSET_DTYPE = np.dtype("<u8")
_SCAN_CHUNK = 1 << 22  # bytes scanned for newlines at a time (small enough to stay in cache)


def index_file_path(data_path: Pathlike, indexes_root: Optional[Pathlike] = None) -> Path:
    """Where the index of ``data_path`` lives: ``<data_path>.idx``, or mirrored under ``indexes_root``.

    Args:
        data_path: The data file.
        indexes_root: A folder holding indexes apart from the data: the index of ``/data/a.jsonl``
            is then ``<indexes_root>/data/a.jsonl.idx`` (Lhotse 2.0's layout).

    Example:
        >>> index_file_path("cuts.jsonl"), index_file_path("/data/a.jsonl", "/idx")
        (PosixPath('cuts.jsonl.idx'), PosixPath('/idx/data/a.jsonl.idx'))
    """
    if indexes_root is None:
        return Path(str(data_path) + ".idx")
    return Path(indexes_root) / (str(data_path).lstrip("/\\") + ".idx")


def index_exists(data_path: Pathlike, index_path: Optional[Pathlike] = None) -> bool:
    """Whether a usable index file exists: present, non-empty, a whole number of ``uint64`` values.

    It is not checked against the data file here (see :func:`check_index`).

    Example:
        >>> index_exists("no-such-file.jsonl")
        False
    """
    path = Path(index_path) if index_path is not None else index_file_path(data_path)
    try:
        size = path.stat().st_size
    except (FileNotFoundError, NotADirectoryError):
        return False
    return size >= _OFFSET_DTYPE.itemsize and size % _OFFSET_DTYPE.itemsize == 0


def read_index(idx_path: Pathlike) -> np.ndarray:
    """The offsets of an index file: a ``uint64`` array of ``N + 1`` values (the last is the data size).

    Raises:
        ManifestNotFoundError: The index file does not exist.
        ManifestFormatError: Its size is not a positive multiple of 8 bytes (not an index, or truncated).

    Example:
        See the module docstring.
    """
    path = Path(idx_path)
    if not path.is_file():
        raise ManifestNotFoundError(
            f"index file not found: {str(path)!r}; build it with create_jsonl_index() or `lite index`"
        )
    size = path.stat().st_size
    if size < _OFFSET_DTYPE.itemsize or size % _OFFSET_DTYPE.itemsize:
        raise ManifestFormatError(
            f"{path}: not an index file: {size} bytes is not a positive multiple of 8 "
            f"(truncated?); rebuild it with `lite index`"
        )
    return np.fromfile(path, dtype=_OFFSET_DTYPE)


def _line_offsets(path: Pathlike) -> np.ndarray:
    """Start offsets of every line of an uncompressed file, then its size (the index layout)."""
    parts: List[np.ndarray] = [np.zeros(1, dtype=_OFFSET_DTYPE)]
    pos = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_SCAN_CHUNK)
            if not chunk:
                break
            newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            parts.append((newlines + (pos + 1)).astype(_OFFSET_DTYPE))
            pos += len(chunk)
    starts = np.concatenate(parts)
    if starts[-1] == pos:  # the file ends with a newline (or is empty): no line starts at its end
        starts = starts[:-1]
    return np.append(starts, np.array([pos], dtype=_OFFSET_DTYPE))


def write_index_file(offsets: np.ndarray, path: Pathlike) -> None:
    """Write ``offsets`` as an index file atomically (a temporary file renamed over ``path``)."""
    path = Path(path)
    fd, tmp = make_temp_file(path)
    try:
        with naming_write_errors(path), os.fdopen(fd, "wb") as f:
            f.write(np.ascontiguousarray(offsets, dtype=_OFFSET_DTYPE).tobytes())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # the temporary file was private; the index is as readable as its data
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def create_jsonl_index(jsonl_path: Pathlike, output_path: Optional[Pathlike] = None) -> Path:
    """Index an uncompressed JSONL file: write ``<jsonl_path>.idx`` (Lhotse 2.0's format and name).

    Args:
        jsonl_path: The data file (uncompressed; see :mod:`lhotse_lite.manifest.blocked_gzip` for
            ``.jsonl.gz``).
        output_path: Where to write the index instead of next to the data.

    Returns:
        The path of the index file.

    Raises:
        ManifestNotFoundError: The data file does not exist.
        ManifestArgumentError: The data file is gzip-compressed.

    Example:
        See the module docstring.
    """
    if not os.path.isfile(jsonl_path):
        raise ManifestNotFoundError(f"manifest file not found: {str(jsonl_path)!r}")
    if str(jsonl_path).endswith(".gz"):
        raise ManifestArgumentError(
            f"{jsonl_path}: create_jsonl_index() needs an uncompressed .jsonl file; "
            f"`lite index` indexes .jsonl.gz files"
        )
    idx_path = Path(output_path) if output_path is not None else index_file_path(jsonl_path)
    write_index_file(_line_offsets(jsonl_path), idx_path)
    return idx_path


def check_index(data_path: Pathlike, offsets: np.ndarray, idx_path: Pathlike, data_size: Optional[int] = None) -> None:
    """Refuse an index that does not describe ``data_path`` as it is now (O(1): sizes only).

    ``data_size`` is the data's size when it is not a local file (a URL).

    Raises:
        StaleIndexError: The sentinel is not the data file's size, or the offsets do not start at 0.
    """
    size = os.path.getsize(data_path) if data_size is None else data_size
    if offsets.size == 0 or int(offsets[-1]) != size or (offsets.size > 1 and int(offsets[0]) != 0):
        recorded = int(offsets[-1]) if offsets.size else None
        raise StaleIndexError(
            f"index {str(idx_path)!r} does not match {str(data_path)!r}: it records a data file of {recorded} "
            f"bytes, the file has {size}; the data changed after indexing. Rebuild the index with "
            f"`lite index {data_path}` (or delete {str(idx_path)!r})"
        )


class ByteRanges(Protocol):
    """The bytes of a data file, read by range: a local file (:class:`LocalByteRanges`) or an object behind a URL."""

    @property
    def size(self) -> int:
        """The data's size in bytes."""

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at byte ``offset`` (one request)."""


class LocalByteRanges:
    """:class:`ByteRanges` of a local file: one ``os.pread`` per read on a descriptor opened once per process.

    A forked or unpickled copy (a DataLoader worker) opens its own descriptor on its first read.

    Args:
        path: The file.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "a.bin")
        >>> _ = open(path, "wb").write(b"0123456789")
        >>> LocalByteRanges(path).read(3, 4)
        b'3456'
    """

    def __init__(self, path: Pathlike) -> None:
        self.path = path
        self._fd: Optional[int] = None
        self._fd_pid: Optional[int] = None

    @property
    def size(self) -> int:
        """The file's size in bytes now."""
        return os.path.getsize(self.path)

    def _descriptor(self) -> int:
        fd = self._fd
        if fd is None or self._fd_pid != os.getpid():
            fd = self._fd = os.open(self.path, os.O_RDONLY)
            self._fd_pid = os.getpid()
        return fd

    def read(self, offset: int, length: int) -> bytes:
        """The ``length`` bytes at ``offset`` (fewer at the end of the file)."""
        fd = self._fd
        if fd is None or self._fd_pid != os.getpid():
            fd = self._descriptor()
        return os.pread(fd, length, offset)

    def read_many(self, offsets: List[int], lengths: List[int]) -> List[bytes]:
        """``read(offsets[k], lengths[k])`` for every ``k``, in one C loop of ``pread`` calls."""
        return list(map(os.pread, itertools.repeat(self._descriptor(), len(offsets)), lengths, offsets))

    def close(self) -> None:
        """Close the descriptor (a later read reopens it)."""
        if self._fd is not None and self._fd_pid == os.getpid():
            os.close(self._fd)
        self._fd = self._fd_pid = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def __getstate__(self) -> Dict[str, Any]:
        return {"path": self.path, "_fd": None, "_fd_pid": None}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)


def check_position(idx: int, length: int, where: Pathlike) -> int:
    """``idx`` as a position in ``[0, length)`` (negative counts from the end).

    Raises:
        ItemIndexError: ``idx`` is out of range (the message names ``where`` and its length).

    Example:
        >>> check_position(-1, 3, "a.jsonl")
        2
    """
    if idx < 0:
        idx += length
    if not 0 <= idx < length:
        raise ItemIndexError(f"index {idx} out of range for {where} ({length} lines)")
    return idx


class IndexedJsonlReader:
    """Random access to the lines of an uncompressed JSONL file through its ``.idx`` index.

    ``reader[i]`` reads and parses line ``i`` with one ``pread`` (O(1)); negative indexes count from
    the end. The file is opened once per process (a forked worker reopens it), so a reader can be
    sent to DataLoader workers.

    Args:
        path: The JSONL file.
        auto_create_index: Build the index when it is missing (Lhotse 2.0's default); ``False`` raises.
        index_path: The index file, when it is not ``<path>.idx``.
        ranges: Reads the data instead of ``path`` (a URL: see :mod:`lhotse_lite.manifest.remote_indexed`);
            the index is then a local ``index_path`` and is not built here.

    Raises:
        ManifestNotFoundError: The data file, or (with ``auto_create_index=False``) the index, is missing.
        StaleIndexError: The index does not match the data file (see :func:`check_index`).

    Example:
        See the module docstring.
    """

    def __init__(
        self,
        path: Pathlike,
        auto_create_index: bool = True,
        index_path: Optional[Pathlike] = None,
        ranges: Optional[ByteRanges] = None,
    ) -> None:
        if ranges is None and not os.path.isfile(path):
            raise ManifestNotFoundError(f"manifest file not found: {str(path)!r}")
        self.path = path
        self.index_path = index_path
        self.ranges = ranges
        self._data_size = None if ranges is None else ranges.size
        self._idx_path = Path(index_path) if index_path is not None else index_file_path(path)
        if not index_exists(path, self._idx_path):
            if not auto_create_index or ranges is not None:
                raise ManifestNotFoundError(
                    f"index file not found: {str(self._idx_path)!r}; build it with create_jsonl_index() "
                    f"or `lite index {path}`, or pass auto_create_index=True"
                )
            create_jsonl_index(path, self._idx_path)
        # O(1) until the first read: the count from the index's size, the sentinel from its last 8 bytes.
        self._len = self._idx_path.stat().st_size // _OFFSET_DTYPE.itemsize - 1
        with open(self._idx_path, "rb") as f:
            f.seek(self._len * _OFFSET_DTYPE.itemsize)
            sentinel = np.frombuffer(f.read(_OFFSET_DTYPE.itemsize), dtype=_OFFSET_DTYPE)
        check_index(path, sentinel, self._idx_path, self._data_size)
        self._offsets: Optional[np.ndarray] = None
        self._view: Any = None
        self._data: ByteRanges = ranges if ranges is not None else LocalByteRanges(path)

    def __len__(self) -> int:
        return self._len

    @property
    def offsets(self) -> np.ndarray:
        """The index: ``len + 1`` byte offsets (memory-mapped on first use: O(1) at any size)."""
        if self._offsets is None:
            offsets = np.memmap(self._idx_path, dtype=_OFFSET_DTYPE, mode="r")
            check_index(self.path, offsets[-1:], self._idx_path, self._data_size)
            self._offsets, self._view = offsets, offsets.data  # a memoryview: fast plain-int access
        return self._offsets

    def raw(self, idx: int) -> bytes:
        """The bytes of line ``idx`` (newline included).

        Raises:
            ItemIndexError: ``idx`` is out of range.
        """
        if not 0 <= idx < self._len:
            idx = check_position(idx, self._len, self.path)
        view = self._view if self._view is not None else self.offsets.data
        start = view[idx]
        return self._data.read(start, view[idx + 1] - start)

    def offset_of(self, idx: int) -> int:
        """The byte offset where line ``idx`` starts (``idx == len`` gives the file size).

        Raises:
            ItemIndexError: ``idx`` is out of ``[0, len]``.
        """
        if not 0 <= idx <= self._len:
            raise ItemIndexError(f"index {idx} out of range for {self.path} ({self._len} lines)")
        return int(self.offsets[idx])

    def lines_at(self, positions: np.ndarray) -> List[bytes]:
        """The bytes of the lines at ``positions`` (an integer array, each in ``[0, len)``), in that order.

        Their byte ranges are gathered from the index in one operation and read one ``pread`` each.
        """
        offsets = self.offsets
        positions = np.asarray(positions, dtype=np.int64)
        starts = offsets[positions]
        lengths = (offsets[positions + 1] - starts).tolist()
        data = self._data
        if isinstance(data, LocalByteRanges):
            return data.read_many(starts.tolist(), lengths)
        return [data.read(start, length) for start, length in zip(starts.tolist(), lengths)]

    def __getitem__(self, idx: int) -> Dict[str, Any]:
        """The JSON object on line ``idx``.

        Raises:
            ItemIndexError: ``idx`` is out of range.
            ManifestFormatError: The line is not a JSON object (``file:line`` and its byte range).
        """
        line = self.raw(idx)
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            idx = check_position(idx, self._len, self.path)
            raise ManifestFormatError(
                f"{self.path}:{idx + 1}: line {idx} of the index {str(self._idx_path)!r} is not valid JSON "
                f"({err}); it starts with {line[:60]!r}. If the file was changed in place, rebuild the index "
                f"with `lite index`"
            ) from err
        if obj.__class__ is not dict:
            idx = check_position(idx, self._len, self.path)
            raise ManifestFormatError(
                f"{self.path}:{idx + 1}: expected a JSON object on each line, got {type(obj).__name__}"
            )
        return obj

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        for i in range(len(self)):
            yield self[i]

    def close(self) -> None:
        """Close the local file (reopened on the next read)."""
        if isinstance(self._data, LocalByteRanges):
            self._data.close()

    def __getstate__(self) -> Dict[str, Any]:
        state = self.__dict__.copy()
        state["_view"] = state["_offsets"] = None
        return state

    def __repr__(self) -> str:
        return f"IndexedJsonlReader({str(self.path)!r}, lines={len(self)})"


_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_BLOCK = 1 << 14  # permutation values computed at a time


class LazyShuffledRange:
    """A seed-determined permutation of ``range(n)`` in O(1) memory (Lhotse 2.0's order).

    ``perm[i]`` is O(1); iterating walks the permutation from the current position and can be
    checkpointed with :meth:`state_dict`/:meth:`load_state_dict`. With ``num_shards > 1`` only the
    logical positions ``shard_id, shard_id + num_shards, ...`` are visited (one disjoint part per
    worker), as in Lhotse 2.0.

    Args:
        n: Size of the range (>= 0).
        seed: Any int; only its low 32 bits are used (as Lhotse 2.0).
        shard_id: This part (``0 <= shard_id < num_shards``).
        num_shards: Number of parts.

    Raises:
        ManifestArgumentError: ``n < 0`` or a shard outside ``[0, num_shards)``.

    Example:
        >>> perm = LazyShuffledRange(8, seed=0)
        >>> [perm[i] for i in range(8)] == list(LazyShuffledRange(8, seed=0))
        True
    """

    _ROUNDS = 6

    def __init__(self, n: int, seed: int, shard_id: int = 0, num_shards: int = 1) -> None:
        if n < 0 or num_shards < 1 or not 0 <= shard_id < num_shards:
            raise ManifestArgumentError(
                f"LazyShuffledRange needs n >= 0 and 0 <= shard_id < num_shards, "
                f"got n={n}, shard_id={shard_id}, num_shards={num_shards}"
            )
        self.n, self.seed, self.shard_id, self.num_shards = int(n), int(seed), shard_id, num_shards
        self._pos = 0
        total_bits = 2 if n <= 1 else max(2, (n - 1).bit_length())
        total_bits += total_bits % 2
        self._half_bits = total_bits // 2
        self._half_mask = (1 << self._half_bits) - 1
        rng = np.random.RandomState(self.seed & 0xFFFFFFFF)
        self._round_keys = [int(rng.randint(0, 2**63)) for _ in range(self._ROUNDS)]

    def __len__(self) -> int:
        if self.n <= self.shard_id:
            return 0
        return (self.n - self.shard_id + self.num_shards - 1) // self.num_shards

    def _feistel(self, x: np.ndarray) -> np.ndarray:
        half, mask = np.uint64(self._half_bits), np.uint64(self._half_mask)
        left, right = (x >> half) & mask, x & mask
        with np.errstate(over="ignore"):
            for key in self._round_keys:
                h = (right ^ np.uint64(key)) * np.uint64(2654435761)
                h ^= h >> np.uint64(17)
                h = h * np.uint64(0xBF58476D1CE4E5B9)
                h ^= h >> np.uint64(31)
                left, right = right, left ^ (h & mask)
        return (left << half) | right

    def _permute(self, logical: np.ndarray) -> np.ndarray:
        x = self._feistel(logical)
        outside = x >= self.n
        while outside.any():  # cycle-walking: re-encrypt until the value falls in [0, n)
            x[outside] = self._feistel(x[outside])
            outside = x >= self.n
        return x

    def array(self, start: int, stop: int) -> np.ndarray:
        """Elements ``start .. stop - 1`` of this shard's permutation, as a ``uint64`` array (computed at once)."""
        logical = np.arange(start, stop, dtype=np.uint64) * np.uint64(self.num_shards) + np.uint64(self.shard_id)
        return self._permute(logical)

    def values(self, start: int, stop: int) -> List[int]:
        """Elements ``start .. stop - 1`` of this shard's permutation."""
        return self.array(start, stop).tolist()

    def __getitem__(self, idx: int) -> int:
        length = len(self)
        if idx < 0:
            idx += length
        if not 0 <= idx < length:
            raise ItemIndexError(f"index {idx} out of range for LazyShuffledRange(n={self.n}) of length {length}")
        return self.values(idx, idx + 1)[0]

    def __iter__(self) -> Iterator[int]:
        length = len(self)
        size = 64  # small first blocks: the first item (of a pass, or after a resume) comes at once
        while self._pos < length:
            block = self.values(self._pos, min(self._pos + size, length))
            size = min(2 * size, _BLOCK)
            for value in block:
                self._pos += 1
                yield value

    def reset(self) -> None:
        """Start the next iteration from the beginning."""
        self._pos = 0

    def state_dict(self) -> Dict[str, int]:
        """``{"n", "seed", "shard_id", "num_shards", "pos"}`` (Lhotse 2.0's keys)."""
        return {
            "n": self.n,
            "seed": self.seed,
            "shard_id": self.shard_id,
            "num_shards": self.num_shards,
            "pos": self._pos,
        }

    def load_state_dict(self, state: Dict[str, int]) -> None:
        """Continue from a :meth:`state_dict` of the same range.

        Raises:
            ManifestArgumentError: The state is of another ``n``, seed or sharding.
        """
        mine = (self.n, self.seed, self.shard_id, self.num_shards)
        saved = (state["n"], state["seed"], state.get("shard_id", 0), state.get("num_shards", 1))
        if saved != mine:
            raise ManifestArgumentError(
                f"LazyShuffledRange state is of (n, seed, shard_id, num_shards)={saved}, "
                f"this range is {mine}; restore it into the range that saved it"
            )
        self._pos = state["pos"]
