"""An in-order pass over an indexed (block-compressed) ``.jsonl.gz`` decompresses each block once.

It used to decompress the block of every line up to that line (a random read per item), which made a
full pass over a file written by ``to_file`` several times slower than over the same file unindexed.
The pass now streams the file as one gzip stream; a resumed pass starts at the block of its item.
"""

import gzip

from lhotse_lite.manifest import blocked_gzip, lines, load_manifest_lazy
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


class _CountingDeflate:
    """The deflate module, counting the bytes its decompressors return."""

    def __init__(self, real):
        self.real = real
        self.inflated = 0

    def __getattr__(self, name):
        return getattr(self.real, name)

    def decompressobj(self, *args, **kwargs):
        return _CountingDecompressor(self, self.real.decompressobj(*args, **kwargs))


class _CountingDecompressor:
    def __init__(self, counter, real):
        self.counter, self.real = counter, real

    def __getattr__(self, name):
        return getattr(self.real, name)

    def decompress(self, data, max_length=0):
        text = self.real.decompress(data, max_length)
        self.counter.inflated += len(text)
        return text

    def flush(self, *args):
        text = self.real.flush(*args)
        self.counter.inflated += len(text)
        return text


def test_in_order_pass_decompresses_each_block_once(tmp_path, monkeypatch):
    path = tmp_path / "sups.jsonl.gz"
    sups = [SupervisionSegment(f"s{i:05d}", f"r{i // 100}", float(i), 1.0, text="x" * 200) for i in range(5000)]
    SupervisionSet.from_segments(sups).to_file(path)
    size = len(gzip.decompress(path.read_bytes()))
    block_bytes = blocked_gzip.BLOCK_BYTES + 1000  # a block holds whole lines: at most one line more
    first_item = lines.BLOCK_BYTES + block_bytes  # what load_manifest_lazy decompresses to read the first item
    assert blocked_gzip.BlockedGzipReader(path).num_blocks > 1
    for module in (lines, blocked_gzip):
        monkeypatch.setattr(module, "_deflate", _CountingDeflate(module._deflate))

    lazy = load_manifest_lazy(path)
    assert [s.id for s in lazy] == [s.id for s in sups]
    # the whole text once, and the first block again: load_manifest_lazy reads the first item for its type
    assert size <= lines._deflate.inflated + blocked_gzip._deflate.inflated <= size + first_item

    it = iter(lazy.data)
    for _ in range(3000):
        next(it)
    state = lazy.data.state_dict()
    lines._deflate.inflated = blocked_gzip._deflate.inflated = 0
    resumed = load_manifest_lazy(path)
    resumed.data.load_state_dict(state)
    assert [s.id for s in resumed] == [s.id for s in sups[3000:]]
    # the last 2/5 of the text, the start of the block of item 3000, and the first block (for the type)
    assert lines._deflate.inflated + blocked_gzip._deflate.inflated < size * 2 / 5 + block_bytes + first_item
