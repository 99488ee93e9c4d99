"""The generic manifest set: one implementation shared by every ``*Set`` (eager or lazy).

A :class:`ManifestSet` is either

* **eager**: a ``dict`` from each item's key (its ``id``) to the item, built when the set is
  created; duplicate keys are an error; ``len``, ``in`` and ``[id]`` are O(1); or
* **lazy**: a re-iterable source (a node of :mod:`lhotse_lite.manifest.lazy`, usually reading a JSONL
  file). Operations on a lazy set return lazy sets and never load all items; ``in`` and ``[id]`` scan
  the stream (O(n) time, O(1) memory); ``len`` is what the source knows (see :mod:`.lazy`: a file
  counts its lines, a filter raises ``TypeError``). :meth:`ManifestSet.to_eager` loads it explicitly.

As in Lhotse, ``set + other`` and :meth:`~ManifestSet.repeat` give lazy sets (so a repeat may hold one
id several times), and a lazy node passed to the constructor (``SupervisionSet(LazyFilter(...))``)
makes a lazy set.

**The key index and item changes.** Items are plain mutable dataclasses; nothing tells a set when one of
its items is changed in place. ``set[key]``, ``key in set``, ``ids`` and ``data`` check what they find and
rebuild the key dict when an item's key no longer matches (lookups that hit stay O(1));
:meth:`~ManifestSet.reindex` rebuilds every index the set caches (the rule in full: :doc:`/manifests`).

Reading and writing files (``from_file``, ``from_jsonl_lazy``, ``to_file``, ``split_lazy``, ...) are methods
of the base class :class:`~lhotse_lite.manifest.set_files.ManifestFiles`, with the readers behind them.

Subclassing: a subclass sets :attr:`ManifestSet.element_type` (a class with ``to_dict()`` and
classmethod ``from_dict(dict)``), defines ``__init__`` with Lhotse's keyword for the items
(``segments=``, ``recordings=``, ...), and may override

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
import operator
import random
from types import MappingProxyType
from typing import (
    Any,
    Callable,
    ClassVar,
    Dict,
    Hashable,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from lhotse_lite.errors import ItemIndexError, ManifestArgumentError, ManifestError, UnknownIdError
from lhotse_lite.manifest import lazy, mux as muxes
from lhotse_lite.manifest.building import build_dict, with_location
from lhotse_lite.manifest.seeds import Seed
from lhotse_lite.manifest.set_files import ManifestFiles

__all__ = ["ManifestSet", "combine"]

logger = logging.getLogger(__name__)


class ManifestItem(Protocol):
    """What a set needs of its items: ``to_dict()`` and the class method ``from_dict(dict)``."""

    def to_dict(self) -> Dict[str, Any]: ...

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> Any: ...


T = TypeVar("T", bound=ManifestItem)
S = TypeVar("S", bound="ManifestSet[Any]")

_MISSING = object()
_get_id = operator.attrgetter("id")


class ManifestSet(ManifestFiles[T]):
    """A collection of manifest items, eager (dict by id) or lazy (streamed).

    Args:
        items: The items of an eager set (any iterable, consumed once, a mapping key -> item, or
            another set), or a lazy node of :mod:`lhotse_lite.manifest.lazy` for a lazy set. ``None``
            gives an empty set.

    Raises:
        DuplicateIdError: Two items of an eager set have the same key (id); the message names it.

    Example:
        See the module docstring of :mod:`lhotse_lite.manifest.set`.
    """

    element_type: ClassVar[Type[ManifestItem]]
    _key_getter: ClassVar[Callable[[Any], Hashable]] = _get_id  # _key as a fast callable (set per subclass)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._key_getter = _get_id if not _overrides_key(cls) else cls._key

    def __init__(self, items: Optional[Iterable[T]] = None) -> None:
        self._items: Optional[Dict[Hashable, T]] = None
        self._source: Optional[Iterable[T]] = None
        if isinstance(items, lazy.LazyNode):
            self._source = items
        elif isinstance(items, ManifestSet) and items.is_lazy:
            self._source = items._source
        elif isinstance(items, ManifestSet):
            self._items = dict(items._items)  # type: ignore[arg-type]
        else:
            if isinstance(items, Mapping):  # Lhotse's constructors also took a dict id -> item
                items = items.values()
            self._items = build_dict(type(self)._key_getter, () if items is None else items)
        self._post_init()

    # ---- construction -------------------------------------------------------------------------

    def _post_init(self) -> None:
        """Hook for subclasses: set up (or, from :meth:`reindex`, reset) private caches (default: nothing)."""

    @classmethod
    def _key(cls, item: T) -> Hashable:
        """The key of ``item`` in an eager set (default: ``item.id``). Override for other keys."""
        return item.id  # type: ignore[attr-defined]

    @classmethod
    def _from_dict_unchecked(cls: Type[S], items: Dict[Hashable, T]) -> S:
        """An eager set holding ``items`` (a dict key -> item; keys are checked when looked up)."""
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
        """An eager set of ``items``, even when they come from a lazy set or node (Lhotse: ``from_segments``...).

        Raises:
            DuplicateIdError: Two items share a key.
        """
        return cls._from_dict_unchecked(build_dict(cls._key_getter, items))

    @classmethod
    def from_dicts(cls: Type[S], dicts: Iterable[dict]) -> S:
        """An eager set from item dicts (as written by ``to_dicts``).

        Raises:
            ManifestFieldError: An item has a missing or invalid field (the message gives its index).
            DuplicateIdError: Two items share a key.
        """
        from_dict = cls.element_type.from_dict
        return cls.from_items(with_location(from_dict, enumerate(dicts), "item "))

    # ---- the key index ------------------------------------------------------------------------

    def _keys_current(self) -> bool:
        """Whether every item of the eager dict still has the key it is stored under (O(n))."""
        items = self._items
        if items is None:
            return True
        return all(map(operator.eq, items, map(type(self)._key_getter, items.values())))

    def _current_items(self) -> Dict[Hashable, T]:
        """The eager dict, rebuilt first if an item's key was changed since it was built."""
        if not self._keys_current():
            self._rekey()
        return self._items  # type: ignore[return-value]

    def _rekey(self) -> None:
        self._items = build_dict(type(self)._key_getter, self._items.values())  # type: ignore[union-attr]

    def _lookup(self, key: Hashable) -> object:
        """The item with ``key`` in an eager set, or ``_MISSING`` (see the module doc: O(1) for a hit)."""
        item = self._items.get(key, _MISSING)  # type: ignore[union-attr]
        if item is not _MISSING and type(self)._key_getter(item) == key:
            return item
        if item is _MISSING and self._keys_current():
            return _MISSING
        self._rekey()
        return self._items.get(key, _MISSING)  # type: ignore[union-attr]

    def reindex(self) -> None:
        """Rebuild the indexes this set caches, after its items were changed in place.

        An eager set rebuilds its dict key -> item now; every set drops the indexes its methods build on
        first use (e.g. :meth:`SupervisionSet.find`'s), which are rebuilt at their next use. Lookups
        already recheck what they find (see :mod:`lhotse_lite.manifest.set`); ``reindex`` is for what a
        cached index cannot notice, such as a segment moved into a ``find`` window.

        Raises:
            DuplicateIdError: Two items now share a key.

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> sups = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0), SupervisionSegment("b", "r", 5.0, 1.0)])
            >>> [s.id for s in sups.find("r", end_before=2.0)]
            ['a']
            >>> sups["b"].start = 0.5
            >>> sups.reindex()
            >>> [s.id for s in sups.find("r", end_before=2.0)]
            ['a', 'b']
        """
        if self._items is not None:
            self._rekey()
        self._post_init()

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
        return MappingProxyType(self._current_items())

    @property
    def ids(self) -> Union[List[Hashable], Iterator[Hashable]]:
        """The keys in order: a list for an eager set, a one-pass generator for a lazy set."""
        if self._items is not None:
            return list(self._current_items())
        key = type(self)._key_getter
        return (key(item) for item in self)

    def __len__(self) -> int:
        """Number of items; for a lazy set, what its source knows (``TypeError`` after a filter)."""
        if self._items is not None:
            return len(self._items)
        return len(self._source)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        """Whether the set has an item (a lazy set reads at most one)."""
        if self._items is not None:
            return bool(self._items)
        return next(iter(self._source), _MISSING) is not _MISSING  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[T]:
        if self._items is not None:
            return iter(self._items.values())
        return iter(self._source)  # type: ignore[arg-type]

    def __contains__(self, key: object) -> bool:
        """Whether an item has ``key`` (an id, or an item whose key is looked up)."""
        if isinstance(key, self.element_type):
            key = type(self)._key_getter(key)
        if self._items is not None:
            return self._lookup(key) is not _MISSING
        find = self._id_finder()
        if find is not None and isinstance(key, str):
            return find(key) is not None
        item_key = type(self)._key_getter
        return any(item_key(item) == key for item in self)

    def __getitem__(self, key: Union[Hashable, int, slice]) -> T:
        """``set[id]`` -> the item with that key; ``set[n]`` (an ``int``) -> the n-th item.

        On an indexed lazy set (see :mod:`lhotse_lite.manifest.indexed`) ``set[n]`` and ``set[id]`` are
        O(1) reads (``set[id]`` through the id index ``<file>.idx.ids``, built on first use) and
        ``set[a:b:c]`` is an indexed lazy set of those items.

        Raises:
            UnknownIdError: No item has that key (a ``KeyError``).
            ItemIndexError: ``n`` is out of range (an ``IndexError``).
        """
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):  # numpy ints too
            return self._nth(int(key))
        if isinstance(key, slice) and self._items is None and getattr(self._source, "is_indexed", False):
            from lhotse_lite.manifest.indexed import LazyIndexedSlice

            # a slice gives a set (Lhotse's contract of __getitem__); an indexed source has a len
            return self._lazy(LazyIndexedSlice(self._source, *key.indices(len(self._source))))  # type: ignore[arg-type, return-value]
        if self._items is not None:
            item = self._lookup(key)  # type: ignore[arg-type]  # a slice of an eager set: TypeError (unhashable)
            if item is _MISSING:
                raise UnknownIdError(self._unknown_message(key))
            return item  # type: ignore[return-value]
        find = self._id_finder()
        if find is not None and isinstance(key, str):
            item = find(key)
            if item is None:
                raise UnknownIdError(self._unknown_message(key))
            return item
        item_key = type(self)._key_getter
        for item in self:
            if item_key(item) == key:
                return item
        raise UnknownIdError(self._unknown_message(key))

    def _unknown_message(self, key: object) -> str:
        return f"{type(self).__name__} has no item with id {key!r}; check the id (e.g. `{key!r} in the_set`)"

    def _id_finder(self) -> Optional[Callable[[str], Optional[T]]]:
        """The O(1) lookup by id of a lazy source that has one (an indexed file), when the key is the id."""
        if _overrides_key(type(self)):
            return None
        return getattr(self._source, "find", None)

    def _nth(self, n: int) -> T:
        if self._items is None and getattr(self._source, "is_indexed", False):
            return self._source[n]  # type: ignore[index]
        if n < 0:
            if self._items is None:
                raise ItemIndexError(f"negative index {n} is not supported on a lazy {type(self).__name__}")
            n += len(self._items)
        if n >= 0:
            for item in itertools.islice(self, n, None):
                return item
        raise ItemIndexError(f"index {n} out of range for {type(self).__name__}")

    def __add__(self: S, other: S) -> S:
        """A lazy chain of this set's items, then ``other``'s (Lhotse's ``+``; ids are not checked)."""
        return type(self)._lazy(lazy.LazyIteratorChain(self._as_source(), other._as_source()))

    def _as_source(self) -> Iterable[T]:
        """What a lazy node iterates for this set: the set itself (eager) or its source (lazy)."""
        return self if self._items is not None else self._source  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        """Equal items in the same order (each item compared field by field)."""
        if type(other) is not type(self):
            return NotImplemented
        return list(self) == list(other)

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
        return self if self._items is not None else type(self).from_items(self)

    # ---- transformations ----------------------------------------------------------------------

    def filter(self: S, predicate: Callable[[T], bool]) -> S:
        """The items for which ``predicate(item)`` is true (lazy stays lazy)."""
        if self._items is None:
            return self._lazy(lazy.LazyFilter(self._source, predicate))  # type: ignore[arg-type]
        return self._from_dict_unchecked({k: v for k, v in self._items.items() if predicate(v)})

    def map(self: S, fn: Callable[[T], T]) -> S:
        """``fn(item)`` for every item (lazy stays lazy; eager checks the new keys for duplicates).

        ``fn`` may change the item it is given and return it (``sup.text = norm(sup.text); return sup``).
        """
        if self._items is None:
            return self._lazy(lazy.LazyMapper(self._source, fn))  # type: ignore[arg-type]
        return type(self).from_items(map(fn, list(self._items.values())))

    def shuffle(self: S, rng: Optional[random.Random] = None, buffer_size: int = 10_000) -> S:
        """The items in random order, the same order as Lhotse 1.33 for the same ``rng`` state.

        Eager: a full shuffle (``rng.shuffle``). Lazy: the streaming shuffle of
        :class:`~lhotse_lite.manifest.lazy.LazyShuffler`, holding at most ``buffer_size`` items.

        Args:
            rng: A ``random.Random``; ``None`` uses the ``random`` module (as Lhotse).
            buffer_size: Shuffle buffer size of a lazy set, in items.

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> sups = SupervisionSet(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(4))
            >>> sups.shuffle(random.Random(0)).ids
            ['s2', 's0', 's1', 's3']
        """
        if self._items is None:
            return self._lazy(lazy.LazyShuffler(self._source, buffer_size, rng))  # type: ignore[arg-type]
        keys = list(self._items)
        (rng or random).shuffle(keys)  # the permutation depends only on the length: Lhotse's order
        return self._from_dict_unchecked({k: self._items[k] for k in keys})

    def repeat(self: S, times: Optional[int] = None, preserve_id: bool = False) -> S:
        """A new, lazily evaluated set iterating these items ``times`` times (forever when ``None``).

        Args:
            times: Number of passes, or ``None`` for an endless stream.
            preserve_id: Keep ids unchanged (the stream then holds each id ``times`` times). Otherwise
                pass ``n`` (0-based) renames each item ``f"{id}_repeat{n}"`` as Lhotse does; items
                without an id (``Features``) are repeated unchanged.

        Raises:
            ManifestArgumentError: ``times < 1``.

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> sups = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)])
            >>> list(sups.repeat(2).ids), list(sups.repeat(2, preserve_id=True).ids)
            (['a_repeat0', 'a_repeat1'], ['a', 'a'])
        """
        return self._lazy(lazy.LazyRepeater(self._as_source(), times, preserve_id))

    @classmethod
    def mux(
        cls: Type[S],
        *manifests: "ManifestSet[T]",
        stop_early: bool = False,
        weights: Optional[Sequence[float]] = None,
        seed: Seed = 0,
    ) -> S:
        """A lazy set interleaving ``manifests`` at random, in Lhotse's order for the same seed.

        See :class:`~lhotse_lite.manifest.mux.LazyIteratorMultiplexer`.

        Args:
            manifests: Two or more sets.
            stop_early: Stop when the first set runs out (else go on until all run out).
            weights: Relative chance of drawing from each set (``None``: equal).
            seed: Seed of the draw (an int, ``"trng"`` or ``"randomized"``); every pass repeats the order.

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> a = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)])
            >>> b = SupervisionSet([SupervisionSegment("b", "r", 1.0, 1.0)])
            >>> sorted(SupervisionSet.mux(a, b).ids)
            ['a', 'b']
        """
        sources = [s._as_source() for s in manifests]
        return cls._lazy(muxes.LazyIteratorMultiplexer(*sources, stop_early=stop_early, weights=weights, seed=seed))

    @classmethod
    def infinite_mux(
        cls: Type[S],
        *manifests: "ManifestSet[T]",
        weights: Optional[Sequence[float]] = None,
        seed: Seed = 0,
        max_open_streams: Optional[int] = None,
    ) -> S:
        """An endless lazy interleaving of ``manifests``, each reopened when exhausted (Lhotse's order).

        See :class:`~lhotse_lite.manifest.mux.LazyInfiniteApproximateMultiplexer` for ``max_open_streams``.

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> a = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)])
            >>> [s.id for s in itertools.islice(SupervisionSet.infinite_mux(a), 3)]
            ['a', 'a', 'a']
        """
        sources = [s._as_source() for s in manifests]
        return cls._lazy(
            muxes.LazyInfiniteApproximateMultiplexer(
                *sources, weights=weights, seed=seed, max_open_streams=max_open_streams
            )
        )

    @classmethod
    def combine(cls: Type[S], *sets: Union["ManifestSet[T]", Iterable["ManifestSet[T]"]]) -> S:
        """All items of ``sets`` in order (also accepts one list of sets).

        Eager when every set is eager (duplicate ids across sets raise
        :class:`~lhotse_lite.errors.DuplicateIdError`), otherwise a lazy chain. The function
        :func:`combine` does the same for sets of any one type.

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> a = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)])
            >>> b = SupervisionSet([SupervisionSegment("b", "r", 1.0, 1.0)])
            >>> SupervisionSet.combine(a, b).ids, SupervisionSet.combine([a, b]).ids
            (['a', 'b'], ['a', 'b'])
        """
        unpacked = _unpack_sets(sets)
        if all(not s.is_lazy for s in unpacked):
            return cls.from_items(itertools.chain.from_iterable(unpacked))
        return cls._lazy(lazy.LazyIteratorChain(*(s._as_source() for s in unpacked)))

    def split(self: S, num_splits: int, shuffle: bool = False, drop_last: bool = False) -> List[S]:
        """Split into ``num_splits`` contiguous parts (as Lhotse's ``split``).

        Each part has ``len // num_splits`` items; the ``len % num_splits`` remaining items go one
        each to the first parts, or are dropped when ``drop_last`` (Lhotse's rule). ``shuffle`` first
        shuffles the items with the ``random`` module, as Lhotse (same order for the same state), and
        gives eager parts; a lazy set split without ``shuffle`` gives lazy slices of its stream (one
        counting pass, nothing loaded).

        Raises:
            ManifestError: ``num_splits`` is not in ``1..len`` (a ``ValueError``, as in Lhotse).

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> sups = SupervisionSet(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(5))
            >>> [part.ids for part in sups.split(2)], [part.ids for part in sups.split(2, drop_last=True)]
            ([['s0', 's1', 's2'], ['s3', 's4']], [['s0', 's1'], ['s2', 's3']])
        """
        manifests = self.to_eager() if self._items is None and shuffle else self  # Lhotse shuffles all too
        n = len(manifests._items) if manifests._items is not None else sum(1 for _ in manifests)
        if num_splits < 1 or num_splits > n:
            raise ManifestError(f"cannot split {n} items into {num_splits} parts; num_splits must be in 1..{n}")
        size, extra = divmod(n, num_splits)
        if drop_last:
            bounds = [(i * size, (i + 1) * size) for i in range(num_splits)]
        else:  # the first `extra` parts get one more item, as in Lhotse
            bounds = [(i * size + min(i, extra), (i + 1) * size + min(i + 1, extra)) for i in range(num_splits)]
        if manifests._items is None:
            source = manifests._source
            return [self._lazy(lazy.LazyIslice(source, a, b)) for a, b in bounds]  # type: ignore[arg-type]
        items = list(manifests._items.items())
        if shuffle:
            random.shuffle(items)
        return [self._from_dict_unchecked(dict(items[a:b])) for a, b in bounds]

    def subset(self: S, first: Optional[int] = None, last: Optional[int] = None) -> S:
        """The first ``first`` or last ``last`` items (exactly one must be given, and be > 0).

        A lazy set stays lazy (``last`` keeps at most ``last`` items in memory while streaming).

        Raises:
            ManifestArgumentError: Both or neither of ``first``/``last`` given, or a count < 1 (an
                ``AssertionError`` too, as in Lhotse).

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
            >>> sups = SupervisionSet(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(3))
            >>> sups.subset(first=2).ids, sups.subset(last=1).ids
            (['s0', 's1'], ['s2'])
        """
        if first is not None and last is None:
            n, name = first, "first"
        elif last is not None and first is None:
            n, name = last, "last"
        else:
            raise ManifestArgumentError(
                f"subset() takes exactly one of first= or last=, got first={first}, last={last}"
            )
        if n < 1:
            raise ManifestArgumentError(f"subset() keeps at least one item; got {name}={n}")
        if self._items is None:
            if name == "first":
                return self._lazy(lazy.LazyIslice(self._source, 0, n))  # type: ignore[arg-type]
            return self._lazy(lazy.LazyTail(self._source, n))  # type: ignore[arg-type]
        items = list(self._items.items())
        return self._from_dict_unchecked(dict(items[:n] if name == "first" else items[max(0, len(items) - n) :]))


def combine(*manifests: Any) -> Any:
    """All items of several sets of one type, in order (:meth:`ManifestSet.combine` of their type).

    Raises:
        ManifestArgumentError: No sets given.
        DuplicateIdError: Two eager sets share an id.

    Example:
        >>> from lhotse_lite.manifest import combine
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> first = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)])
        >>> second = SupervisionSet([SupervisionSegment("b", "r", 1.0, 1.0)])
        >>> combine(first, second).ids, combine([first, second]).ids
        (['a', 'b'], ['a', 'b'])
    """
    sets = _unpack_sets(manifests)
    if not sets:
        raise ManifestArgumentError("combine() needs at least one set")
    return type(sets[0]).combine(*sets)


def _unpack_sets(sets: Tuple[Any, ...]) -> Tuple["ManifestSet[Any]", ...]:
    """``sets`` itself, or the sets of its only element when that is a list (or other iterable) of sets."""
    if len(sets) == 1 and not isinstance(sets[0], ManifestSet):
        return tuple(sets[0])
    return sets


def _overrides_key(cls: Type[ManifestSet[Any]]) -> bool:
    """Whether ``cls`` keys its items by something else than ``item.id``."""
    return any("_key" in vars(base) for base in cls.__mro__ if base is not ManifestSet)
