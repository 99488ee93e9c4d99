"""DurationBatchSampler, collate_features / pad_features, GlobalMVN and the batch augmentations."""

import numpy as np
import pytest
import torch

from lhotse_lite.dataset import (
    DurationBatchSampler,
    GlobalMVN,
    collate_features,
    pad_features,
    random_time_shift,
    spec_augment,
)
from lhotse_lite.errors import ConfigError, ShapeError

DURATIONS = np.random.default_rng(1).uniform(0.3, 3.0, size=137).round(2).tolist()


@pytest.mark.parametrize("shuffle", [False, True])
def test_every_item_once_per_epoch_within_the_duration_budget(shuffle):
    sampler = DurationBatchSampler(DURATIONS, max_duration=10.0, shuffle=shuffle, seed=5)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    assert sorted(i for b in batches for i in b) == list(range(len(DURATIONS)))
    for batch in batches:
        assert sum(DURATIONS[i] for i in batch) <= 10.0 + 1e-9
    # greedy filling: a batch plus the next one's first item would exceed the budget
    assert len(batches) <= sum(DURATIONS) / 10.0 * 1.5 + 1


def test_epochs_are_reproducible_and_differ():
    sampler = DurationBatchSampler(DURATIONS, max_duration=8.0, seed=3)
    first = list(sampler)
    assert list(sampler) == first
    sampler.set_epoch(1)
    second = list(sampler)
    assert second != first
    sampler.set_epoch(0)
    assert list(sampler) == first


def test_sorting_pools_reduce_padding():
    def padded(sort_pool):
        batches = DurationBatchSampler(DURATIONS, max_duration=8.0, seed=0, sort_pool=sort_pool)
        return sum(max(DURATIONS[i] for i in b) * len(b) for b in batches)

    assert padded(len(DURATIONS)) < padded(1)


def test_max_items_long_items_and_drop_last():
    sampler = DurationBatchSampler([1.0] * 10, max_duration=100.0, max_items=3, shuffle=False)
    assert list(sampler) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    dropping = DurationBatchSampler([1.0] * 10, max_duration=100.0, max_items=3, shuffle=False, drop_last=True)
    assert list(dropping) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert list(DurationBatchSampler([5.0, 1.0], max_duration=2.0, shuffle=False)) == [[1], [0]]


@pytest.mark.parametrize(
    "kwargs", [{"max_duration": 0}, {"max_duration": 1, "max_items": 0}, {"max_duration": 1, "sort_pool": 0}]
)
def test_sampler_rejects_bad_options(kwargs):
    with pytest.raises(ConfigError):
        DurationBatchSampler([1.0], **kwargs)
    with pytest.raises(ConfigError, match="no durations"):
        DurationBatchSampler([], max_duration=1.0)


def test_collate_pads_and_keeps_text_targets():
    items = [(torch.full((4, 3), 2.0), "yes"), (np.ones((2, 3), np.float32), "no")]
    batch = collate_features(items, pad_value=-1.0)
    features, lengths, targets = batch
    assert features.shape == (2, 4, 3) and lengths.tolist() == [4, 2] and targets == ["yes", "no"]
    assert torch.all(features[1, 2:] == -1.0) and torch.all(features[1, :2] == 1.0)


def test_collate_stacks_numeric_and_tensor_targets():
    assert collate_features([(np.ones((1, 2)), 0.5), (np.ones((1, 2)), 2)]).targets.dtype == torch.float32
    stacked = collate_features([(np.ones((1, 2)), torch.tensor([1, 2])), (np.ones((1, 2)), torch.tensor([3, 4]))])
    assert stacked.targets.tolist() == [[1, 2], [3, 4]]


def test_pad_features_rejects_mixed_dims_and_empty_batches():
    with pytest.raises(ShapeError, match="one dim"):
        pad_features([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ShapeError, match="empty"):
        pad_features([])


def test_global_mvn_numpy_and_torch_agree_and_check_dims():
    mvn = GlobalMVN(np.array([1.0, -1.0]), np.array([2.0, 0.0]), eps=0.5)
    x = np.array([[3.0, 0.0]], dtype=np.float32)
    assert mvn(x).tolist() == [[1.0, 2.0]]  # std 0 floored at eps=0.5: (0 - -1) / 0.5
    assert mvn(torch.from_numpy(x)).tolist() == [[1.0, 2.0]]
    with pytest.raises(ShapeError):
        mvn(np.ones((1, 3)))
    with pytest.raises(ConfigError, match="norm_stds"):
        GlobalMVN.from_stats({"norm_means": [0.0]})


def test_global_mvn_reads_the_stats_file(tmp_path):
    import pickle

    with open(tmp_path / "stats.pkl", "wb") as f:
        pickle.dump({"norm_means": np.zeros(3), "norm_stds": np.full(3, 2.0)}, f)
    assert GlobalMVN.from_file(tmp_path / "stats.pkl")(np.full((1, 3), 4.0)).tolist() == [[2.0, 2.0, 2.0]]


def test_spec_augment_masks_only_valid_frames_and_keeps_the_input():
    x = torch.ones(3, 40, 10)
    lengths = torch.tensor([40, 25, 5])
    y = spec_augment(
        x,
        lengths,
        num_time_masks=3,
        max_time_width=8,
        num_freq_masks=2,
        max_freq_width=4,
        fill=0.0,
        generator=torch.Generator().manual_seed(1),
    )
    assert torch.all(x == 1)
    assert torch.all(y[1, 25:] == 1) and torch.all(y[2, 5:] == 1)  # padding untouched
    assert (y == 0).any()
    none = spec_augment(x, lengths, num_time_masks=0, num_freq_masks=0)
    assert torch.equal(none, x)


def test_random_time_shift_moves_valid_frames():
    x = torch.arange(1.0, 11.0).reshape(1, 10, 1).repeat(1, 1, 2)
    lengths = torch.tensor([8])
    shifted = {tuple(random_time_shift(x, lengths, max_shift=3, fill=0.0)[0, :, 0].tolist()) for _ in range(50)}
    assert len(shifted) > 1
    for row in shifted:
        assert row[8:] == (9.0, 10.0)  # padding untouched
        values = [v for v in row[:8] if v]
        assert values == list(range(int(values[0]), int(values[0]) + len(values)))  # contiguous run


def test_augmentations_check_shapes():
    with pytest.raises(ShapeError):
        spec_augment(torch.ones(2, 3), torch.tensor([3, 3]))
    with pytest.raises(ShapeError):
        random_time_shift(torch.ones(1, 3, 2), torch.tensor([3, 3]))
    with pytest.raises(ConfigError):
        random_time_shift(torch.ones(1, 3, 2), torch.tensor([3]), max_shift=-1)
