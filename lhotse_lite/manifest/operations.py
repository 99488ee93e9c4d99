"""Whole-set operations of :class:`~lhotse_lite.manifest.set.ManifestSet`: combining, splitting, reordering.

Pure functions behind ``ManifestSet.mux``, ``infinite_mux``, ``combine``, ``split``, ``split_lazy``,
``subset``, ``shuffle`` and ``repeat`` (the methods delegate here in one line; call the methods, whose
docstrings hold the details). Each takes a set (or a set class and several sets) and returns new sets
without touching its inputs; an eager input gives eager results (except ``repeat`` and the muxes,
lazy as in Lhotse), a lazy one lazy results built from the nodes of :mod:`lhotse_lite.manifest.lazy`
and :mod:`lhotse_lite.manifest.mux`. :func:`combine` is also exported as ``lhotse_lite.manifest.combine``
and ``lhotse_lite.manipulation.combine``.

This module does not import :mod:`lhotse_lite.manifest.set` at import time (``set`` imports it).

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet.from_segments(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(5))
    >>> [part.ids for part in split(sups, 2)]
    [['s0', 's1', 's2'], ['s3', 's4']]
    >>> subset(sups, last=2).ids
    ['s3', 's4']
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Sequence, Tuple, Type, TypeVar, Union

from lhotse_lite.errors import ManifestArgumentError, ManifestError
from lhotse_lite.manifest import formats, lazy, mux as muxes
from lhotse_lite.manifest.seeds import Seed

if TYPE_CHECKING:
    from lhotse_lite.manifest.set import ManifestSet

__all__ = ["combine", "combine_into", "mux", "infinite_mux", "split", "split_lazy", "subset", "shuffle", "repeat"]

S = TypeVar("S", bound="ManifestSet")


def _unpack_sets(sets: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """``sets`` itself, or the sets of its only element when that is a list (or other iterable) of sets."""
    from lhotse_lite.manifest.set import ManifestSet  # here: the set module imports this one

    if len(sets) == 1 and not isinstance(sets[0], ManifestSet):
        return tuple(sets[0])
    return sets


def shuffle(manifests: S, rng: Optional[random.Random] = None, buffer_size: int = 10_000) -> S:
    """The items of ``manifests`` in random order, as Lhotse orders them (:meth:`ManifestSet.shuffle`).

    Args:
        manifests: An eager set (fully shuffled) or a lazy one (shuffled within a buffer).
        rng: A ``random.Random``; ``None`` uses the ``random`` module.
        buffer_size: Shuffle buffer size, in items, of a lazy set.

    Returns:
        A new set of the same type, eager or lazy as ``manifests``.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> sups = SupervisionSet.from_segments(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(4))
        >>> shuffle(sups, random.Random(0)).ids
        ['s2', 's0', 's1', 's3']
    """
    cls = type(manifests)
    if manifests._items is None:
        return cls._lazy(lazy.LazyShuffler(manifests._source, buffer_size, rng))  # type: ignore[arg-type]
    keys = list(manifests._items)
    (rng or random).shuffle(keys)  # the permutation depends only on the length: Lhotse's order
    return cls._from_dict_unchecked({k: manifests._items[k] for k in keys})


def repeat(manifests: S, times: Optional[int] = None, preserve_id: bool = False) -> S:
    """A lazy set iterating ``manifests`` ``times`` times, forever when ``None`` (:meth:`ManifestSet.repeat`).

    Args:
        manifests: The set to repeat.
        times: Number of passes, or ``None`` for an endless stream.
        preserve_id: Keep ids; otherwise pass ``n`` renames each item ``f"{id}_repeat{n}"``.

    Returns:
        A lazy set of the same type.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> sups = SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)])
        >>> list(repeat(sups, 2).ids), list(repeat(sups, 2, preserve_id=True).ids)
        (['a_repeat0', 'a_repeat1'], ['a', 'a'])
    """
    return type(manifests)._lazy(lazy.LazyRepeater(manifests._as_source(), times, preserve_id))


def mux(cls: Type[S], sets: Sequence["ManifestSet"], stop_early: bool = False,
        weights: Optional[Sequence[float]] = None, seed: Seed = 0) -> S:
    """A lazy ``cls`` interleaving ``sets`` at random (:meth:`ManifestSet.mux`).

    Args:
        cls: The set class of the result.
        sets: Two or more sets to interleave.
        stop_early: Stop when the first set runs out (else go on until all run out).
        weights: Relative chance of drawing from each set (``None``: equal).
        seed: Seed of the draw; every pass repeats the same order.

    Returns:
        A lazy set over a :class:`~lhotse_lite.manifest.mux.LazyIteratorMultiplexer`.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> a = SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)])
        >>> b = SupervisionSet.from_segments([SupervisionSegment("b", "r", 1.0, 1.0)])
        >>> sorted(mux(SupervisionSet, [a, b]).ids)
        ['a', 'b']
    """
    sources = [s._as_source() for s in sets]
    return cls._lazy(muxes.LazyIteratorMultiplexer(*sources, stop_early=stop_early, weights=weights, seed=seed))


def infinite_mux(cls: Type[S], sets: Sequence["ManifestSet"], weights: Optional[Sequence[float]] = None,
                 seed: Seed = 0, max_open_streams: Optional[int] = None) -> S:
    """An endless lazy ``cls`` interleaving ``sets``, each reopened when exhausted (:meth:`ManifestSet.infinite_mux`).

    Args:
        cls: The set class of the result.
        sets: The sets to interleave (at least one).
        weights: Relative chance of drawing from each set (``None``: equal).
        seed: Seed of the draw.
        max_open_streams: See :class:`~lhotse_lite.manifest.mux.LazyInfiniteApproximateMultiplexer`.

    Returns:
        A lazy, endless set.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> a = SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)])
        >>> [s.id for s in itertools.islice(infinite_mux(SupervisionSet, [a]), 3)]
        ['a', 'a', 'a']
    """
    sources = [s._as_source() for s in sets]
    return cls._lazy(muxes.LazyInfiniteApproximateMultiplexer(
        *sources, weights=weights, seed=seed, max_open_streams=max_open_streams))


def combine_into(cls: Type[S], sets: Tuple[Union["ManifestSet", Iterable["ManifestSet"]], ...]) -> S:
    """All items of ``sets`` in order, as a ``cls`` (:meth:`ManifestSet.combine`).

    Args:
        cls: The set class of the result.
        sets: The sets, or a 1-tuple holding a list of sets.

    Returns:
        An eager set when every set is eager, otherwise a lazy chain.

    Raises:
        DuplicateIdError: Two eager sets share an id.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> a = SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)])
        >>> b = SupervisionSet.from_segments([SupervisionSegment("b", "r", 1.0, 1.0)])
        >>> combine_into(SupervisionSet, ([a, b],)).ids
        ['a', 'b']
    """
    sets = _unpack_sets(sets)
    if all(not s.is_lazy for s in sets):  # type: ignore[union-attr]
        return cls.from_items(itertools.chain.from_iterable(sets))  # type: ignore[arg-type]
    return cls._lazy(lazy.LazyIteratorChain(*(s._as_source() for s in sets)))  # type: ignore[union-attr]


def combine(*manifests: Any) -> Any:
    """All items of several sets of one type, in order (see :meth:`ManifestSet.combine`).

    Raises:
        ManifestArgumentError: No sets given.
        DuplicateIdError: Two eager sets share an id.

    Example:
        >>> from lhotse_lite.manifest import combine
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> first = SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)])
        >>> second = SupervisionSet.from_segments([SupervisionSegment("b", "r", 1.0, 1.0)])
        >>> combine(first, second).ids
        ['a', 'b']
    """
    sets = _unpack_sets(manifests)
    if not sets:
        raise ManifestArgumentError("combine() needs at least one set")
    return type(sets[0]).combine(*sets)


def split(manifests: S, num_splits: int, shuffle: bool = False, drop_last: bool = False) -> List[S]:
    """``manifests`` in ``num_splits`` contiguous parts, by Lhotse's rule (:meth:`ManifestSet.split`).

    Args:
        manifests: The set to split (a lazy one gives lazy slices of its stream, unless ``shuffle``).
        num_splits: Number of parts, in ``1..len(manifests)``.
        shuffle: Shuffle with the ``random`` module before splitting (the parts are then eager).
        drop_last: Drop the ``len % num_splits`` remaining items instead of spreading them.

    Returns:
        The parts, each of the type of ``manifests``.

    Raises:
        ManifestError: ``num_splits`` out of range.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> sups = SupervisionSet.from_segments(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(5))
        >>> [part.ids for part in split(sups, 2, drop_last=True)]
        [['s0', 's1'], ['s2', 's3']]
    """
    cls = type(manifests)
    if manifests._items is None and shuffle:
        manifests = manifests.to_eager()  # Lhotse shuffles the whole list too
    n = len(manifests) if manifests._items is not None else sum(1 for _ in manifests)
    if num_splits < 1 or num_splits > n:
        raise ManifestError(
            f"cannot split {n} items into {num_splits} parts; num_splits must be in 1..{n}")
    size, extra = divmod(n, num_splits)
    if drop_last:
        bounds = [(i * size, (i + 1) * size) for i in range(num_splits)]
    else:  # the first `extra` parts get one more item, as in Lhotse
        bounds = [(i * size + min(i, extra), (i + 1) * size + min(i + 1, extra)) for i in range(num_splits)]
    if manifests._items is None:
        return [cls._lazy(lazy.LazyIslice(manifests._source, a, b)) for a, b in bounds]  # type: ignore[arg-type]
    items = list(manifests._items.items())
    if shuffle:
        random.shuffle(items)
    return [cls._from_dict_unchecked(dict(items[a:b])) for a, b in bounds]


def split_lazy(manifests: S, output_dir: formats.Pathlike, chunk_size: int, prefix: str = "") -> List[S]:
    """Write ``manifests`` in chunks to ``output_dir`` and open them lazily (:meth:`ManifestSet.split_lazy`).

    Args:
        manifests: The set to write (streamed once).
        output_dir: Folder of the chunk files ``{prefix}.{index:08d}.jsonl.gz`` (created if missing).
        chunk_size: Items per file (``>= 1``).
        prefix: File name prefix (``""``: ``"split"``, as in Lhotse).

    Returns:
        One lazy set per written file.

    Raises:
        ManifestArgumentError: ``chunk_size < 1``.

    Example:
        >>> import tempfile
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> sups = SupervisionSet.from_segments(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(3))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [list(part.ids) for part in split_lazy(sups, tmp, 2)]
        [['s0', 's1'], ['s2']]
    """
    if chunk_size < 1:
        raise ManifestArgumentError(f"chunk_size must be >= 1, got {chunk_size}")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = []
    it = iter(manifests)
    for idx in itertools.count():
        chunk = list(itertools.islice(it, chunk_size))
        if not chunk:
            break
        path = out / f"{prefix or 'split'}.{idx:08d}.jsonl.gz"
        formats.write_dicts((x.to_dict() for x in chunk), path, "jsonl")  # type: ignore[attr-defined]
        result.append(type(manifests).from_jsonl_lazy(path))
    return result


def subset(manifests: S, first: Optional[int] = None, last: Optional[int] = None) -> S:
    """The first ``first`` or last ``last`` items of ``manifests`` (:meth:`ManifestSet.subset`).

    Args:
        manifests: The set (a lazy one stays lazy; ``last`` buffers at most ``last`` items).
        first: Number of leading items to keep (> 0).
        last: Number of trailing items to keep (> 0).

    Returns:
        A new set of the same type.

    Raises:
        ManifestArgumentError: Both or neither of ``first``/``last`` given, or a count < 1.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> sups = SupervisionSet.from_segments(SupervisionSegment(f"s{i}", "r", i, 1.0) for i in range(3))
        >>> subset(sups, first=2).ids
        ['s0', 's1']
    """
    if (first is None) == (last is None):
        raise ManifestArgumentError(f"subset() takes exactly one of first= or last=, got first={first}, last={last}")
    n = first if first is not None else last
    if n < 1:  # type: ignore[operator]
        name = "first" if first is not None else "last"
        raise ManifestArgumentError(f"subset() keeps at least one item; got {name}={n}")
    cls = type(manifests)
    if manifests._items is None:
        source = manifests._source
        if first is not None:
            return cls._lazy(lazy.LazyIslice(source, 0, first))
        return cls._lazy(lazy.LazyTail(source, last))  # type: ignore[arg-type]
    items = list(manifests._items.items())
    part = items[:first] if first is not None else items[max(0, len(items) - last):]  # type: ignore[operator]
    return cls._from_dict_unchecked(dict(part))
