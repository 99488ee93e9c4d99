"""Small re-iterable iterator nodes behind lazy manifest sets (Lhotse's ``lhotse.lazy`` names).

A lazy set holds one of these nodes. Each node is an *iterable* (not an iterator): every call to
``iter()`` starts a fresh pass over its sources, so a lazy set can be iterated many times, and each
pass holds only what the node documents (nothing, a shuffle buffer, one item per stream, ...).
Nodes are plain picklable objects, so lazy sets can be sent to worker processes. ``node + other``
chains two nodes. The multiplexers live in :mod:`lhotse_lite.manifest.mux`.

``len(node)`` is what Lhotse 1.33 answers: the number of items where it is known without a pass
that builds them (a JSONL file counts its lines; a mapper, shuffler or chain asks its sources) and
:class:`~lhotse_lite.errors.UnknownLengthError` (a ``TypeError``) where it is not (a filter, an
endless repeat).

Example:
    >>> from lhotse_lite.manifest.lazy import LazyFilter, LazyMapper, LazyIteratorChain
    >>> node = LazyMapper(LazyFilter(range(6), lambda x: x % 2 == 0), lambda x: x * 10)
    >>> list(node), list(node)
    ([0, 20, 40], [0, 20, 40])
    >>> list(LazyIteratorChain([1, 2], [3])), len(LazyIteratorChain([1, 2], [3]))
    ([1, 2, 3], 3)
"""

from __future__ import annotations

import collections
import itertools
import random
from typing import Any, Callable, Iterable, Iterator, List, Optional, Union

from lhotse_lite.errors import ManifestArgumentError, ManifestFieldError, UnknownLengthError
from lhotse_lite.manifest.formats import Pathlike, iter_jsonl_dicts, iter_jsonl_values
from lhotse_lite.manifest.items import fastcopy
from lhotse_lite.manifest.seeds import Seed, resolve_seed

__all__ = [
    "LazyNode",
    "LazyJsonlIterator",
    "LazyManifestIterator",
    "LazyFilter",
    "LazyMapper",
    "LazyIteratorChain",
    "LazyShuffler",
    "LazyRepeater",
    "LazyIslice",
    "LazyTail",
    "attach_repeat_idx_to_id",
]

RandomLike = Union[random.Random, Any]  # a random.Random, or the random module itself


class LazyNode:
    """Base of the nodes: ``+`` chains, ``len()`` is unknown unless a node says otherwise.

    Example:
        >>> list(LazyMapper([1], str) + LazyMapper([2], str))
        ['1', '2']
    """

    def __add__(self, other: Iterable[Any]) -> "LazyIteratorChain":
        return LazyIteratorChain(self, other)

    def __len__(self) -> int:
        raise UnknownLengthError(
            f"{type(self).__name__} does not know its length without a full pass; "
            f"count with sum(1 for _ in manifest), or load it with .to_eager() first")


def _length(source: Iterable[Any]) -> int:
    return len(source)  # type: ignore[arg-type]


class LazyJsonlIterator(LazyNode):
    """The objects of a JSONL(.gz) file as plain dicts, one line at a time.

    ``len()`` counts the lines holding an object (one read of the file, remembered).

    Args:
        path: A JSONL file; gzip-compressed when its name ends in ``.gz``.

    Raises (while iterating):
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: A line is not a JSON object, or the gzip stream is truncated (``file:line``).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(path, "w").write('{"id": "a"}\\n{"id": "b"}\\n')
        >>> list(LazyJsonlIterator(path)), len(LazyJsonlIterator(path))
        ([{'id': 'a'}, {'id': 'b'}], 2)
    """

    def __init__(self, path: Pathlike) -> None:
        self.path = path
        self._len: Optional[int] = None

    def __iter__(self) -> Iterator[dict]:
        count = 0
        for _lineno, data in iter_jsonl_dicts(self.path):
            count += 1
            yield data
        self._len = count

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(1 for _ in iter_jsonl_values(self.path, parse=False))
        return self._len

    def __repr__(self) -> str:
        return f"LazyJsonlIterator({str(self.path)!r})"


class LazyManifestIterator(LazyNode):
    """Manifest items read from a JSONL(.gz) file on each pass.

    Args:
        path: The JSONL file.
        from_dict: Builds one item from its dict (e.g. ``SupervisionSegment.from_dict``); ``None``
            detects each item's type from its fields, as Lhotse does (see :mod:`lhotse_lite.manifest.detect`).

    Raises (while iterating):
        ManifestFormatError: A line is malformed or the gzip stream is truncated (``file:line``).
        ManifestFieldError: An item has a missing/wrong field (``file:line`` prefixed).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
        >>> _ = open(path, "w").write('{"id": "a", "recording_id": "r", "start": 0, "duration": 1}\\n')
        >>> [type(s).__name__ for s in LazyManifestIterator(path)], len(LazyManifestIterator(path))
        (['SupervisionSegment'], 1)
    """

    def __init__(self, path: Pathlike, from_dict: Optional[Callable[[dict], Any]] = None) -> None:
        self.source = LazyJsonlIterator(path)
        self.from_dict = from_dict

    @property
    def path(self) -> Pathlike:
        """The file."""
        return self.source.path

    def __iter__(self) -> Iterator[Any]:
        from_dict = self.from_dict
        if from_dict is None:
            from lhotse_lite.manifest.detect import item_from_dict as from_dict
        path = self.path
        for lineno, d in iter_jsonl_dicts(path):
            try:
                yield from_dict(d)
            except ManifestFieldError as err:
                raise type(err)(f"{path}:{lineno}: {err}") from err
            except (TypeError, ValueError, AttributeError) as err:
                raise ManifestFieldError(f"{path}:{lineno}: invalid item ({err})") from err

    def __len__(self) -> int:
        return len(self.source)

    def __repr__(self) -> str:
        return f"LazyManifestIterator({str(self.path)!r})"


class LazyFilter(LazyNode):
    """Items of ``iterator`` for which ``predicate(item)`` is true; ``len()`` is unknown.

    Raises:
        ManifestArgumentError: ``predicate`` is not callable.

    Example:
        >>> list(LazyFilter(range(5), lambda x: x > 2))
        [3, 4]
    """

    def __init__(self, iterator: Iterable[Any], predicate: Callable[[Any], bool]) -> None:
        if not callable(predicate):
            raise ManifestArgumentError(f"LazyFilter: the predicate must be callable, got {predicate!r}")
        self.iterator = iterator
        self.predicate = predicate

    def __iter__(self) -> Iterator[Any]:
        return filter(self.predicate, self.iterator)


class LazyMapper(LazyNode):
    """``fn(item)`` for each item of ``iterator`` (only where ``apply_fn(item)`` when it is given).

    Raises:
        ManifestArgumentError: ``fn`` or ``apply_fn`` is not callable.

    Example:
        >>> list(LazyMapper([1, 2, 3], lambda x: -x, apply_fn=lambda x: x != 2)), len(LazyMapper([1], str))
        ([-1, 2, -3], 1)
    """

    def __init__(self, iterator: Iterable[Any], fn: Callable[[Any], Any],
                 apply_fn: Optional[Callable[[Any], bool]] = None) -> None:
        if not callable(fn) or (apply_fn is not None and not callable(apply_fn)):
            raise ManifestArgumentError(f"LazyMapper: fn and apply_fn must be callable, got {fn!r}, {apply_fn!r}")
        self.iterator = iterator
        self.fn = fn
        self.apply_fn = apply_fn

    def __iter__(self) -> Iterator[Any]:
        if self.apply_fn is None:
            return map(self.fn, self.iterator)
        fn, apply_fn = self.fn, self.apply_fn
        return (fn(item) if apply_fn(item) else item for item in self.iterator)

    def __len__(self) -> int:
        return _length(self.iterator)


class LazyIteratorChain(LazyNode):
    """All items of the first iterable, then of the second, and so on (the values of a dict).

    Chains given as sources are flattened. With ``shuffle_iters`` the order of the sources is shuffled
    in place before each pass (shards in random order), as in Lhotse: by the ``random`` module when
    ``seed`` is ``None``, else by ``random.Random(seed + pass_number)``.

    Args:
        iterators: The sources.
        shuffle_iters: Shuffle the sources before each pass.
        seed: An int, ``"trng"`` or ``"randomized"`` (see :func:`~lhotse_lite.manifest.seeds.resolve_seed`).

    Example:
        >>> chain = LazyIteratorChain([1], [2], [3], shuffle_iters=True, seed=0)
        >>> sorted(chain), len(chain)
        ([1, 2, 3], 3)
    """

    def __init__(self, *iterators: Iterable[Any], shuffle_iters: bool = False, seed: Optional[Seed] = None) -> None:
        self.iterators: List[Iterable[Any]] = []
        for it in iterators:
            self.iterators.extend(it.iterators if isinstance(it, LazyIteratorChain) else [it])
        self.shuffle_iters = shuffle_iters
        self.seed = seed
        self.num_iters = 0

    def __iter__(self) -> Iterator[Any]:
        if self.shuffle_iters:
            rng = random if self.seed is None else random.Random(resolve_seed(self.seed) + self.num_iters)
            rng.shuffle(self.iterators)
            self.num_iters += 1
        return itertools.chain.from_iterable(it.values() if isinstance(it, dict) else it for it in self.iterators)

    def __len__(self) -> int:
        return sum(_length(it) for it in self.iterators)


class LazyShuffler(LazyNode):
    """An approximate shuffle through a buffer of at most ``buffer_size`` items (Lhotse's order).

    The order is the one of Lhotse's streaming shuffle (WebDataset's): while the buffer fills, each
    incoming item also pulls the next one into the buffer and is swapped with a random buffered item;
    once the buffer is full each incoming item is swapped with a random buffered item, which is
    yielded; at the end the buffer is yielded in order. The same ``rng`` state gives the same order as
    Lhotse 1.33.

    Args:
        iterator: Items to shuffle.
        buffer_size: Maximum number of items held (>= 1).
        rng: A ``random.Random``; ``None`` uses the ``random`` module (as Lhotse).

    Raises:
        ManifestArgumentError: ``buffer_size < 1``.

    Example:
        >>> sorted(LazyShuffler(range(10), buffer_size=4, rng=random.Random(0)))
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """

    def __init__(self, iterator: Iterable[Any], buffer_size: int = 10_000, rng: Optional[RandomLike] = None) -> None:
        if buffer_size < 1:
            raise ManifestArgumentError(f"shuffle buffer_size must be >= 1, got {buffer_size}")
        self.iterator = iterator
        self.buffer_size = buffer_size
        self.rng = rng

    def __iter__(self) -> Iterator[Any]:
        return _streaming_shuffle(iter(self.iterator), self.buffer_size, random if self.rng is None else self.rng)

    def __len__(self) -> int:
        return _length(self.iterator)


_END = object()


def _streaming_shuffle(items: Iterator[Any], size: int, rng: RandomLike) -> Iterator[Any]:
    buffer: List[Any] = []
    filling = True
    for item in items:
        if len(buffer) < size:
            pulled = next(items, _END)
            if pulled is not _END:
                buffer.append(pulled)
        if buffer:
            pos = rng.randint(0, len(buffer) - 1)
            item, buffer[pos] = buffer[pos], item
        if filling:
            if len(buffer) < size:
                buffer.append(item)
                continue
            filling = False
        yield item
    yield from buffer


def attach_repeat_idx_to_id(item: Any, idx: int) -> Any:
    """A copy of ``item`` with ``_repeat{idx}`` appended to its id (an item without an id is returned as is).

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment
        >>> attach_repeat_idx_to_id(SupervisionSegment("a", "r", 0.0, 1.0), 2).id
        'a_repeat2'
    """
    if not hasattr(item, "id"):
        return item
    return fastcopy(item, id=f"{item.id}_repeat{idx}")


class LazyRepeater(LazyNode):
    """Iterate ``iterator`` ``times`` times (forever when ``None``), stopping if a pass is empty.

    Args:
        iterator: Items to repeat.
        times: Number of passes (>= 1), or ``None`` for an endless stream.
        preserve_id: Keep ids; otherwise pass ``n`` (0-based) renames each item ``f"{id}_repeat{n}"``
            (items without an id, such as ``Features``, are repeated unchanged).

    Raises:
        ManifestArgumentError: ``times < 1``.

    Example:
        >>> list(LazyRepeater([1, 2], times=2)), len(LazyRepeater([1, 2], times=3))
        ([1, 2, 1, 2], 6)
    """

    def __init__(self, iterator: Iterable[Any], times: Optional[int] = None, preserve_id: bool = False) -> None:
        if times is not None and times < 1:
            raise ManifestArgumentError(f"repeat times must be >= 1 or None, got {times}")
        self.iterator = iterator
        self.times = times
        self.preserve_id = preserve_id

    def __iter__(self) -> Iterator[Any]:
        epochs = itertools.count() if self.times is None else range(self.times)
        for epoch in epochs:
            empty = True
            for item in self.iterator:
                empty = False
                yield item if self.preserve_id else attach_repeat_idx_to_id(item, epoch)
            if empty:  # an endless repeat of nothing would hang
                return

    def __len__(self) -> int:
        if self.times is None:
            raise UnknownLengthError("an endless repeat() has no length")
        return _length(self.iterator) * self.times


class LazyIslice(LazyNode):
    """Items ``start`` (inclusive) to ``stop`` (exclusive) of ``iterator``; ``stop=None`` means to the end.

    Example:
        >>> list(LazyIslice(range(10), 2, 5)), len(LazyIslice(range(10), 8, 20))
        ([2, 3, 4], 2)
    """

    def __init__(self, iterator: Iterable[Any], start: int = 0, stop: Optional[int] = None) -> None:
        self.iterator = iterator
        self.start = start
        self.stop = stop

    def __iter__(self) -> Iterator[Any]:
        return itertools.islice(self.iterator, self.start, self.stop)

    def __len__(self) -> int:
        total = _length(self.iterator)
        stop = total if self.stop is None else min(self.stop, total)
        return max(0, stop - self.start)


class LazyTail(LazyNode):
    """The last ``n`` items of ``iterator`` (holds at most ``n`` items while streaming).

    Example:
        >>> list(LazyTail(range(10), 3)), len(LazyTail(range(2), 3))
        ([7, 8, 9], 2)
    """

    def __init__(self, iterator: Iterable[Any], n: int) -> None:
        self.iterator = iterator
        self.n = n

    def __iter__(self) -> Iterator[Any]:
        return iter(collections.deque(self.iterator, maxlen=self.n))

    def __len__(self) -> int:
        return min(self.n, _length(self.iterator))
