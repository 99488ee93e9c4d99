"""``split(n)`` gives one extra item to each of the first parts, as Lhotse does ([4, 3, 3] for 10 items
in 3 parts), and ``drop_last`` drops the remainder.
"""

from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def test_split_spreads_the_remainder_like_lhotse():
    # Bug: the first version put the whole remainder into the last part ([3, 3, 4]); Lhotse gives
    # one extra item to each of the first parts ([4, 3, 3]).
    sups = SupervisionSet(SupervisionSegment(f"s{k}", "r", float(k), 1.0) for k in range(10))
    assert [len(p) for p in sups.split(3)] == [4, 3, 3]
    assert [len(p) for p in sups.split(3, drop_last=True)] == [3, 3, 3]
