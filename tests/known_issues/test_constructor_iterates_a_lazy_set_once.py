"""Building a set from a lazy set (or making an eager copy of one) reads the lazy source once, not
once more to ask for its length.
"""

from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def test_constructor_iterates_a_lazy_set_once(tmp_path):
    # Bug: `items or ()` asked a lazy set for its truth value, i.e. len(), which streamed the whole
    # file once more before the real pass.
    SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)]).to_file(tmp_path / "s.jsonl")
    lazy = SupervisionSet.from_jsonl_lazy(tmp_path / "s.jsonl")
    passes = []

    class Counting:
        def __iter__(self):
            passes.append(1)
            return iter(lazy)

    assert SupervisionSet(Counting()).ids == ["a"] and len(passes) == 1
    counted = SupervisionSet._lazy(Counting())
    passes.clear()
    counted.to_eager()
    assert len(passes) == 1
