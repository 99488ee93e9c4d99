"""Small re-iterable iterator nodes behind lazy manifest sets (Lhotse's ``lhotse.lazy`` names).

A lazy set holds one of these nodes. Each node is an *iterable* (not an iterator): every call to
``iter()`` starts a fresh pass over its sources, so a lazy set can be iterated many times, and each
pass holds only what the node documents (nothing, a shuffle buffer, one item per stream, ...).
Nodes are plain picklable objects, so lazy sets can be sent to worker processes. ``node + other``
chains two nodes. The multiplexers live in :mod:`lhotse_lite.manifest.mux`, the indexed reader in
:mod:`lhotse_lite.manifest.indexed`.

``len(node)`` is what Lhotse 1.33 answers: the number of items where it is known without a pass
that builds them (a JSONL file counts its lines; a mapper, shuffler or chain asks its sources) and
:class:`~lhotse_lite.errors.UnknownLengthError` (a ``TypeError``) where it is not (a filter, an
endless repeat).

**Exact resume.** Every node is an :class:`~lhotse_lite.manifest.nodes.IteratorNode` (Lhotse 2.0's
name, in :mod:`lhotse_lite.manifest.nodes`; ``LazyNode`` is kept as an alias) with ``state_dict()`` /
``load_state_dict()``: ``state_dict()`` describes where the node's
latest pass stands (after the last item it yielded) as JSON-serialisable data, and after
``load_state_dict(state)`` the next ``iter()`` continues with exactly the items the interrupted pass
would have produced next. A node's child sources are ``node.source`` (one) or ``node.sources`` (a
list), as in Lhotse 2.0; Lhotse 1.33's ``iterator``/``iterators`` remain as aliases. A child that is not
a node (a list, an eager set, a dict's values) is resumed by skipping the items already taken from it
(it must give the same items on every pass); a one-shot iterator, or a node of another library, cannot
be resumed and ``state_dict()`` raises :class:`~lhotse_lite.errors.NotCheckpointableError` naming it.
What each state holds is documented on each node; :mod:`lhotse_lite.checkpoint` walks whole graphs.

Each pass keeps its own position (in the iterator ``iter(node)`` returns), so a node can be iterated
by two consumers at once (as :class:`~lhotse_lite.manifest.mux.LazyInfiniteApproximateMultiplexer`
does); ``node.state_dict()`` describes the node's most recent pass.

Example:
    >>> from lhotse_lite.manifest.lazy import LazyFilter, LazyMapper, LazyIteratorChain
    >>> node = LazyMapper(LazyFilter(range(6), lambda x: x % 2 == 0), lambda x: x * 10)
    >>> list(node), list(node)
    ([0, 20, 40], [0, 20, 40])
    >>> list(LazyIteratorChain([1, 2], [3])), len(LazyIteratorChain([1, 2], [3]))
    ([1, 2, 3], 3)
    >>> it = iter(node); next(it)
    0
    >>> state = node.state_dict()
    >>> node.load_state_dict(state); list(node)
    [20, 40]
"""

from __future__ import annotations

import bisect
import collections
import itertools
import random
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Union

from lhotse_lite.errors import ManifestArgumentError, ManifestFieldError, UnknownLengthError
from lhotse_lite.manifest.formats import Pathlike, iter_jsonl_dicts, iter_jsonl_values
from lhotse_lite.manifest.items import fastcopy
from lhotse_lite.manifest.nodes import (
    IteratorNode,
    LazyNode,
    NodePass,
    State,
    _decode_item,
    _encode_item,
    _rng_state_from_json,
    _rng_state_to_json,
    child_state,
    load_persistent_states,
    open_child,
    persistent_states,
)
from lhotse_lite.manifest.seeds import Seed, resolve_seed

__all__ = [
    "IteratorNode",
    "LazyNode",
    "NodePass",
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


def _length(source: Iterable[Any]) -> int:
    return len(source)  # type: ignore[arg-type]  # called for the sized sources of an indexed chain


class LazyJsonlIterator(IteratorNode):
    """The objects of a JSONL(.gz) file as plain dicts, one line at a time.

    ``len()`` counts the lines holding an object (one read of the file, remembered). State:
    ``{"position": items yielded}`` (Lhotse 2.0's); resuming re-reads the skipped lines (open the file
    indexed for an O(1) resume, see :mod:`lhotse_lite.manifest.indexed`).

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

    def numbered(self, resume: Optional[State]) -> NodePass:
        """A pass yielding ``(line_number, dict)`` pairs, continuing from ``resume``."""
        position = [0 if resume is None else int(resume["position"])]

        def items() -> Iterator[Any]:
            start = position[0]
            count = 0
            for lineno, data in iter_jsonl_dicts(self.path):
                count += 1
                if count > start:
                    position[0] = count
                    yield lineno, data
            self._len = count

        return NodePass(items(), lambda: {"position": position[0]})

    def _start(self, resume: Optional[State]) -> NodePass:
        numbered = self.numbered(resume)
        return NodePass((data for _lineno, data in numbered), numbered.state_dict)

    def __len__(self) -> int:
        if self._len is None:
            from lhotse_lite.manifest.sidecars import read_summary

            summary = read_summary(self.path)  # O(1) when the file was indexed; refused when stale
            if summary is not None and summary.get("items") is not None:
                self._len = int(summary["items"])
            else:
                self._len = sum(1 for _ in iter_jsonl_values(self.path, parse=False))
        return self._len

    def __repr__(self) -> str:
        return f"LazyJsonlIterator({str(self.path)!r})"


class LazyManifestIterator(IteratorNode):
    """Manifest items read from a JSONL(.gz) file on each pass.

    State: ``{"source": {"position": items yielded}}`` (Lhotse 2.0's).

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

    def _start(self, resume: Optional[State]) -> NodePass:
        # One generator per pass, counting the items itself: the same state as the source's
        # ``numbered`` pass, without a second iterator and generator frame per item.
        position = [0 if resume is None else int(resume["source"]["position"])]
        return NodePass(self._items(position), lambda: {"source": {"position": position[0]}})

    def _items(self, position: List[int]) -> Iterator[Any]:
        from_dict = self.from_dict
        if from_dict is None:
            from lhotse_lite.manifest.detect import item_from_dict

            from_dict = item_from_dict
        path = self.path
        rows = iter_jsonl_dicts(path)
        skip = position[0]  # items a resumed pass has already produced
        skipped = sum(1 for _ in itertools.islice(rows, skip)) if skip else 0
        for position[0], (lineno, d) in enumerate(rows, skipped + 1):
            try:
                yield from_dict(d)
            except ManifestFieldError as err:
                raise type(err)(f"{path}:{lineno}: {err}") from err
            except (TypeError, ValueError, AttributeError) as err:
                raise ManifestFieldError(f"{path}:{lineno}: invalid item ({err})") from err
        self.source._len = position[0] if position[0] > skip else skipped  # the file's item count

    def __len__(self) -> int:
        return len(self.source)

    def __repr__(self) -> str:
        return f"LazyManifestIterator({str(self.path)!r})"


class LazyFilter(IteratorNode):
    """Items of ``iterator`` for which ``predicate(item)`` is true; ``len()`` is unknown.

    State: ``{"source": the source's state}``.

    Raises:
        ManifestArgumentError: ``predicate`` is not callable.

    Example:
        >>> list(LazyFilter(range(5), lambda x: x > 2))
        [3, 4]
    """

    def __init__(self, iterator: Iterable[Any], predicate: Callable[[Any], bool]) -> None:
        if not callable(predicate):
            raise ManifestArgumentError(f"LazyFilter: the predicate must be callable, got {predicate!r}")
        self.source = iterator
        self.predicate = predicate

    def _start(self, resume: Optional[State]) -> NodePass:
        items = open_child(self.source, None if resume is None else resume["source"])
        return NodePass(filter(self.predicate, items), lambda: {"source": child_state(self.source, items)})


class LazyMapper(IteratorNode):
    """``fn(item)`` for each item of ``iterator`` (only where ``apply_fn(item)`` when it is given).

    State: ``{"source": the source's state}``. Indexed (``node[i]`` is O(1)) when its source is.

    Raises:
        ManifestArgumentError: ``fn`` or ``apply_fn`` is not callable.

    Example:
        >>> list(LazyMapper([1, 2, 3], lambda x: -x, apply_fn=lambda x: x != 2)), len(LazyMapper([1], str))
        ([-1, 2, -3], 1)
    """

    def __init__(
        self, iterator: Iterable[Any], fn: Callable[[Any], Any], apply_fn: Optional[Callable[[Any], bool]] = None
    ) -> None:
        if not callable(fn) or (apply_fn is not None and not callable(apply_fn)):
            raise ManifestArgumentError(f"LazyMapper: fn and apply_fn must be callable, got {fn!r}, {apply_fn!r}")
        self.source = iterator
        self.fn = fn
        self.apply_fn = apply_fn

    @property
    def is_indexed(self) -> bool:  # type: ignore[override]  # IteratorNode's is a class attribute
        return getattr(self.source, "is_indexed", False)

    def _apply(self, item: Any) -> Any:
        return self.fn(item) if self.apply_fn is None or self.apply_fn(item) else item

    def __getitem__(self, idx: int) -> Any:
        return self._apply(self.source[idx])  # type: ignore[index]  # an indexed source has []

    def _start(self, resume: Optional[State]) -> NodePass:
        items = open_child(self.source, None if resume is None else resume["source"])
        mapped = map(self.fn, items) if self.apply_fn is None else map(self._apply, items)
        return NodePass(mapped, lambda: {"source": child_state(self.source, items)})

    def __len__(self) -> int:
        return _length(self.source)


class LazyIteratorChain(IteratorNode):
    """All items of the first iterable, then of the second, and so on (the values of a dict).

    Chains given as sources are flattened. With ``shuffle_iters`` the order of the sources is shuffled
    before each pass (shards in random order), as in Lhotse 1.33: by the ``random`` module when
    ``seed`` is ``None``, else by ``random.Random(seed + pass_number)``. When every source is indexed
    (``node[i]`` in O(1), e.g. indexed manifests), ``shuffle_iters`` instead visits every item of the
    chain once in a global Feistel order (:class:`~lhotse_lite.indexing.LazyShuffledRange` seeded with
    ``seed + pass_number``), as in Lhotse 2.0.

    State: ``{"current_iter_idx", "num_iters", "iter_order", "inner_states"}`` (the current source's
    state at its position in the list, ``None`` elsewhere), and for a global shuffle
    ``{"global_position", "global_seed"}`` (O(1)).

    Args:
        iterators: The sources.
        shuffle_iters: Shuffle before each pass.
        seed: An int, ``"trng"`` or ``"randomized"`` (see :func:`~lhotse_lite.manifest.seeds.resolve_seed`).

    Example:
        >>> chain = LazyIteratorChain([1], [2], [3], shuffle_iters=True, seed=0)
        >>> sorted(chain), len(chain)
        ([1, 2, 3], 3)
    """

    def __init__(self, *iterators: Iterable[Any], shuffle_iters: bool = False, seed: Optional[Seed] = None) -> None:
        self.sources: List[Iterable[Any]] = []
        for it in iterators:
            self.sources.extend(it.sources if isinstance(it, LazyIteratorChain) else [it])
        self.shuffle_iters = shuffle_iters
        self.seed = seed
        self.num_iters = 0
        self._order = list(range(len(self.sources)))

    @property
    def is_indexed(self) -> bool:  # type: ignore[override]  # IteratorNode's is a class attribute
        return all(getattr(s, "is_indexed", False) for s in self.sources)

    def _bounds(self) -> List[int]:
        bounds = self.__dict__.get("_cum")
        if bounds is None:
            bounds = self._cum = list(itertools.accumulate(_length(s) for s in self.sources))
        return bounds

    def __getitem__(self, idx: int) -> Any:
        """Item ``idx`` of the chain (O(log sources) plus the source's own access)."""
        bounds = self._bounds()
        if idx < 0:
            idx += bounds[-1] if bounds else 0
        if not bounds or not 0 <= idx < bounds[-1]:
            from lhotse_lite.errors import ItemIndexError

            raise ItemIndexError(f"index {idx} out of range for a chain of {bounds[-1] if bounds else 0} items")
        pos = bisect.bisect_right(bounds, idx)
        return self.sources[pos][idx - (bounds[pos - 1] if pos else 0)]  # type: ignore[index]  # indexed: has []

    def _start(self, resume: Optional[State]) -> NodePass:
        if self.shuffle_iters and self.is_indexed:
            return self._start_global(resume)
        if resume is None:
            if self.shuffle_iters:
                rng = random if self.seed is None else random.Random(resolve_seed(self.seed) + self.num_iters)
                rng.shuffle(self._order)  # in place: each pass shuffles the order of the pass before, as Lhotse
                self.num_iters += 1
            order, first, inner, started = list(self._order), 0, None, self.num_iters
        else:
            order, first = list(resume["iter_order"]), int(resume["current_iter_idx"])
            started = int(resume["num_iters"])
            if started >= self.num_iters:  # the pass started last (a mux may hold several of one node)
                self.num_iters, self._order = started, list(order)
            inner = resume["inner_states"][order[first]] if first < len(order) else None
        position = first  # in ``order``
        stream: Optional[Iterator[Any]] = None  # the pass over that source

        def items() -> Iterator[Any]:
            nonlocal position, stream
            state = inner
            for k in range(first, len(order)):
                position = k
                stream = open_child(self.sources[order[k]], state)
                state = None
                yield from stream
            position, stream = len(order), None

        def pass_state() -> State:
            inner_states: List[Optional[State]] = [None] * len(order)
            if position < len(order):
                inner_states[order[position]] = (
                    child_state(self.sources[order[position]], stream) if stream is not None else inner
                )
            return {
                "current_iter_idx": position,
                "num_iters": started,
                "iter_order": order,
                "inner_states": inner_states,
            }

        return NodePass(items(), pass_state)

    def _start_global(self, resume: Optional[State]) -> NodePass:
        from lhotse_lite.indexing import LazyShuffledRange

        if resume is None:
            base = random.getrandbits(31) if self.seed is None else resolve_seed(self.seed)
            seed, start = base + self.num_iters, 0
            self.num_iters += 1
            started = self.num_iters
        else:
            seed, start = int(resume["global_seed"]), int(resume["global_position"])
            started = int(resume["num_iters"])
            self.num_iters = max(self.num_iters, started)
        order = LazyShuffledRange(sum(_length(s) for s in self.sources), seed=seed)
        order.load_state_dict({**order.state_dict(), "pos": start})

        def state() -> State:
            return {"global_position": order.state_dict()["pos"], "global_seed": seed, "num_iters": started}

        return NodePass(map(self.__getitem__, order), state)

    def persistent_state(self) -> State:
        """What the chain carries from pass to pass (the pass count and the shuffled order), JSON-serialisable.

        :func:`~lhotse_lite.checkpoint.collect_state_dict` saves it for every chain of a graph, also for one
        that no pass holds open when the state is taken (a source a mux will open again).
        """
        return {"num_iters": self.num_iters, "order": list(self._order)}

    def load_persistent_state(self, state: State) -> None:
        """Restore :meth:`persistent_state`."""
        self.num_iters, self._order = int(state["num_iters"]), [int(i) for i in state["order"]]

    def __len__(self) -> int:
        return sum(_length(it) for it in self.sources)


class LazyShuffler(IteratorNode):
    """An approximate shuffle through a buffer of at most ``buffer_size`` items (Lhotse's order).

    The order is the one of Lhotse's streaming shuffle (WebDataset's): while the buffer fills, each
    incoming item also pulls the next one into the buffer and is swapped with a random buffered item;
    once the buffer is full each incoming item is swapped with a random buffered item, which is
    yielded; at the end the buffer is yielded in order. The same ``rng`` state gives the same order as
    Lhotse 1.33.

    State: ``{"buffer", "startup", "drained", "rng_state", "source"}``: the buffered items themselves
    (each item's ``to_dict()`` with its class, or a plain JSON value), so a state holds up to
    ``buffer_size`` items; ``rng_state`` is ``random.Random.getstate()`` as lists (with ``rng=None``, the
    state of the ``random`` module's generator, continued on resume by a private generator).

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
        self.source = iterator
        self.buffer_size = buffer_size
        self.rng = rng

    def _start(self, resume: Optional[State]) -> NodePass:
        rng = random if self.rng is None else self.rng
        if resume is None:
            buffer: List[Any] = []
            shared = {"startup": True, "drained": None}
            items = open_child(self.source, None)
        else:
            buffer = [_decode_item(x) for x in resume["buffer"]]
            shared = {"startup": resume["startup"], "drained": resume["drained"]}
            if rng is random:
                rng = random.Random()
            rng.setstate(_rng_state_from_json(resume["rng_state"]))
            items = open_child(self.source, resume["source"])

        def state() -> State:
            drained = shared["drained"]
            kept = buffer if drained is None else buffer[drained:]
            return {
                "buffer": [_encode_item(x) for x in kept],
                "startup": shared["startup"],
                "drained": None if drained is None else 0,
                "rng_state": _rng_state_to_json(rng.getstate()),
                "source": child_state(self.source, items),
            }

        return NodePass(self._shuffle(items, buffer, shared, rng), state)

    def persistent_state(self) -> Optional[State]:
        """The state of the ``rng`` the passes share (``None`` with the ``random`` module), JSON-serialisable.

        :func:`~lhotse_lite.checkpoint.collect_state_dict` saves it also when no pass holds the shuffler open
        (a source a mux will open again), so the next pass draws as it would have.
        """
        return None if self.rng is None else {"rng_state": _rng_state_to_json(self.rng.getstate())}

    def load_persistent_state(self, state: Optional[State]) -> None:
        """Restore :meth:`persistent_state`."""
        if state is not None and self.rng is not None:
            self.rng.setstate(_rng_state_from_json(state["rng_state"]))

    def _shuffle(
        self, items: Iterator[Any], buffer: List[Any], shared: Dict[str, Any], rng: RandomLike
    ) -> Iterator[Any]:
        size = self.buffer_size
        if shared["drained"] is None:
            for item in items:
                if len(buffer) < size:
                    pulled = next(items, _END)
                    if pulled is not _END:
                        buffer.append(pulled)
                if buffer:
                    pos = rng.randint(0, len(buffer) - 1)
                    item, buffer[pos] = buffer[pos], item
                if shared["startup"]:
                    if len(buffer) < size:
                        buffer.append(item)
                        continue
                    shared["startup"] = False
                yield item
            shared["drained"] = 0
        while shared["drained"] < len(buffer):
            shared["drained"] += 1
            yield buffer[shared["drained"] - 1]

    def __len__(self) -> int:
        return _length(self.source)


_END = object()


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


class LazyRepeater(IteratorNode):
    """Iterate ``iterator`` ``times`` times (forever when ``None``), stopping if a pass is empty.

    State: ``{"current_epoch": pass number, "source": the source's state in that pass}`` (Lhotse 2.0's).

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
        self.source = iterator
        self.times = times
        self.preserve_id = preserve_id

    def _start(self, resume: Optional[State]) -> NodePass:
        # the pass number, the pass over the source in it, and the source state it starts from
        at: List[Any] = [
            0 if resume is None else int(resume["current_epoch"]),
            None,
            None if resume is None else resume.get("source"),
        ]

        def items() -> Iterator[Any]:
            restored = resume is not None
            while self.times is None or at[0] < self.times:
                at[1] = stream = open_child(self.source, at[2])
                empty, epoch = True, at[0]
                for item in stream:
                    empty = False
                    yield item if self.preserve_id else attach_repeat_idx_to_id(item, epoch)
                if empty and not restored:  # an endless repeat of nothing would hang
                    return
                restored = False
                at[0], at[1], at[2] = at[0] + 1, None, None

        def state() -> State:
            source = child_state(self.source, at[1]) if at[1] is not None else at[2]
            return {"current_epoch": at[0], "source": source}

        return NodePass(items(), state)

    def __len__(self) -> int:
        if self.times is None:
            raise UnknownLengthError("an endless repeat() has no length")
        return _length(self.source) * self.times


class LazyIslice(LazyNode):
    """Items ``start`` (inclusive) to ``stop`` (exclusive) of ``iterator``; ``stop=None`` means to the end.

    State: ``{"consumed": source items taken, "source": the source's state}``.

    Example:
        >>> list(LazyIslice(range(10), 2, 5)), len(LazyIslice(range(10), 8, 20))
        ([2, 3, 4], 2)
    """

    def __init__(self, iterator: Iterable[Any], start: int = 0, stop: Optional[int] = None) -> None:
        self.source = iterator
        self.start = start
        self.stop = stop

    def _start(self, resume: Optional[State]) -> NodePass:
        consumed = [0 if resume is None else int(resume["consumed"])]
        items = open_child(self.source, None if resume is None else resume["source"])
        start, stop = self.start, self.stop

        def sliced() -> Iterator[Any]:
            while stop is None or consumed[0] < stop:
                item = next(items, _END)
                if item is _END:
                    return
                consumed[0] += 1
                if consumed[0] > start:
                    yield item

        return NodePass(sliced(), lambda: {"consumed": consumed[0], "source": child_state(self.source, items)})

    def __len__(self) -> int:
        total = _length(self.source)
        stop = total if self.stop is None else min(self.stop, total)
        return max(0, stop - self.start)


class LazyTail(LazyNode):
    """The last ``n`` items of ``iterator`` (holds at most ``n`` items while streaming).

    State: ``{"yielded": items yielded, "source_persistent": what the source carried from pass to pass when
    this pass opened it}``; resuming restores that and reads the source again to find its tail.

    Example:
        >>> list(LazyTail(range(10), 3)), len(LazyTail(range(2), 3))
        ([7, 8, 9], 2)
    """

    def __init__(self, iterator: Iterable[Any], n: int) -> None:
        self.source = iterator
        self.n = n

    def _start(self, resume: Optional[State]) -> NodePass:
        yielded = [0 if resume is None else int(resume["yielded"])]
        if resume is not None:  # read the source again as this pass first read it
            load_persistent_states(self.source, resume.get("source_persistent", []))
        before = persistent_states(self.source)

        def items() -> Iterator[Any]:
            tail = collections.deque(open_child(self.source, None), maxlen=self.n)
            for k, item in enumerate(tail):
                if k >= yielded[0]:
                    yielded[0] = k + 1
                    yield item

        return NodePass(items(), lambda: {"yielded": yielded[0], "source_persistent": before})

    def __len__(self) -> int:
        return min(self.n, _length(self.source))
