"""Lhotse's ``lhotse.lazy`` import path: the iterator nodes behind lazy manifests.

A thin module: the nodes live in :mod:`lhotse_lite.manifest.lazy` (readers, filter, map, chain,
shuffle, repeat), :mod:`lhotse_lite.manifest.mux` (the multiplexers) and
:mod:`lhotse_lite.manifest.indexed` (the indexed reader), and are re-exported here so
that ``from lhotse.lazy import ...`` becomes ``from lhotse_lite.lazy import ...``.

Example:
    >>> from lhotse_lite.lazy import LazyFilter, LazyIteratorChain, LazyIteratorMultiplexer
    >>> list(LazyIteratorChain(LazyFilter(range(5), lambda x: x % 2 == 0), [10]))
    [0, 2, 4, 10]
    >>> sorted(LazyIteratorMultiplexer([1, 2], [3], seed=0))
    [1, 2, 3]
"""

from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator
from lhotse_lite.manifest.lazy import (
    IteratorNode,
    LazyFilter,
    LazyIteratorChain,
    LazyJsonlIterator,
    LazyManifestIterator,
    LazyMapper,
    LazyRepeater,
    LazyShuffler,
    attach_repeat_idx_to_id,
)
from lhotse_lite.manifest.mux import LazyInfiniteApproximateMultiplexer, LazyIteratorMultiplexer

__all__ = [
    "IteratorNode",
    "LazyIndexedManifestIterator",
    "LazyJsonlIterator",
    "LazyManifestIterator",
    "LazyRepeater",
    "LazyFilter",
    "LazyMapper",
    "LazyShuffler",
    "LazyIteratorChain",
    "LazyIteratorMultiplexer",
    "LazyInfiniteApproximateMultiplexer",
    "attach_repeat_idx_to_id",
]
