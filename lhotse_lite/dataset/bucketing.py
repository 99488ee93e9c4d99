"""Dynamic bucketing over supervision, feature or recording manifests: Lhotse's sampler without Cuts.

:class:`DynamicBucketingSampler` takes Lhotse's parameter names where the meaning is the same
(``max_duration``, ``max_cuts``, ``num_buckets``, ``shuffle``, ``drop_last``, ``duration_bins``,
``num_cuts_for_bins_estimate``, ``buffer_size``, ``seed``, ``world_size``, ``rank``, ``set_epoch``,
``state_dict``/``load_state_dict``). It reads only the items' durations (one pass, or a cached
sidecar: :func:`~lhotse_lite.dataset.durations.manifest_durations`) and computes each epoch's batches
as a deterministic numpy plan (:mod:`lhotse_lite.dataset.batch_plan`). It yields
:class:`SampledBatch` objects (item indices, epoch, position), never items: a batch dataset's
``__getitem__(batch)`` reads and collates the items, so with ``DataLoader(dataset, sampler=sampler,
batch_size=None, num_workers=n)`` each worker reads only the items of its batches.

Differences from Lhotse's sampler, each on purpose:

* the whole epoch is bucketed (Lhotse buckets what its streaming buffer holds); with
  ``buffer_size`` set, batches are shuffled only within windows of that many items;
* bins estimated from ``num_cuts_for_bins_estimate`` durations drawn at random (Lhotse: the first ones);
* every rank gets the same number of disjoint batches covering the epoch (``rank_tail``);
* resume is a recomputation of the plan, exact with any number of DataLoader workers.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet([SupervisionSegment(f"s{i}", "r", 0.0, d) for i, d in enumerate([1, 1, 2, 2, 2])])
    >>> sampler = DynamicBucketingSampler(sups, max_duration=4.0, duration_bins=[1.5])
    >>> [batch.indices.tolist() for batch in sampler]
    [[0, 1], [2, 3], [4]]
    >>> sampler.state_dict()["batches_consumed"]
    3
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import numpy as np
import torch

from lhotse_lite.dataset.batch_plan import EpochPlan, estimate_duration_buckets, plan_epoch
from lhotse_lite.dataset.durations import manifest_durations
from lhotse_lite.errors import ConfigError

__all__ = ["DynamicBucketingSampler", "SampledBatch"]

logger = logging.getLogger(__name__)

_STATE_VERSION = 1


@dataclass(frozen=True, eq=False)  # eq on an array field would be ambiguous; compare .indices
class SampledBatch:
    """What the sampler yields: the item indices of one batch and where it sits in the epoch.

    Attributes:
        indices: ``(batch,)`` int64 positions of the items in the manifest.
        epoch: The epoch it belongs to.
        index: Its position among this rank's batches of the epoch (0-based). A training loop that
            consumed this batch resumes from ``index + 1`` (see :meth:`DynamicBucketingSampler.state_dict`).
    """

    indices: np.ndarray = field(repr=False)
    epoch: int = 0
    index: int = 0

    def __len__(self) -> int:
        return int(self.indices.size)


def _distributed_world() -> tuple:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_world_size(), torch.distributed.get_rank()
    return 1, 0


class DynamicBucketingSampler(torch.utils.data.Sampler):
    """Duration-bucketed batches of item indices, per epoch, per rank, resumable.

    Args:
        manifest: A supervision, feature or recording manifest (items with ``.duration``), eager or lazy;
            only durations are read. Omit it when ``durations`` is given.
        max_duration: Bound of a batch's padded duration, seconds: the number of items times the
            longest of them (as Lhotse's ``TimeConstraint``). An item longer than this gets a batch
            of its own.
        max_cuts: Bound of a batch's number of items (Lhotse's name; it counts items of any kind here).
        num_buckets: Buckets to estimate (ignored when ``duration_bins`` is given). (Default: ``10``)
        shuffle: Permute items and batches every epoch (seeded by ``seed`` and the epoch).
            (Default: ``False``, as Lhotse)
        drop_last: Drop each bucket's incomplete last batch (see :mod:`~lhotse_lite.dataset.batch_plan`).
        duration_bins: Bucket boundaries in seconds; bucket ``i`` holds ``bins[i-1] <= d < bins[i]``.
        num_cuts_for_bins_estimate: Durations drawn (seeded) to estimate the bins. (Default: ``10000``)
        buffer_size: ``None`` shuffles batches over the whole epoch; a number shuffles them only among
            batches released within the same window of that many items. (Default: ``None``)
        world_size: Number of ranks (default: ``torch.distributed``'s when initialised, else 1).
        rank: This rank (default: ``torch.distributed``'s when initialised, else 0).
        seed: Base seed of the shuffles. (Default: ``0``)
        rank_tail: ``"split"``: when the epoch's batches are not a multiple of ``world_size``, the
            largest batches are split in two so that every rank gets the same number and all items are
            used (when every batch is down to one item, the last ones are dropped, with a warning);
            ``"drop"``: the last ``num_batches % world_size`` batches are dropped. (Default: ``"split"``)
        durations: The items' durations (seconds), instead of reading them from ``manifest``.
        durations_cache: ``.npy`` sidecar for the durations (see
            :func:`~lhotse_lite.dataset.durations.manifest_durations`).

    Raises:
        ConfigError: Neither ``max_duration`` nor ``max_cuts``, a non-positive bound, an empty
            manifest, neither or both of ``manifest`` and ``durations``, or a bad rank.

    Example:
        >>> sampler = DynamicBucketingSampler(durations=[1.0] * 10, max_cuts=3, world_size=2, rank=0)
        >>> [b.indices.tolist() for b in sampler]
        [[0, 1, 2], [6, 7, 8]]
    """

    def __init__(
        self,
        manifest: Any = None,
        *,
        max_duration: Optional[float] = None,
        max_cuts: Optional[int] = None,
        num_buckets: int = 10,
        shuffle: bool = False,
        drop_last: bool = False,
        duration_bins: Optional[Sequence[float]] = None,
        num_cuts_for_bins_estimate: int = 10000,
        buffer_size: Optional[int] = None,
        world_size: Optional[int] = None,
        rank: Optional[int] = None,
        seed: int = 0,
        rank_tail: str = "split",
        durations: Optional[Union[Sequence[float], np.ndarray]] = None,
        durations_cache: Optional[str] = None,
    ) -> None:
        if (manifest is None) == (durations is None):
            raise ConfigError("DynamicBucketingSampler needs exactly one of a manifest or durations=")
        if max_duration is None and max_cuts is None:
            raise ConfigError("DynamicBucketingSampler needs max_duration (seconds) and/or max_cuts (items)")
        if durations is not None:
            self.durations = np.asarray(durations, dtype=np.float32)
        else:
            self.durations = manifest_durations(manifest, cache_path=durations_cache)
        if self.durations.size == 0:
            raise ConfigError("DynamicBucketingSampler got an empty manifest; there is nothing to batch")
        default_world, default_rank = _distributed_world()
        self.world_size = default_world if world_size is None else int(world_size)
        self.rank = default_rank if rank is None else int(rank)
        if duration_bins is None:
            sample = self.durations
            if sample.size > num_cuts_for_bins_estimate:
                pick = np.random.default_rng(seed).choice(sample.size, num_cuts_for_bins_estimate, replace=False)
                sample = sample[pick]
            duration_bins = estimate_duration_buckets(sample, num_buckets)
        self.duration_bins: List[float] = [float(b) for b in duration_bins]
        if any(b2 <= b1 for b1, b2 in zip(self.duration_bins, self.duration_bins[1:])):
            raise ConfigError(f"duration_bins must increase, got {self.duration_bins}")
        self.max_duration = None if max_duration is None else float(max_duration)
        self.max_cuts = max_cuts
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.buffer_size = buffer_size
        self.seed = int(seed)
        self.rank_tail = rank_tail
        self.epoch = 0
        self._batches_yielded = 0
        self._resume_at: Optional[int] = None
        self._plan: Optional[EpochPlan] = None
        self._plan_epoch: Optional[int] = None
        self._fingerprint: Optional[str] = None
        self._plan_for(0)  # validates the configuration now
        too_long = int((self.durations > (self.max_duration or np.inf)).sum())
        if too_long:
            logger.warning(
                "%d item(s) are longer than max_duration=%s s; each gets a batch of its own",
                too_long,
                self.max_duration,
            )

    # -- epochs and plans ---------------------------------------------------------------------
    def set_epoch(self, epoch: int) -> None:
        """Selects the epoch whose batches the next iteration yields (the same epoch, the same batches).

        A position restored by :meth:`load_state_dict` is kept when ``epoch`` is the restored epoch
        (the usual ``for epoch in range(start, n): sampler.set_epoch(epoch)`` loop) and dropped otherwise.
        """
        if int(epoch) != self.epoch:
            self._resume_at = None
        self.epoch = int(epoch)

    def _plan_for(self, epoch: int) -> EpochPlan:
        if self._plan is None or self._plan_epoch != epoch:
            self._plan = plan_epoch(
                self.durations,
                max_duration=self.max_duration,
                max_cuts=self.max_cuts,
                bins=self.duration_bins,
                shuffle=self.shuffle,
                drop_last=self.drop_last,
                buffer_size=self.buffer_size,
                seed=self.seed,
                epoch=epoch,
                world_size=self.world_size,
                rank=self.rank,
                rank_tail=self.rank_tail,
            )
            self._plan_epoch = epoch
        return self._plan

    def __len__(self) -> int:
        """Batches of this rank in the current epoch (the same on every rank)."""
        return len(self._plan_for(self.epoch))

    def __iter__(self) -> Iterator[SampledBatch]:
        plan = self._plan_for(self.epoch)
        start = self._resume_at or 0
        self._resume_at = None
        self._batches_yielded = start
        for k in range(start, len(plan)):
            self._batches_yielded = k + 1
            yield SampledBatch(plan.batch(k), self.epoch, k)

    # -- resume ---------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """A hash of everything that shapes the batches (durations and configuration, not the rank)."""
        if self._fingerprint is not None:
            return self._fingerprint
        config = [
            self.max_duration,
            self.max_cuts,
            self.duration_bins,
            self.shuffle,
            self.drop_last,
            self.buffer_size,
            self.seed,
            self.world_size,
            self.rank_tail,
        ]
        digest = hashlib.sha256(json.dumps(config).encode())
        digest.update(np.ascontiguousarray(self.durations, dtype=np.float32).data.cast("B"))
        self._fingerprint = digest.hexdigest()[:32]
        return self._fingerprint

    def state_dict(self, consumed: Optional[Union[int, SampledBatch, Dict[str, Any]]] = None) -> Dict[str, Any]:
        """The position to resume from, JSON-serialisable.

        Args:
            consumed: What the training loop has consumed. ``None``: every batch the sampler yielded
                (right with ``num_workers=0``; a DataLoader with workers prefetches batches, so pass
                the last consumed batch there): a :class:`SampledBatch`, a collated batch dict with
                ``"epoch"`` and ``"batch_index"`` (the batch datasets' outputs), or a count of batches
                consumed in the current epoch.

        Returns:
            ``{"version", "epoch", "batches_consumed", "fingerprint", "world_size", "rank"}``.
        """
        epoch, count = self.epoch, self._batches_yielded
        if isinstance(consumed, SampledBatch):
            epoch, count = consumed.epoch, consumed.index + 1
        elif isinstance(consumed, dict):
            epoch, count = int(consumed["epoch"]), int(consumed["batch_index"]) + 1
        elif consumed is not None:
            count = int(consumed)
        return {
            "version": _STATE_VERSION,
            "epoch": epoch,
            "batches_consumed": count,
            "fingerprint": self.fingerprint(),
            "world_size": self.world_size,
            "rank": self.rank,
        }

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Restores :meth:`state_dict`: the next iteration starts after the consumed batches.

        Raises:
            ConfigError: The state was saved by a sampler with other durations or configuration (the
                batches would differ), or by another state version.
        """
        if state.get("version") != _STATE_VERSION:
            raise ConfigError(f"sampler state version {state.get('version')!r}, expected {_STATE_VERSION}")
        if state["fingerprint"] != self.fingerprint():
            raise ConfigError(
                "the sampler state was saved for other durations or settings (fingerprint "
                f"{state['fingerprint']} != {self.fingerprint()}; world_size {state['world_size']} vs "
                f"{self.world_size}); resume with the same manifest, seed, bounds, buckets and world size"
            )
        self.epoch = int(state["epoch"])
        self._resume_at = int(state["batches_consumed"])
        self._batches_yielded = self._resume_at

    @property
    def diagnostics(self) -> Dict[str, Any]:
        """Counts of the current epoch: batches and items of this rank, items dropped."""
        plan = self._plan_for(self.epoch)
        return {
            "epoch": self.epoch,
            "num_batches": len(plan),
            "batches_yielded": self._batches_yielded,
            "num_items": int((plan.ends - plan.starts).sum()),
            "num_dropped_items": plan.num_dropped_items,
            "num_global_batches": plan.num_global_batches,
        }
