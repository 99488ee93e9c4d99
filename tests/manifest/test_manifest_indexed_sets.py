"""Indexed lazy sets: O(1) len, item access, lookup by id, slicing, global shuffle; stale indexes refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from lhotse_lite.errors import ItemIndexError, StaleIndexError, UnknownIdError
from lhotse_lite.indexing import create_jsonl_index, index_exists
from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator
from lhotse_lite.manifest.lazy import LazyManifestIterator
from lhotse_lite.serialization import load_manifest_lazy
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def write_sups(path: Path, n: int, prefix: str = "s") -> Path:
    SupervisionSet([SupervisionSegment(f"{prefix}{i}", "r", float(i), 1.0) for i in range(n)]).to_file(path)
    return path


def test_an_index_is_used_when_present(tmp_path: Path) -> None:
    path = write_sups(tmp_path / "sups.jsonl", 30)
    assert isinstance(load_manifest_lazy(path).data, LazyManifestIterator)
    create_jsonl_index(path)
    sups = load_manifest_lazy(path)
    assert isinstance(sups.data, LazyIndexedManifestIterator) and sups.is_lazy
    assert isinstance(load_manifest_lazy(path, indexed=False).data, LazyManifestIterator)
    assert len(sups) == 30 and sups[7].id == "s7" and sups[-1].id == "s29"
    with pytest.raises(ItemIndexError):
        sups[30]
    assert [s.id for s in sups] == [f"s{i}" for i in range(30)]


def test_indexed_true_builds_the_index(tmp_path: Path) -> None:
    path = write_sups(tmp_path / "sups.jsonl", 3)
    sups = SupervisionSet.from_jsonl_lazy(path, indexed=True)
    assert index_exists(path) and len(sups) == 3


def test_lookup_by_id_without_loading(tmp_path: Path) -> None:
    path = write_sups(tmp_path / "sups.jsonl", 500)
    sups = SupervisionSet.from_jsonl_lazy(path, indexed=True)
    assert sups["s321"].start == 321.0 and "s499" in sups and "nope" not in sups
    assert (tmp_path / "sups.jsonl.idx.ids").exists()
    with pytest.raises(UnknownIdError, match="nope"):
        sups["nope"]


def test_slices_are_indexed_lazy_sets(tmp_path: Path) -> None:
    path = write_sups(tmp_path / "sups.jsonl", 20)
    sups = SupervisionSet.from_jsonl_lazy(path, indexed=True)
    part = sups[3:15:2]
    assert part.is_lazy and len(part) == 6 and part[1].id == "s5"
    assert [s.id for s in part[1:3]] == ["s5", "s7"]
    assert [s.id for s in sups[-2:]] == ["s18", "s19"]


def test_shuffle_is_a_global_permutation_equal_across_openings(tmp_path: Path) -> None:
    path = write_sups(tmp_path / "sups.jsonl", 100)
    a = [s.id for s in load_manifest_lazy(path, shuffle=True, seed=7)]
    b = [s.id for s in SupervisionSet.from_jsonl_lazy(path, shuffle=True, seed=7)]
    assert a == b and sorted(a) == sorted(f"s{i}" for i in range(100)) and a != sorted(a)
    assert a != [s.id for s in load_manifest_lazy(path, shuffle=True, seed=8)]


def test_shards_shuffle_globally(tmp_path: Path) -> None:
    paths = [write_sups(tmp_path / f"shard{k}.jsonl", 10, prefix=f"k{k}-") for k in range(3)]
    for p in paths:
        create_jsonl_index(p)
    sups = SupervisionSet.from_files(paths, seed=1)
    first, second = [s.id for s in sups], [s.id for s in sups]
    assert sorted(first) == sorted(f"k{k}-{i}" for k in range(3) for i in range(10))
    assert first != second  # a new order on each pass (seed + pass number)
    assert {i[:2] for i in first[:6]} != {first[0][:2]}  # items of different shards interleave


def test_a_changed_file_is_refused_naming_both_files(tmp_path: Path) -> None:
    path = write_sups(tmp_path / "sups.jsonl", 5)
    create_jsonl_index(path)
    with open(path, "ab") as f:
        f.write(b'{"id": "x", "recording_id": "r", "start": 0, "duration": 1}\n')
    with pytest.raises(StaleIndexError, match=r"sups\.jsonl\.idx.*sups\.jsonl"):
        load_manifest_lazy(path)
