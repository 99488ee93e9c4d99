"""Differential tests of the ``.idx`` format and the Feistel shuffle against Lhotse 2.0.0a7 (its own venv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lhotse_lite.indexing import IndexedJsonlReader, LazyShuffledRange, create_jsonl_index, read_index

CONTENTS = {
    "plain": b'{"id": "a", "x": 1}\n{"id": "b"}\n{"id": "c\\u00e9", "t": "h\xc3\xa9"}\n',
    "no_final_newline": b'{"id": "a"}\n{"id": "b"}',
    "empty": b"",
    "one_line": b'{"id": "only"}\n',
    "crlf": b'{"id": "a"}\r\n{"id": "b"}\r\n',
}


@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_index_bytes_equal_lhotse2(lhotse2, tmp_path: Path, name: str) -> None:
    ours_dir, theirs_dir = tmp_path / "ours", tmp_path / "theirs"
    for d in (ours_dir, theirs_dir):
        d.mkdir()
        (d / "m.jsonl").write_bytes(CONTENTS[name])
    create_jsonl_index(ours_dir / "m.jsonl")
    lhotse2(
        """
        from lhotse.indexing import create_jsonl_index
        create_jsonl_index(args["path"])
    """,
        path=str(theirs_dir / "m.jsonl"),
    )
    assert (ours_dir / "m.jsonl.idx").read_bytes() == (theirs_dir / "m.jsonl.idx").read_bytes()


def test_index_bytes_equal_lhotse2_on_a_large_file(lhotse2, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(b'{"id": "%d", "text": "%s"}\n' % (i, b"w" * (i % 97)) for i in range(20_000)))
    ours = create_jsonl_index(path).read_bytes()
    theirs = lhotse2(
        """
        from lhotse.indexing import create_jsonl_index
        result = open(create_jsonl_index(args["path"], args["out"]), "rb").read().hex()
    """,
        path=str(path),
        out=str(tmp_path / "theirs.idx"),
    )
    assert ours == bytes.fromhex(theirs)


def test_lhotse2_reads_our_index_and_we_read_theirs(lhotse2, tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.jsonl", tmp_path / "theirs.jsonl"
    lines = b"".join(b'{"id": "u%d", "n": %d}\n' % (i, i) for i in range(50))
    ours.write_bytes(lines)
    theirs.write_bytes(lines)
    create_jsonl_index(ours)
    read_by_lhotse = lhotse2(
        """
        from lhotse.indexing import IndexedJsonlReader, create_jsonl_index
        r = IndexedJsonlReader(args["ours"], auto_create_index=False)
        create_jsonl_index(args["theirs"])
        result = [len(r), [r[i] for i in (0, 17, 49, -1)]]
    """,
        ours=str(ours),
        theirs=str(theirs),
    )
    mine = IndexedJsonlReader(theirs, auto_create_index=False)
    assert read_by_lhotse == [50, [{"id": f"u{i}", "n": i} for i in (0, 17, 49, 49)]]
    assert [len(mine), [mine[i] for i in (0, 17, 49, -1)]] == read_by_lhotse
    assert read_index(theirs.with_suffix(".jsonl.idx")).tolist() == read_index(ours.with_suffix(".jsonl.idx")).tolist()


SHUFFLES = [(0, 0), (1, 5), (2, 1), (7, 0), (100, 42), (1000, 123456789), (4097, 2**40 + 3), (70_000, 7)]


def test_shuffled_range_order_equals_lhotse2(lhotse2) -> None:
    theirs = lhotse2(
        """
        from lhotse.indexing import LazyShuffledRange
        result = [list(LazyShuffledRange(n, seed)) for n, seed in args["cases"]]
        result.append(list(LazyShuffledRange(1000, 9, shard_id=2, num_shards=3)))
        result.append([LazyShuffledRange(5000, 11)[i] for i in (0, 1, 4999, 2500)])
    """,
        cases=SHUFFLES,
    )
    ours = [list(LazyShuffledRange(n, seed)) for n, seed in SHUFFLES]
    ours.append(list(LazyShuffledRange(1000, 9, shard_id=2, num_shards=3)))
    ours.append([LazyShuffledRange(5000, 11)[i] for i in (0, 1, 4999, 2500)])
    assert ours == theirs
    for (n, _), order in zip(SHUFFLES, ours):
        assert sorted(order) == list(range(n))


def test_shuffled_range_state_dict_keys_equal_lhotse2(lhotse2) -> None:
    theirs = lhotse2("""
        from lhotse.indexing import LazyShuffledRange
        r = LazyShuffledRange(100, 3)
        it = iter(r)
        [next(it) for _ in range(10)]
        result = r.state_dict()
    """)
    ours = LazyShuffledRange(100, 3)
    it = iter(ours)
    for _ in range(10):
        next(it)
    assert ours.state_dict() == theirs
    resumed = LazyShuffledRange(100, 3)
    resumed.load_state_dict(theirs)
    assert list(resumed) == list(LazyShuffledRange(100, 3))[10:]


def test_lhotse2_names_exist_at_the_same_paths(lhotse2) -> None:
    names = {
        "lazy": ["IteratorNode", "LazyIndexedManifestIterator"],
        "indexing": [
            "create_jsonl_index",
            "read_index",
            "index_exists",
            "index_file_path",
            "IndexedJsonlReader",
            "LazyShuffledRange",
        ],
        "checkpoint": ["collect_state_dict", "restore_state_dict"],
    }
    missing_there = lhotse2(
        """
        import importlib
        result = [f"{m}.{n}" for m, ns in args["names"].items() for n in ns
                  if not hasattr(importlib.import_module("lhotse." + m), n)]
    """,
        names=names,
    )
    import importlib

    missing_here = [
        f"{m}.{n}" for m, ns in names.items() for n in ns if not hasattr(importlib.import_module("lhotse_lite." + m), n)
    ]
    assert missing_there == [] and missing_here == []


@pytest.mark.parametrize("shuffle", [False, True])
def test_indexed_iterator_states_are_exchangeable_with_lhotse2(lhotse2, tmp_path: Path, shuffle: bool) -> None:
    from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator
    from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

    path = tmp_path / "sups.jsonl"
    SupervisionSet([SupervisionSegment(f"s{i}", "r", float(i), 1.0) for i in range(40)]).to_file(path)
    theirs = lhotse2(
        """
        import itertools
        from lhotse.lazy import LazyIndexedManifestIterator
        node = LazyIndexedManifestIterator(args["path"], shuffle=args["shuffle"], seed=5)
        full = [s.id for s in node]
        node = LazyIndexedManifestIterator(args["path"], shuffle=args["shuffle"], seed=5)
        it = iter(node)
        head = [s.id for s in itertools.islice(it, 13)]
        state = node.state_dict()
        resumed = LazyIndexedManifestIterator(args["path"], shuffle=args["shuffle"], seed=5)
        resumed.load_state_dict(args["our_state"])
        result = {"full": full, "head": head, "state": state, "from_ours": [s.id for s in resumed]}
    """,
        path=str(path),
        shuffle=shuffle,
        our_state=_our_state_after(path, shuffle, 13),
    )
    ours = LazyIndexedManifestIterator(path, shuffle=shuffle, seed=5)
    assert [s.id for s in ours] == theirs["full"]
    resumed = LazyIndexedManifestIterator(path, shuffle=shuffle, seed=5)
    resumed.load_state_dict(theirs["state"])
    assert [s.id for s in resumed] == theirs["full"][13:] == theirs["from_ours"]
    assert theirs["head"] == theirs["full"][:13]
    assert sorted(theirs["full"]) == sorted(f"s{i}" for i in range(40))


def _our_state_after(path: Path, shuffle: bool, k: int) -> dict:
    from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator

    node = LazyIndexedManifestIterator(path, shuffle=shuffle, seed=5)
    it = iter(node)
    for _ in range(k):
        next(it)
    return node.state_dict()


def test_shuffled_lazy_manifest_order_equals_lhotse2(lhotse2, tmp_path: Path) -> None:
    from lhotse_lite.serialization import load_manifest_lazy
    from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

    path = tmp_path / "sups.jsonl"
    SupervisionSet([SupervisionSegment(f"s{i}", "r", float(i), 1.0) for i in range(300)]).to_file(path)
    theirs = lhotse2(
        """
        from lhotse.serialization import load_manifest_lazy
        sups = load_manifest_lazy(args["path"], shuffle=True, seed=11)
        result = [[s.id for s in sups], len(sups), sups.data[17].id]
    """,
        path=str(path),
    )
    sups = load_manifest_lazy(path, shuffle=True, seed=11)
    assert [[s.id for s in sups], len(sups), sups[17].id] == theirs


def test_lhotse_reads_our_block_compressed_gzip(lhotse2, tmp_path: Path) -> None:
    from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

    path = tmp_path / "sups.jsonl.gz"
    ids = [f"s{i}" for i in range(3000)]
    SupervisionSet([SupervisionSegment(i, "r", 0.0, 1.0, text="a b c") for i in ids]).to_file(path)
    assert lhotse2(
        """
        from lhotse import load_manifest, load_manifest_lazy
        result = [[s.id for s in load_manifest(args["path"])], [s.id for s in load_manifest_lazy(args["path"])]]
    """,
        path=str(path),
    ) == [ids, ids]
    lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the differential suite")
    assert [s.id for s in lhotse.load_manifest_lazy(path)] == ids
