"""Ranks and DataLoader workers: disjoint batches, equal batch counts, full coverage, no repeated reads."""

import numpy as np
import pytest
import torch

from lhotse_lite.dataset import DynamicBucketingSampler, SampledBatch

DURATIONS = np.random.default_rng(7).uniform(0.5, 8.0, 203).astype(np.float32)


class IndexDataset(torch.utils.data.Dataset):
    """Returns the indices of a batch and the id of the worker that read them."""

    def __getitem__(self, batch: SampledBatch):
        info = torch.utils.data.get_worker_info()
        return {"indices": batch.indices.tolist(), "index": batch.index, "worker": -1 if info is None else info.id}


def _rank_batches(world_size, rank, num_workers, **kwargs):
    sampler = DynamicBucketingSampler(
        durations=DURATIONS, max_duration=20.0, shuffle=True, seed=11, world_size=world_size, rank=rank, **kwargs
    )
    loader = torch.utils.data.DataLoader(IndexDataset(), sampler=sampler, batch_size=None, num_workers=num_workers)
    out = list(loader)
    assert len(out) == len(sampler)
    assert [b["index"] for b in out] == list(range(len(out)))
    if num_workers:
        assert {b["worker"] for b in out} == set(range(min(num_workers, len(out))))
    return [b["indices"] for b in out]


@pytest.mark.parametrize("num_workers", [0, 1, 2])
@pytest.mark.parametrize("world_size", [1, 2, 3, 4])
def test_ranks_get_disjoint_equal_batches_that_cover_the_epoch(world_size, num_workers):
    per_rank = [_rank_batches(world_size, rank, num_workers) for rank in range(world_size)]
    assert len({len(batches) for batches in per_rank}) == 1
    items = [i for batches in per_rank for b in batches for i in b]
    assert sorted(items) == list(range(DURATIONS.size))  # disjoint (no repeats) and complete
    for batches in per_rank:
        for b in batches:
            assert len(b) == 1 or DURATIONS[b].sum() <= 20.0 + 1e-4


def test_rank_tail_drop_keeps_whole_batches_and_equal_counts():
    world_size = 4
    full = DynamicBucketingSampler(durations=DURATIONS, max_duration=20.0, shuffle=True, seed=11)
    num_global = len(full)
    assert num_global % world_size  # the case under test
    per_rank = [_rank_batches(world_size, r, 0, rank_tail="drop") for r in range(world_size)]
    assert {len(b) for b in per_rank} == {num_global // world_size}
    whole = {tuple(b.indices.tolist()) for b in full}
    assert all(tuple(b) in whole for batches in per_rank for b in batches)
    assert len({i for batches in per_rank for b in batches for i in b}) < DURATIONS.size


def test_single_item_batches_that_cannot_be_split_are_dropped_equally(caplog):
    per_rank = [DynamicBucketingSampler(durations=np.ones(7), max_cuts=1, world_size=3, rank=r) for r in range(3)]
    assert [[b.indices.tolist() for b in s] for s in per_rank] == [[[0], [3]], [[1], [4]], [[2], [5]]]
    assert per_rank[0].diagnostics["num_dropped_items"] == 1
    assert "cannot be split" in caplog.text


def test_world_size_and_rank_come_from_torch_distributed(monkeypatch):
    monkeypatch.setattr(torch.distributed, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.distributed, "get_world_size", lambda group=None: 3)
    monkeypatch.setattr(torch.distributed, "get_rank", lambda group=None: 2)
    sampler = DynamicBucketingSampler(durations=DURATIONS, max_duration=20.0, shuffle=True, seed=11)
    assert (sampler.world_size, sampler.rank) == (3, 2)
    assert [b.indices.tolist() for b in sampler] == _rank_batches(3, 2, 0)
    explicit = DynamicBucketingSampler(durations=DURATIONS, max_duration=20.0, world_size=2, rank=1)
    assert (explicit.world_size, explicit.rank) == (2, 1)
