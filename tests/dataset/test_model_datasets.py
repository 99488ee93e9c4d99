"""The batch datasets: layouts each model takes as is, on-the-fly = stored features, augmentation, read errors."""

import functools

import numpy as np
import pytest
import torch

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.dataset import (
    DynamicBucketingSampler,
    KeywordSpottingDataset,
    LabelTargets,
    LoaderProgress,
    SampledBatch,
    SpeechRecognitionDataset,
    Wav2VecPretrainingDataset,
    random_time_shift,
    spec_augment,
)
from lhotse_lite.dataset.batch_dataset import batch_seed
from lhotse_lite.errors import AudioLoadingError, ConfigError
from lhotse_lite.features.builder import FeatureSetBuilder
from lhotse_lite.features.io import get_writer
from lhotse_lite.models.conv_emformer import ConvEmformer
from lhotse_lite.models.matchbox import matchboxnet_3x1x64
from lhotse_lite.models.wav2vec import EncoderWrapper, TransformerEncoder, W2VLatentExtractor, w2v_mask_collate_fn
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

ALL = SampledBatch(np.arange(6), epoch=0, index=0)


def _stored(corpus, segment):
    return (
        corpus["features"]
        .find(segment.recording_id, start=segment.start, duration=segment.duration)
        .load(start=segment.start, duration=segment.duration)
    )


def test_keyword_spotting_batches_go_into_matchboxnet(corpus):
    sups = corpus["supervisions"]
    dataset = KeywordSpottingDataset(sups, LabelTargets(["yes", "no"]), features=corpus["features"])
    batch = dataset[ALL]
    segments = [sups[i] for i in range(6)]
    assert batch["ids"] == [s.id for s in segments]
    assert batch["labels"].tolist() == [0, 1, 0, 1, 0, 1]
    lengths = [_stored(corpus, s).shape[0] for s in segments]
    assert batch["input_lens"].tolist() == lengths
    assert batch["inputs"].shape == (6, 16, max(lengths))  # (batch, feature, time)
    for row, s in enumerate(segments):
        expected = torch.from_numpy(_stored(corpus, s)).T
        assert torch.equal(batch["inputs"][row, :, : lengths[row]], expected)
        assert not batch["inputs"][row, :, lengths[row] :].any()
    model = matchboxnet_3x1x64(num_classes=2, feat_in=16).eval()
    with torch.no_grad():
        assert model(batch["inputs"], batch["input_lens"]).shape == (6, 2)


def test_speech_recognition_batches_go_into_conv_emformer(corpus):
    dataset = SpeechRecognitionDataset(
        corpus["supervisions"],
        tokenizer=lambda text: [ord(c) for c in text],
        right_context_frames=4,
        features=corpus["features"],
    )
    batch = dataset[ALL]
    lengths = batch["input_lens"]
    assert batch["inputs"].shape == (6, int(lengths.max()) + 4, 16)  # (batch, time + R, feature)
    assert not batch["inputs"][:, int(lengths.max()) :].any()
    assert batch["texts"] == ["yes", "no"] * 3
    assert batch["token_lens"].tolist() == [3, 2] * 3
    assert batch["token_ids"][1].tolist() == [ord("n"), ord("o"), -1]
    model = ConvEmformer(16, 4, 32, 1, segment_length=8, kernel_size=3, right_context_length=4).eval()
    with torch.no_grad():
        out, out_lengths = model(batch["inputs"], batch["input_lens"])
    assert out.shape == (6, int(lengths.max()), 16) and torch.equal(out_lengths, lengths)


def test_wav2vec_batches_are_the_mask_collate_of_the_audio_and_go_into_the_encoder(corpus):
    extractor = W2VLatentExtractor()
    dataset = Wav2VecPretrainingDataset(
        corpus["supervisions"], corpus["recordings"], extractor.get_output_lengths, mask_prob=0.5, mask_length=2, seed=3
    )
    batch_ref = SampledBatch(np.array([1, 0, 3]), epoch=2, index=5)
    batch = dataset[batch_ref]
    sups = corpus["supervisions"]
    signals = [torch.from_numpy(corpus["recordings"][sups[i].recording_id].load_audio()[0]) for i in (1, 0, 3)]
    generator = torch.Generator().manual_seed(batch_seed(3, 2, 5))
    wavs, wav_lens, mask = w2v_mask_collate_fn(signals, extractor.get_output_lengths, 0.5, 2, generator=generator)
    assert torch.equal(batch["wavs"], wavs) and torch.equal(batch["wav_lens"], wav_lens)
    assert torch.equal(batch["mask"], mask) and batch["mask"].any()
    assert batch["num_samples"].tolist() == [s.numel() for s in signals]
    with torch.no_grad():
        latents = extractor.eval()(batch["wavs"])
        encoder = EncoderWrapper(512, 16, TransformerEncoder(16, 1, 2, 32)).eval()
        out = encoder(latents, wav_lens=batch["wav_lens"], mask=batch["mask"])
    assert out["embeddings"].shape == (3, batch["mask"].shape[1], 16)


def test_whole_recordings_feed_wav2vec(corpus):
    recordings = corpus["recordings"]
    sampler = DynamicBucketingSampler(recordings, max_duration=3.0)
    dataset = Wav2VecPretrainingDataset(None, recordings, W2VLatentExtractor().get_output_lengths)
    seen = [i for b in sampler for i in dataset[b]["ids"]]
    assert sorted(seen) == sorted(r.id for r in recordings)


@pytest.fixture(scope="module")
def lilcom_features(corpus):
    with get_writer("lilcom_chunky")(str(corpus["root"] / "lilcom")) as storage:
        return FeatureSetBuilder(corpus["extractor"], storage).process_and_store_recordings(
            corpus["recordings"], progress_bar=False
        )


def test_on_the_fly_features_equal_stored_lilcom_features_within_its_step(corpus, lilcom_features):
    sups = corpus["supervisions"]
    stored = SpeechRecognitionDataset(sups, features=lilcom_features)[ALL]
    computed = SpeechRecognitionDataset(sups, recordings=corpus["recordings"], extractor=corpus["extractor"])[ALL]
    assert torch.equal(stored["input_lens"], computed["input_lens"])
    difference = (stored["inputs"] - computed["inputs"]).abs().max().item()
    assert 0 < difference <= 2.0**-5  # lilcom stores multiples of 2**-5 (Lhotse's tick_power=-5)


def test_augmentation_is_a_function_of_seed_epoch_and_batch(corpus):
    transforms = [
        functools.partial(spec_augment, max_time_width=30, max_freq_width=4),
        functools.partial(random_time_shift, max_shift=5),
    ]
    plain = KeywordSpottingDataset(corpus["supervisions"], LabelTargets(["yes", "no"]), features=corpus["features"])
    augmented = KeywordSpottingDataset(
        corpus["supervisions"], LabelTargets(["yes", "no"]), features=corpus["features"], transforms=transforms, seed=1
    )
    a = augmented[ALL]["inputs"]
    assert torch.equal(a, augmented[ALL]["inputs"])
    assert not torch.equal(a, plain[ALL]["inputs"])
    assert not torch.equal(a, augmented[SampledBatch(np.arange(6), epoch=1, index=0)]["inputs"])
    assert not torch.equal(a, augmented[SampledBatch(np.arange(6), epoch=0, index=1)]["inputs"])


def test_speed_and_volume_perturbation_are_drawn_per_batch(corpus):
    def make(**kwargs):
        return Wav2VecPretrainingDataset(
            corpus["supervisions"], corpus["recordings"], W2VLatentExtractor().get_output_lengths, **kwargs
        )

    plain = make()[ALL]
    louder = make(volume_factors=(2.0,))[ALL]
    assert torch.allclose(louder["wavs"], 2 * plain["wavs"])
    faster = make(speed_factors=(1.25,))[ALL]
    assert faster["num_samples"].tolist() == [round(n / 1.25) for n in plain["num_samples"].tolist()]
    mixed = make(speed_factors=(0.9, 1.0, 1.1), seed=4)
    assert torch.equal(mixed[ALL]["wavs"], mixed[ALL]["wavs"])
    with pytest.raises(ConfigError, match="on-the-fly"):
        KeywordSpottingDataset(
            corpus["supervisions"], LabelTargets(["yes", "no"]), features=corpus["features"], speed_factors=(0.9, 1.1)
        )


@pytest.fixture()
def broken(corpus, tmp_path):
    """The corpus plus a supervision whose audio file is missing."""
    fields = corpus["recordings"]["utt0"].to_dict()
    fields["id"] = "gone"
    fields["sources"][0]["source"] = str(tmp_path / "missing.wav")
    missing = Recording.from_dict(fields)
    recordings = RecordingSet.from_recordings([*corpus["recordings"], missing])
    gone = SupervisionSegment("sup-gone", "gone", 0.0, 0.5, channel=0, text="yes")
    sups = SupervisionSet.from_segments([*corpus["supervisions"], gone])
    return sups, recordings


def test_read_errors_name_the_item_or_are_skipped_and_counted(broken, corpus):
    sups, recordings = broken
    batch = SampledBatch(np.array([0, 6, 1]), epoch=0, index=0)
    strict = KeywordSpottingDataset(
        sups, LabelTargets(["yes", "no"]), recordings=recordings, extractor=corpus["extractor"]
    )
    with pytest.raises(AudioLoadingError, match="sup-gone"):
        strict[batch]
    lenient = KeywordSpottingDataset(
        sups, LabelTargets(["yes", "no"]), recordings=recordings, extractor=corpus["extractor"], skip_errors=True
    )
    out = lenient[batch]
    assert out["ids"] == ["sup0", "sup1"] and out["skipped_ids"] == ["sup-gone"]
    assert out["inputs"].shape[0] == 2 and lenient.num_skipped == 1
    progress = LoaderProgress(DynamicBucketingSampler(sups, max_duration=10.0), lenient)
    progress.update(out)
    assert progress.state_dict()["num_skipped"] == 1 and progress.state_dict()["skipped_ids"] == ["sup-gone"]


class CountingSequence:
    """A random-access manifest that records which positions were read (in the process reading them)."""

    def __init__(self, items):
        self.items = list(items)
        self.reads = []

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        self.reads.append(i)
        return self.items[i]


class ReadRecordingDataset(KeywordSpottingDataset):
    def __getitem__(self, batch):
        out = super().__getitem__(batch)
        out["reads"], self.supervisions.reads = list(self.supervisions.reads), []
        return out


@pytest.mark.parametrize("num_workers", [0, 2])
def test_workers_read_only_the_items_of_their_batches(corpus, num_workers):
    manifest = CountingSequence(corpus["supervisions"])
    sampler = DynamicBucketingSampler(durations=[s.duration for s in manifest.items], max_duration=1.5, shuffle=True)
    dataset = ReadRecordingDataset(manifest, LabelTargets(["yes", "no"]), features=corpus["features"])
    loader = torch.utils.data.DataLoader(dataset, sampler=sampler, batch_size=None, num_workers=num_workers)
    batches = list(loader)
    assert len(batches) > 2
    for batch, planned in zip(batches, sampler):
        assert batch["reads"] == planned.indices.tolist()
    assert sorted(i for b in batches for i in b["reads"]) == list(range(6))


def test_streamed_manifests_are_read_once_and_random_access_ones_are_used_as_they_are(corpus):
    eager = corpus["supervisions"]
    assert KeywordSpottingDataset(eager, LabelTargets(["yes", "no"]), features=corpus["features"]).supervisions is eager
    lazy = SupervisionSet.from_jsonl_lazy(corpus["paths"]["supervisions"], indexed=False)
    dataset = KeywordSpottingDataset(lazy, LabelTargets(["yes", "no"]), features=corpus["features"])
    assert isinstance(dataset.supervisions, list) and [s.id for s in dataset.supervisions] == [s.id for s in eager]
    indexed = SupervisionSet.from_jsonl_lazy(corpus["paths"]["supervisions"], indexed=True)
    assert (
        KeywordSpottingDataset(indexed, LabelTargets(["yes", "no"]), features=corpus["features"]).supervisions
        is indexed
    )
    assert torch.equal(
        dataset[ALL]["inputs"],
        KeywordSpottingDataset(eager, LabelTargets(["yes", "no"]), features=corpus["features"])[ALL]["inputs"],
    )


@pytest.mark.parametrize("pad_value", [0.0, -5.0])
def test_batches_made_in_shared_memory_by_a_worker_equal_those_made_in_process(pad_value):
    from lhotse_lite.dataset.collate import pad_features

    class PadDataset(torch.utils.data.Dataset):
        def __init__(self, arrays):
            self.arrays = arrays

        def __getitem__(self, count):
            feats, lengths = pad_features(self.arrays[:count], pad_value=pad_value, extra_frames=3)
            return {"feats": feats, "lengths": lengths, "shared": feats.is_shared()}

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 5)).astype(np.float32) for n in (7, 2, 11, 5)]
    dataset = PadDataset(arrays)
    in_worker = list(torch.utils.data.DataLoader(dataset, sampler=[4, 2], batch_size=None, num_workers=1))
    for batch, count in zip(in_worker, [4, 2]):
        expected = dataset[count]
        assert batch["shared"] and not expected["shared"]
        assert batch["feats"].shape == (count, max(a.shape[0] for a in arrays[:count]) + 3, 5)
        assert torch.equal(batch["feats"], expected["feats"])
        assert torch.equal(batch["lengths"], expected["lengths"])
        for row, a in enumerate(arrays[:count]):
            assert torch.equal(batch["feats"][row, : a.shape[0]], torch.from_numpy(a))
            assert (batch["feats"][row, a.shape[0] :] == pad_value).all()


def test_right_context_is_the_same_with_and_without_transforms(corpus):
    def identity(feats, lengths, generator=None):
        return feats

    kwargs = dict(features=corpus["features"], right_context_frames=3)
    plain = SpeechRecognitionDataset(corpus["supervisions"], **kwargs)[ALL]["inputs"]
    transformed = SpeechRecognitionDataset(corpus["supervisions"], transforms=[identity], **kwargs)[ALL]["inputs"]
    assert torch.equal(plain, transformed) and not plain[:, -3:].any()


DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("speed_factors", [None, (0.9, 1.0, 1.1)])
def test_batched_extraction_on_a_device_equals_item_by_item_extraction(corpus, speed_factors, device):
    calls = []

    class CountingExtractor(type(corpus["extractor"])):
        def extract_batch(self, samples, sampling_rate, lengths=None):
            calls.append(len(samples))
            return super().extract_batch(samples, sampling_rate, lengths)

    extractor = CountingExtractor(corpus["extractor"].config)
    kwargs = dict(
        recordings=corpus["recordings"],
        extractor=extractor,
        speed_factors=speed_factors,
        tokenizer=lambda text: [ord(c) for c in text],
        right_context_frames=2,
    )
    batch = SampledBatch(np.arange(6), epoch=1, index=3)
    per_item = SpeechRecognitionDataset(corpus["supervisions"], **kwargs)[batch]
    assert calls == []
    batched = SpeechRecognitionDataset(corpus["supervisions"], device=device, **kwargs)[batch]
    assert calls == [6]  # one call for the whole batch
    assert batched["inputs"].device.type == device and extractor.device == device
    batched = {key: value.cpu() if isinstance(value, torch.Tensor) else value for key, value in batched.items()}
    assert torch.equal(per_item["input_lens"], batched["input_lens"])
    torch.testing.assert_close(batched["inputs"], per_item["inputs"], rtol=1e-4, atol=1e-4)
    assert torch.equal(per_item["token_ids"], batched["token_ids"])


def test_device_needs_the_on_the_fly_path(corpus):
    with pytest.raises(ConfigError, match="device="):
        SpeechRecognitionDataset(corpus["supervisions"], features=corpus["features"], device="cpu")
