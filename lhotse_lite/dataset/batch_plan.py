"""An epoch's batches as a pure function of (durations, configuration, seed, epoch), computed with numpy.

:class:`~lhotse_lite.dataset.DynamicBucketingSampler` asks this module for the batches of one epoch
and one rank. Because the whole plan is a deterministic function of its inputs, every rank computes
the same global plan without talking to the others, and a resumed job recomputes it and starts at
batch ``k`` in O(1) beyond the plan itself (a few numpy passes over the durations).

The plan, step by step:

1. **Order.** With ``shuffle`` the items are permuted by a ``numpy`` generator seeded with
   ``(seed, epoch)``; without it they keep the manifest order.
2. **Buckets.** Each item goes to the bucket of its duration: bucket ``i`` holds
   ``bins[i - 1] <= duration < bins[i]`` (Lhotse's convention; ``len(bins) + 1`` buckets).
3. **Batches.** In each bucket, items are taken in the order of step 1 and batches are filled greedily:
   a batch takes items while its *padded* duration (number of items times the longest of them, as
   Lhotse's ``TimeConstraint`` counts it) stays within ``max_duration`` and the number of items
   within ``max_cuts``. An item longer than ``max_duration`` gets a batch of its own.
4. **Incomplete batches.** The last batch of a bucket is *complete* when it reached ``max_cuts`` or
   one more item as long as its longest would exceed ``max_duration`` (Lhotse's
   ``close_to_exceeding``); ``drop_last`` drops the incomplete ones.
5. **Batch order.** Every batch is stamped with the position (in the order of step 1) of its last
   item: the moment a streaming bucketer would have released it. Without ``shuffle`` batches come in
   that order; with ``shuffle`` and ``buffer_size=None`` they are shuffled globally; with a
   ``buffer_size`` they are shuffled only among batches released within the same window of
   ``buffer_size`` items (reads stay local, as with Lhotse's streaming buffer).
6. **Ranks.** Rank ``r`` of ``world_size`` takes batches ``r, r + world_size, ...``. When the number
   of batches is not a multiple of ``world_size``, ``rank_tail="split"`` (default) splits the largest
   batches in two until it is (every rank gets the same number of batches, the ranks' batches are
   disjoint and together cover the epoch; only when every batch is down to one item are the last
   ones dropped, with a warning); ``rank_tail="drop"`` drops the last ``num_batches % world_size``
   batches instead.

Example:
    >>> import numpy as np
    >>> plan = plan_epoch(np.array([1.0, 1.0, 2.0, 2.0, 2.0]), max_duration=4.0, bins=[1.5])
    >>> [plan.batch(i).tolist() for i in range(len(plan))]
    [[0, 1], [2, 3], [4]]
    >>> plan = plan_epoch(np.array([1.0, 1.0, 2.0, 2.0, 2.0]), max_duration=4.0, bins=[1.5], world_size=2, rank=1)
    >>> [plan.batch(i).tolist() for i in range(len(plan))]
    [[1], [4]]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

from lhotse_lite.errors import ConfigError

__all__ = ["EpochPlan", "estimate_duration_buckets", "plan_epoch"]

logger = logging.getLogger(__name__)

_EPS = 1e-6  # seconds of tolerance on max_duration (durations are float32)
_SEARCH_CHUNK = 1 << 16  # starts per batch-size search (about a dozen temporaries of this length)


def estimate_duration_buckets(durations: np.ndarray, num_buckets: int) -> List[float]:
    """Bucket boundaries that split the total duration into ``num_buckets`` near-equal parts.

    Lhotse's ``estimate_duration_buckets`` does the same with a greedy loop over the sorted durations;
    this one reads the boundaries off the cumulative sum. Repeated boundaries (many equal durations)
    are merged, so fewer buckets may come back.

    Args:
        durations: Durations in seconds, any order.
        num_buckets: Buckets wanted (``>= 1``).

    Returns:
        ``bins``, increasing, ``<= num_buckets - 1`` values: bucket ``i`` holds
        ``bins[i - 1] <= duration < bins[i]``.

    Raises:
        ConfigError: ``num_buckets < 1`` or no durations.

    Example:
        >>> estimate_duration_buckets(np.array([1.0, 1.0, 2.0, 2.0, 3.0, 3.0]), 3)
        [2.0, 3.0]
    """
    if num_buckets < 1:
        raise ConfigError(f"num_buckets must be >= 1, got {num_buckets}")
    sizes = np.sort(np.asarray(durations, dtype=np.float64))
    if sizes.size == 0:
        raise ConfigError("estimate_duration_buckets got no durations; is the manifest empty?")
    if num_buckets == 1:
        return []
    cumulative = np.cumsum(sizes)
    targets = cumulative[-1] * np.arange(1, num_buckets) / num_buckets
    positions = np.minimum(np.searchsorted(cumulative, targets, side="right"), sizes.size - 1)
    bins = np.unique(sizes[positions])
    bins = bins[bins > sizes[0]]  # a boundary at the minimum would leave the first bucket empty
    return [float(b) for b in bins]


@dataclass(frozen=True)
class EpochPlan:
    """The batches of one rank in one epoch: ``batch(k)`` are the item indices of its ``k``-th batch.

    Attributes:
        items: Item indices grouped per batch (each batch a contiguous range).
        starts: ``(num_batches,)`` start of each batch in ``items``, in this rank's order.
        ends: ``(num_batches,)`` end (exclusive) of each batch in ``items``.
        num_global_batches: Batches of the epoch over all ranks.
        num_dropped_items: Items in batches dropped by ``drop_last`` or ``rank_tail="drop"``.
    """

    items: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    num_global_batches: int
    num_dropped_items: int

    def __len__(self) -> int:
        return int(self.starts.size)

    def batch(self, k: int) -> np.ndarray:
        """Item indices (int64) of batch ``k`` of this rank."""
        return self.items[self.starts[k] : self.ends[k]].astype(np.int64)


def _fill_bucket(
    durations: np.ndarray, members: np.ndarray, max_duration: Optional[float], max_cuts: Optional[int]
) -> np.ndarray:
    """Ends (exclusive) of the greedy batches over one bucket's items ``durations[members]``, in order.

    A batch starting at item ``j`` takes the most items ``n`` with ``n * max(durations of the n)``
    within ``max_duration`` (the padded size, as Lhotse's ``TimeConstraint``). ``jump[j]`` is computed
    for a chunk of starts at a time: the summed duration (``searchsorted`` on the running sum) bounds
    ``n`` from above, and a vectorised binary search over a sparse table of window maxima finds it.
    The batches are the chain ``0 -> jump[0] -> ...``. Temporaries stay at a few MB per chunk.
    """
    n = members.size
    if max_duration is None:
        # callers give max_cuts whenever max_duration is None
        return np.append(np.arange(max_cuts, n, max_cuts), n)  # type: ignore[arg-type]
    values = durations[members]
    # the most items a batch can hold: bounds how far past a chunk of starts the search looks
    reach = int((max_duration + _EPS) // max(float(values.min()), 1e-12)) + 1
    if max_cuts is not None:
        reach = min(reach, max_cuts)
    ends: List[int] = []
    start = chunk_start = 0
    jump = np.zeros(0, dtype=np.int64)
    while start < n:
        if start >= chunk_start + jump.size:
            chunk_start = start
            jump = _padded_jumps(values, start, min(n, start + _SEARCH_CHUNK), reach, max_duration, max_cuts)
        end = int(jump[start - chunk_start])
        ends.append(end)
        start = end
    return np.asarray(ends, dtype=np.int64)


def _padded_jumps(
    values: np.ndarray, a: int, b: int, reach: int, max_duration: float, max_cuts: Optional[int]
) -> np.ndarray:
    """``jump[j - a]`` for starts ``a <= j < b``: the end of the batch starting at item ``j``."""
    window = values[a : min(values.size, b + reach)]
    cumulative = np.zeros(window.size + 1, dtype=np.float64)  # cumulative[i]: duration before window[i]
    np.cumsum(window, dtype=np.float64, out=cumulative[1:])
    offsets = np.arange(b - a)
    upper = np.searchsorted(cumulative[1:], cumulative[: b - a] + (max_duration + _EPS), side="right") - offsets
    upper = np.maximum(upper, 1)  # n by the summed duration (>= n by the padded one); a long item: alone
    if max_cuts is not None:
        upper = np.minimum(upper, max_cuts)
    span = int(upper.max())
    # n items as long as the longest of the window fit whatever the order: search only above that
    low = np.minimum(np.maximum(int((max_duration + _EPS) // float(window.max())), 1), upper)
    table = [window]  # table[k][i]: max of window[i : i + 2**k]
    while (1 << len(table)) <= span:
        prev, half = table[-1], 1 << (len(table) - 1)
        table.append(np.maximum(prev[:-half], prev[half:]))
    high = upper
    while True:
        open_ = np.flatnonzero(low < high)
        if open_.size == 0:
            break
        mid = (low[open_] + high[open_] + 1) // 2
        level = np.floor(np.log2(mid)).astype(np.int64)
        first = offsets[open_]
        last = first + mid - (1 << level)
        longest = np.empty(open_.size, dtype=window.dtype)
        for k in np.unique(level).tolist():
            sel = level == k
            longest[sel] = np.maximum(table[k][first[sel]], table[k][last[sel]])
        fits = mid * longest.astype(np.float64) <= max_duration + _EPS
        low[open_] = np.where(fits, mid, low[open_])
        high[open_] = np.where(fits, high[open_], mid - 1)
    return a + offsets + low


def _bucket_of(durations: np.ndarray, bins: Sequence[float]) -> np.ndarray:
    """The bucket of every item (uint8/uint16), computed in chunks to keep int64 temporaries small."""
    edges = np.asarray(bins, dtype=np.float64)
    out = np.empty(durations.size, dtype=np.uint8 if edges.size < 255 else np.uint16)
    step = 1 << 20
    for start in range(0, durations.size, step):
        out[start : start + step] = np.searchsorted(edges, durations[start : start + step], side="right")
    return out


def _complete(durations: np.ndarray, max_duration: Optional[float], max_cuts: Optional[int]) -> bool:
    """Lhotse's ``close_to_exceeding``: one more item as long as the longest would not fit."""
    if max_cuts is not None and durations.size >= max_cuts:
        return True
    return max_duration is not None and float((durations.size + 1) * durations.max()) > max_duration + _EPS


def _split_for_ranks(starts: np.ndarray, ends: np.ndarray, world_size: int) -> tuple:
    """Splits the largest batches in two until the number of batches is a multiple of ``world_size``.

    Stops early when no batch has two items left (then the caller drops the remaining tail).
    """
    cut_starts, cut_ends = list(starts), list(ends)
    while len(cut_starts) % world_size:
        sizes = np.asarray(cut_ends) - np.asarray(cut_starts)
        splittable = int((sizes >= 2).sum())
        if splittable == 0:
            break
        need = world_size - len(cut_starts) % world_size
        chosen = sorted(np.argsort(-sizes, kind="stable")[: min(need, splittable)].tolist(), reverse=True)
        for k in chosen:
            middle = (cut_starts[k] + cut_ends[k]) // 2
            cut_starts.insert(k + 1, middle)
            cut_ends.insert(k + 1, cut_ends[k])
            cut_ends[k] = middle
    return np.asarray(cut_starts, dtype=np.int64), np.asarray(cut_ends, dtype=np.int64)


def plan_epoch(
    durations: np.ndarray,
    max_duration: Optional[float] = None,
    max_cuts: Optional[int] = None,
    bins: Sequence[float] = (),
    shuffle: bool = False,
    drop_last: bool = False,
    buffer_size: Optional[int] = None,
    seed: int = 0,
    epoch: int = 0,
    world_size: int = 1,
    rank: int = 0,
    rank_tail: str = "split",
) -> EpochPlan:
    """The batches of ``rank`` in ``epoch`` (the steps are in the module docstring).

    Args:
        durations: ``(num_items,)`` item durations in seconds.
        max_duration: Bound of a batch's padded duration (items times the longest, seconds), or ``None``.
        max_cuts: Bound of the items of a batch, or ``None`` (at least one of the two is needed).
        bins: Bucket boundaries (increasing seconds), e.g. from :func:`estimate_duration_buckets`.
        shuffle: Permute items and batches (seeded by ``(seed, epoch)``).
        drop_last: Drop each bucket's incomplete last batch.
        buffer_size: Shuffle batches only within windows of this many items (``None``: globally).
        seed: Base seed.
        epoch: Epoch number.
        world_size: Number of ranks.
        rank: This rank, ``0 <= rank < world_size``.
        rank_tail: ``"split"`` or ``"drop"``: how batch counts are made equal across ranks.

    Returns:
        The :class:`EpochPlan` of ``rank``.

    Raises:
        ConfigError: Neither bound given, a bound not positive, bad rank/world size, or unknown
            ``rank_tail``.
    """
    if max_duration is None and max_cuts is None:
        raise ConfigError("a batch needs a bound: pass max_duration (seconds) and/or max_cuts (items)")
    if max_duration is not None and not max_duration > 0:
        raise ConfigError(f"max_duration must be > 0 seconds, got {max_duration}")
    if max_cuts is not None and max_cuts < 1:
        raise ConfigError(f"max_cuts must be >= 1, got {max_cuts}")
    if world_size < 1 or not 0 <= rank < world_size:
        raise ConfigError(f"need world_size >= 1 and 0 <= rank < world_size, got world_size={world_size}, rank={rank}")
    if rank_tail not in ("split", "drop"):
        raise ConfigError(f"rank_tail must be 'split' or 'drop', got {rank_tail!r}")
    if buffer_size is not None and buffer_size < 1:
        raise ConfigError(f"buffer_size must be >= 1 or None, got {buffer_size}")
    durations = np.asarray(durations)
    n = durations.size
    rng = np.random.default_rng([seed, epoch])
    index_dtype = np.int32 if n < 2**31 else np.int64  # 4 bytes per item: 10M items fit in 40 MB
    order = np.arange(n, dtype=index_dtype)
    if shuffle:
        rng.shuffle(order)
    bucket_of = _bucket_of(durations, bins)[order]
    items = np.empty(n, dtype=index_dtype)  # item indices grouped per bucket, in `order` within a bucket
    all_starts: List[np.ndarray] = []
    all_ends: List[np.ndarray] = []
    all_released: List[np.ndarray] = []
    dropped = offset = 0
    for bucket in np.unique(bucket_of).tolist():
        positions = np.flatnonzero(bucket_of == bucket).astype(index_dtype)  # positions in `order`, increasing
        members = order[positions]
        items[offset : offset + members.size] = members
        ends = _fill_bucket(durations, members, max_duration, max_cuts)
        starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
        if drop_last and not _complete(durations[members[starts[-1] : ends[-1]]], max_duration, max_cuts):
            dropped += int(ends[-1] - starts[-1])
            starts, ends = starts[:-1], ends[:-1]
        all_released.append(positions[ends - 1].astype(np.int64))  # released when its last item arrives
        all_starts.append(offset + starts)
        all_ends.append(offset + ends)
        offset += members.size
    starts = np.concatenate(all_starts).astype(np.int64) if all_starts else np.zeros(0, np.int64)
    ends = np.concatenate(all_ends).astype(np.int64) if all_ends else np.zeros(0, np.int64)
    released = np.concatenate(all_released) if all_released else np.zeros(0, np.int64)
    if not shuffle:
        batch_order = np.argsort(released, kind="stable")
    elif buffer_size is None:
        batch_order = rng.permutation(starts.size)
    else:
        batch_order = np.lexsort((rng.random(starts.size), released // buffer_size))
    starts, ends = starts[batch_order], ends[batch_order]
    if world_size > 1 and starts.size % world_size:
        if rank_tail == "split":
            starts, ends = _split_for_ranks(starts, ends, world_size)
        if starts.size % world_size:  # "drop", or every batch is down to one item
            keep = starts.size - starts.size % world_size
            if rank_tail == "split":
                logger.warning(
                    "epoch %d: %d single-item batch(es) cannot be split for %d ranks; dropped",
                    epoch,
                    starts.size - keep,
                    world_size,
                )
            dropped += int((ends[keep:] - starts[keep:]).sum())
            starts, ends = starts[:keep], ends[:keep]
    if dropped:
        logger.info("epoch %d: %d item(s) left out by drop_last/rank_tail='drop'", epoch, dropped)
    return EpochPlan(items, starts[rank::world_size], ends[rank::world_size], int(starts.size), dropped)
