"""Feature manifests and statistics compared live with Lhotse 1.33: FeatureSet dicts and files each library
reads from the other, and global mean/std statistics equal to Lhotse's ``StatsAccumulator``.
"""

import pickle

import numpy as np
import pytest

from lhotse_lite.features.io import MemoryNpyWriter
from lhotse_lite.features.manifest import Features, FeatureSet
from tests.features.test_feature_stats import _mats


def test_to_dict_round_trip_matches_lhotse_layout(lhotse_compat_dir, tmp_path):
    lhotse = pytest.importorskip("lhotse")
    feature_set = FeatureSet.from_file(lhotse_compat_dir / "feats_lilcom_chunky.jsonl.gz")
    theirs = lhotse.FeatureSet.from_file(lhotse_compat_dir / "feats_lilcom_chunky.jsonl.gz")
    assert [f.to_dict() for f in feature_set] == [f.to_dict() for f in theirs]
    assert [Features.from_dict(f.to_dict()) for f in feature_set] == list(feature_set)
    feature_set.to_file(tmp_path / "x.jsonl.gz")
    again = lhotse.FeatureSet.from_file(tmp_path / "x.jsonl.gz")
    assert [f.to_dict() for f in again] == [f.to_dict() for f in theirs]


def test_compute_global_stats_agrees_with_lhotse(tmp_path):
    lhotse_base = pytest.importorskip("lhotse.features.base")
    mats = _mats(2)
    writer = MemoryNpyWriter()
    items = FeatureSet(
        [
            Features.from_array(m, writer, frame_shift=0.01, sampling_rate=16000, recording_id=f"r{i}", channels=0)
            for i, m in enumerate(mats)
        ]
    )
    ours = items.compute_global_stats(storage_path=tmp_path / "stats.pkl")
    theirs = lhotse_base.StatsAccumulator(5)
    for m in mats:
        theirs.update(m)
    np.testing.assert_allclose(ours["norm_means"], theirs.norm_means, rtol=1e-9)
    np.testing.assert_allclose(ours["norm_stds"], theirs.norm_stds, rtol=1e-7)
    with open(tmp_path / "stats.pkl", "rb") as file:
        stored = pickle.load(file)
    np.testing.assert_array_equal(stored["norm_means"], ours["norm_means"])
