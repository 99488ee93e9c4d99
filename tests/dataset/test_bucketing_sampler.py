"""DynamicBucketingSampler and its epoch plan: bounds, buckets, drop_last, shuffling, bins."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from lhotse_lite.dataset import DynamicBucketingSampler, estimate_duration_buckets
from lhotse_lite.dataset.batch_plan import plan_epoch
from lhotse_lite.errors import ConfigError
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

durations_st = st.lists(st.floats(0.125, 30.0, allow_nan=False, width=32), min_size=1, max_size=300)


def _batches(sampler):
    return [b.indices.tolist() for b in sampler]


@settings(max_examples=60, deadline=None)
@given(
    durations=durations_st,
    max_duration=st.floats(1.0, 100.0),
    max_cuts=st.one_of(st.none(), st.integers(1, 20)),
    num_buckets=st.integers(1, 8),
    shuffle=st.booleans(),
    buffer_size=st.one_of(st.none(), st.integers(1, 50)),
    seed=st.integers(0, 2**31),
)
def test_batches_respect_the_bounds_and_cover_the_epoch(
    durations, max_duration, max_cuts, num_buckets, shuffle, buffer_size, seed
):
    d = np.asarray(durations, dtype=np.float32)
    sampler = DynamicBucketingSampler(
        durations=d,
        max_duration=max_duration,
        max_cuts=max_cuts,
        num_buckets=num_buckets,
        shuffle=shuffle,
        buffer_size=buffer_size,
        seed=seed,
    )
    batches = _batches(sampler)
    assert len(batches) == len(sampler)
    assert sorted(i for b in batches for i in b) == list(range(d.size))
    bins = np.asarray(sampler.duration_bins)
    for batch in batches:
        assert len(batch) >= 1
        assert len(batch) == 1 or len(batch) * d[batch].astype(np.float64).max() <= max_duration + 1e-5
        assert max_cuts is None or len(batch) <= max_cuts
        assert len(set(np.searchsorted(bins, d[batch], side="right").tolist())) == 1  # one bucket


@settings(max_examples=60, deadline=None)
@given(
    durations=durations_st,
    max_duration=st.floats(1.0, 100.0),
    max_cuts=st.one_of(st.none(), st.integers(1, 20)),
    num_buckets=st.integers(1, 4),
)
def test_batches_are_the_greedy_fill_by_padded_duration(durations, max_duration, max_cuts, num_buckets):
    d = np.asarray(durations, dtype=np.float32)
    sampler = DynamicBucketingSampler(
        durations=d, max_duration=max_duration, max_cuts=max_cuts, num_buckets=num_buckets
    )
    bucket = np.searchsorted(np.asarray(sampler.duration_bins), d, side="right")
    expected = []
    for b in np.unique(bucket).tolist():  # a plain loop: add items while (count + 1) * longest fits
        batch, longest = [], 0.0
        for i in np.flatnonzero(bucket == b).tolist():
            grown = max(longest, float(d[i]))
            if batch and ((len(batch) + 1) * grown > max_duration + 1e-6 or len(batch) == (max_cuts or np.inf)):
                expected.append(batch)
                batch, grown = [], float(d[i])
            batch.append(i)
            longest = grown
        expected.append(batch)
    assert sorted(_batches(sampler)) == sorted(expected)


def test_items_longer_than_max_duration_get_a_batch_of_their_own():
    sampler = DynamicBucketingSampler(durations=[1.0, 50.0, 1.0], max_duration=10.0, duration_bins=[])
    assert _batches(sampler) == [[0], [1], [2]]


def test_greedy_filling_and_bucket_order_without_shuffle():
    # bucket 0: items 0, 2, 4 (1 s), bucket 1: items 1, 3 (3 s); batches of <= 2.5 s, released in the
    # order their last item arrives: [1] at item 1, [0, 2] at item 2, [3] at 3, [4] at 4
    plan = plan_epoch(np.array([1.0, 3.0, 1.0, 3.0, 1.0]), max_duration=2.5, bins=[2.0])
    assert [plan.batch(k).tolist() for k in range(len(plan))] == [[1], [0, 2], [3], [4]]


def test_drop_last_drops_only_incomplete_last_batches():
    d = np.array([1.0] * 5 + [3.0] * 4)
    full = plan_epoch(d, max_duration=2.0, bins=[2.0])
    assert sorted(len(full.batch(k)) for k in range(len(full))) == [1, 1, 1, 1, 1, 2, 2]
    dropped = plan_epoch(d, max_duration=2.0, bins=[2.0], drop_last=True)
    # bucket 0 keeps [0,1],[2,3] and drops [4]; bucket 1's single-item batches are complete (3 s > 2 s)
    assert [dropped.batch(k).tolist() for k in range(len(dropped))] == [[0, 1], [2, 3], [5], [6], [7], [8]]
    assert dropped.num_dropped_items == 1
    by_count = plan_epoch(np.ones(7), max_cuts=3, drop_last=True)
    assert [by_count.batch(k).tolist() for k in range(len(by_count))] == [[0, 1, 2], [3, 4, 5]]


def test_epochs_are_reproducible_and_differ():
    d = np.random.default_rng(0).uniform(0.5, 5.0, 200)
    sampler = DynamicBucketingSampler(durations=d, max_duration=20.0, shuffle=True, seed=3)
    first = _batches(sampler)
    assert _batches(sampler) == first
    sampler.set_epoch(1)
    assert _batches(sampler) != first
    sampler.set_epoch(0)
    assert _batches(sampler) == first
    other = DynamicBucketingSampler(durations=d, max_duration=20.0, shuffle=True, seed=4)
    assert _batches(other) != first


def test_buffer_size_keeps_batches_in_windows_of_release():
    d = np.ones(1000)
    plan = plan_epoch(d, max_cuts=10, shuffle=True, buffer_size=100, seed=1)
    window = [int(plan.batch(k).max()) for k in range(len(plan))]  # no bucketing: order = permutation
    order = np.random.default_rng([1, 0]).permutation(1000)
    position = np.empty(1000, np.int64)
    position[order] = np.arange(1000)
    released = [int(position[plan.batch(k)].max()) // 100 for k in range(len(plan))]
    assert released == sorted(released) and len(window) == 100


def test_bins_split_the_total_duration_evenly():
    d = np.array([1.0] * 60 + [2.0] * 30 + [6.0] * 10)  # totals 60, 60, 60
    assert estimate_duration_buckets(d, 3) == [2.0, 6.0]
    assert estimate_duration_buckets(d, 1) == []
    sampler = DynamicBucketingSampler(durations=d, max_duration=12.0, num_buckets=3)
    assert sampler.duration_bins == [2.0, 6.0]


def test_durations_come_from_the_manifest_and_its_cache(tmp_path):
    sups = SupervisionSet([SupervisionSegment(f"s{i}", "r", 0.0, 1.0 + i) for i in range(5)])
    cache = tmp_path / "durations.npy"
    sampler = DynamicBucketingSampler(sups, max_duration=4.0, durations_cache=str(cache))
    assert sampler.durations.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0] and cache.exists()
    np.save(cache, np.ones(5, np.float32) * 9)  # the cache wins (the fingerprint keeps resumes honest)
    assert DynamicBucketingSampler(sups, max_duration=4.0, durations_cache=str(cache)).durations.tolist() == [9.0] * 5
    np.save(cache, np.ones(3, np.float32))
    with pytest.raises(ConfigError, match="stale"):
        DynamicBucketingSampler(sups, max_duration=4.0, durations_cache=str(cache))


def test_bad_configurations_are_refused():
    with pytest.raises(ConfigError, match="max_duration"):
        DynamicBucketingSampler(durations=[1.0])
    with pytest.raises(ConfigError, match="max_duration must be > 0"):
        DynamicBucketingSampler(durations=[1.0], max_duration=0.0)
    with pytest.raises(ConfigError, match="empty"):
        DynamicBucketingSampler(durations=[], max_duration=1.0)
    with pytest.raises(ConfigError, match="increase"):
        DynamicBucketingSampler(durations=[1.0], max_duration=1.0, duration_bins=[2.0, 1.0])
    with pytest.raises(ConfigError, match="rank"):
        DynamicBucketingSampler(durations=[1.0], max_duration=1.0, world_size=2, rank=2)
    with pytest.raises(ConfigError, match="id 's1'"):
        DynamicBucketingSampler(
            SupervisionSet([SupervisionSegment("s0", "r", 0.0, 1.0), SupervisionSegment("s1", "r", 0.0, 0.0)]),
            max_duration=1.0,
        )
