"""Manifest files as items, nodes and indexed writes, for any item type (no set class involved).

Three readers and a writer behind the file methods of :class:`~lhotse_lite.manifest.ManifestSet`
(``from_file``, ``from_jsonl_lazy``, ``to_jsonl``), which hold the documentation of the behaviour; these
functions take what they need as arguments (the item decoder, the key function) and return plain
values (a dict key -> item, a lazy node), so they never need the set class:

* :func:`read_keyed_items`: every item of a JSONL, JSON or YAML file, keyed, errors with ``file:line``;
* :func:`open_jsonl_source`: the lazy node reading a JSONL file, indexed when asked or when indexed;
* :func:`has_index`: whether a file has the index that indexed reading uses;
* :func:`write_jsonl_indexed`: JSON lines written atomically together with their index files.

File formats themselves (extensions, parsing, atomic writing) live in :mod:`lhotse_lite.manifest.formats`.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "items.jsonl")
    >>> write_jsonl_indexed([{"id": "a"}, {"id": "b"}], path, "ItemSet")
    >>> read_keyed_items(path, "jsonl", dict, lambda d: d["id"])
    {'a': {'id': 'a'}, 'b': {'id': 'b'}}
    >>> has_index(path), [d["id"] for d in open_jsonl_source(path, dict)]
    (True, ['a', 'b'])
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Hashable, Iterable, Iterator, Optional

from lhotse_lite import remote
from lhotse_lite.errors import ManifestNotFoundError
from lhotse_lite.manifest import formats, lazy
from lhotse_lite.manifest.building import gc_paused, load_numbered

__all__ = ["read_keyed_items", "open_jsonl_source", "has_index", "write_jsonl_indexed"]


def read_keyed_items(
    path: formats.Pathlike, fmt: str, from_dict: Callable[[dict], Any], key: Callable[[Any], Hashable]
) -> Dict[Hashable, Any]:
    """The items of the ``fmt`` file ``path`` (``"jsonl"``, ``"json"`` or ``"yaml"``) by ``key``, in file order.

    Raises:
        ManifestNotFoundError, ManifestFormatError, ManifestFieldError, DuplicateIdError: as
        :meth:`ManifestSet.from_file <lhotse_lite.manifest.ManifestSet.from_file>`; messages name ``file:line``.
    """
    if fmt == "jsonl":
        numbered: Iterable[Any] = formats.iter_jsonl_dicts(path)
        where = f"{path}:{{}}".format
    else:
        numbered = enumerate(formats.read_list_file(path, fmt))
        where = f"{path}[item {{}}]".format
    with gc_paused():
        return load_numbered(numbered, from_dict, key, where)


def open_jsonl_source(
    path: formats.Pathlike,
    decode: Callable[[dict], Any],
    indexed: Optional[bool] = None,
    shuffle: bool = False,
    seed: int = 0,
    index_path: Optional[formats.Pathlike] = None,
    block_window: Optional[int] = None,
) -> lazy.LazyNode:
    """The lazy node reading the JSON lines of ``path`` as ``decode(dict)`` items.

    The arguments and the rule choosing indexed reading are those of :meth:`ManifestSet.from_jsonl_lazy
    <lhotse_lite.manifest.ManifestSet.from_jsonl_lazy>`.

    Raises:
        ManifestNotFoundError: The file does not exist (checked now, not at first iteration).
    """
    url = remote.is_url(path)
    indexed_url = url and bool(shuffle or indexed or index_path is not None)
    if not indexed_url and not remote.exists(path):  # an indexed URL is asked for its size and ETag instead
        raise ManifestNotFoundError(f"manifest file not found: {str(path)!r}")
    if url and not indexed_url:  # indexed=None streams a URL: looking for its index would cost a request
        return lazy.LazyManifestIterator(path, decode)
    if shuffle or indexed or (indexed is None and (index_path is not None or has_index(path))):
        from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator

        return LazyIndexedManifestIterator(
            path, shuffle=shuffle, seed=seed, index_path=index_path, decode=decode, block_window=block_window
        )
    return lazy.LazyManifestIterator(path, decode)


def has_index(path: formats.Pathlike) -> bool:
    """Whether ``path`` has an index that indexed reading would use (``indexed=None``)."""
    if formats.is_gzip(path):
        return formats.has_block_index(path)  # without importing numpy for a file that has no index
    from lhotse_lite.indexing import index_exists

    return index_exists(path)


def write_jsonl_indexed(dicts: Iterable[Dict[str, Any]], path: formats.Pathlike, manifest_type: str) -> None:
    """Write ``dicts`` as JSON lines to ``path`` atomically, with the index files of
    :meth:`ManifestSet.to_jsonl <lhotse_lite.manifest.ManifestSet.to_jsonl>` (``manifest_type`` goes into
    the summary ``<path>.idx.json``); a URL's data and index files are written locally, then uploaded
    (:func:`~lhotse_lite.manifest.remote_indexed.upload_indexed`).
    """
    from lhotse_lite.manifest.blocked_gzip import write_blocked_gzip
    from lhotse_lite.manifest.sidecars import SidecarWriter, remove_sidecars

    if remote.is_url(path):
        from lhotse_lite.manifest.remote_indexed import upload_indexed

        with tempfile.TemporaryDirectory(prefix="lhotse_lite-upload-") as folder:
            local = Path(folder) / (str(path).rstrip("/").rsplit("/", 1)[-1] or "manifest.jsonl")
            write_jsonl_indexed(dicts, local, manifest_type)
            upload_indexed(local, str(path))
        return
    sidecars = SidecarWriter(manifest_type)
    dumps_line, add = formats.dumps_line, sidecars.add

    def lines() -> Iterator[bytes]:
        for d in dicts:
            line = dumps_line(d)
            add(line, d)
            yield line

    if formats.is_gzip(path):
        write_blocked_gzip(path, lines())
    else:
        with formats.atomic_open(path) as f:
            f.writelines(lines())
            remove_sidecars(path)
    sidecars.finish(path, offsets=not formats.is_gzip(path))
