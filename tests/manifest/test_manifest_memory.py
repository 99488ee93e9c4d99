"""Lazy sets stream in bounded memory (traced allocations, not timings)."""

import tracemalloc

from lhotse_lite.manifest import load_manifest_lazy, open_writer


def _write(path, num):
    with open_writer(path) as w:
        for k in range(num):
            w.write(
                {
                    "id": f"rec{k // 100}-{k}",
                    "recording_id": f"rec{k // 100}",
                    "start": k * 0.5,
                    "duration": 0.4,
                    "channel": 0,
                    "text": "some words " * 5,
                    "speaker": f"spk{k % 7}",
                }
            )


def _peak_of_lazy_pass(path):
    lazy = load_manifest_lazy(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in lazy.filter(lambda s: s.duration > 0).map(lambda s: s.with_offset(1.0)))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_lazy_iteration_memory_does_not_grow_with_size(tmp_path):
    small, large = tmp_path / "small.jsonl.gz", tmp_path / "large.jsonl.gz"
    _write(small, 2_000)
    _write(large, 20_000)
    # One-off growth of interpreter tables must not count as growth with the number of items: the
    # dict of interned strings also holds every other test's strings (torch.export's, ...) and resizes
    # in whichever pass crosses its threshold (one ~8 MB block). So warm up, and take each size's
    # smallest peak of three passes: a resize lands in one pass only.
    _peak_of_lazy_pass(large)
    n_small, peak_small = min(_peak_of_lazy_pass(small) for _ in range(3))
    n_large, peak_large = min(_peak_of_lazy_pass(large) for _ in range(3))
    assert (n_small, n_large) == (2_000, 20_000)
    # ten times the items, (nearly) the same peak: a chunk of text and one item at a time
    assert peak_large < 1.5 * peak_small + 200_000
    assert peak_large < 2_000_000
