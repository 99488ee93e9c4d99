"""Exact resume: a job stopped after batch k and restarted yields batches k+1, k+2, ... as the uninterrupted job."""

import functools
import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from lhotse_lite.dataset import (
    DynamicBucketingSampler,
    KeywordSpottingDataset,
    LabelTargets,
    LoaderProgress,
    load_loader_state,
    save_loader_state,
    spec_augment,
)
from lhotse_lite.errors import ConfigError


def _run(sampler, epochs):
    out = []
    for epoch in epochs:
        sampler.set_epoch(epoch)
        out.extend((b.epoch, b.index, b.indices.tolist()) for b in sampler)
    return out


@settings(max_examples=40, deadline=None)
@given(
    durations=st.lists(st.floats(0.25, 20.0, width=32), min_size=2, max_size=150),
    world_size=st.integers(1, 3),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 1000),
    stop_fraction=st.floats(0.0, 1.0),
)
def test_resume_at_a_random_batch_continues_exactly(durations, world_size, shuffle, drop_last, seed, stop_fraction):
    if len(durations) < world_size:
        return
    config = dict(
        durations=durations,
        max_duration=30.0,
        num_buckets=3,
        shuffle=shuffle,
        drop_last=drop_last,
        seed=seed,
        world_size=world_size,
        rank=world_size - 1,
        rank_tail="drop" if drop_last else "split",
    )
    uninterrupted = _run(DynamicBucketingSampler(**config), [0, 1])
    stop = int(stop_fraction * len(uninterrupted))
    first = DynamicBucketingSampler(**config)
    consumed = []
    for epoch in [0, 1]:
        first.set_epoch(epoch)
        for batch in first:
            if len(consumed) == stop:
                break
            consumed.append(batch)
        if len(consumed) == stop:
            break
    state = json.loads(json.dumps(first.state_dict(consumed=consumed[-1] if consumed else 0)))
    consumed = [(b.epoch, b.index, b.indices.tolist()) for b in consumed]
    restarted = DynamicBucketingSampler(**config)
    restarted.load_state_dict(state)
    start_epoch = state["epoch"]
    resumed = _run(restarted, range(start_epoch, 2))
    assert consumed + resumed == uninterrupted


def test_state_of_a_consumed_batch_ignores_prefetched_ones():
    sampler = DynamicBucketingSampler(durations=np.ones(20), max_cuts=2, shuffle=True, seed=1)
    batches = list(sampler)  # the loader pulled the whole epoch ahead of training
    state = sampler.state_dict(consumed=batches[3])
    assert state["batches_consumed"] == 4 and sampler.state_dict()["batches_consumed"] == 10
    restarted = DynamicBucketingSampler(durations=np.ones(20), max_cuts=2, shuffle=True, seed=1)
    restarted.load_state_dict(state)
    assert [b.indices.tolist() for b in restarted] == [b.indices.tolist() for b in batches[4:]]
    assert [b.index for b in restarted] == list(range(10))  # the restored position is used once


def test_a_different_configuration_or_manifest_is_refused():
    sampler = DynamicBucketingSampler(durations=np.ones(20), max_cuts=2, seed=1)
    state = sampler.state_dict(3)
    for other in (
        DynamicBucketingSampler(durations=np.ones(20), max_cuts=3, seed=1),
        DynamicBucketingSampler(durations=np.ones(21), max_cuts=2, seed=1),
        DynamicBucketingSampler(durations=np.ones(20), max_cuts=2, seed=2),
        DynamicBucketingSampler(durations=np.ones(20), max_cuts=2, seed=1, world_size=2, rank=0),
    ):
        with pytest.raises(ConfigError, match="fingerprint"):
            other.load_state_dict(state)


def test_set_epoch_to_another_epoch_drops_the_restored_position():
    sampler = DynamicBucketingSampler(durations=np.ones(10), max_cuts=2)
    sampler.load_state_dict({**sampler.state_dict(3), "epoch": 2})
    sampler.set_epoch(2)
    assert [b.index for b in sampler] == [3, 4]
    sampler.load_state_dict({**sampler.state_dict(3), "epoch": 2})
    sampler.set_epoch(3)
    assert [b.index for b in sampler] == [0, 1, 2, 3, 4]


def test_killed_training_with_workers_resumes_with_identical_batches(corpus, tmp_path):
    """A loader with 2 workers and random augmentation, stopped after batch k, restarted from the saved state."""
    labels = LabelTargets(["yes", "no"])

    def make():
        sampler = DynamicBucketingSampler(corpus["supervisions"], max_duration=2.0, num_buckets=2, shuffle=True, seed=5)
        dataset = KeywordSpottingDataset(
            corpus["supervisions"],
            labels,
            features=corpus["features"],
            seed=9,
            transforms=[functools.partial(spec_augment, max_time_width=20)],
        )
        loader = torch.utils.data.DataLoader(dataset, sampler=sampler, batch_size=None, num_workers=2)
        return sampler, dataset, loader

    sampler, dataset, loader = make()
    uninterrupted = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        uninterrupted.extend(loader)
    k = 4
    sampler, dataset, loader = make()
    progress = LoaderProgress(sampler, dataset)
    seen = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for batch in loader:
            seen.append(batch)
            progress.update(batch)
            if len(seen) == k:
                break
        if len(seen) == k:
            break
    save_loader_state(tmp_path / "model.pt", progress)
    sampler, dataset, loader = make()
    progress = load_loader_state(tmp_path / "model.pt", LoaderProgress(sampler, dataset))
    start = progress.state_dict()["epoch"]
    for epoch in range(start, 2):
        sampler.set_epoch(epoch)
        seen.extend(loader)
    assert len(seen) == len(uninterrupted)
    for a, b in zip(seen, uninterrupted):
        assert a["ids"] == b["ids"] and (a["epoch"], a["batch_index"]) == (b["epoch"], b["batch_index"])
        assert torch.equal(a["inputs"], b["inputs"]) and torch.equal(a["labels"], b["labels"])
