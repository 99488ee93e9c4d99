"""Stored features decoded straight into the padded batch: the same batches as reading item by item.

The feature datasets size a batch from the manifest's frame counts and decode every item into its rows
(``Features.load(out=)``); the general path reads each item into its own array and pads them. These
tests compare the two on every batch of an epoch, in the main process and in ``DataLoader`` workers
(shared memory), and check the fallbacks: a manifest whose frame count disagrees with the storage, and
unreadable items (raised, or skipped and counted once).
"""

import dataclasses

import numpy as np
import pytest
import torch

from lhotse_lite.dataset import (
    DynamicBucketingSampler,
    GlobalMVN,
    KeywordSpottingDataset,
    LabelTargets,
    SampledBatch,
    SpeechRecognitionDataset,
)
from lhotse_lite.dataset.collate import pad_features
from lhotse_lite.errors import StorageError
from lhotse_lite.features.io import get_writer
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

DIM = 12


def _corpus(tmp_path, storage="lilcom_chunky", num=9):
    """Recordings of 0.5-13 s (1-3 lilcom chunks), supervisions covering parts and wholes of them."""
    rng = np.random.default_rng(0)
    items, segments = [], []
    with get_writer(storage)(tmp_path / "feats") as writer:
        for i in range(num):
            frames = int(rng.integers(50, 1300))
            item = Features.from_array(
                rng.standard_normal((frames, DIM)).astype(np.float32),
                writer,
                frame_shift=0.01,
                sampling_rate=16000,
                recording_id=f"r{i}",
                channels=0,
            )
            items.append(item)
            if i % 3 == 0:  # a part starting inside a chunk
                segments.append(SupervisionSegment(f"s{i}", f"r{i}", 0.13, item.duration / 2, channel=0, text="a b"))
            else:
                segments.append(SupervisionSegment(f"s{i}", f"r{i}", 0.0, item.duration, channel=0, text="c"))
    return SupervisionSet(segments), FeatureSet(items)


def _general_path(dataset, batch, extra_frames=0):
    """What the datasets did before decoding into the batch: item arrays, then padding."""
    segments, arrays, _ = dataset.load_items(batch, dataset.generators(batch)[0])
    feats, lengths = pad_features(arrays, extra_frames=extra_frames)
    return [s.id for s in segments], feats, lengths


def _batches(sups, max_duration=12.0):
    return list(DynamicBucketingSampler(sups, max_duration=max_duration, shuffle=True, seed=3))


@pytest.mark.parametrize("storage", ["lilcom_chunky", "numpy_files", "lilcom_files"])
@pytest.mark.parametrize("right_context", [0, 3])
def test_batches_equal_the_general_path(tmp_path, storage, right_context):
    sups, feats = _corpus(tmp_path, storage)
    dataset = SpeechRecognitionDataset(sups, features=feats, right_context_frames=right_context)
    decoding = SpeechRecognitionDataset(sups, features=feats, right_context_frames=right_context)
    decoding.load_items = None  # the general path is not taken: the items are decoded into the batch
    for batch in _batches(sups):
        ids, feats_expected, lens_expected = _general_path(dataset, batch, right_context)
        got = decoding[batch]
        assert got["ids"] == ids
        assert torch.equal(got["input_lens"], lens_expected)
        assert got["inputs"].dtype == torch.float32
        assert torch.equal(got["inputs"], feats_expected)


def test_normalised_and_transposed_batches_equal_the_general_path(tmp_path):
    sups, feats = _corpus(tmp_path)
    mvn = GlobalMVN(np.linspace(-1, 1, DIM), np.linspace(0.5, 2, DIM))
    dataset = KeywordSpottingDataset(sups, LabelTargets(["a b", "c"]), features=feats, normalizer=mvn)
    for batch in _batches(sups):
        _, arrays, _ = dataset.load_items(batch, dataset.generators(batch)[0])
        expected, lengths = pad_features(arrays)
        got = dataset[batch]
        assert torch.equal(got["input_lens"], lengths)
        assert torch.equal(got["inputs"], expected.transpose(1, 2))
        assert got["inputs"].is_contiguous()


def test_batches_from_workers_equal_those_of_the_main_process(tmp_path):
    sups, feats = _corpus(tmp_path)
    dataset = SpeechRecognitionDataset(sups, features=feats, right_context_frames=2)
    sampler = DynamicBucketingSampler(sups, max_duration=12.0, shuffle=True, seed=1)
    here = list(torch.utils.data.DataLoader(dataset, sampler=sampler, batch_size=None, num_workers=0))
    there = list(torch.utils.data.DataLoader(dataset, sampler=sampler, batch_size=None, num_workers=2))
    assert [b["ids"] for b in there] == [b["ids"] for b in here]
    for a, b in zip(here, there):
        assert torch.equal(a["inputs"], b["inputs"]) and torch.equal(a["input_lens"], b["input_lens"])
        assert b["inputs"].is_shared()  # written in the worker's shared memory: sent without a copy


def test_a_manifest_frame_count_that_disagrees_with_the_storage_takes_the_general_path(tmp_path):
    sups, feats = _corpus(tmp_path, num=3)
    wrong = FeatureSet([dataclasses.replace(f, num_frames=f.num_frames + 7) for f in feats])
    batch = SampledBatch(np.arange(3), epoch=0, index=0)
    dataset = SpeechRecognitionDataset(sups, features=wrong)
    ids, expected, lengths = _general_path(dataset, batch)
    got = dataset[batch]
    assert got["ids"] == ids and torch.equal(got["input_lens"], lengths) and torch.equal(got["inputs"], expected)


def _with_a_missing_archive(tmp_path):
    sups, feats = _corpus(tmp_path, num=4)
    broken = [
        f if i != 2 else dataclasses.replace(f, storage_path=str(tmp_path / "gone.lca")) for i, f in enumerate(feats)
    ]
    return sups, FeatureSet(broken)


def test_an_unreadable_item_raises_naming_it(tmp_path):
    sups, feats = _with_a_missing_archive(tmp_path)
    dataset = SpeechRecognitionDataset(sups, features=feats)
    with pytest.raises(StorageError, match=r"'s2'.*manifest position 2.*gone\.lca"):
        dataset[SampledBatch(np.arange(4), epoch=0, index=5)]


def test_an_unreadable_item_is_skipped_and_counted_once(tmp_path, caplog):
    sups, feats = _with_a_missing_archive(tmp_path)
    dataset = SpeechRecognitionDataset(sups, features=feats, skip_errors=True)
    batch = SampledBatch(np.arange(4), epoch=0, index=5)
    got = dataset[batch]
    assert got["ids"] == ["s0", "s1", "s3"] and got["skipped_ids"] == ["s2"]
    assert dataset.num_skipped == 1
    assert sum("skipping item 's2'" in r.getMessage() for r in caplog.records) == 1
    readable = [0, 1, 3]
    expected, lengths = pad_features([dataset.source.load(dataset.source.resolve(sups[i])) for i in readable])
    assert torch.equal(got["input_lens"], lengths) and torch.equal(got["inputs"], expected)
