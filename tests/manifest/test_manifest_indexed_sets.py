"""Indexed lazy sets: O(1) len, item access, lookup by id, slicing, global shuffle; stale indexes refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from lhotse_lite.errors import ItemIndexError, StaleIndexError, UnknownIdError
from lhotse_lite.indexing import create_jsonl_index, index_exists
from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator
from lhotse_lite.manifest.lazy import LazyManifestIterator
from lhotse_lite.manifest.sidecars import remove_sidecars
from lhotse_lite.serialization import load_manifest_lazy
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def write_sups(path: Path, n: int, prefix: str = "s") -> Path:
    SupervisionSet([SupervisionSegment(f"{prefix}{i}", "r", float(i), 1.0) for i in range(n)]).to_file(path)
    return path


def test_an_index_is_used_when_present(tmp_path: Path) -> None:
    path = write_sups(tmp_path / "sups.jsonl", 30)
    remove_sidecars(path)
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
    remove_sidecars(path)
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


def test_writers_write_the_index_with_the_data(tmp_path: Path) -> None:
    from lhotse_lite.indexing import read_index
    from lhotse_lite.manifest.sidecars import read_summary
    from lhotse_lite.serialization import SequentialJsonlWriter

    path = tmp_path / "sups.jsonl"
    with SequentialJsonlWriter(path) as writer:
        for i in range(4):
            writer.write(SupervisionSegment(f"s{i}", "r", 0.0, 0.5))
    lines = path.read_bytes().splitlines(keepends=True)
    assert read_index(f"{path}.idx").tolist() == [sum(map(len, lines[:i])) for i in range(5)]
    with SequentialJsonlWriter(path, overwrite=False) as writer:  # a resume: the index covers old and new lines
        writer.write(SupervisionSegment("s9", "r", 0.0, 1.0))
    summary = read_summary(path)
    assert summary["items"] == 5 and summary["total_duration"] == 3.0 and summary["manifest_type"] == "SupervisionSet"
    assert load_manifest_lazy(path)[4].id == "s9"
    write_sups(path, 2)  # to_file: the summary and index follow the new data
    assert read_summary(path)["items"] == len(load_manifest_lazy(path)) == 2


def test_a_foreign_or_stale_summary_is_refused(tmp_path: Path) -> None:
    from lhotse_lite.manifest.sidecars import read_summary, summary_path

    a, b = write_sups(tmp_path / "a.jsonl", 3), write_sups(tmp_path / "b.jsonl", 30)
    summary_path(a).write_bytes(summary_path(b).read_bytes())
    with pytest.raises(StaleIndexError, match=r"a\.jsonl\.idx\.json.*a\.jsonl"):
        read_summary(a)
    with pytest.raises(StaleIndexError):
        len(SupervisionSet.from_jsonl_lazy(a, indexed=False))


def test_copy_with_on_every_item_type() -> None:
    from lhotse_lite.audio import AudioSource, Recording
    from lhotse_lite.features.base import Features

    rec = Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 16000, 1.0)
    sup = SupervisionSegment("s", "r", 0.0, 1.0)
    feats = Features(
        type="fbank",
        num_frames=100,
        num_features=80,
        frame_shift=0.01,
        sampling_rate=16000,
        start=0.0,
        duration=1.0,
        storage_type="lilcom_files",
        storage_path="f",
        storage_key="k",
    )
    assert rec.copy_with(id="r2").id == "r2" and rec.id == "r"
    assert sup.copy_with(text="hi").text == "hi" and sup.text is None
    assert feats.copy_with(start=0.5).start == 0.5 and feats.start == 0.0
