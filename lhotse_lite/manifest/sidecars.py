"""lhotse_lite's sidecars of an indexed manifest: the id index and the summary (beside Lhotse 2.0's ``.idx``).

Next to ``<data>`` and its offsets ``<data>.idx`` (:mod:`lhotse_lite.indexing`, Lhotse 2.0's format),
``lite index`` and the writers also write:

``<data>.idx.json``, the summary (UTF-8 JSON object, version 1)::

    {"format": "lhotse_lite.index", "version": 1, "items": 2000000, "lines": 2000000,
     "manifest_type": "SupervisionSet", "total_duration": 7265438.2,
     "data": {"size": 380544000, "tail_crc32": 1234567890, "tail_bytes": 65536}}

``items`` counts the lines holding an object (``lines`` counts every line, as the ``.idx`` does);
``manifest_type`` is the set class of the first item (``null`` when empty); ``total_duration`` is the
sum of the items' ``duration`` fields in seconds (``null`` when an item has none); ``data`` identifies
the data file: its size and the CRC-32 of its last ``tail_bytes`` bytes. ``len()``, ``lite manifest
describe`` and ``validate`` read these numbers instead of the data. A summary whose ``data`` does not
match the file (it was rewritten, truncated, or the summary belongs to another file) is refused
with :class:`~lhotse_lite.errors.StaleIndexError` naming both files.

``<data>.idx.ids``, the id index (binary, little-endian): a 32-byte header (magic ``b"LITEIDS\\0"``,
``uint32`` version 1, ``uint32`` 0, ``uint64`` data file size, ``uint64`` count ``N``), then ``N``
``uint64`` hashes of the items' ids (the first 8 bytes of BLAKE2b, read little-endian) in ascending
order, then the ``N`` ``uint64`` line numbers (0-based) of those items. A lookup hashes the id, binary
searches the hashes and reads the candidate lines to compare the ids (a collision costs one more read).

Example:
    >>> import os, tempfile
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
    >>> SupervisionSet([SupervisionSegment(f"s{i}", "r", 0.0, 1.5) for i in range(4)]).to_file(path)
    >>> summary = build_sidecars(path)
    >>> summary["items"], summary["manifest_type"], summary["total_duration"]
    (4, 'SupervisionSet', 6.0)
    >>> ids = IdIndex.open(path); ids.line_of("s2", lambda i: ["s0", "s1", "s2", "s3"][i])
    2
"""

from __future__ import annotations

import array
import bisect
import contextlib
import hashlib
import json
import logging
import os
import struct
import zlib
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

import numpy as np
import orjson

from lhotse_lite.errors import ManifestFormatError, StaleIndexError
from lhotse_lite.indexing import Pathlike, _line_offsets, index_file_path, write_index_file

__all__ = [
    "INDEX_SUFFIXES",
    "is_index_file",
    "summary_path",
    "ids_path",
    "data_identity",
    "read_summary",
    "build_sidecars",
    "index_manifest",
    "check_sidecars",
    "remove_sidecars",
    "SidecarWriter",
    "IdIndex",
]

logger = logging.getLogger(__name__)

_FORMAT = "lhotse_lite.index"
_VERSION = 1
_TAIL = 1 << 16
_IDS_MAGIC = b"LITEIDS\0"
_IDS_HEADER = struct.Struct("<8sIIQQ")


INDEX_SUFFIXES = (".idx", ".idx.json", ".idx.ids", ".gzi")
"""The endings of index files beside a manifest (``<data>.idx`` ... ``<data>.gzi``)."""


def is_index_file(name: str) -> bool:
    """Whether a file name is an index file beside a manifest (one of :data:`INDEX_SUFFIXES`).

    Example:
        >>> [is_index_file(n) for n in ("a.jsonl", "a.jsonl.idx", "a.jsonl.gz.gzi", "a.jsonl.idx.json")]
        [False, True, True, True]
    """
    return name.endswith(INDEX_SUFFIXES)


def summary_path(data_path: Pathlike) -> Path:
    """``<data_path>.idx.json``."""
    return Path(str(index_file_path(data_path)) + ".json")


def ids_path(data_path: Pathlike) -> Path:
    """``<data_path>.idx.ids``."""
    return Path(str(index_file_path(data_path)) + ".ids")


def data_identity(data_path: Pathlike) -> Dict[str, int]:
    """Size of the file and CRC-32 of its last 64 KiB (O(1)): what a stale sidecar is detected by."""
    size = os.path.getsize(data_path)
    with open(data_path, "rb") as f:
        f.seek(max(0, size - _TAIL))
        tail = f.read(_TAIL)
    return {"size": size, "tail_crc32": zlib.crc32(tail), "tail_bytes": len(tail)}


def read_summary(data_path: Pathlike) -> Optional[Dict[str, Any]]:
    """The summary of ``data_path``, or ``None`` when it has none.

    Raises:
        StaleIndexError: The summary does not match the data file, or is not a summary.
    """
    path = summary_path(data_path)
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as err:
        raise StaleIndexError(
            f"{path}: not a lhotse_lite index summary ({err}); rebuild it with `lite index {data_path}`"
        ) from err
    if not isinstance(summary, dict) or summary.get("format") != _FORMAT:
        raise StaleIndexError(f"{path}: not a lhotse_lite index summary; rebuild it with `lite index {data_path}`")
    actual = data_identity(data_path)
    if summary.get("data") != actual:
        raise StaleIndexError(
            f"index summary {str(path)!r} does not match {str(data_path)!r}: it describes a file of "
            f"{summary.get('data', {}).get('size')} bytes (tail CRC {summary.get('data', {}).get('tail_crc32')}), the "
            f"file has {actual['size']} bytes (tail CRC {actual['tail_crc32']}); the data changed after indexing. "
            f"Rebuild with `lite index {data_path}`"
        )
    return summary


def _hash_ids(ids: List[str]) -> np.ndarray:
    blake = hashlib.blake2b
    return np.frombuffer(b"".join(blake(i.encode("utf-8"), digest_size=8).digest() for i in ids), dtype="<u8")


def _hash_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def build_sidecars(
    data_path: Pathlike, write_offsets: bool = True, with_ids: bool = True, strict: bool = False
) -> Dict[str, Any]:
    """Index an uncompressed JSONL manifest: ``.idx`` (Lhotse 2.0's), ``.idx.ids`` and ``.idx.json`` (one read).

    Args:
        data_path: The JSONL file.
        write_offsets: Also (re)write the ``.idx`` offsets.
        with_ids: Also write the id index (else it is built on the first lookup by id).
        strict: Require a manifest: at least one item, every line a JSON object, the first of a known type.

    Returns:
        The summary written to ``<data_path>.idx.json``.

    Raises:
        ManifestFormatError: A line is not JSON (``file:line``); with ``strict``, what is not a manifest.
    """
    offsets = _line_offsets(data_path)
    with open(data_path, "rb") as f:
        summary = build_sidecars_from_lines(data_path, f, len(offsets) - 1, with_ids, strict)
    if write_offsets:
        write_index_file(offsets, index_file_path(data_path))
    return summary


def build_sidecars_from_lines(
    data_path: Pathlike, lines: Iterable[bytes], num_lines: int, with_ids: bool = True, strict: bool = False
) -> Dict[str, Any]:
    """Write the summary (and the id index) of ``data_path`` from its decompressed ``lines`` (every line).

    Raises:
        ManifestFormatError: A line is not JSON (``file:line``); with ``strict`` (see :func:`build_sidecars`),
            a line that is not an object, an unknown item type, or no item at all.
    """
    from lhotse_lite.manifest.detect import resolve_manifest_type

    ids: List[str] = []
    line_numbers: List[int] = []
    total: Optional[float] = 0.0
    manifest_type = None
    count = 0
    for lineno, line in enumerate(lines):
        if not line.strip():
            continue
        count += 1
        try:
            d = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise ManifestFormatError(
                f"{data_path}:{lineno + 1}: malformed JSON line ({err}); fix or remove this line"
            ) from err
        if strict and not isinstance(d, dict):
            raise ManifestFormatError(
                f"{data_path}:{lineno + 1}: expected one JSON object per line, got {type(d).__name__}"
            )
        if count == 1 and isinstance(d, dict):
            if strict:
                manifest_type = resolve_manifest_type(d, f"{data_path}:{lineno + 1}").__name__
            else:
                with contextlib.suppress(ManifestFormatError):  # not one of our item types: no type recorded
                    manifest_type = resolve_manifest_type(d, f"{data_path}:{lineno + 1}").__name__
        key = d.get("id") if isinstance(d, dict) else None
        if isinstance(key, str):
            ids.append(key)
            line_numbers.append(lineno)
        duration = d.get("duration") if isinstance(d, dict) else None
        total = None if total is None or not isinstance(duration, (int, float)) else total + duration
    if strict and not count:
        raise ManifestFormatError(f"{data_path}: the manifest is empty; there is nothing to index")
    if with_ids:
        hashes = _hash_ids(ids)
        order = np.argsort(hashes, kind="stable")
        header = _IDS_HEADER.pack(_IDS_MAGIC, _VERSION, 0, os.path.getsize(data_path), len(ids))
        _write_atomic(
            ids_path(data_path),
            header + hashes[order].tobytes() + np.asarray(line_numbers, dtype="<u8")[order].tobytes(),
        )
    summary = _write_summary(data_path, count, num_lines, manifest_type, total)
    logger.info("indexed %s: %s items", data_path, count)
    return summary


def index_manifest(path: Pathlike) -> Dict[str, Any]:
    """Index a manifest file (what ``lite index`` runs): every sidecar, rebuilt from the data.

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: A line is not JSON.
    """
    from lhotse_lite.errors import ManifestNotFoundError
    from lhotse_lite.manifest.formats import is_gzip

    if not os.path.isfile(path):
        raise ManifestNotFoundError(f"manifest file not found: {str(path)!r}")
    if is_gzip(path):
        from lhotse_lite.manifest.blocked_gzip import index_gzip_manifest

        return index_gzip_manifest(path)
    return build_sidecars(path, strict=True)


def check_sidecars(path: Pathlike) -> Optional[str]:
    """A description of why the index files of ``path`` do not match it, or ``None`` (O(1); none is fine)."""
    from lhotse_lite.indexing import index_exists, read_index

    try:
        read_summary(path)
        idx = index_file_path(path)
        if index_exists(path) and int(read_index(idx)[-1]) != os.path.getsize(path):
            return (
                f"index {str(idx)!r} does not match {str(path)!r} (the data changed after indexing); "
                f"rebuild it with `lite index {path}`"
            )
    except StaleIndexError as err:
        return str(err)
    return None


def _write_summary(
    data_path: Pathlike, items: int, lines: int, manifest_type: Optional[str], total: Optional[float]
) -> Dict[str, Any]:
    summary = {
        "format": _FORMAT,
        "version": _VERSION,
        "items": items,
        "lines": lines,
        "manifest_type": manifest_type,
        "total_duration": None if total is None else round(total, 6),
        "data": data_identity(data_path),
    }
    _write_atomic(summary_path(data_path), json.dumps(summary).encode("utf-8"))
    return summary


def remove_sidecars(data_path: Pathlike) -> None:
    """Delete the index files of ``data_path`` (before the data is replaced, so none can go stale)."""
    for path in (
        index_file_path(data_path),
        summary_path(data_path),
        ids_path(data_path),
        Path(str(data_path) + ".gzi"),
    ):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


class SidecarWriter:
    """Collects the index of a JSONL manifest while it is written; :meth:`finish` writes ``.idx`` and ``.idx.json``.

    Args:
        manifest_type: The set class name recorded in the summary (``None``: unknown).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> sidecars = SidecarWriter("SupervisionSet")
        >>> with open(path, "wb") as f:
        ...     for d in ({"id": "a", "duration": 1.0}, {"id": "b", "duration": 2.5}):
        ...         line = orjson.dumps(d) + b"\\n"; _ = f.write(line); sidecars.add(line, d)
        >>> sidecars.finish(path)["total_duration"], open(path + ".idx", "rb").read()[8]
        (3.5, 26)
    """

    def __init__(self, manifest_type: Optional[str]) -> None:
        self.manifest_type = manifest_type
        self._lengths = array.array("Q")
        self._total: Optional[float] = 0.0

    def add(self, line: bytes, item: Dict[str, Any]) -> None:
        """Record one written line and its item dict."""
        self._lengths.append(len(line))
        if self._total is not None:
            duration = item.get("duration")
            self._total = self._total + duration if isinstance(duration, (int, float)) else None

    def finish(self, data_path: Pathlike, offsets: bool = True) -> Dict[str, Any]:
        """Write the sidecars of the complete file ``data_path`` (``offsets``: its ``.idx`` too); return the summary."""
        if offsets:
            lengths = np.frombuffer(self._lengths, dtype=np.uint64) if len(self._lengths) else np.zeros(0, np.uint64)
            write_index_file(
                np.concatenate([np.zeros(1, np.uint64), np.cumsum(lengths, dtype=np.uint64)]),
                index_file_path(data_path),
            )
        count = len(self._lengths)
        return _write_summary(data_path, count, count, self.manifest_type if count else None, self._total)


def _write_atomic(path: Path, data: bytes) -> None:
    from lhotse_lite.manifest.formats import atomic_open

    with atomic_open(path) as f:
        f.write(data)


class IdIndex:
    """Lookup of a line by item id through ``<data>.idx.ids`` (see the module docstring).

    Example:
        See the module docstring.
    """

    def __init__(self, hashes: np.ndarray, lines: np.ndarray) -> None:
        self._hashes = np.ascontiguousarray(hashes).data  # a memoryview: plain-int access for bisect
        self._lines = np.ascontiguousarray(lines).data

    @classmethod
    def open(
        cls, data_path: Pathlike, index_path: Optional[Pathlike] = None, data_size: Optional[int] = None
    ) -> "IdIndex":
        """Read the id index of ``data_path``, building the sidecars first when it is missing.

        Args:
            data_path: The data file.
            index_path: The id index, when it is not ``<data_path>.idx.ids`` (it is then not built here).
            data_size: The data's size, when it is not a local file (a URL).

        Raises:
            StaleIndexError: The id index was written for a data file of another size, or is not one.
        """
        path = ids_path(data_path) if index_path is None else Path(index_path)
        if index_path is None and not path.exists():
            logger.info("building the id index of %s", data_path)
            if str(data_path).endswith(".gz"):
                from lhotse_lite.manifest.blocked_gzip import index_gzip_manifest

                index_gzip_manifest(data_path, strict=False)
            else:
                build_sidecars(data_path, write_offsets=False)
        raw = np.fromfile(path, dtype=np.uint8)
        if raw.size < _IDS_HEADER.size:
            raise StaleIndexError(f"{path}: truncated id index; rebuild it with `lite index {data_path}`")
        magic, version, _, size, n = _IDS_HEADER.unpack(raw[: _IDS_HEADER.size].tobytes())
        if magic != _IDS_MAGIC or version != _VERSION or raw.size != _IDS_HEADER.size + 16 * n:
            raise StaleIndexError(
                f"{path}: not a version-1 id index of {n} items; rebuild it with `lite index {data_path}`"
            )
        actual = os.path.getsize(data_path) if data_size is None else data_size
        if size != actual:
            raise StaleIndexError(
                f"id index {str(path)!r} does not match {str(data_path)!r}: it records a data file "
                f"of {size} bytes, the file has {actual}; rebuild it with `lite index {data_path}`"
            )
        body = raw[_IDS_HEADER.size :].view("<u8")
        return cls(body[:n], body[n:])

    def line_of(self, key: str, id_at: Callable[[int], Any]) -> Optional[int]:
        """The line number of the item with id ``key`` (``id_at(line)`` gives a line's id), or ``None``."""
        found = self.find(key, lambda line: {"id": id_at(line)})
        return None if found is None else found[0]

    def find(self, key: str, read: Callable[[int], Dict[str, Any]]) -> Optional[tuple]:
        """``(line, dict)`` of the item with id ``key`` (``read(line)`` parses a line), or ``None``."""
        h = _hash_id(key)
        hashes = self._hashes
        pos = bisect.bisect_left(hashes, h)
        while pos < len(hashes) and hashes[pos] == h:
            line = self._lines[pos]
            d = read(line)
            if d.get("id") == key:
                return line, d
            pos += 1
        return None
