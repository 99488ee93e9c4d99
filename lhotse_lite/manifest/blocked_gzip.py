"""Random access into ``.jsonl.gz`` manifests: block-compressed gzip and its block index ``<file>.gzi``.

**The data file** is an ordinary gzip file made of many gzip members (RFC 1952 allows any number;
``zcat``, Python's ``gzip``, Lhotse 1.33 and 2.0 read them one after another as one stream). Each
member holds whole lines, about :data:`BLOCK_BYTES` of them uncompressed (a longer line gets a member
of its own), compressed at level 6 with a fixed header (``mtime`` 0), so item ``i`` is read by
decompressing one small member, and only up to the end of line ``i``. Compression and decompression
use ``zlib-ng`` when it is installed (the ``gzip`` extra: 1.5-2 times zlib's speed both ways and
members about 2 % smaller at the same level), else Python's ``zlib``; both write and read the same
format. :func:`write_blocked_gzip` writes such files (``to_file`` of a
``.jsonl.gz`` and :func:`index_gzip_manifest` use it).

**The block index** ``<file>.gzi`` (binary, little-endian, version 1)::

    magic  b"LITEGZI\\0"   8 bytes
    version, 0             2 x uint32
    data file size         uint64   (a rewritten or truncated data file is refused)
    B, N                   2 x uint64: number of members (blocks) and of lines
    offsets                (B + 1) x uint64: byte offset of each member, then the file size
    first lines            (B + 1) x uint64: number of the first line of each block, then N
    line starts            N x uint32: where each line starts in its block's decompressed text
    block lengths          B x uint32: decompressed size of each block

The summary ``<file>.idx.json`` and the id index ``<file>.idx.ids`` are those of any indexed manifest
(:mod:`lhotse_lite.manifest.sidecars`); line numbers count every line, as in ``.idx``.

An existing single-stream ``.jsonl.gz`` (written by Lhotse or ``gzip``) is indexed by re-blocking it:
:func:`index_gzip_manifest` rewrites it atomically as blocked gzip with the same decompressed bytes.
(Seek points in the style of ``indexed_gzip``/``zran`` keep the file as it is but store a 32 KiB
window per point and need ``inflatePrime``, which Python's ``zlib`` lacks, and each read inflates
from the nearest point: far slower random reads unless the points are dense. Re-blocking costs one
rewrite and about 5-10 % in size and gives one-member reads; see the manifests page.)

Example:
    >>> import gzip, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl.gz")
    >>> lines = [b'{"id": "u%d"}\\n' % i for i in range(5000)]
    >>> write_blocked_gzip(path, lines)
    >>> gzip.open(path).read() == b"".join(lines)
    True
    >>> reader = BlockedGzipReader(path)
    >>> len(reader), reader[4321], reader.num_blocks > 1
    (5000, {'id': 'u4321'}, True)
"""

from __future__ import annotations

import array
import bisect
import collections
import contextlib
import itertools
import logging
import os
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import orjson

from lhotse_lite.errors import ManifestFormatError, ManifestNotFoundError
from lhotse_lite.indexing import ByteRanges, LocalByteRanges, Pathlike, check_position
from lhotse_lite.manifest.formats import (  # gzi_path, has_block_index: here for numpy-free callers
    GZI_HEADER,
    GZI_MAGIC,
    gzi_path,
    has_block_index,
    read_block_index_header,
)

_deflate: ModuleType
try:  # the same API as zlib, 1.5-2 times as fast (an optional dependency: the ``gzip`` extra)
    from zlib_ng import zlib_ng as _deflate
except ImportError:  # pragma: no cover - depends on the environment
    _deflate = zlib

__all__ = [
    "BLOCK_BYTES",
    "gzi_path",
    "has_block_index",
    "write_blocked_gzip",
    "BlockedGzipWriter",
    "BlockedGzipReader",
    "index_gzip_manifest",
]

logger = logging.getLogger(__name__)

BLOCK_BYTES = 12 << 10
"""Decompressed bytes of lines gathered into one gzip member (12 KiB: a random read decompresses half of it
on average; smaller members read faster but compress worse, see the manifests page)."""

_MAGIC = GZI_MAGIC
_HEADER = GZI_HEADER
_LEVEL = 6


def _member(text: bytes) -> bytes:
    compressor = _deflate.compressobj(_LEVEL, _deflate.DEFLATED, 31)  # 31: gzip framing, mtime 0
    return compressor.compress(text) + compressor.flush()


class BlockedGzipWriter:
    """Writes lines as block-compressed gzip to a binary file and collects the block index.

    Args:
        out: A binary file open for writing (at its start).
        block_bytes: Decompressed bytes per member.

    A member ends when it reaches ``block_bytes``, at :meth:`end_member` (a writer that flushes ends
    the member it has begun) and at :meth:`finish`. :meth:`continue_in` goes on in another file holding
    what was written so far (a resumed writer's partial file).

    Example:
        See :func:`write_blocked_gzip`.
    """

    def __init__(self, out: Any, block_bytes: int = BLOCK_BYTES) -> None:
        self._out = out
        self._block_bytes = block_bytes
        self._pending: List[bytes] = []
        self._pending_size = 0
        self._pos = 0
        self.offsets: List[int] = []
        self.first_lines: List[int] = []
        self.block_lengths: List[int] = []
        self.line_starts = array.array("I")
        self.num_lines = 0

    def write(self, line: bytes) -> None:
        """Append one line (with its newline)."""
        self._pending.append(line)
        self._pending_size += len(line)
        if self._pending_size >= self._block_bytes:
            self._flush_block()

    def write_lines(self, lines: Iterable[bytes]) -> None:
        """Append every line of ``lines`` (each with its newline)."""
        pending, limit = self._pending, self._block_bytes
        for line in lines:
            pending.append(line)
            self._pending_size += len(line)
            if self._pending_size >= limit:
                self._flush_block()
                pending = self._pending

    def _flush_block(self) -> None:
        if not self._pending:
            return
        lengths = [len(line) for line in self._pending]
        self.line_starts.extend(itertools.accumulate(lengths[:-1], initial=0))
        self.num_lines += len(lengths)
        member = _member(b"".join(self._pending))
        self.offsets.append(self._pos)
        self.first_lines.append(self.num_lines - len(self._pending))
        self.block_lengths.append(self._pending_size)
        self._out.write(member)
        self._pos += len(member)
        self._pending, self._pending_size = [], 0

    def end_member(self) -> None:
        """Compress the lines written since the last member into a member of their own (none if there are none)."""
        self._flush_block()

    def continue_in(self, out: Any) -> None:
        """Write the next members to ``out``: a binary file whose first :attr:`size` bytes are what was written."""
        self._flush_block()
        self._out = out

    @property
    def size(self) -> int:
        """Bytes written so far (complete members)."""
        return self._pos

    def finish(self) -> None:
        """Write the last block (an empty file gets one empty member, as ``gzip`` writes)."""
        if self._pending or not self.offsets:
            if not self._pending:  # a valid gzip file needs a member
                self.offsets.append(self._pos)
                self.first_lines.append(0)
                self.block_lengths.append(0)
                member = _member(b"")
                self._out.write(member)
                self._pos += len(member)
            else:
                self._flush_block()

    def index_bytes(self) -> bytes:
        """The ``.gzi`` file for what was written (call :meth:`finish` first)."""
        blocks = len(self.offsets)
        header = _HEADER.pack(_MAGIC, 1, 0, self._pos, blocks, self.num_lines)
        return b"".join(
            [
                header,
                np.asarray([*self.offsets, self._pos], dtype="<u8").tobytes(),
                np.asarray([*self.first_lines, self.num_lines], dtype="<u8").tobytes(),
                np.asarray(self.line_starts, dtype="<u4").tobytes(),
                np.asarray(self.block_lengths, dtype="<u4").tobytes(),
            ]
        )


def write_blocked_gzip(path: Pathlike, lines: Iterable[bytes], block_bytes: int = BLOCK_BYTES) -> None:
    """Write ``lines`` to ``path`` as block-compressed gzip with its block index, both atomically.

    The old index files are removed before the data is renamed into place.

    Example:
        See the module docstring.
    """
    from lhotse_lite.manifest.formats import atomic_open
    from lhotse_lite.manifest.sidecars import remove_sidecars
    from lhotse_lite.safe_writes import make_temp_file, naming_write_errors

    path = Path(path)
    fd, tmp = make_temp_file(path)
    try:
        with naming_write_errors(path), os.fdopen(fd, "wb") as f:
            writer = BlockedGzipWriter(f, block_bytes)
            writer.write_lines(lines)
            writer.finish()
            f.flush()
            os.fsync(f.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        remove_sidecars(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with atomic_open(gzi_path(path)) as f:
        f.write(writer.index_bytes())


class BlockedGzipReader:
    """Random access to the lines of a block-compressed ``.jsonl.gz`` through its ``.gzi`` block index.

    ``reader[i]`` decompresses the one member holding line ``i`` (the last few blocks read are kept,
    so nearby reads are cheap) and parses the line.

    Args:
        path: The ``.jsonl.gz`` file (written by lhotse_lite, or re-blocked by ``lite index``).
        index_path: The block index, when it is not ``<path>.gzi``.
        ranges: Reads the data instead of ``path`` (a :class:`~lhotse_lite.indexing.ByteRanges`: one
            ``read`` per member; a URL: see :mod:`lhotse_lite.manifest.remote_indexed`); ``None`` reads
            ``path`` with ``os.pread``.

    Raises:
        ManifestNotFoundError: The data file or its block index is missing.
        StaleIndexError: The block index does not match the data file, or is not one.

    Example:
        See the module docstring.
    """

    _CACHED_BLOCKS = 4

    def __init__(
        self, path: Pathlike, index_path: Optional[Pathlike] = None, ranges: Optional[ByteRanges] = None
    ) -> None:
        if ranges is None and not os.path.isfile(path):
            raise ManifestNotFoundError(f"manifest file not found: {str(path)!r}")
        index = gzi_path(path) if index_path is None else Path(index_path)
        blocks, lines = read_block_index_header(path, index, None if ranges is None else ranges.size)
        self.path = path
        self.ranges = ranges
        raw = np.fromfile(index, dtype=np.uint8)
        pos = _HEADER.size
        self.offsets = raw[pos : pos + 8 * (blocks + 1)].view("<u8").tolist()
        pos += 8 * (blocks + 1)
        self.first_lines = raw[pos : pos + 8 * (blocks + 1)].view("<u8").tolist()
        pos += 8 * (blocks + 1)
        self._starts = raw[pos : pos + 4 * lines].view("<u4").data
        pos += 4 * lines
        self.block_lengths = raw[pos : pos + 4 * blocks].view("<u4").tolist()
        self._len = int(lines)
        self._cache: "collections.OrderedDict[int, bytes]" = collections.OrderedDict()
        self._data: ByteRanges = ranges if ranges is not None else LocalByteRanges(path)

    @property
    def num_blocks(self) -> int:
        """Number of gzip members."""
        return len(self.block_lengths)

    def __len__(self) -> int:
        return self._len

    def block_text(self, block: int) -> bytes:
        """The decompressed text of ``block``."""
        text = self._cache.get(block)
        if text is not None:
            self._cache.move_to_end(block)
            return text
        text = self._decompress(block, 0)
        self._cache[block] = text
        if len(self._cache) > self._CACHED_BLOCKS:
            self._cache.popitem(last=False)
        return text

    def _decompress(self, block: int, upto: int) -> bytes:
        """The text of ``block``: all of it (``upto=0``), or at least its first ``upto`` bytes."""
        offsets = self.offsets
        start = offsets[block]
        data = self._data.read(start, offsets[block + 1] - start)
        try:
            return _deflate.decompressobj(31).decompress(data, upto)
        except _deflate.error as err:
            raise ManifestFormatError(
                f"{self.path}: gzip member {block} at byte {start} is corrupt ({err}); "
                f"the file changed after indexing? Rebuild with `lite index`"
            ) from err

    def block_of(self, idx: int) -> int:
        """The block holding line ``idx``."""
        return bisect.bisect_right(self.first_lines, idx) - 1

    def block_lines(self, block: int) -> Tuple[int, List[bytes]]:
        """``(first line number, lines)`` of ``block``."""
        text = self.block_text(block)
        first, stop = self.first_lines[block], self.first_lines[block + 1]
        lines = text.splitlines(keepends=True)
        if len(lines) != stop - first:  # a line holds a carriage return: cut where the index says
            starts = [*self._starts[first:stop], len(text)]
            lines = [text[starts[k] : starts[k + 1]] for k in range(stop - first)]
        return first, lines

    def raw(self, idx: int) -> bytes:
        """The bytes of line ``idx``.

        Raises:
            ItemIndexError: ``idx`` is out of range.
        """
        if not 0 <= idx < self._len:
            idx = check_position(idx, self._len, self.path)
        first_lines = self.first_lines
        block = bisect.bisect_right(first_lines, idx) - 1
        starts = self._starts
        start = starts[idx]
        end = starts[idx + 1] if idx + 1 < first_lines[block + 1] else self.block_lengths[block]
        text = self._cache.get(block)
        if text is None:  # decompress only up to the end of the line (a random read: half a block on average)
            text = self._decompress(block, end)
        return text[start:end]

    def lines_at(self, positions: Union[np.ndarray, Sequence[int]]) -> List[bytes]:
        """The bytes of the lines at ``positions`` (integers in ``[0, len)``), in that order.

        The lines of one block are cut from one decompression of it (up to the last of them).
        """
        first_lines, starts, lengths, cache = self.first_lines, self._starts, self.block_lengths, self._cache
        bisect_right = bisect.bisect_right
        wanted: Dict[int, int] = {}  # block -> the end of its last wanted line
        spans = []
        for idx in np.asarray(positions, dtype=np.int64).tolist():
            block = bisect_right(first_lines, idx) - 1
            end = starts[idx + 1] if idx + 1 < first_lines[block + 1] else lengths[block]
            spans.append((block, starts[idx], end))
            if wanted.get(block, 0) < end:
                wanted[block] = end
        texts = {block: cache.get(block) or self._decompress(block, end) for block, end in wanted.items()}
        return [texts[block][start:end] for block, start, end in spans]

    def __getitem__(self, idx: int) -> Dict[str, Any]:
        """The JSON object on line ``idx``.

        Raises:
            ItemIndexError: ``idx`` is out of range.
            ManifestFormatError: The line is not a JSON object.
        """
        line = self.raw(idx)
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            idx = check_position(idx, self._len, self.path)
            raise ManifestFormatError(
                f"{self.path}:{idx + 1}: the line is not valid JSON ({err}); it starts with {line[:60]!r}"
            ) from err
        if obj.__class__ is not dict:
            idx = check_position(idx, self._len, self.path)
            raise ManifestFormatError(
                f"{self.path}:{idx + 1}: expected a JSON object on each line, got {type(obj).__name__}"
            )
        return obj

    def __getstate__(self) -> Dict[str, Any]:
        state = self.__dict__.copy()
        state["_cache"] = collections.OrderedDict()
        state["_starts"] = self._starts.tobytes()
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        state["_starts"] = np.frombuffer(state["_starts"], dtype="<u4").data
        self.__dict__.update(state)

    def close(self) -> None:
        """Close the local file (reopened on the next read)."""
        if isinstance(self._data, LocalByteRanges):
            self._data.close()


_STEP = 1 << 14  # compressed bytes handed to zlib at a time while a file's members are listed


def _members(path: Pathlike, max_text: int) -> Iterator[Tuple[int, Optional[bytes]]]:
    """``(offset, decompressed text)`` of each gzip member of ``path``; ``(offset, None)`` for a member whose
    text is longer than ``max_text`` bytes, and nothing after it.

    Linear in the file size: zlib gets the data a step at a time, so no member costs a copy of the rest.
    """
    with open(path, "rb") as f:
        data = memoryview(f.read())
    pos, size = 0, len(data)
    while pos < size:
        start, d, parts, length = pos, _deflate.decompressobj(31), [], 0
        try:
            while not d.eof and pos < size:
                chunk = data[pos : pos + _STEP]
                pos += len(chunk)
                text = d.decompress(chunk)
                parts.append(text)
                length += len(text)
                if length > max_text:
                    yield start, None
                    return
        except _deflate.error as err:
            raise ManifestFormatError(
                f"{path}: corrupt gzip data in the member at byte {start} ({err}); rewrite the file"
            ) from err
        if not d.eof:
            raise ManifestFormatError(
                f"{path}: the gzip stream is truncated in the member at byte {start}; rewrite the file"
            )
        pos -= len(d.unused_data)
        yield start, b"".join(parts)


def _index_members(path: Pathlike) -> Optional[BlockedGzipWriter]:
    """The block index of ``path`` when its members already are small blocks of whole lines, else ``None``."""
    writer = BlockedGzipWriter(None)
    ragged = False  # a member not ending with a newline: allowed only as the last one
    for offset, text in _members(path, 4 * BLOCK_BYTES):
        if ragged or text is None:
            return None
        ragged = not text.endswith(b"\n")
        writer.offsets.append(offset)
        writer.first_lines.append(writer.num_lines)
        writer.block_lengths.append(len(text))
        lengths = [len(line) for line in text.splitlines(keepends=True)]
        writer.line_starts.extend(itertools.accumulate(lengths[:-1], initial=0) if lengths else [])
        writer.num_lines += len(lengths)
    if not writer.offsets:
        return None
    writer._pos = os.path.getsize(path)
    return writer


def index_gzip_manifest(path: Pathlike, strict: bool = True) -> Dict[str, Any]:
    """Index a ``.jsonl.gz`` manifest: re-block it when needed, then write ``.gzi``, ``.idx.ids``, ``.idx.json``.

    A file whose members are already small blocks of whole lines is indexed as it is; otherwise it is
    rewritten (atomically) as block-compressed gzip with the same decompressed content. ``strict``
    requires a manifest of a known type (see :func:`~lhotse_lite.manifest.sidecars.build_sidecars`).

    Returns:
        The summary (see :mod:`lhotse_lite.manifest.sidecars`).

    Raises:
        ManifestFormatError: The gzip data is corrupt or truncated, or a line is not JSON.

    Example:
        >>> import gzip, os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl.gz")
        >>> with gzip.open(path, "wb") as f:
        ...     _ = f.write(b'{"id": "a", "recording_id": "r", "start": 0, "duration": 2.0}\\n' * 3000)
        >>> index_gzip_manifest(path)["items"], BlockedGzipReader(path)[2999]["id"], BlockedGzipReader(path).num_blocks
        (3000, 'a', 16)
    """
    import gzip

    from lhotse_lite.manifest.formats import atomic_open
    from lhotse_lite.manifest.sidecars import build_sidecars_from_lines

    writer = _index_members(path)
    if writer is not None:
        with atomic_open(gzi_path(path)) as f:
            f.write(writer.index_bytes())
        logger.info("%s: indexed %d gzip members as they are", path, len(writer.offsets))
    else:
        logger.info("%s: re-blocking into gzip members of %d bytes", path, BLOCK_BYTES)
        try:
            with gzip.open(path, "rb") as source:
                write_blocked_gzip(path, source)
        except (EOFError, zlib.error, gzip.BadGzipFile) as err:  # the file is left as it was
            raise ManifestFormatError(
                f"{path}: the gzip data is truncated or corrupt ({err}); rewrite the file"
            ) from err
    reader = BlockedGzipReader(path)
    lines = (line for block in range(reader.num_blocks) for line in reader.block_lines(block)[1])
    return build_sidecars_from_lines(path, lines, len(reader), strict=strict)
