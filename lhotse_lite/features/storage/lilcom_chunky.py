"""``lilcom_chunky``: all matrices in one archive file, each cut into lilcom-compressed chunks.

Layout (Lhotse's "lilcom chunky archive", ``.lca``): every matrix is split along time into chunks of
:data:`~lhotse_lite.features.storage.codec.CHUNK_FRAMES` (500) frames, each chunk is lilcom-compressed,
and the chunks are appended to the file back to back. The ``storage_key`` is a comma-separated list:
the byte offset of the first chunk, then the byte length of every chunk (``"14601,31,23,42"``). A
reader therefore knows where each chunk starts without reading anything else, and a slice of frames
costs one ``pread`` of just the chunks that overlap it, or one ranged request when the archive is a
URL (``s3://...``; see :mod:`lhotse_lite.remote`).

A writer given a URL writes the archive in a local staging file
(:func:`lhotse_lite.remote.staging_path`) and uploads the whole archive, atomically, on
:meth:`~LilcomChunkyWriter.flush` and :meth:`~LilcomChunkyWriter.close`; a ``with`` block that
raises uploads nothing and leaves the staged file for a resume; appending
(``mode="a"``) to a URL archive that is not staged locally downloads it first. Decoded chunks of a
URL archive are cached by URL and offset: an archive replaced while a process reads it needs
:func:`close_cached_file_handles`.

Example:
    >>> import numpy as np, tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> feats = np.arange(1200 * 2, dtype=np.float32).reshape(1200, 2) / 64
    >>> with LilcomChunkyWriter(os.path.join(folder, "feats")) as writer:
    ...     key = writer.write("utt1", feats)
    >>> writer.storage_path.endswith("feats.lca"), len(key.split(","))
    (True, 4)
    >>> part = LilcomChunkyReader(writer.storage_path).read(key, 510, 520)
    >>> bool(np.allclose(part, feats[510:520], atol=2 ** -6))
    True
"""

from __future__ import annotations

import collections
import os
import threading
from pathlib import Path
from typing import IO, Any, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

from lhotse_lite import remote
from lhotse_lite.errors import ConfigError, StorageError, StorageFormatError
from lhotse_lite.features.storage.base import (
    FeaturesReader,
    FeaturesWriter,
    check_float_matrix,
    check_out,
    fill_out,
    register_reader,
    register_writer,
    storage_error,
)
from lhotse_lite.features.storage.codec import (
    CHUNK_FRAMES,
    DEFAULT_TICK_POWER,
    lilcom_decode_into,
    lilcom_encode_chunks,
    lilcom_shape,
)
from lhotse_lite.output_lock import RemoteOutput
from lhotse_lite.safe_writes import naming_write_errors

__all__ = ["LilcomChunkyWriter", "LilcomChunkyReader", "set_chunk_cache_size", "close_cached_file_handles"]

_SUFFIX = ".lca"


def _key_end(key: str) -> int:
    """The byte just after the last chunk of a ``lilcom_chunky`` key (``"offset,len,len,..."``)."""
    fields = [int(field) for field in str(key).split(",")]
    return fields[0] + sum(fields[1:])


def archive_path(storage_path: Union[str, Path]) -> Path:
    """Lhotse's naming rule: add ``.lca`` unless the path already ends with it."""
    path = Path(storage_path)
    return path if path.suffix == _SUFFIX else path.with_suffix(path.suffix + _SUFFIX)


@register_writer
class LilcomChunkyWriter(FeaturesWriter):
    """Appends lilcom-compressed chunks of each matrix to one ``.lca`` archive.

    The file is opened on the first write (so constructing a writer never truncates an archive) and
    every write is flushed, so a crash cannot leave a returned key pointing at unwritten bytes.
    Before it opens or cuts the archive the writer takes its lock (``<archive>.lock``, see
    :meth:`~lhotse_lite.features.storage.base.FeaturesWriter.lock_output`), held until :meth:`close`.

    Args:
        storage_path: The archive path; ``.lca`` is appended unless present.
        tick_power: Lilcom precision (values stored as multiples of ``2**tick_power``).
        mode: ``"w"``/``"wb"`` starts a new archive, ``"a"``/``"ab"`` appends to an existing one.

    Raises:
        ConfigError: ``mode`` is not a write or append mode.

    Example:
        >>> import numpy as np, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "feats")
        >>> with LilcomChunkyWriter(path) as writer:
        ...     key = writer.write("utt1", np.zeros((700, 4), dtype=np.float32))
        >>> key.split(",")[0], len(key.split(",")), LilcomChunkyReader(path + ".lca").read(key).shape
        ('0', 3, (700, 4))
    """

    name = "lilcom_chunky"
    CHUNK_SIZE = CHUNK_FRAMES

    def __init__(
        self,
        storage_path: Union[str, Path],
        tick_power: int = DEFAULT_TICK_POWER,
        mode: str = "wb",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        mode = mode if "b" in mode else mode + "b"
        if mode not in ("wb", "ab"):
            raise ConfigError(f"LilcomChunkyWriter mode must be 'w' or 'a' (binary implied), got {mode!r}")
        # A URL archive is written in a local staging file and uploaded by flush() and close().
        url = str(storage_path) if remote.is_url(storage_path) else None
        self.url = None if url is None else url if url.endswith(_SUFFIX) else url + _SUFFIX
        self.storage_path_ = remote.staging_path(self.url) if self.url else archive_path(storage_path)
        self._remote = RemoteOutput(self.url) if self.url else None  # never overwrites another run's upload
        self._dirty = False
        self.tick_power = tick_power
        self.mode = mode
        self._file: Optional[IO[bytes]] = None
        self._offset = 0

    @property
    def storage_path(self) -> str:
        """The archive path as a string (``storage_path_`` holds it as a ``Path``, as in Lhotse), or its URL."""
        return self.url or str(self.storage_path_)

    def encode(self, value: np.ndarray) -> List[bytes]:
        check_float_matrix(value, self.name)
        return lilcom_encode_chunks(value, self.tick_power, CHUNK_FRAMES)

    def write_encoded(self, key: str, payload: List[bytes]) -> str:
        file = self._open()
        start = self._offset
        with naming_write_errors(self.storage_path_):
            file.write(b"".join(payload))
            file.flush()
        lengths = [len(chunk) for chunk in payload]
        self._offset = start + sum(lengths)
        self._dirty = True
        return ",".join(map(str, [start, *lengths]))

    def flush(self) -> None:
        """Makes what was written durable: ``fsync`` locally; for a URL archive also an upload of the whole archive."""
        if self._file is not None:
            with naming_write_errors(self.storage_path_):
                self._file.flush()
                os.fsync(self._file.fileno())
        self._upload()

    def _upload(self) -> None:
        if self._remote is not None and self._dirty:  # one atomic put of the archive as it is now
            self._remote.upload(self.storage_path_)
            self._dirty = False

    def _fetch_staged(self) -> None:
        """Appending to a URL archive that is not staged here: start from the uploaded object."""
        if self._remote is not None and not self._remote.begun:
            self._remote.begin()  # what the URL holds as this run begins
        if self.url and self.mode == "ab" and not self.storage_path_.exists() and remote.exists(self.url):
            remote.download(self.url, self.storage_path_)

    def truncate_after(self, keys: Iterable[str]) -> int:
        """Cuts the archive after the last byte that ``keys`` reference; call it before writing.

        A run that is killed leaves the matrices it stored after its last manifest flush in the
        archive, referenced by nothing (data is written before the manifest line that points at it,
        so the unreferenced bytes are always at the end). A resume calls this with the keys it kept,
        so the archive does not grow by those bytes with every interruption.

        Args:
            keys: Storage keys (``"offset,len,len,..."``) of every matrix to keep.

        Returns:
            The number of bytes removed (0 when there is no such tail or no archive yet).

        Raises:
            StorageError: The writer has already written, or the archive is shorter than the keys
                say (it was replaced or cut; the keys belong to another archive).
            OutputLockedError: Another writer holds the archive.

        Example:
            >>> import numpy as np, tempfile, os
            >>> path = os.path.join(tempfile.mkdtemp(), "feats.lca")
            >>> with LilcomChunkyWriter(path) as writer:
            ...     kept = writer.write("a", np.zeros((10, 4), dtype=np.float32))
            ...     lost = writer.write("b", np.ones((10, 4), dtype=np.float32))  # never recorded
            >>> LilcomChunkyWriter(path, mode="ab").truncate_after([kept]) == sum(map(int, lost.split(",")[1:]))
            True
        """
        if self._file is not None:
            raise StorageError(f"{self.storage_path_}: truncate_after must be called before the writer writes")
        self.lock_output()
        end = max((_key_end(key) for key in keys), default=0)
        self._fetch_staged()
        try:
            size = os.path.getsize(self.storage_path_)
        except FileNotFoundError:
            size = 0
        if size < end:
            raise StorageError(
                f"{self.storage_path_} has {size} bytes but the kept manifest lines reference bytes up to {end}; "
                f"the archive was replaced or cut, so the manifest no longer matches it. Start a fresh "
                f"run (delete the manifest and the archive)"
            )
        if size > end:
            os.truncate(self.storage_path_, end)
            self._dirty = True
        return size - end

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self.mode = "ab"  # reopening after close must not truncate what was written
        if self.url:
            self._upload()
            if self.storage_path_.exists():
                self.storage_path_.unlink()  # the store holds it now; a later append downloads it
        self.release_output_lock()

    def __exit__(self, *exc: object) -> None:
        if exc and exc[0] is not None and self.url:  # a failed run uploads nothing; a resume continues the staged file
            if self._file is not None:
                self._file.close()
                self._file = None
                self.mode = "ab"
            self.release_output_lock()
            return
        self.close()

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self.lock_output()  # before anything is truncated or appended
            self.storage_path_.parent.mkdir(parents=True, exist_ok=True)
            self._fetch_staged()
            self._file = open(self.storage_path_, self.mode)  # noqa: SIM115  (the writer owns it until close())
            self._file.seek(0, os.SEEK_END)
            self._offset = self._file.tell()
        return self._file

    def __getstate__(self) -> Dict[str, Any]:
        # Picklable for worker processes, which only call encode(); the open file stays here.
        state = super().__getstate__()
        state["_file"] = None
        return state


@register_reader
class LilcomChunkyReader(FeaturesReader[str]):
    """Reads slices of matrices from a ``.lca`` archive, touching only the chunks that overlap them.

    Args:
        storage_path: The archive path recorded in the manifest.

    Example:
        >>> import numpy as np, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "feats.lca")
        >>> with LilcomChunkyWriter(path) as writer:
        ...     key = writer.write("utt1", np.ones((1000, 2), dtype=np.float32))
        >>> LilcomChunkyReader(path).read(key, 499, 501).tolist()  # frames from two chunks
        [[1.0, 1.0], [1.0, 1.0]]
    """

    name = "lilcom_chunky"
    CHUNK_SIZE = CHUNK_FRAMES

    def read(
        self,
        key: str,
        left_offset_frames: int = 0,
        right_offset_frames: Optional[int] = None,
        out: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        path = str(self.storage_path)
        version = _file_version(path, key)
        start, lengths = _parse_key(key, path, version[2])
        left = max(left_offset_frames, 0)
        first = left // CHUNK_FRAMES
        if right_offset_frames is None:
            last = len(lengths)
        else:
            last = min(len(lengths), -(-right_offset_frames // CHUNK_FRAMES))
        if first >= last:
            empty = np.empty((0,), dtype=np.float32)
            return empty if out is None else fill_out(out, empty.reshape((0, *out.shape[1:])), path, key)
        begin = start + sum(lengths[:first])
        chunks: List[Optional[np.ndarray]] = []
        offsets = []
        position = begin
        cached = len(_CACHE) > 0
        for length in lengths[first:last]:
            chunks.append(_CACHE.get((path, version, position)) if cached else None)
            offsets.append((position, length))
            position += length
        missing = [i for i, chunk in enumerate(chunks) if chunk is None]
        payloads: Dict[int, bytes] = {}
        if missing:
            byte_lo, byte_hi = offsets[missing[0]][0], sum(offsets[missing[-1]])
            data = _pread(path, byte_lo, byte_hi - byte_lo, key, version)
            payloads = {i: data[offsets[i][0] - byte_lo : sum(offsets[i]) - byte_lo] for i in missing}
        shapes = [
            chunk.shape if chunk is not None else _chunk_shape(payloads[i], path, key) for i, chunk in enumerate(chunks)
        ]
        if len({shape[1:] for shape in shapes}) != 1:
            raise storage_error(path, key, ValueError(f"chunks of differing shapes {sorted(set(shapes))}"))
        # frames [lo, hi) of the chunks' rows are returned (the chunks' first row is frame first * CHUNK_FRAMES)
        total = sum(shape[0] for shape in shapes)
        lo = left - first * CHUNK_FRAMES
        hi = max(lo, total if right_offset_frames is None else min(total, right_offset_frames - first * CHUNK_FRAMES))
        shape = (hi - lo, *shapes[0][1:])
        if out is None:
            out = np.empty(shape, dtype=np.float32)
        else:
            check_out(out, shape, path, key)
        # Each chunk is decoded straight into its rows of ``out`` when they are all wanted and ``out`` is
        # C-contiguous float32 (no per-chunk arrays to join); a chunk cut by the range goes through a
        # temporary array.
        direct = out.dtype == np.float32 and out.flags.c_contiguous
        whole = first == 0 and last == len(lengths)
        row = 0
        for i, (chunk, chunk_shape) in enumerate(zip(chunks, shapes)):
            top, row = row, row + chunk_shape[0]
            a, b = max(top, lo), min(row, hi)  # the chunk's rows that are wanted
            if a >= b:
                continue
            if chunk is None:
                if direct and (a, b) == (top, row):
                    chunk = out[a - lo : b - lo]
                    _decode_into(payloads[i], chunk, path, key)
                    if not whole:  # a part of a longer matrix: its neighbours' reads may need this chunk
                        _CACHE.put((path, version, offsets[i][0]), chunk.copy())
                    continue
                chunk = np.empty(chunk_shape, dtype=np.float32)
                _decode_into(payloads[i], chunk, path, key)
                if not whole:
                    _CACHE.put((path, version, offsets[i][0]), chunk)
            out[a - lo : b - lo] = chunk[a - top : b - top]
        return out


def _chunk_shape(payload: bytes, path: str, key: str) -> Tuple[int, ...]:
    try:
        return lilcom_shape(payload)
    except ValueError as err:
        raise storage_error(path, key, err) from err


def _decode_into(payload: bytes, rows: np.ndarray, path: str, key: str) -> None:
    try:
        lilcom_decode_into(payload, rows)
    except ValueError as err:
        raise storage_error(path, key, err) from err


class _ChunkCache:
    """A byte-bounded LRU of decoded chunks, keyed by (path, file version, byte offset).

    Reading consecutive segments of a long recording decodes each 500-frame chunk once instead of
    once per segment. Only partial reads fill it: a read of a whole matrix shares no chunk with
    another read, and caching it would only evict the chunks that segment reads reuse. The file
    version (inode, size, mtime) is part of the key, so a rewritten archive is never served from
    stale entries. Callers get copies, never the cached arrays.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: "collections.OrderedDict[Tuple[Any, ...], np.ndarray]" = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Tuple[Any, ...]) -> Optional[np.ndarray]:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: Tuple[Any, ...], value: np.ndarray) -> None:
        if value.nbytes > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._bytes += value.nbytes
            while self._bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


_CACHE = _ChunkCache(64 << 20)


def set_chunk_cache_size(max_bytes: int) -> None:
    """Sets the per-process budget of the decoded-chunk cache (default 64 MiB; 0 disables it).

    Example:
        >>> set_chunk_cache_size(0); set_chunk_cache_size(64 << 20)
    """
    _CACHE.clear()
    _CACHE.max_bytes = int(max_bytes)


def close_cached_file_handles() -> None:
    """Closes the archive descriptors kept open by the readers and empties the decoded-chunk cache.

    Readers reopen what they need on their next call. Call it e.g. before deleting or replacing
    archives in a long-running process (Lhotse's function of the same name closes its HDF5 handles).

    Example:
        >>> close_cached_file_handles()
    """
    with _FDS_LOCK:
        for fd, _, _ in _FDS.values():
            os.close(fd)
        _FDS.clear()
    _CACHE.clear()


def _parse_key(key: str, path: str, size: int) -> Tuple[int, List[int]]:
    """``(offset, chunk lengths)`` of a key, checked against the archive's ``size`` in bytes."""
    try:
        fields = [int(field) for field in str(key).split(",")]
    except ValueError as err:
        raise StorageFormatError(
            f"{key!r} is not a lilcom_chunky storage key (comma-separated byte offset and chunk lengths) "
            f"for {path!r}; the manifest's storage_type or storage_key is wrong"
        ) from err
    if any(field < 0 for field in fields) or any(length == 0 for length in fields[1:]):
        raise StorageFormatError(
            f"storage key {key!r} for {path!r} holds a negative offset or an empty chunk; a lilcom_chunky "
            f"key is a byte offset >= 0 followed by chunk lengths > 0. The manifest's storage_key is wrong"
        )
    end = sum(fields)
    if 0 <= size < end:  # size -1: a URL, whose ranged read checks the length instead
        raise StorageFormatError(
            f"storage key {key!r} points at bytes up to {end} but the archive {path!r} has {size} bytes; "
            f"the archive is truncated or the manifest belongs to another archive"
        )
    return fields[0], fields[1:]


def _file_version(path: str, key: str) -> Tuple[int, int, int, int]:
    if remote.is_url(path):  # no metadata request: a matrix is one ranged request; objects change whole
        return (0, 0, -1, 0)
    try:
        stat = os.stat(path)
    except OSError as err:
        raise storage_error(path, key, err) from err
    return (stat.st_ino, stat.st_dev, stat.st_size, stat.st_mtime_ns)


_FDS: Dict[str, Tuple[int, int, int]] = {}
_FDS_LOCK = threading.Lock()
_MAX_OPEN = 64


def _pread(path: str, offset: int, size: int, key: str, version: Tuple[int, int, int, int]) -> bytes:
    """Reads ``size`` bytes at ``offset`` of a local archive (``version`` from :func:`_file_version`), or
    of a URL with one ranged request."""
    try:
        if remote.is_url(path):
            data = remote.read_range(path, offset, size)
        else:
            data = _pread_local(path, offset, size, version[:2])
    except OSError as err:
        raise storage_error(remote.redact(path), key, err) from err
    if len(data) != size:
        raise StorageFormatError(
            f"stored features {key!r} in {remote.redact(path)!r} end at byte {offset + size} but the file has only "
            f"{offset + len(data)} bytes there; the archive is truncated or the manifest belongs to "
            f"another archive"
        )
    return data


def _pread_local(path: str, offset: int, size: int, inode: Tuple[int, int]) -> bytes:
    """``os.pread`` through a descriptor cached per path, reopened when the file's ``(inode, device)``
    (from the caller's ``stat``) differs from the open one's: the file was replaced."""
    with _FDS_LOCK:
        cached = _FDS.get(path)
        if cached is None or cached[1:] != inode:
            if cached is not None:
                os.close(cached[0])
            elif len(_FDS) >= _MAX_OPEN:
                os.close(_FDS.pop(next(iter(_FDS)))[0])
            cached = (os.open(path, os.O_RDONLY), *inode)
            _FDS[path] = cached
        fd = cached[0]
    return os.pread(fd, size, offset)
