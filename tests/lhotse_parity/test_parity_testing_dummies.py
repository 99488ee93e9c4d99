"""``lhotse_lite.testing.dummies`` against Lhotse 1.33's ``lhotse.testing.dummies``: same items, same audio."""

import numpy as np
import pytest

lhotse_dummies = pytest.importorskip("lhotse.testing.dummies")

import lhotse  # noqa: E402  (after the skip)

from lhotse_lite import FeatureSet, RecordingSet, SupervisionSet  # noqa: E402
from lhotse_lite.testing import dummies  # noqa: E402


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("dummy_recording", dict(unique_id=7)),
        ("dummy_recording", dict(unique_id=12, duration=2.5, sampling_rate=8000)),
        ("dummy_multi_channel_recording", dict(unique_id=3)),
        ("dummy_multi_channel_recording", dict(unique_id=3, channel_ids=[0, 2, 5], source_per_channel=True)),
        ("dummy_audio_source", dict(num_samples=8000, channels=[1, 2])),
        ("dummy_alignment", dict(text="hello world", start=0.5, duration=2.0)),
        ("dummy_supervision", dict(unique_id=5)),
        ("dummy_supervision", dict(unique_id=5, start=1.0, duration=0.5, channel=[0, 1], text="x", alignment=None)),
        ("dummy_features", dict(unique_id=9, start=0.25, duration=3.0)),
        ("dummy_multi_channel_features", dict(unique_id=9, channels=[1, 3])),
    ],
)
def test_same_items_as_lhotse(name, kwargs):
    ours = getattr(dummies, name)(**kwargs)
    theirs = getattr(lhotse_dummies, name)(**kwargs)
    if isinstance(ours, dict):
        assert {k: [a.to_dict() if hasattr(a, "to_dict") else list(a) for a in v] for k, v in ours.items()} == {
            k: [list(a) for a in v] for k, v in theirs.items()
        }
    else:
        assert ours.to_dict() == theirs.to_dict()


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(RecordingSet, lhotse.RecordingSet), (SupervisionSet, lhotse.SupervisionSet), (FeatureSet, lhotse.FeatureSet)],
)
def test_dummy_manifest_as_lhotse(ours, theirs):
    got = dummies.DummyManifest(ours, begin_id=3, end_id=8)
    expected = lhotse_dummies.DummyManifest(theirs, begin_id=3, end_id=8)
    assert [item.to_dict() for item in got] == [item.to_dict() for item in expected]


@pytest.mark.parametrize("kwargs", [dict(), dict(sampling_rate=8000, duration=0.5), dict(source_format="flac")])
def test_recording_with_data_decodes_to_lhotse_audio(kwargs):
    ours = dummies.dummy_recording(1, with_data=True, **kwargs).load_audio()
    theirs = lhotse_dummies.dummy_recording(1, with_data=True, **kwargs).load_audio()
    assert ours.shape == theirs.shape
    # Lhotse computes the tone in float32 torch, we in float64 numpy: both quantised to 16 bits
    np.testing.assert_allclose(ours, theirs, atol=2 / 32768, rtol=0)


def test_multi_channel_recording_with_data_scales_channels_as_lhotse():
    ours = dummies.dummy_multi_channel_recording(2, channel_ids=[0, 1, 2], source_per_channel=True, with_data=True)
    theirs = lhotse_dummies.dummy_multi_channel_recording(
        2, channel_ids=[0, 1, 2], source_per_channel=True, with_data=True
    )
    np.testing.assert_allclose(ours.load_audio(), theirs.load_audio(), atol=2 / 32768, rtol=0)


def test_as_lazy_reads_back_the_manifest():
    eager = dummies.DummyManifest(SupervisionSet, begin_id=0, end_id=4)
    with dummies.as_lazy(eager) as lazy:
        assert lazy.is_lazy
        assert [s.to_dict() for s in lazy] == [s.to_dict() for s in eager]
