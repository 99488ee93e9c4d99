"""Files of a :class:`~lhotse_lite.manifest.set.ManifestSet`: format checks, eager loading, lazy opening.

The functions behind ``ManifestSet.from_file``/``from_jsonl``/``from_json``/``from_yaml`` and
``from_jsonl_lazy`` (which delegate here; call the methods). File formats themselves (extensions,
parsing, atomic writing) live in :mod:`lhotse_lite.manifest.formats`; this module only turns a file
into a set of a given class. It does not import :mod:`lhotse_lite.manifest.set` (``set``
imports it).

Example:
    >>> import tempfile, os
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "sups.jsonl.gz")
    ...     sups.to_file(path)
    ...     load_set(SupervisionSet, path).ids, list(open_set_lazy(SupervisionSet, path).ids)
    (['a'], ['a'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Type, TypeVar

from lhotse_lite import remote
from lhotse_lite.errors import ManifestNotFoundError
from lhotse_lite.manifest import formats, lazy
from lhotse_lite.manifest.building import gc_paused, load_numbered

if TYPE_CHECKING:
    from lhotse_lite.manifest.set import ManifestSet

__all__ = ["load_set", "open_set_lazy"]

S = TypeVar("S", bound="ManifestSet")


def load_set(cls: Type[S], path: formats.Pathlike, fmt: Optional[str] = None) -> S:
    """An eager ``cls`` loaded from ``path`` (``ManifestSet.from_file`` and ``from_jsonl``/``from_json``/...).

    Args:
        cls: The set class (its ``element_type.from_dict`` parses each item, its ``_key`` keys it).
        path: The file; gzip-compressed when its name ends in ``.gz``.
        fmt: ``"jsonl"``, ``"json"`` or ``"yaml"``; ``None`` detects it from the name's suffixes.

    Returns:
        The set, in file order.

    Raises:
        ManifestNotFoundError, UnknownFormatError, ManifestFormatError, ManifestFieldError,
        DuplicateIdError: see :mod:`lhotse_lite.manifest.formats`; messages name ``file:line``.

    Example:
        See the module docstring.
    """
    fmt = fmt or formats.detect_format(path)
    from_dict = cls.element_type.from_dict
    if fmt == "jsonl":
        numbered = formats.iter_jsonl_dicts(path)
        where = f"{path}:{{}}".format
    else:
        numbered = enumerate(formats.read_list_file(path, fmt))
        where = f"{path}[item {{}}]".format
    with gc_paused():
        return cls._from_dict_unchecked(load_numbered(numbered, from_dict, cls._key, where))


def open_set_lazy(cls: Type[S], path: formats.Pathlike, indexed: Optional[bool] = None, shuffle: bool = False,
                  seed: int = 0, index_path: Optional[formats.Pathlike] = None,
                  block_window: Optional[int] = None) -> S:
    """A lazy ``cls`` reading the JSON lines of ``path`` on each iteration (``ManifestSet.from_jsonl_lazy``).

    Args:
        cls: The set class.
        path: A JSONL file (any name; gzip-compressed when it ends in ``.gz``).
        indexed: ``True``: read through the index (built when missing); ``False``: stream the file;
            ``None``: use the index when there is one (Lhotse 2.0's rule; a URL is streamed). A URL read
            indexed costs one ranged request per item (:mod:`lhotse_lite.manifest.remote_indexed`).
        shuffle: A global seed-determined order (implies ``indexed``).
        seed: Seed of that order.
        index_path: The index file, when it is not ``<path>.idx``.
        block_window: The block shuffle of a ``.jsonl.gz`` (see ``ManifestSet.from_jsonl_lazy``).

    Returns:
        A lazy set over a :class:`~lhotse_lite.manifest.indexed.LazyIndexedManifestIterator` when indexed,
        else over a :class:`~lhotse_lite.manifest.lazy.LazyManifestIterator`.

    Raises:
        ManifestNotFoundError: The file does not exist (checked now, not at first iteration).
        ManifestArgumentError: Indexed access to a gzip-compressed file that has no block index.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSet
        >>> open_set_lazy(SupervisionSet, "missing.jsonl")
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ManifestNotFoundError: manifest file not found: 'missing.jsonl'
    """
    url = remote.is_url(path)
    indexed_url = url and bool(shuffle or indexed or index_path is not None)
    if not indexed_url and not remote.exists(path):  # an indexed URL is asked for its size and ETag instead
        raise ManifestNotFoundError(f"manifest file not found: {str(path)!r}")
    if url and not indexed_url:  # indexed=None streams a URL: looking for its index would cost a request
        return cls._lazy(lazy.LazyManifestIterator(path, cls.element_type.from_dict))
    if shuffle or indexed or (indexed is None and (index_path is not None or has_index(path))):
        from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator

        return cls._lazy(LazyIndexedManifestIterator(path, shuffle=shuffle, seed=seed, index_path=index_path,
                                                     decode=cls.element_type.from_dict, block_window=block_window))
    return cls._lazy(lazy.LazyManifestIterator(path, cls.element_type.from_dict))


def has_index(path: formats.Pathlike) -> bool:
    """Whether ``path`` has an index that indexed reading would use (``indexed=None``)."""
    from lhotse_lite.indexing import index_exists
    from lhotse_lite.manifest.blocked_gzip import has_block_index

    return has_block_index(path) if formats.is_gzip(path) else index_exists(path)
