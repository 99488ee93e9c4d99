"""An in-order pass over an indexed (block-compressed) ``.jsonl.gz`` decompresses each block once.

It used to decompress the block of every line up to that line (a random read per item), which made a
full pass over a file written by ``to_file`` several times slower than over the same file unindexed.
"""

from lhotse_lite.manifest import load_manifest_lazy
from lhotse_lite.manifest.blocked_gzip import BlockedGzipReader
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def test_in_order_pass_decompresses_each_block_once(tmp_path, monkeypatch):
    path = tmp_path / "sups.jsonl.gz"
    sups = [SupervisionSegment(f"s{i:05d}", f"r{i // 100}", float(i), 1.0, text="x" * 200) for i in range(5000)]
    SupervisionSet.from_segments(sups).to_file(path)
    calls = []
    real = BlockedGzipReader._decompress

    def counted(self, block, upto):
        calls.append((block, upto))
        return real(self, block, upto)

    monkeypatch.setattr(BlockedGzipReader, "_decompress", counted)
    lazy = load_manifest_lazy(path)
    assert [s.id for s in lazy] == [s.id for s in sups]
    num_blocks = BlockedGzipReader(path).num_blocks
    assert num_blocks > 1
    assert sorted(calls) == [(b, 0) for b in range(num_blocks)]
