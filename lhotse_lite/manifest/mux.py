"""Lazy multiplexers: interleave several manifests at random, finitely or endlessly (Lhotse's orders).

Both nodes draw with a ``random.Random`` made from ``seed`` at the start of every pass (see
:mod:`lhotse_lite.manifest.seeds`), so each pass repeats the same order, and for the same seed and
weights the order is the one Lhotse 1.33 gives. Both can be checkpointed (see
:mod:`lhotse_lite.manifest.lazy`): the state holds the generator's state and each open stream's state.

Example:
    >>> a, b = ["a1", "a2"], ["b1", "b2", "b3"]
    >>> sorted(LazyIteratorMultiplexer(a, b, seed=0))
    ['a1', 'a2', 'b1', 'b2', 'b3']
    >>> import itertools
    >>> len(list(itertools.islice(LazyInfiniteApproximateMultiplexer(a, b, seed=0), 20)))
    20
"""

from __future__ import annotations

import random
from typing import Any, Iterable, Iterator, List, Optional, Sequence

from lhotse_lite.errors import ManifestArgumentError
from lhotse_lite.manifest.lazy import _length
from lhotse_lite.manifest.nodes import (
    IteratorNode,
    NodePass,
    State,
    _rng_state_from_json,
    _rng_state_to_json,
    child_state,
    open_child,
)
from lhotse_lite.manifest.seeds import Seed, resolve_seed

__all__ = ["LazyIteratorMultiplexer", "LazyInfiniteApproximateMultiplexer"]


def _checked_weights(num: int, weights: Optional[Sequence[float]], what: str) -> List[float]:
    if weights is None:
        return [1] * num
    if len(weights) != num:
        raise ManifestArgumentError(f"{what} got {num} manifests but {len(weights)} weights; give one weight each")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ManifestArgumentError(f"{what} weights must be >= 0 with a positive sum, got {list(weights)}")
    return list(weights)


class LazyIteratorMultiplexer(IteratorNode):
    """Interleave several iterables, drawing the source of each item at random by ``weights``.

    When a drawn source is exhausted it leaves the draw (and the next item is drawn among the
    others), until all are exhausted, or, with ``stop_early``, as soon as the first one is.
    ``len()`` is the sum of the sources' lengths.

    Args:
        iterators: Two or more sources.
        stop_early: Stop when the first source runs out.
        weights: Relative chance of each source (``None``: equal).
        seed: Seed of the draws (an int, ``"trng"`` or ``"randomized"``).

    Raises:
        ManifestArgumentError: Fewer than two sources, or weights that do not fit (an ``AssertionError``
            too, as in Lhotse).

    Example:
        >>> list(LazyIteratorMultiplexer([1, 2], [10, 20], stop_early=True, weights=[1, 0]))
        [1, 2]
    """

    def __init__(
        self,
        *iterators: Iterable[Any],
        stop_early: bool = False,
        weights: Optional[Sequence[float]] = None,
        seed: Seed = 0,
    ) -> None:
        if len(iterators) < 2:
            raise ManifestArgumentError(f"mux needs at least two manifests to interleave, got {len(iterators)}")
        self.sources = list(iterators)
        self.stop_early = stop_early
        self.weights = _checked_weights(len(iterators), weights, "mux")
        self.seed = seed

    def _start(self, resume: Optional[State]) -> NodePass:
        rng = random.Random(resolve_seed(self.seed))
        if resume is None:
            exhausted = [False] * len(self.sources)
            streams = [open_child(s, None) for s in self.sources]
        else:
            rng.setstate(_rng_state_from_json(resume["rng_state"]))
            exhausted = list(resume["exhausted"])
            streams = [
                iter(()) if done else open_child(s, inner)
                for s, done, inner in zip(self.sources, exhausted, resume["inner_states"])
            ]

        def items() -> Iterator[Any]:
            open_ = [i for i, w in enumerate(self.weights) if w > 0 and not exhausted[i]]
            while open_:
                (pos,) = rng.choices(open_, weights=[self.weights[i] for i in open_], k=1)
                try:
                    item = next(streams[pos])
                except StopIteration:
                    exhausted[pos] = True
                    if self.stop_early:
                        open_ = []
                        return
                    open_.remove(pos)
                    continue
                yield item

        def state() -> State:
            return {
                "rng_state": _rng_state_to_json(rng.getstate()),
                "exhausted": list(exhausted),
                "inner_states": [
                    None if done else child_state(s, it) for s, it, done in zip(self.sources, streams, exhausted)
                ],
            }

        return NodePass(items(), state)

    def __len__(self) -> int:
        return sum(_length(it) for it in self.sources)


class LazyInfiniteApproximateMultiplexer(IteratorNode):
    """An endless interleaving of iterables with at most ``max_open_streams`` of them open at once.

    The open streams are drawn from the sources *with replacement*, by ``weights`` (a source may be
    open in two slots, and a heavy source is reopened as often as its weight asks, so the mix keeps
    its proportions over time). Each item comes from an open stream drawn by the weights of the open
    streams; when that stream is exhausted, a new source is drawn into its slot and the item comes
    from it. Only one item per open stream is in flight. This is Lhotse's two-stage sampling, and
    gives its order for the same seed; where Lhotse fails on a newly opened stream that is empty,
    another one is drawn (and the pass ends if every source is empty).

    Args:
        iterators: The sources (each re-iterable; at least one).
        stop_early: Accepted for Lhotse compatibility; the stream is endless either way.
        weights: Relative chance of each source (``None``: equal).
        seed: Seed of the draws (an int, ``"trng"`` or ``"randomized"``).
        max_open_streams: Streams open at once (``None`` or more than the sources: one per source).

    Raises:
        ManifestArgumentError: No sources, ``max_open_streams < 1``, or weights that do not fit.

    Example:
        >>> import itertools
        >>> mux = LazyInfiniteApproximateMultiplexer(["a"], ["b1", "b2"], seed=1, max_open_streams=1)
        >>> sorted(set(itertools.islice(mux, 30)))
        ['a', 'b1', 'b2']
    """

    def __init__(
        self,
        *iterators: Iterable[Any],
        stop_early: bool = False,
        weights: Optional[Sequence[float]] = None,
        seed: Seed = 0,
        max_open_streams: Optional[int] = None,
    ) -> None:
        if not iterators:
            raise ManifestArgumentError("infinite_mux needs at least one manifest")
        if max_open_streams is not None and max_open_streams < 1:
            raise ManifestArgumentError(f"max_open_streams must be >= 1 or None, got {max_open_streams}")
        self.sources = list(iterators)
        self.stop_early = stop_early
        self.weights = _checked_weights(len(iterators), weights, "infinite_mux")
        self.seed = seed
        self.max_open_streams = len(iterators) if max_open_streams is None else min(max_open_streams, len(iterators))

    def _start(self, resume: Optional[State]) -> NodePass:
        rng = random.Random(resolve_seed(self.seed))
        sources = range(len(self.sources))
        slots = range(self.max_open_streams)
        streams: List[Iterator[Any]] = [iter(())] * self.max_open_streams
        opened: List[int] = [0] * self.max_open_streams  # the source open in each slot
        slot_weights: List[float] = [0] * self.max_open_streams

        def open_at(slot: int, source: Optional[int] = None, state: Optional[State] = None) -> None:
            if source is None:
                (source,) = rng.choices(sources, self.weights, k=1)
            streams[slot] = open_child(self.sources[source], state)
            opened[slot] = source
            slot_weights[slot] = self.weights[source]

        if resume is None:
            for slot in slots:
                open_at(slot)
        else:
            rng.setstate(_rng_state_from_json(resume["rng_state"]))
            for slot, (source, state) in enumerate(resume["slots"]):
                open_at(slot, source, state)

        def items() -> Iterator[Any]:
            while True:
                (slot,) = rng.choices(slots, weights=slot_weights if sum(slot_weights) > 0 else None, k=1)
                item = next(streams[slot], _EXHAUSTED)
                reopened = 0
                while item is _EXHAUSTED:
                    if reopened > 10 * len(self.sources) + 100:
                        return  # every source drawn again and again was empty
                    open_at(slot)
                    item = next(streams[slot], _EXHAUSTED)
                    reopened += 1
                yield item

        def pass_state() -> State:
            return {
                "rng_state": _rng_state_to_json(rng.getstate()),
                "slots": [[opened[k], child_state(self.sources[opened[k]], streams[k])] for k in slots],
            }

        return NodePass(items(), pass_state)


_EXHAUSTED = object()
