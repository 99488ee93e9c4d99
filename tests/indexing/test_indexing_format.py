"""The ``.idx`` index: offsets of every line, O(1) reads, and indexes that no longer match refused."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from lhotse_lite.errors import ItemIndexError, ManifestFormatError, ManifestNotFoundError, StaleIndexError
from lhotse_lite.indexing import (
    IndexedJsonlReader,
    LazyShuffledRange,
    create_jsonl_index,
    index_exists,
    index_file_path,
    read_index,
)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_offsets_are_line_starts_then_the_size(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", b'{"id":"a"}\n\n{"id":"bcd"}')
    idx = create_jsonl_index(path)
    assert idx == index_file_path(path) == tmp_path / "a.jsonl.idx"
    assert read_index(idx).tolist() == [0, 11, 12, 24]
    assert idx.read_bytes()[:8] == (0).to_bytes(8, "little") and len(idx.read_bytes()) == 32


def test_offsets_across_scan_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lhotse_lite.indexing as indexing

    monkeypatch.setattr(indexing, "_SCAN_CHUNK", 7)
    lines = [b'{"i":%d}\n' % i for i in range(30)]
    path = write(tmp_path / "a.jsonl", b"".join(lines))
    expected = [sum(map(len, lines[:i])) for i in range(31)]
    assert read_index(create_jsonl_index(path)).tolist() == expected


def test_reader_reads_any_line_and_refuses_bad_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", b'{"id":"a"}\n\n[1]\n{"id":"d"}\n')
    reader = IndexedJsonlReader(path)
    assert len(reader) == 4 and reader[0] == {"id": "a"} and reader[-1] == {"id": "d"}
    with pytest.raises(ManifestFormatError, match=r"a\.jsonl:2"):
        reader[1]
    with pytest.raises(ManifestFormatError, match="list"):
        reader[2]
    with pytest.raises(ItemIndexError, match="out of range"):
        reader[4]
    clone = pickle.loads(pickle.dumps(reader))
    assert clone[3] == {"id": "d"}


def test_an_index_of_another_size_is_refused_naming_both_files(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", b'{"id":"a"}\n')
    create_jsonl_index(path)
    write(path, b'{"id":"a"}\n{"id":"b"}\n')
    with pytest.raises(StaleIndexError, match=r"a\.jsonl\.idx.*a\.jsonl.*lite index"):
        IndexedJsonlReader(path)


def test_truncated_or_missing_index(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", b'{"id":"a"}\n')
    assert not index_exists(path)
    with pytest.raises(ManifestNotFoundError, match="lite index"):
        IndexedJsonlReader(path, auto_create_index=False)
    write(tmp_path / "a.jsonl.idx", b"\0" * 12)
    assert not index_exists(path)
    with pytest.raises(ManifestFormatError, match="multiple of 8"):
        read_index(tmp_path / "a.jsonl.idx")
    assert len(IndexedJsonlReader(path)) == 1  # rebuilt, as Lhotse 2.0 does with auto_create_index


def test_compressed_files_are_not_indexed_by_create_jsonl_index(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl.gz", b"")
    with pytest.raises(ValueError, match="uncompressed"):
        create_jsonl_index(path)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 16, 17, 1000, 65_537])
def test_shuffled_range_is_a_permutation(n: int) -> None:
    order = list(LazyShuffledRange(n, seed=n))
    assert sorted(order) == list(range(n))
    parts = [list(LazyShuffledRange(n, seed=n, shard_id=k, num_shards=3)) for k in range(3)]
    assert sorted(x for part in parts for x in part) == list(range(n))
    assert parts[0] == order[0::3]


def test_index_files_are_as_readable_as_other_files(tmp_path: Path) -> None:
    import os
    import stat

    path = write(tmp_path / "a.jsonl", b'{"id":"a"}\n')
    mask = os.umask(0o022)
    try:
        mode = stat.S_IMODE(create_jsonl_index(path).stat().st_mode)
    finally:
        os.umask(mask)
    assert mode == 0o644
