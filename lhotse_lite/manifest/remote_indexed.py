"""Indexed manifests behind URLs: item ``i`` of an ``s3://`` or ``http(s)://`` manifest in one ranged request.

``load_manifest_lazy(url, indexed=True)`` (or ``shuffle=True``) reads a URL through the same index
files as a local manifest: ``<url>.idx`` (Lhotse 2.0's offsets) for ``.jsonl``, ``<url>.gzi`` (the
block index) for block-compressed ``.jsonl.gz``, ``<url>.idx.ids`` for lookups by id. Then:

* **Opening** costs one metadata request for the data and one for each index file it uses; an
  index file not in the local cache yet is fetched with one more request. ``len()`` needs no request.
* **Item i** costs one ranged request: its line (``.jsonl``) or its gzip member (``.jsonl.gz``).
  Each request is conditional on the data's ETag when it was opened (``If-Match``, on S3 and HTTP),
  so a manifest replaced while it is open is never read through the old index: the read raises
  :class:`~lhotse_lite.errors.RemoteChangedError`, and opening the URL again uses the new index.
* **The cache.** Index files are kept in :func:`cache_dir` (``$LHOTSE_LITE_CACHE_DIR/indexes``,
  default ``$XDG_CACHE_HOME/lhotse_lite/indexes``, i.e. ``~/.cache/lhotse_lite/indexes``), each
  named by the SHA-256 of its URL and of its identity as the store reports it (ETag, size,
  modification time): a replaced index file gets a new entry, an old entry is never read for a new
  object. Entries are written under a temporary name and renamed into place, so processes sharing
  the folder (DataLoader workers, jobs on one node) never see a partial file; two that fetch the
  same entry at once both write it whole. Nothing evicts entries: delete the folder to reclaim space.
* **Missing index files.** A ``.jsonl`` without ``<url>.idx`` (or without ``<url>.idx.ids``, for
  a lookup by id) is read once and indexed locally, cached by the data's identity; a ``.jsonl.gz``
  needs its ``<url>.gzi`` (``to_file`` uploads it with the data; ``lite index`` makes one for a local
  copy to upload). An index that does not describe the data (another size) is refused with
  :class:`~lhotse_lite.errors.StaleIndexError`, as locally.

Example:
    >>> import tempfile
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> os.environ[CACHE_ENV_VAR] = tempfile.mkdtemp()  # the default is ~/.cache/lhotse_lite
    >>> url = "memory://docs-remote-indexed/sups.jsonl"
    >>> SupervisionSet([SupervisionSegment(f"s{i}", "r", float(i), 1.0) for i in range(5)]).to_file(url)
    >>> reader = open_remote_reader(url)
    >>> len(reader), reader[3]["id"]
    (5, 's3')
    >>> del os.environ[CACHE_ENV_VAR]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional, Union

from lhotse_lite import remote
from lhotse_lite.errors import (
    ManifestArgumentError,
    ManifestNotFoundError,
    RemoteChangedError,
    RemoteError,
    RemoteNotFoundError,
    StaleIndexError,
)
from lhotse_lite.indexing import IndexedJsonlReader
from lhotse_lite.types import Pathlike

__all__ = [
    "CACHE_ENV_VAR",
    "cache_dir",
    "RemoteObjectRanges",
    "fetch_index_file",
    "open_remote_reader",
    "open_id_index",
    "upload_indexed",
]

logger = logging.getLogger(__name__)

CACHE_ENV_VAR = "LHOTSE_LITE_CACHE_DIR"
"""The local cache folder of lhotse_lite (index files of URL manifests go to its ``indexes`` folder)."""


def cache_dir() -> Path:
    """Where index files of URL manifests are cached: ``<LHOTSE_LITE_CACHE_DIR or XDG cache>/indexes``.

    Example:
        >>> cache_dir().name
        'indexes'
    """
    root = os.environ.get(CACHE_ENV_VAR)
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(xdg, "lhotse_lite")
    return Path(root) / "indexes"


class RemoteObjectRanges:
    """Ranged reads of one version of an object: the one :meth:`open` saw (size and ETag).

    Implements :class:`~lhotse_lite.indexing.ByteRanges`. Pickles as its URL and identity; each
    process reads through its own fsspec file system.

    Args:
        url: The object.
        info: What :func:`lhotse_lite.remote.object_info` said of it.

    Raises:
        RemoteChangedError: (from :meth:`read`) the object is not the one opened any more.
    """

    def __init__(self, url: str, info: Dict[str, Any]) -> None:
        self.url = url
        self.info = info
        if info.get("size") is None:
            raise ManifestArgumentError(
                f"{remote.redact(url)}: the server does not tell the object's size; "
                f"indexed reads need it (read the manifest with indexed=False)"
            )
        self._size = int(info["size"])

    @classmethod
    def open(cls, url: str) -> "RemoteObjectRanges":
        """The object as it is now (one metadata request).

        Raises:
            ManifestNotFoundError: There is no such object (a ``FileNotFoundError``).
        """
        try:
            return cls(url, remote.object_info(url))
        except RemoteNotFoundError as err:
            raise ManifestNotFoundError(f"manifest file not found: {remote.redact(url)!r} ({err})") from err

    @property
    def size(self) -> int:
        """The object's size in bytes when it was opened."""
        return self._size

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``: one ranged request, conditional on the ETag where there is one.

        Raises:
            RemoteChangedError: The object changed since it was opened.
        """
        data = remote.read_range(self.url, offset, length, etag=self.info.get("etag"))
        if len(data) != length:
            raise RemoteChangedError(
                f"{remote.redact(self.url)}: asked for {length} bytes at offset {offset}, got "
                f"{len(data)}; the object changed after it was opened: open it again"
            )
        return data

    def __repr__(self) -> str:
        return f"RemoteObjectRanges({remote.redact(self.url)!r}, size={self.size})"


def _entry(url: str, info: Dict[str, Any], suffix: str) -> Path:
    """``<sha256(url)>-<sha256(identity)><suffix>``: one name per version, the URL's versions side by side."""
    identity = json.dumps([url, info.get("etag"), info.get("size"), info.get("modified")])
    url_key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    version = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
    return cache_dir() / url_key[:2] / f"{url_key}-{version}{suffix}"


def _evict_other_versions(path: Path) -> int:
    """Removes the entries of earlier versions of ``path``'s URL (same suffix); returns how many.

    A process still reading an old version keeps its open file (POSIX); its next ranged read of the
    replaced object fails with ``RemoteChangedError`` anyway.
    """
    url_key, _, rest = path.name.partition("-")
    suffix = rest[32:]
    removed = 0
    for other in path.parent.glob(f"{url_key}-*{suffix}"):
        if other != path and other.name[len(url_key) + 1 + 32 :] == suffix:
            with contextlib.suppress(FileNotFoundError):
                other.unlink()
                removed += 1
    return removed


def _write_entry(path: Path, data: bytes) -> None:
    """``data`` as the cache entry ``path``: a temporary file in the same folder, renamed into place; the
    entries of the URL's earlier versions are removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _evict_other_versions(path)


def fetch_index_file(url: str) -> Optional[Path]:
    """The local copy of the index file ``url`` in the cache, fetched when the cache lacks this version.

    One metadata request; one more (conditional on the ETag) the first time a version is seen.

    Returns:
        The cached file, or ``None`` when there is no such object.

    Raises:
        RemoteAccessError, RemoteError: see :mod:`lhotse_lite.remote`.
    """
    try:
        info = remote.object_info(url)
    except RemoteNotFoundError:
        return None
    size = int(info["size"] or 0)
    path = _entry(url, info, "")
    if path.is_file() and path.stat().st_size == size:
        return path
    data = remote.read_range(url, 0, size, etag=info.get("etag")) if size else b""
    if len(data) != size:
        raise RemoteChangedError(
            f"{remote.redact(url)}: expected {size} bytes, got {len(data)}; the index file "
            f"changed while it was fetched: open the manifest again"
        )
    _write_entry(path, data)
    logger.info("%s: cached %d bytes as %s", remote.redact(url), size, path)
    return path


def _local_copy_of(data: RemoteObjectRanges, folder: str) -> str:
    name = os.path.join(folder, data.url.rstrip("/").rsplit("/", 1)[-1] or "manifest")
    logger.warning(
        "%s has no index file: reading it once (%d bytes) to index it; the index is cached in %s",
        remote.redact(data.url),
        data.size,
        cache_dir(),
    )
    remote.download(data.url, name)
    return name


def _built_offsets(data: RemoteObjectRanges) -> Path:
    """The ``.idx`` of a ``.jsonl`` object that has none, built from one read of it and cached by its identity."""
    from lhotse_lite.indexing import create_jsonl_index

    path = _entry(data.url + "#offsets", data.info, ".idx")
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as folder:
            create_jsonl_index(_local_copy_of(data, folder), output_path=path)  # written atomically
        _evict_other_versions(path)
    return path


def _built_ids(data: RemoteObjectRanges) -> Path:
    """The id index of an object that has no ``.idx.ids``, built from one read of it and cached by its identity."""
    from lhotse_lite.manifest.formats import is_gzip
    from lhotse_lite.manifest.sidecars import build_sidecars, ids_path

    path = _entry(data.url + "#ids", data.info, ".ids")
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as folder:
            local = _local_copy_of(data, folder)
            if is_gzip(local):
                from lhotse_lite.manifest.blocked_gzip import index_gzip_manifest

                index_gzip_manifest(local, strict=False)
            else:
                build_sidecars(local, write_offsets=False)
            os.replace(ids_path(local), path)
        _evict_other_versions(path)
    return path


def _index_file(index_path: Union[str, Pathlike], what: str) -> Path:
    """A given index: a local path as it is, a URL through the cache."""
    if not remote.is_url(index_path):
        return Path(index_path)
    fetched = fetch_index_file(str(index_path))
    if fetched is None:
        raise ManifestNotFoundError(f"{what} not found: {remote.redact(str(index_path))!r}")
    return fetched


def open_remote_reader(url: str, index_path: Optional[Pathlike] = None) -> Any:
    """The random-access reader of a URL manifest (see the module docstring).

    Args:
        url: A ``.jsonl`` or block-compressed ``.jsonl.gz`` object.
        index_path: Its ``.idx`` or ``.gzi`` (a URL or a local file), when not ``<url>.idx``/``<url>.gzi``.

    Returns:
        An :class:`~lhotse_lite.indexing.IndexedJsonlReader` or a
        :class:`~lhotse_lite.manifest.blocked_gzip.BlockedGzipReader` reading the object by range.

    Raises:
        ManifestNotFoundError: The object (or a given index) does not exist.
        ManifestArgumentError: A ``.jsonl.gz`` without a block index.
        StaleIndexError: The index does not describe the object as it is now.
    """
    from lhotse_lite.manifest.blocked_gzip import BlockedGzipReader
    from lhotse_lite.manifest.formats import is_gzip

    data = RemoteObjectRanges.open(url)
    shown = remote.redact(url)
    try:
        if is_gzip(url):
            gzi = _index_file(index_path, "block index") if index_path is not None else fetch_index_file(url + ".gzi")
            if gzi is None:
                raise ManifestArgumentError(
                    f"{shown}: indexed access to a .jsonl.gz needs its block index {shown}.gzi; write the manifest "
                    f"with to_file (which uploads it), or run `lite index` on a local copy and upload the copy and "
                    f"its .gzi"
                )
            return BlockedGzipReader(url, index_path=gzi, ranges=data)
        if index_path is not None:
            idx: Optional[Path] = _index_file(index_path, "index file")
        else:  # an index built earlier from this very version of the data needs no request
            built = _entry(url + "#offsets", data.info, ".idx")
            idx = built if built.is_file() else fetch_index_file(url + ".idx")
        return IndexedJsonlReader(url, index_path=idx if idx is not None else _built_offsets(data), ranges=data)
    except StaleIndexError as err:
        raise StaleIndexError(
            f"{shown}: {err}. For a URL: upload an index of the data as it is now (to_file "
            f"uploads the index files with the data), or delete the stale index object"
        ) from err


def open_id_index(reader: Any) -> Any:
    """The id index (:class:`~lhotse_lite.manifest.sidecars.IdIndex`) of a reader from :func:`open_remote_reader`.

    ``<url>.idx.ids`` through the cache, or built from one read of the data when there is none.

    Raises:
        StaleIndexError: The id index was written for another version of the data.
    """
    from lhotse_lite.manifest.sidecars import IdIndex

    data: RemoteObjectRanges = reader.ranges
    built = _entry(data.url + "#ids", data.info, ".ids")  # built earlier from this very version of the data
    path = built if built.is_file() else fetch_index_file(data.url + ".idx.ids") or _built_ids(data)
    return IdIndex.open(data.url, index_path=path, data_size=data.size)


def upload_indexed(local: Pathlike, url: str) -> None:
    """Uploads a local manifest and its index files (``.idx``, ``.gzi``, ``.idx.json``, ``.idx.ids``) to ``url``.

    The id index is built first when the manifest has none.

    The order keeps readers consistent: the old index objects are deleted first, then the data is
    put (atomically), then its index files. A reader that opens the URL in between finds no index
    (``.jsonl``: it indexes the data itself; ``.jsonl.gz``: a clear error) or, having opened it before,
    gets :class:`~lhotse_lite.errors.RemoteChangedError`, never items read through another version's index.

    Raises:
        RemoteAccessError, RemoteError: see :mod:`lhotse_lite.remote`.
    """
    from lhotse_lite.manifest.sidecars import INDEX_SUFFIXES, IdIndex

    if url.split("://", 1)[0].lower() in ("http", "https"):  # before anything is deleted
        raise RemoteError(
            f"{remote.redact(url)}: cannot write to a web server; write to an object store or a local path"
        )
    IdIndex.open(local)  # builds the id index now: readers of the URL need not read the data to find an id
    for suffix in INDEX_SUFFIXES:
        remote.remove(url + suffix)
    remote.upload(local, url)
    for suffix in INDEX_SUFFIXES:
        sidecar = Path(str(local) + suffix)
        if sidecar.is_file():
            remote.upload(sidecar, url + suffix)
