"""Regression tests for bugs found and fixed in lhotse_lite.manifest and lhotse_lite.supervision."""

import gzip

from lhotse_lite.manifest import open_writer
from lhotse_lite.manifest.formats import iter_jsonl_dicts
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def test_gzip_partial_file_is_resumed_as_gzip(tmp_path):
    # Bug: resuming decided "gzip or not" from the name of `<path>.partial`, which does not end in
    # ".gz", so a compressed partial file was read as text and every item was dropped.
    path = tmp_path / "w.jsonl.gz"
    (tmp_path / "w.jsonl.gz.partial").write_bytes(gzip.compress(b'{"id": "a"}\n{"id": "b"}\n'))
    with open_writer(path, overwrite=False) as w:
        assert w.contains("a") and w.contains("b")
        w.write({"id": "c"})
    assert [d["id"] for _, d in iter_jsonl_dicts(path)] == ["a", "b", "c"]


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


def test_split_spreads_the_remainder_like_lhotse():
    # Bug: the first version put the whole remainder into the last part ([3, 3, 4]); Lhotse gives
    # one extra item to each of the first parts ([4, 3, 3]).
    sups = SupervisionSet(SupervisionSegment(f"s{k}", "r", float(k), 1.0) for k in range(10))
    assert [len(p) for p in sups.split(3)] == [4, 3, 3]
    assert [len(p) for p in sups.split(3, drop_last=True)] == [3, 3, 3]
