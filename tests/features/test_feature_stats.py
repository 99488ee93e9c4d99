"""Global feature statistics: single pass == two-pass numpy, parallel merge.

Compared live with Lhotse in tests/lhotse_parity/test_parity_feature_manifest.py.
"""

import numpy as np
import pytest

from lhotse_lite.errors import ShapeError
from lhotse_lite.features.stats import StatsAccumulator, compute_global_stats


def _mats(seed=0):
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((n, 5)) * (1 + i) + 100 * i).astype(np.float32)
        for i, n in enumerate([1, 7, 300, 42, 1000])
    ]


def test_matches_two_pass_numpy():
    mats = _mats()
    acc = StatsAccumulator(5)
    for m in mats:
        acc.update(m)
    ref = np.concatenate(mats).astype(np.float64)
    np.testing.assert_allclose(acc.norm_means, ref.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(acc.norm_stds, ref.std(axis=0), rtol=1e-10)
    assert acc.total_frames == len(ref)


def test_merge_equals_sequential():
    mats = _mats(1)
    left, right, seq = StatsAccumulator(5), StatsAccumulator(5), StatsAccumulator(5)
    for i, m in enumerate(mats):
        (left if i % 2 else right).update(m)
        seq.update(m)
    left.merge(right)
    np.testing.assert_allclose(left.norm_means, seq.norm_means, rtol=1e-12)
    np.testing.assert_allclose(left.norm_stds, seq.norm_stds, rtol=1e-10)


def test_errors():
    with pytest.raises(ShapeError, match=r"\(num_frames, 5\)"):
        StatsAccumulator(5).update(np.zeros((3, 4)))
    with pytest.raises(ShapeError, match="at least one"):
        compute_global_stats([])
