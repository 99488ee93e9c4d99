"""The generic manifest set: one implementation shared by every ``*Set`` (eager or lazy).

A :class:`ManifestSet` is either

* **eager**: a ``dict`` from each item's key (its ``id``) to the item, built when the set is
  created; duplicate keys are an error; ``len``, ``in`` and ``[id]`` are O(1); or
* **lazy**: a re-iterable source (a node of :mod:`lhotse_lite.manifest.lazy`, usually streaming
  a JSONL file). Operations on a lazy set return lazy sets and never load all items; ``len``,
  ``in`` and ``[id]`` scan the stream (O(n) time, O(1) memory). :meth:`ManifestSet.to_eager`
  loads it explicitly.

The bodies of the whole-set operations (``combine``, ``mux``, ``split``, ``subset``, ``shuffle``, ...)
live in :mod:`lhotse_lite.manifest.operations`; reading a set from a file lives in
:mod:`lhotse_lite.manifest.set_files`.

Subclassing: a subclass sets :attr:`ManifestSet.element_type` (a class with ``to_dict()`` and
classmethod ``from_dict(dict)``) and may override

* :meth:`ManifestSet._key` -- the key of an item (default ``item.id``). Sets whose items have no
  unique id (e.g. features keyed by recording id and channels) return another hashable here;
  ``ids``, ``in``, ``[key]`` and the duplicate check then use it;
* :meth:`ManifestSet._post_init` -- called on every newly created set (eager, lazy, or a copy), to
  set up private caches (e.g. a search index built on first use).

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Item:
    ...     id: str
    ...     value: int = 0
    ...     def to_dict(self): return {"id": self.id, "value": self.value}
    ...     @classmethod
    ...     def from_dict(cls, d): return cls(**d)
    >>> class ItemSet(ManifestSet[Item]):
    ...     element_type = Item
    >>> items = ItemSet([Item("a", 1), Item("b", 2), Item("c", 3)])
    >>> len(items), items["b"].value, items[0].id, "c" in items
    (3, 2, 'a', True)
    >>> items.filter(lambda it: it.value > 1).ids
    ['b', 'c']
"""

from __future__ import annotations

import itertools
import logging
import numbers
import random
from types import MappingProxyType
from typing import (
    Callable,
    ClassVar,
    Dict,
    Generic,
    Hashable,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Type,
    TypeVar,
    Union,
)

from lhotse_lite.errors import UnknownIdError
from lhotse_lite.manifest import formats, lazy, operations, set_files
from lhotse_lite.manifest.building import build_dict, with_location
from lhotse_lite.manifest.operations import combine

__all__ = ["ManifestSet", "combine"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
S = TypeVar("S", bound="ManifestSet")


class ManifestSet(Generic[T]):
    """A collection of manifest items, eager (dict by id) or lazy (streamed).

    Args:
        items: The items of an eager set (any iterable, consumed once, or a mapping key -> item as
            Lhotse's constructors take). ``None`` gives an empty set.

    Raises:
        DuplicateIdError: Two items have the same key (id); the message names it.

    Example:
        See the module docstring of :mod:`lhotse_lite.manifest.set`.
    """

    element_type: ClassVar[type]

    def __init__(self, items: Optional[Iterable[T]] = None) -> None:
        if isinstance(items, Mapping):  # Lhotse's constructors take a dict id -> item
            items = items.values()
        self._items: Optional[Dict[Hashable, T]] = build_dict(type(self)._key, () if items is None else items)
        self._source: Optional[Iterable[T]] = None
        self._post_init()

    # ---- construction -------------------------------------------------------------------------

    def _post_init(self) -> None:
        """Hook for subclasses: set up private state of a newly created set (default: nothing)."""

    @classmethod
    def _key(cls, item: T) -> Hashable:
        """The key of ``item`` in an eager set (default: ``item.id``). Override for other keys."""
        return item.id  # type: ignore[attr-defined]

    @classmethod
    def _from_dict_unchecked(cls: Type[S], items: Dict[Hashable, T]) -> S:
        obj = cls.__new__(cls)
        obj._items, obj._source = items, None
        obj._post_init()
        return obj

    @classmethod
    def _lazy(cls: Type[S], source: Iterable[T]) -> S:
        """A lazy set over a re-iterable ``source`` (a node of :mod:`lhotse_lite.manifest.lazy`)."""
        obj = cls.__new__(cls)
        obj._items, obj._source = None, source
        obj._post_init()
        return obj

    @classmethod
    def from_items(cls: Type[S], items: Iterable[T]) -> S:
        """An eager set of ``items`` (Lhotse: ``from_segments``/``from_recordings``).

        Raises:
            DuplicateIdError: Two items share a key.
        """
        return cls(items)

    @classmethod
    def from_dicts(cls: Type[S], dicts: Iterable[dict]) -> S:
        """An eager set from item dicts (as written by ``to_dicts``).

        Raises:
            ManifestFieldError: An item has a missing or invalid field (the message gives its index).
            DuplicateIdError: Two items share a key.
        """
        from_dict = cls.element_type.from_dict
        return cls(with_location(from_dict, enumerate(dicts), "item "))

    # ---- basic protocol -----------------------------------------------------------------------

    @property
    def is_lazy(self) -> bool:
        """Whether the set streams its items instead of holding them."""
        return self._items is None

    @property
    def data(self) -> Union[Mapping[Hashable, T], Iterable[T]]:
        """Eager: a read-only mapping key -> item. Lazy: the re-iterable source."""
        if self._items is None:
            return self._source  # type: ignore[return-value]
        return MappingProxyType(self._items)

    @property
    def ids(self) -> Union[List[Hashable], Iterator[Hashable]]:
        """The keys in order: a list for an eager set, a one-pass generator for a lazy set."""
        if self._items is not None:
            return list(self._items)
        key = type(self)._key
        return (key(item) for item in self)

    def __len__(self) -> int:
        """Number of items. For a lazy set this iterates the whole stream (O(n) time, O(1) memory)."""
        if self._items is not None:
            return len(self._items)
        return sum(1 for _ in self._source)  # type: ignore[union-attr]

    def __iter__(self) -> Iterator[T]:
        if self._items is not None:
            return iter(self._items.values())
        return iter(self._source)  # type: ignore[arg-type]

    def __contains__(self, key: object) -> bool:
        if self._items is not None:
            return key in self._items
        item_key = type(self)._key
        return any(item_key(item) == key for item in self)

    def __getitem__(self, key: Union[Hashable, int]) -> T:
        """``set[id]`` -> the item with that key; ``set[n]`` (an ``int``) -> the n-th item.

        Raises:
            UnknownIdError: No item has that key.
            IndexError: ``n`` is out of range.
        """
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):  # numpy ints too
            return self._nth(int(key))
        if self._items is not None:
            try:
                return self._items[key]
            except KeyError:
                raise UnknownIdError(self._unknown_message(key)) from None
        item_key = type(self)._key
        for item in self:
            if item_key(item) == key:
                return item
        raise UnknownIdError(self._unknown_message(key))

    def _unknown_message(self, key: Hashable) -> str:
        return f"{type(self).__name__} has no item with id {key!r}; check the id (e.g. `{key!r} in the_set`)"

    def _nth(self, n: int) -> T:
        if n < 0:
            if self._items is None:
                raise IndexError(f"negative index {n} is not supported on a lazy {type(self).__name__}")
            n += len(self._items)
        if n >= 0:
            for item in itertools.islice(self, n, None):
                return item
        raise IndexError(f"index {n} out of range for {type(self).__name__}")

    def __add__(self: S, other: S) -> S:
        return type(self).combine(self, other)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        if self._items is not None and other._items is not None:  # type: ignore[attr-defined]
            return self._items == other._items  # type: ignore[attr-defined]
        return list(self) == list(other)  # type: ignore[call-overload]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if self._items is None:
            return f"{type(self).__name__}(lazy, source={self._source!r})"
        return f"{type(self).__name__}(len={len(self._items)})"

    def to_eager(self: S) -> S:
        """This set held in memory (itself if already eager).

        Raises:
            DuplicateIdError: The stream contains two items with the same key.
        """
        return self if self._items is not None else type(self)(self)

    # ---- transformations ----------------------------------------------------------------------

    def filter(self: S, predicate: Callable[[T], bool]) -> S:
        """The items for which ``predicate(item)`` is true (lazy stays lazy)."""
        if self._items is None:
            return self._lazy(lazy.LazyFilter(self._source, predicate))  # type: ignore[arg-type]
        return self._from_dict_unchecked({k: v for k, v in self._items.items() if predicate(v)})

    def map(self: S, fn: Callable[[T], T]) -> S:
        """``fn(item)`` for every item (lazy stays lazy; eager checks the new keys for duplicates)."""
        if self._items is None:
            return self._lazy(lazy.LazyMapper(self._source, fn))  # type: ignore[arg-type]
        return type(self)(map(fn, self._items.values()))

    def shuffle(self: S, rng: Optional[random.Random] = None, buffer_size: int = 10_000) -> S:
        """The items in random order.

        Eager: a full shuffle. Lazy: an approximate shuffle holding at most ``buffer_size`` items.

        Args:
            rng: Random generator (``None``: the ``random`` module for eager sets, a fresh
                ``random.Random()`` per pass for lazy sets).
            buffer_size: Shuffle buffer size of a lazy set.
        """
        return operations.shuffle(self, rng, buffer_size)

    def repeat(self: S, times: Optional[int] = None, preserve_id: bool = False) -> S:
        """A lazy set iterating these items ``times`` times (forever when ``None``).

        Args:
            times: Number of passes, or ``None`` for an endless stream.
            preserve_id: Keep ids unchanged. Otherwise pass ``n`` (0-based) renames each item
                ``f"{id}_repeat{n}"`` as Lhotse does, so ids stay unique.

        Returns:
            Always a lazy set (an eager one could not hold duplicate ids or endless streams).
        """
        return operations.repeat(self, times, preserve_id)

    @classmethod
    def mux(cls: Type[S], *sets: "ManifestSet[T]", stop_early: bool = False,
            weights: Optional[Sequence[float]] = None, seed: int = 0) -> S:
        """A lazy set interleaving ``sets`` at random (see :class:`~lhotse_lite.manifest.lazy.LazyMux`).

        Args:
            sets: The sets to interleave.
            stop_early: Stop when the first set runs out (else go on until all run out).
            weights: Relative chance of drawing from each set (``None``: equal).
            seed: Seed of the draw; every pass repeats the same order.
        """
        return operations.mux(cls, sets, stop_early, weights, seed)

    @classmethod
    def infinite_mux(cls: Type[S], *sets: "ManifestSet[T]", weights: Optional[Sequence[float]] = None,
                     seed: int = 0, max_open_streams: Optional[int] = None) -> S:
        """An endless lazy interleaving of ``sets``, each restarted when exhausted.

        See :class:`~lhotse_lite.manifest.lazy.LazyInfiniteMux` for ``max_open_streams``.
        """
        return operations.infinite_mux(cls, sets, weights, seed, max_open_streams)

    @classmethod
    def combine(cls: Type[S], *sets: Union["ManifestSet[T]", Iterable["ManifestSet[T]"]]) -> S:
        """All items of ``sets`` in order (also accepts one list of sets).

        Eager when every set is eager (duplicate ids across sets raise
        :class:`~lhotse_lite.errors.DuplicateIdError`), otherwise a lazy chain.
        """
        return operations.combine_into(cls, sets)

    def split(self: S, num_splits: int, shuffle: bool = False, drop_last: bool = False) -> List[S]:
        """Split into ``num_splits`` contiguous parts (as Lhotse's ``split``).

        Each part has ``len // num_splits`` items; the ``len % num_splits`` remaining items go one
        each to the first parts, or are dropped when ``drop_last`` (Lhotse's rule). A lazy set is split
        into lazy slices of its stream (one counting pass, nothing loaded); ``shuffle`` needs an eager set.

        Raises:
            ManifestError: ``num_splits`` is not in ``1..len``, or ``shuffle`` on a lazy set.
        """
        return operations.split(self, num_splits, shuffle, drop_last)

    def split_lazy(self, output_dir: formats.Pathlike, chunk_size: int, prefix: str = "") -> List[S]:
        """Write the items in chunks of ``chunk_size`` to ``output_dir`` and open them lazily.

        Files are named ``{prefix}{index:08d}.jsonl.gz`` (Lhotse's naming). Streams the set once.

        Returns:
            One lazy set per written file.
        """
        return operations.split_lazy(self, output_dir, chunk_size, prefix)

    def subset(self: S, first: Optional[int] = None, last: Optional[int] = None) -> S:
        """The first ``first`` or last ``last`` items (exactly one must be given).

        A lazy set stays lazy (``last`` keeps at most ``last`` items in memory while streaming).

        Raises:
            ManifestError: Both or neither of ``first``/``last`` given, or a negative count.
        """
        return operations.subset(self, first, last)

    # ---- serialization ------------------------------------------------------------------------

    def to_dicts(self) -> Iterator[dict]:
        """The items as dicts (``to_dict`` of each), lazily."""
        return (item.to_dict() for item in self)  # type: ignore[attr-defined]

    def to_file(self, path: formats.Pathlike) -> None:
        """Write the set atomically in the format of ``path``'s extension (see :mod:`.formats`)."""
        formats.write_dicts(self.to_dicts(), path)

    def to_jsonl(self, path: formats.Pathlike) -> None:
        """Write JSONL (``.jsonl`` or ``.jsonl.gz``) atomically."""
        set_files.check_format(path, "jsonl")
        self.to_file(path)

    def to_json(self, path: formats.Pathlike) -> None:
        """Write a JSON list (``.json`` or ``.json.gz``) atomically."""
        set_files.check_format(path, "json")
        self.to_file(path)

    def to_yaml(self, path: formats.Pathlike) -> None:
        """Write YAML (``.yaml``) atomically."""
        set_files.check_format(path, "yaml")
        self.to_file(path)

    @classmethod
    def from_file(cls: Type[S], path: formats.Pathlike) -> S:
        """Load an eager set from a file, the format chosen by its extension.

        Raises:
            FileNotFoundError, UnknownFormatError, ManifestFormatError, ManifestFieldError,
            DuplicateIdError: see :mod:`lhotse_lite.manifest.formats`; messages name ``file:line``.
        """
        return set_files.load_set(cls, path)

    @classmethod
    def from_jsonl(cls: Type[S], path: formats.Pathlike) -> S:
        """Load an eager set from ``.jsonl``/``.jsonl.gz``."""
        set_files.check_format(path, "jsonl")
        return cls.from_file(path)

    @classmethod
    def from_json(cls: Type[S], path: formats.Pathlike) -> S:
        """Load an eager set from ``.json``/``.json.gz``."""
        set_files.check_format(path, "json")
        return cls.from_file(path)

    @classmethod
    def from_yaml(cls: Type[S], path: formats.Pathlike) -> S:
        """Load an eager set from ``.yaml``."""
        set_files.check_format(path, "yaml")
        return cls.from_file(path)

    @classmethod
    def from_jsonl_lazy(cls: Type[S], path: formats.Pathlike) -> S:
        """A lazy set streaming ``.jsonl``/``.jsonl.gz`` (the file is read on each iteration).

        Raises:
            UnknownFormatError: The file is not JSONL.
            FileNotFoundError: The file does not exist (checked now, not at first iteration).
        """
        return set_files.open_set_lazy(cls, path)

