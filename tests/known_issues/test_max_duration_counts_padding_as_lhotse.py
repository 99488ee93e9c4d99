"""``max_duration`` bounds a batch's padded duration (items x longest), as Lhotse's ``TimeConstraint``.

A batch of a 1 s and a 3 s item holds 2 x 3 = 6 s of padded frames: over a 4 s bound, whatever the sum.
"""

from lhotse_lite.dataset import DynamicBucketingSampler


def test_max_duration_counts_padding_as_lhotse():
    sampler = DynamicBucketingSampler(durations=[1.0, 3.0, 1.0, 1.0], max_duration=4.0, duration_bins=[])
    assert [b.indices.tolist() for b in sampler] == [[0], [1], [2, 3]]
