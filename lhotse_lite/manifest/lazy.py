"""Small re-iterable iterator nodes behind lazy manifest sets.

A lazy set holds one of these nodes. Each node is an *iterable* (not an iterator): every call to
``iter()`` starts a fresh pass over its sources, so a lazy set can be iterated many times, and each
pass holds only what the node documents (nothing, a shuffle buffer, one item per stream, ...).
Nodes are plain picklable objects, so lazy sets can be sent to worker processes.

Example:
    >>> from lhotse_lite.manifest.lazy import LazyFilter, LazyMapper, LazyChain
    >>> node = LazyMapper(LazyFilter(range(6), lambda x: x % 2 == 0), lambda x: x * 10)
    >>> list(node), list(node)
    ([0, 20, 40], [0, 20, 40])
    >>> list(LazyChain([1, 2], [3]))
    [1, 2, 3]
"""

from __future__ import annotations

import collections
import itertools
import random
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence

from lhotse_lite.errors import ManifestError, ManifestFieldError
from lhotse_lite.manifest.formats import Pathlike, iter_jsonl_dicts

__all__ = [
    "LazyJsonlReader",
    "LazyFilter",
    "LazyMapper",
    "LazyChain",
    "LazyShuffler",
    "LazyRepeater",
    "LazySlicer",
    "LazyTail",
    "LazyMux",
    "LazyInfiniteMux",
]


class LazyJsonlReader:
    """Stream manifest items from a JSONL(.gz) file, one line at a time.

    Args:
        path: The ``.jsonl`` or ``.jsonl.gz`` file.
        from_dict: Builds one item from its dict (e.g. ``SupervisionSegment.from_dict``).

    Raises (while iterating):
        ManifestFormatError: A line is malformed or the gzip stream is truncated (``file:line``).
        ManifestFieldError: An item has a missing/wrong field (``file:line`` prefixed).
    """

    def __init__(self, path: Pathlike, from_dict: Callable[[dict], Any]) -> None:
        self.path = path
        self.from_dict = from_dict

    def __iter__(self) -> Iterator[Any]:
        from_dict = self.from_dict
        for lineno, d in iter_jsonl_dicts(self.path):
            try:
                yield from_dict(d)
            except ManifestFieldError as err:
                raise ManifestFieldError(f"{self.path}:{lineno}: {err}") from err
            except (TypeError, ValueError) as err:
                raise ManifestFieldError(f"{self.path}:{lineno}: invalid item ({err})") from err

    def __repr__(self) -> str:
        return f"LazyJsonlReader({str(self.path)!r})"


class LazyFilter:
    """Items of ``source`` for which ``predicate(item)`` is true."""

    def __init__(self, source: Iterable[Any], predicate: Callable[[Any], bool]) -> None:
        self.source = source
        self.predicate = predicate

    def __iter__(self) -> Iterator[Any]:
        return filter(self.predicate, self.source)


class LazyMapper:
    """``fn(item)`` for each item of ``source``."""

    def __init__(self, source: Iterable[Any], fn: Callable[[Any], Any]) -> None:
        self.source = source
        self.fn = fn

    def __iter__(self) -> Iterator[Any]:
        return map(self.fn, self.source)


class LazyChain:
    """All items of the first source, then of the second, and so on."""

    def __init__(self, *sources: Iterable[Any]) -> None:
        self.sources = sources

    def __iter__(self) -> Iterator[Any]:
        return itertools.chain.from_iterable(self.sources)


class LazyShuffler:
    """Approximate shuffle with a bounded buffer (holds at most ``buffer_size`` items).

    The buffer is filled first; then each new item replaces a randomly chosen buffered item, which
    is yielded. At the end the remaining buffer is shuffled and yielded. With ``buffer_size`` at
    least the number of items this is a uniform shuffle.

    Args:
        source: Items to shuffle.
        buffer_size: Maximum number of items held (>= 1).
        rng: Random generator; ``None`` uses a fresh ``random.Random()`` for each pass.
    """

    def __init__(self, source: Iterable[Any], buffer_size: int = 10_000, rng: Optional[random.Random] = None) -> None:
        if buffer_size < 1:
            raise ManifestError(f"shuffle buffer_size must be >= 1, got {buffer_size}")
        self.source = source
        self.buffer_size = buffer_size
        self.rng = rng

    def __iter__(self) -> Iterator[Any]:
        rng = self.rng if self.rng is not None else random.Random()
        buffer: List[Any] = []
        size = self.buffer_size
        for item in self.source:
            if len(buffer) < size:
                buffer.append(item)
                continue
            idx = rng.randrange(size)
            out, buffer[idx] = buffer[idx], item
            yield out
        rng.shuffle(buffer)
        yield from buffer


class LazyRepeater:
    """Iterate ``source`` ``times`` times (forever when ``times`` is ``None``).

    Args:
        source: Items to repeat.
        times: Number of passes (>= 1), or ``None`` for an endless stream.
        rename: ``rename(item, epoch)`` applied to each item (e.g. to make ids unique per pass),
            or ``None`` to yield the items unchanged.
    """

    def __init__(
        self,
        source: Iterable[Any],
        times: Optional[int] = None,
        rename: Optional[Callable[[Any, int], Any]] = None,
    ) -> None:
        if times is not None and times < 1:
            raise ManifestError(f"repeat times must be >= 1 or None, got {times}")
        self.source = source
        self.times = times
        self.rename = rename

    def __iter__(self) -> Iterator[Any]:
        epochs = itertools.count() if self.times is None else range(self.times)
        for epoch in epochs:
            empty = True
            for item in self.source:
                empty = False
                yield item if self.rename is None else self.rename(item, epoch)
            if empty:  # an endless repeat of nothing would hang
                return


class LazySlicer:
    """Items ``start`` (inclusive) to ``stop`` (exclusive) of ``source``; ``stop=None`` means to the end."""

    def __init__(self, source: Iterable[Any], start: int = 0, stop: Optional[int] = None) -> None:
        self.source = source
        self.start = start
        self.stop = stop

    def __iter__(self) -> Iterator[Any]:
        return itertools.islice(self.source, self.start, self.stop)


class LazyTail:
    """The last ``n`` items of ``source`` (holds at most ``n`` items while streaming)."""

    def __init__(self, source: Iterable[Any], n: int) -> None:
        self.source = source
        self.n = n

    def __iter__(self) -> Iterator[Any]:
        return iter(collections.deque(self.source, maxlen=self.n))


def _check_weights(num: int, weights: Optional[Sequence[float]]) -> List[float]:
    if weights is None:
        return [1.0] * num
    if len(weights) != num:
        raise ManifestError(f"mux got {num} sets but {len(weights)} weights; give one weight per set")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ManifestError(f"mux weights must be >= 0 with a positive sum, got {list(weights)}")
    return [float(w) for w in weights]


class LazyMux:
    """Interleave several sources, picking the next source at random (by ``weights``) for each item.

    Args:
        sources: The sources to interleave.
        stop_early: Stop as soon as any source is exhausted (otherwise continue with the remaining
            ones until all are exhausted).
        weights: Relative chance of each source (``None``: equal).
        seed: Seed of the random choices; each pass repeats the same order.
    """

    def __init__(self, *sources: Iterable[Any], stop_early: bool = False,
                 weights: Optional[Sequence[float]] = None, seed: int = 0) -> None:
        self.sources = sources
        self.stop_early = stop_early
        self.weights = _check_weights(len(sources), weights)
        self.seed = seed

    def __iter__(self) -> Iterator[Any]:
        rng = random.Random(self.seed)
        iters = [iter(s) for s in self.sources]
        weights = list(self.weights)
        active = [i for i, w in enumerate(weights) if w > 0]
        while active:
            (idx,) = rng.choices(active, weights=[weights[i] for i in active])
            try:
                yield next(iters[idx])
            except StopIteration:
                if self.stop_early:
                    return
                active.remove(idx)


class LazyInfiniteMux:
    """An endless interleaving of sources, each restarted when it runs out.

    At most ``max_open_streams`` sources are open at once (all of them when ``None``). Open streams
    are chosen at random by ``weights``; when an open stream is exhausted it is closed and another
    one (possibly the same source again) is opened in its place. Only one item per open stream is
    in flight, so memory stays bounded however many sources there are.

    Args:
        sources: The sources (each must be re-iterable).
        weights: Relative chance of each source (``None``: equal).
        seed: Seed of the random choices.
        max_open_streams: Maximum number of concurrently open sources.
    """

    def __init__(self, *sources: Iterable[Any], weights: Optional[Sequence[float]] = None,
                 seed: int = 0, max_open_streams: Optional[int] = None) -> None:
        if max_open_streams is not None and max_open_streams < 1:
            raise ManifestError(f"max_open_streams must be >= 1 or None, got {max_open_streams}")
        self.sources = sources
        self.weights = _check_weights(len(sources), weights)
        self.seed = seed
        self.max_open_streams = max_open_streams

    def __iter__(self) -> Iterator[Any]:
        rng = random.Random(self.seed)
        candidates = [i for i, w in enumerate(self.weights) if w > 0]
        if not candidates:
            return
        cand_w = [self.weights[i] for i in candidates]
        n_open = len(candidates) if self.max_open_streams is None else min(self.max_open_streams, len(candidates))
        if self.max_open_streams is None:
            slots = list(candidates)
        else:
            slots = rng.choices(candidates, weights=cand_w, k=n_open)
        streams = [iter(self.sources[i]) for i in slots]
        empty_restarts = 0
        while True:
            pos = rng.choices(range(n_open), weights=[self.weights[s] for s in slots])[0]
            try:
                item = next(streams[pos])
            except StopIteration:
                empty_restarts += 1
                if empty_restarts > 10 * len(candidates) + 100:
                    return  # every source is empty: stop instead of spinning forever
                if self.max_open_streams is not None:
                    slots[pos] = rng.choices(candidates, weights=cand_w)[0]
                streams[pos] = iter(self.sources[slots[pos]])
                continue
            empty_restarts = 0
            yield item
