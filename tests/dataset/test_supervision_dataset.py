"""SupervisionDataset + collate_features + DurationBatchSampler on a tiny stored corpus."""

import numpy as np
import pytest
import torch

from lhotse_lite.dataset import (
    DurationBatchSampler,
    GlobalMVN,
    LabelTargets,
    SupervisionDataset,
    collate_features,
)
from lhotse_lite.errors import ConfigError, UnknownIdError
from lhotse_lite.features.stats import compute_global_stats
from lhotse_lite.manifest import load_manifest_lazy
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.units import compute_num_frames


def _loader(dataset, num_workers=0, max_duration=2.0):
    sampler = DurationBatchSampler(dataset.durations, max_duration=max_duration, shuffle=False)
    return torch.utils.data.DataLoader(
        dataset, batch_sampler=sampler, collate_fn=collate_features, num_workers=num_workers
    )


def test_items_are_the_stored_frames_of_each_supervision(corpus):
    dataset = SupervisionDataset(corpus["supervisions"], features=corpus["features"])
    assert len(dataset) == 6
    for i, seg in enumerate(corpus["supervisions"]):
        x, text = dataset[i]
        expected = corpus["features"].load(seg.recording_id, start=seg.start, duration=seg.duration)
        assert x.dtype == torch.float32 and x.shape == (compute_num_frames(seg.duration, 0.01, 16000), 16)
        np.testing.assert_array_equal(x.numpy(), expected)
        assert text == seg.text


def test_a_part_of_a_recording_is_cut_out_of_storage(corpus):
    seg = SupervisionSegment("part", "utt3", start=0.3, duration=0.5, channel=0)
    dataset = SupervisionDataset(SupervisionSet([seg]), features=corpus["features"])
    whole = corpus["features"].load("utt3")
    np.testing.assert_array_equal(dataset[0][0].numpy(), whole[30:80])


def test_batches_are_padded_with_lengths_and_targets(corpus):
    labels = LabelTargets(["yes", "no"])
    dataset = SupervisionDataset(corpus["supervisions"], features=corpus["features"], target_fn=labels)
    seen = []
    for features, lengths, targets in _loader(dataset):
        assert features.shape[0] == lengths.shape[0] == targets.shape[0]
        assert features.shape[1] == int(lengths.max())
        assert targets.dtype == torch.int64 and lengths.dtype == torch.int64
        for row, n in zip(features, lengths.tolist()):
            assert torch.all(row[n:] == 0)
            assert torch.any(row[n - 1] != 0)
        seen.extend(targets.tolist())
    assert sorted(seen) == sorted(labels(s) for s in corpus["supervisions"])


def test_two_workers_give_the_same_batches_as_the_main_process(corpus):
    dataset = SupervisionDataset(
        corpus["supervisions"], features=corpus["features"], target_fn=LabelTargets(["yes", "no"])
    )
    single = list(_loader(dataset, num_workers=0))
    multi = list(_loader(dataset, num_workers=2))
    assert len(single) == len(multi) > 1
    for a, b in zip(single, multi):
        for x, y in zip(a, b):
            torch.testing.assert_close(x, y, rtol=0, atol=0)


def test_lazy_manifests_give_the_same_items_as_eager_ones(corpus):
    paths = corpus["paths"]
    lazy_sups = load_manifest_lazy(paths["supervisions"])
    lazy_feats = load_manifest_lazy(paths["features"])
    assert lazy_sups.is_lazy and lazy_feats.is_lazy
    lazy = SupervisionDataset(lazy_sups, features=lazy_feats)
    eager = SupervisionDataset(corpus["supervisions"], features=corpus["features"])
    assert lazy.durations == eager.durations
    for i in range(len(eager)):
        torch.testing.assert_close(lazy[i][0], eager[i][0], rtol=0, atol=0)
    lazy_rec = SupervisionDataset(
        lazy_sups, recordings=load_manifest_lazy(paths["recordings"]), extractor=corpus["extractor"]
    )
    assert len(lazy_rec) == len(eager)


def test_on_the_fly_features_equal_stored_features(corpus):
    stored = SupervisionDataset(corpus["supervisions"], features=corpus["features"])
    fly = SupervisionDataset(corpus["supervisions"], recordings=corpus["recordings"], extractor=corpus["extractor"])
    assert fly.on_the_fly and not stored.on_the_fly
    for i in range(len(stored)):
        torch.testing.assert_close(fly[i][0], stored[i][0], rtol=1e-5, atol=1e-4)


def test_speed_perturbation_changes_the_number_of_frames(corpus):
    supervisions = corpus["supervisions"]
    faster = SupervisionDataset(
        supervisions, recordings=corpus["recordings"], extractor=corpus["extractor"], speed_factors=(1.25,)
    )
    for i, seg in enumerate(supervisions):
        # 1.25x faster: the audio shrinks to 1/1.25 of its samples (SoX 'speed'), frames follow
        expected = round(round(seg.duration * 16000) / 1.25 / 160)
        assert abs(faster[i][0].shape[0] - expected) <= 1
    mixed = SupervisionDataset(
        supervisions, recordings=corpus["recordings"], extractor=corpus["extractor"], speed_factors=(0.8, 1.25)
    )
    counts = {mixed[3][0].shape[0] for _ in range(12)}
    assert len(counts) == 2


def test_global_normalisation_gives_zero_mean_unit_variance(corpus):
    stats = compute_global_stats(corpus["features"])
    dataset = SupervisionDataset(
        corpus["supervisions"], features=corpus["features"], normalizer=GlobalMVN.from_stats(stats)
    )
    frames = torch.cat([dataset[i][0] for i in range(len(dataset))]).double()
    raw = np.concatenate([f.load() for f in corpus["features"]])
    assert frames.shape[0] == raw.shape[0]
    np.testing.assert_allclose(frames.mean(0).numpy(), 0.0, atol=1e-4)
    np.testing.assert_allclose(frames.std(0, unbiased=False).numpy(), 1.0, atol=1e-3)
    np.testing.assert_allclose(frames.numpy(), (raw - raw.mean(0)) / raw.std(0), atol=1e-4)
    same = SupervisionDataset(corpus["supervisions"], features=corpus["features"], normalizer=stats)
    torch.testing.assert_close(same[0][0], dataset[0][0])


def test_transform_is_applied_last(corpus):
    dataset = SupervisionDataset(corpus["supervisions"], features=corpus["features"], transform=lambda f: f * 0)
    assert torch.all(dataset[0][0] == 0)


def test_missing_features_name_the_supervision(corpus):
    sups = SupervisionSet([SupervisionSegment("lost", "no_such_recording", 0.0, 1.0)])
    with pytest.raises(UnknownIdError, match="'lost'"):
        SupervisionDataset(sups, features=corpus["features"])
    with pytest.raises(UnknownIdError, match="'lost'"):
        SupervisionDataset(sups, recordings=corpus["recordings"], extractor=corpus["extractor"])


def test_unknown_label_fails_when_the_dataset_is_built(corpus):
    with pytest.raises(UnknownIdError, match="'maybe'"):
        SupervisionDataset(corpus["supervisions"], features=corpus["features"], target_fn=LabelTargets(["maybe"]))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"features": "F", "recordings": "R"},
        {"recordings": "R"},
        {"features": "F", "speed_factors": (0.9, 1.1)},
    ],
)
def test_bad_configurations_raise_config_errors(corpus, kwargs):
    kwargs = {k: corpus["features"] if v == "F" else corpus["recordings"] if v == "R" else v for k, v in kwargs.items()}
    with pytest.raises(ConfigError):
        SupervisionDataset(corpus["supervisions"], **kwargs)


def test_bad_speed_factor_and_duplicate_labels():
    with pytest.raises(ConfigError, match="positive"):
        SupervisionDataset(SupervisionSet([]), recordings=[], extractor=object(), speed_factors=(0.0,))
    with pytest.raises(ConfigError, match="duplicate"):
        LabelTargets(["a", "a"])


def test_on_the_fly_speed_perturbation_with_two_workers(corpus):
    dataset = SupervisionDataset(
        corpus["supervisions"],
        recordings=corpus["recordings"],
        extractor=corpus["extractor"],
        speed_factors=(0.8, 1.0, 1.25),
        target_fn=LabelTargets(["yes", "no"]),
    )
    batches = list(_loader(dataset, num_workers=2, max_duration=1.5))
    assert sorted(t for _, _, targets in batches for t in targets.tolist()) == [0, 0, 0, 1, 1, 1]
    for features, lengths, _ in batches:
        assert features.shape[1] == int(lengths.max()) and features.shape[2] == 16
