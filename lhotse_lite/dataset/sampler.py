"""A batch sampler that fills each batch up to a total duration of speech.

Batches of short utterances then hold many items and batches of long ones few, so every step does a
similar amount of work. Items are shuffled per epoch (seeded: ``seed + epoch``), grouped into pools of
``sort_pool`` consecutive items which are sorted by duration (less padding), cut into batches whose
summed duration stays within ``max_duration``, and the batches are shuffled again.

Example:
    >>> sampler = DurationBatchSampler([1.0, 2.0, 1.5, 0.5, 3.0], max_duration=3.0, shuffle=False)
    >>> list(sampler)
    [[3, 0, 2], [1], [4]]
    >>> len(sampler)
    3
"""

from __future__ import annotations

import logging
from typing import Iterator, List, Optional, Sequence

import numpy as np
import torch

from lhotse_lite.errors import ConfigError

__all__ = ["DurationBatchSampler"]

logger = logging.getLogger(__name__)


class DurationBatchSampler(torch.utils.data.Sampler):
    """Yields lists of item indices whose durations sum to at most ``max_duration`` seconds.

    Use it as ``DataLoader(dataset, batch_sampler=sampler, collate_fn=collate_features)``; call
    :meth:`set_epoch` before each epoch for a new order.

    Args:
        durations: Duration of every item in seconds (``SupervisionDataset.durations``).
        max_duration: Upper bound of the summed duration of a batch (seconds). An item longer than
            this gets a batch of its own.
        max_items: Optional cap on the items of a batch.
        shuffle: Shuffle items and batches (else keep the order, sorted within pools).
        seed: Base seed of the shuffles.
        drop_last: Drop the last batch of the epoch when it is less than half full.
        sort_pool: Items per pool sorted by duration before batching (1: no sorting).

    Raises:
        ConfigError: ``max_duration``, ``max_items`` or ``sort_pool`` is not positive, or no durations.

    Example:
        >>> sampler = DurationBatchSampler([1.0] * 7, max_duration=3.0, seed=0)
        >>> sorted(len(batch) for batch in sampler)
        [1, 3, 3]
        >>> sampler.set_epoch(1)
        >>> sorted(i for batch in sampler for i in batch)
        [0, 1, 2, 3, 4, 5, 6]
    """

    def __init__(
        self,
        durations: Sequence[float],
        max_duration: float,
        max_items: Optional[int] = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
        sort_pool: int = 100,
    ) -> None:
        if not max_duration > 0:
            raise ConfigError(f"DurationBatchSampler: max_duration must be > 0 seconds, got {max_duration}")
        if max_items is not None and max_items < 1:
            raise ConfigError(f"DurationBatchSampler: max_items must be >= 1 or None, got {max_items}")
        if sort_pool < 1:
            raise ConfigError(f"DurationBatchSampler: sort_pool must be >= 1, got {sort_pool}")
        self.durations = np.asarray(list(durations), dtype=np.float64)
        if self.durations.size == 0:
            raise ConfigError("DurationBatchSampler got no durations; is the dataset empty?")
        self.max_duration = float(max_duration)
        self.max_items = max_items
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.sort_pool = sort_pool
        self.epoch = 0
        too_long = int((self.durations > self.max_duration).sum())
        if too_long:
            logger.warning(
                "%d item(s) are longer than max_duration=%.2f s; each gets a batch of its own",
                too_long,
                self.max_duration,
            )

    def set_epoch(self, epoch: int) -> None:
        """Selects the shuffle of ``epoch`` (the same epoch always gives the same batches)."""
        self.epoch = int(epoch)

    def _batches(self) -> List[List[int]]:
        rng = np.random.default_rng(self.seed + self.epoch)
        order = rng.permutation(len(self.durations)) if self.shuffle else np.arange(len(self.durations))
        pools = [order[i : i + self.sort_pool] for i in range(0, len(order), self.sort_pool)]
        ordered = [int(i) for pool in pools for i in pool[np.argsort(self.durations[pool], kind="stable")]]
        batches: List[List[int]] = []
        current: List[int] = []
        total = 0.0
        for index in ordered:
            duration = float(self.durations[index])
            full = self.max_items is not None and len(current) >= self.max_items
            if current and (total + duration > self.max_duration + 1e-9 or full):
                batches.append(current)
                current, total = [], 0.0
            current.append(index)
            total += duration
        if current:
            last_full = total >= self.max_duration / 2 or (
                self.max_items is not None and 2 * len(current) >= self.max_items
            )
            if not (self.drop_last and batches and not last_full):
                batches.append(current)
        if self.shuffle:
            batches = [batches[i] for i in rng.permutation(len(batches))]
        return batches

    def __iter__(self) -> Iterator[List[int]]:
        return iter(self._batches())

    def __len__(self) -> int:
        return len(self._batches())
