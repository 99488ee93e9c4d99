"""Both indexed readers fetch their bytes through a ByteRanges object: one read per item, any source of ranges."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import List, Tuple

import pytest

from lhotse_lite.indexing import IndexedJsonlReader, LocalByteRanges
from lhotse_lite.manifest.blocked_gzip import BlockedGzipReader
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


class InMemoryRanges:
    """Byte ranges of a bytes object, recording each read (as a remote source would make one request)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reads: List[Tuple[int, int]] = []

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self, offset: int, length: int) -> bytes:
        self.reads.append((offset, length))
        return self.data[offset : offset + length]


@pytest.mark.parametrize("name", ["sups.jsonl", "sups.jsonl.gz"])
def test_readers_over_other_byte_ranges(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    SupervisionSet(
        [SupervisionSegment(f"s{i}", "r", float(i), 1.0, text="w " * (i % 40)) for i in range(3000)]
    ).to_file(path)
    local = IndexedJsonlReader(path) if name.endswith(".jsonl") else BlockedGzipReader(path)
    ranges = InMemoryRanges(path.read_bytes())
    moved = tmp_path / "elsewhere" / name  # the data is not at this path: only the ranges give it
    if name.endswith(".jsonl"):
        other = IndexedJsonlReader(moved, auto_create_index=False, index_path=str(path) + ".idx", ranges=ranges)
    else:
        other = BlockedGzipReader(moved, index_path=str(path) + ".gzi", ranges=ranges)
    for i in (0, 1, 1234, 2999, -1):
        assert other[i] == local[i]
    assert len(ranges.reads) == 5 and len(other) == 3000


def test_local_byte_ranges_reopen_after_pickling(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"0123456789")
    ranges = LocalByteRanges(path)
    assert ranges.read(2, 3) == b"234"
    copy = pickle.loads(pickle.dumps(ranges))
    assert copy.read(8, 5) == b"89" and ranges.read(0, 1) == b"0" and copy.size == 10
    ranges.close()
    assert ranges.read(9, 1) == b"9"
