"""A set's files: the file methods of :class:`~lhotse_lite.manifest.ManifestSet` and the readers behind them.

:class:`ManifestFiles` is the part of ``ManifestSet`` that reads and writes files (``from_file``,
``from_jsonl_lazy``, ``from_files``, ``to_file``, ``to_jsonl``, ``split_lazy``, ...); ``ManifestSet`` inherits
it, and its methods are documented there, once. They stand on four functions that work for any item type
(they take the item decoder and the key function as arguments and return plain values):

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

import itertools
import tempfile
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Dict,
    Generic,
    Hashable,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
)

from lhotse_lite import remote
from lhotse_lite.errors import ManifestArgumentError, ManifestNotFoundError
from lhotse_lite.manifest import formats, lazy
from lhotse_lite.manifest.building import gc_paused, load_line_batches, load_numbered

if TYPE_CHECKING:
    from lhotse_lite.manifest.set import ManifestItem

__all__ = ["ManifestFiles", "read_keyed_items", "open_jsonl_source", "has_index", "write_jsonl_indexed"]

T = TypeVar("T", bound="ManifestItem")
S = TypeVar("S", bound="ManifestFiles[Any]")


class ManifestFiles(Generic[T]):
    """The file methods of :class:`~lhotse_lite.manifest.ManifestSet` (its base class; see there).

    Reading returns sets made by the set's own constructors (``_from_dict_unchecked`` for an eager set,
    ``_lazy`` for a lazy one); writing goes through ``to_dicts``.
    """

    if TYPE_CHECKING:  # provided by ManifestSet
        element_type: ClassVar[Type[ManifestItem]]
        _key_getter: ClassVar[Callable[[Any], Hashable]]

        @classmethod
        def _from_dict_unchecked(cls: Type[S], items: Dict[Hashable, T]) -> S: ...

        @classmethod
        def _lazy(cls: Type[S], source: Iterable[T]) -> S: ...

        def __iter__(self) -> Iterator[T]: ...

    def split_lazy(self: S, output_dir: formats.Pathlike, chunk_size: int, prefix: str = "") -> List[S]:
        """Write the items in chunks of ``chunk_size`` to ``output_dir`` and open them lazily.

        Files are named ``{prefix}.{index:08d}.jsonl.gz`` (``prefix`` defaults to ``"split"``, as in
        Lhotse); ``output_dir`` is created if missing. Streams the set once.

        Returns:
            One lazy set per written file.

        Raises:
            ManifestArgumentError: ``chunk_size < 1``.

        Example:
            >>> import tempfile
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> sups = SupervisionSet(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(3))
            >>> with tempfile.TemporaryDirectory() as tmp:
            ...     [list(part.ids) for part in sups.split_lazy(tmp, 2)]
            [['s0', 's1'], ['s2']]
        """
        if chunk_size < 1:
            raise ManifestArgumentError(f"chunk_size must be >= 1, got {chunk_size}")
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        result = []
        it = iter(self)
        for idx in itertools.count():
            chunk = list(itertools.islice(it, chunk_size))
            if not chunk:
                break
            path = out / f"{prefix or 'split'}.{idx:08d}.jsonl.gz"
            formats.write_dicts((x.to_dict() for x in chunk), path, "jsonl")
            result.append(self.from_jsonl_lazy(path))
        return result

    def to_dicts(self) -> Iterator[dict]:
        """The items as dicts (``to_dict`` of each), lazily."""
        return (item.to_dict() for item in self)

    def to_file(self, path: formats.Pathlike) -> None:
        """Write the set atomically in the format named by ``path``'s suffixes (see :mod:`.formats`).

        JSON lines are written with their index (see :meth:`to_jsonl`).
        """
        if formats.detect_format(path) == "jsonl":
            self.to_jsonl(path)
        else:
            formats.write_dicts(self.to_dicts(), path)

    def to_jsonl(self, path: formats.Pathlike) -> None:
        """Write JSON lines to ``path`` (any name; gzip-compressed if it ends in ``.gz``), atomically, indexed.

        The index is written with the data (see :mod:`lhotse_lite.manifest.sidecars`): ``<path>.idx``
        (Lhotse 2.0's format) for an uncompressed file; a ``.gz`` file is block-compressed gzip (an
        ordinary gzip file to every reader) with its block index ``<path>.gzi``
        (:mod:`lhotse_lite.manifest.blocked_gzip`); both get the summary ``<path>.idx.json``. The old
        index files are removed before the new data is renamed into place. A URL gets its index files too,
        uploaded after the data (:mod:`lhotse_lite.manifest.remote_indexed`).
        """
        write_jsonl_indexed(self.to_dicts(), path, type(self).__name__)

    def to_json(self, path: formats.Pathlike) -> None:
        """Write a JSON list to ``path`` (any name; gzip-compressed if it ends in ``.gz``), atomically."""
        formats.write_dicts(self.to_dicts(), path, "json")

    def to_yaml(self, path: formats.Pathlike) -> None:
        """Write YAML to ``path`` (any name; gzip-compressed if it ends in ``.gz``), atomically."""
        formats.write_dicts(self.to_dicts(), path, "yaml")

    @classmethod
    def open_writer(cls, path: Optional[formats.Pathlike], overwrite: bool = True) -> object:
        """A :class:`~lhotse_lite.manifest.writer.SequentialJsonlWriter` for ``path``, or an
        ``InMemoryWriter`` for ``None`` (see :func:`~lhotse_lite.manifest.writer.open_writer`)."""
        from lhotse_lite.manifest.writer import open_writer

        return open_writer(path, overwrite=overwrite)

    @classmethod
    def from_file(cls: Type[S], path: formats.Pathlike) -> S:
        """Load an eager set from a file, the format named by its suffixes; items in file order.

        Raises:
            ManifestNotFoundError, UnknownFormatError, ManifestFormatError, ManifestFieldError,
            DuplicateIdError: see :mod:`lhotse_lite.manifest.formats`; messages name ``file:line``.

        Example:
            >>> import tempfile, os
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl.gz")
            >>> SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)]).to_file(path)
            >>> SupervisionSet.from_file(path).ids, list(SupervisionSet.from_jsonl_lazy(path).ids)
            (['a'], ['a'])
        """
        return cls._load(path, formats.detect_format(path))

    @classmethod
    def from_jsonl(cls: Type[S], path: formats.Pathlike) -> S:
        """Load an eager set from JSON lines (any name; gzip-compressed if it ends in ``.gz``)."""
        return cls._load(path, "jsonl")

    @classmethod
    def from_json(cls: Type[S], path: formats.Pathlike) -> S:
        """Load an eager set from a JSON list (any name; gzip-compressed if it ends in ``.gz``)."""
        return cls._load(path, "json")

    @classmethod
    def from_yaml(cls: Type[S], path: formats.Pathlike) -> S:
        """Load an eager set from YAML (any name; gzip-compressed if it ends in ``.gz``)."""
        return cls._load(path, "yaml")

    @classmethod
    def _load(cls: Type[S], path: formats.Pathlike, fmt: str) -> S:
        items = read_keyed_items(path, fmt, cls.element_type.from_dict, cls._key_getter)
        return cls._from_dict_unchecked(items)

    @classmethod
    def from_files(
        cls: Type[S],
        paths: Sequence[formats.Pathlike],
        shuffle_iters: bool = True,
        seed: Optional[int] = None,
        indexed: Optional[bool] = None,
    ) -> S:
        """One lazy set over many JSONL shards (Lhotse 2.0's ``CutSet.from_files``, for every set type).

        With ``shuffle_iters`` each pass shuffles the shard order, or, when every shard is indexed,
        visits every item of all shards once in a global Feistel order (seeded with ``seed + pass``).

        Args:
            paths: The shards.
            shuffle_iters: Shuffle on every pass.
            seed: Seed of the shuffle; ``None`` draws one from the ``random`` module on each pass.
            indexed: As in :meth:`from_jsonl_lazy`, for each shard.
        """
        decode = cls.element_type.from_dict
        shards = [open_jsonl_source(p, decode, indexed=indexed) for p in paths]
        return cls._lazy(lazy.LazyIteratorChain(*shards, shuffle_iters=shuffle_iters, seed=seed))

    @classmethod
    def from_jsonl_lazy(
        cls: Type[S],
        path: formats.Pathlike,
        shuffle: bool = False,
        seed: int = 0,
        indexed: Optional[bool] = None,
        index_path: Optional[formats.Pathlike] = None,
        block_window: Optional[int] = None,
    ) -> S:
        """A lazy set reading JSON lines from ``path`` on each iteration (any name).

        Indexed (O(1) ``len``, ``set[i]``, ``set[id]``, slicing and resume, see
        :mod:`lhotse_lite.manifest.indexed`) when ``indexed=True``, ``shuffle=True``, or ``indexed=None``
        and the file has an index (``<path>.idx``, or ``index_path``).

        Args:
            path: The JSONL file.
            shuffle: Iterate in a global seed-determined order (Lhotse 2.0's Feistel order; implies indexed).
            seed: Seed of that order (an int).
            indexed: ``True`` builds the index when missing; ``False`` streams the file; ``None`` uses an index
                when there is one (a URL is streamed). A URL read indexed costs one ranged request per item
                (:mod:`lhotse_lite.manifest.remote_indexed`).
            index_path: The index file, when it is not ``<path>.idx``.
            block_window: For a ``.jsonl.gz`` with ``shuffle=True``: the fast block shuffle instead of the
                global one (blocks in a global order, items shuffled within windows of this many blocks; see
                :class:`~lhotse_lite.manifest.indexed.LazyIndexedManifestIterator`).

        Raises:
            ManifestNotFoundError: The file does not exist (checked now, not at first iteration).
            StaleIndexError: The file's index does not match it (it changed after indexing).

        Example:
            >>> from lhotse_lite.supervision import SupervisionSet
            >>> SupervisionSet.from_jsonl_lazy("missing.jsonl")
            Traceback (most recent call last):
            ...
            lhotse_lite.errors.ManifestNotFoundError: manifest file not found: 'missing.jsonl'
        """
        return cls._lazy(
            open_jsonl_source(
                path,
                cls.element_type.from_dict,
                indexed=indexed,
                shuffle=shuffle,
                seed=seed,
                index_path=index_path,
                block_window=block_window,
            )
        )


def read_keyed_items(
    path: formats.Pathlike, fmt: str, from_dict: Callable[[dict], Any], key: Callable[[Any], Hashable]
) -> Dict[Hashable, Any]:
    """The items of the ``fmt`` file ``path`` (``"jsonl"``, ``"json"`` or ``"yaml"``) by ``key``, in file order.

    Raises:
        ManifestNotFoundError, ManifestFormatError, ManifestFieldError, DuplicateIdError: as
        :meth:`ManifestSet.from_file <lhotse_lite.manifest.ManifestSet.from_file>`; messages name ``file:line``.
    """
    if fmt == "jsonl":
        name = str(path)

        def locate(batch: Tuple[int, List[bytes]]) -> Iterator[Tuple[int, Any]]:
            return formats.iter_jsonl_batches([batch], name)

        with gc_paused():
            return load_line_batches(
                formats.iter_manifest_line_batches(path), from_dict, key, f"{name}:{{}}".format, locate
            )
    numbered = enumerate(formats.read_list_file(path, fmt))
    with gc_paused():
        return load_numbered(numbered, from_dict, key, f"{path}[item {{}}]".format)


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
