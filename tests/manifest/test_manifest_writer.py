"""Incremental writers: atomic finish, interruption, resume from a torn file, in-memory writer."""

import gzip

import pytest

from lhotse_lite.errors import ManifestError
from lhotse_lite.manifest import InMemoryWriter, SequentialJsonlWriter, open_writer
from lhotse_lite.manifest.formats import iter_jsonl_dicts
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from tests.manifest.toy_items import Item


def read_ids(path):
    return [d["id"] for _, d in iter_jsonl_dicts(path)]


@pytest.mark.parametrize("ext", [".jsonl", ".jsonl.gz"])
def test_write_and_reopen(tmp_path, ext):
    path = tmp_path / f"w{ext}"
    with open_writer(path) as w:
        for k in range(5):
            w.write(Item(f"i{k}", k))
        assert not path.exists()  # nothing appears before the writer finishes
        assert w.contains("i3") and w.contains(Item("i4")) and not w.contains("i9")
    assert read_ids(path) == [f"i{k}" for k in range(5)]
    assert not (tmp_path / f"w{ext}.partial").exists()


@pytest.mark.parametrize("ext", [".jsonl", ".jsonl.gz"])
def test_interrupted_writer_keeps_previous_file_and_resumes(tmp_path, ext):
    path = tmp_path / f"w{ext}"
    with open_writer(path) as w:
        w.write({"id": "old"})
    with pytest.raises(RuntimeError), open_writer(path) as w:
        w.write({"id": "a"})
        w.write({"id": "b"}, flush=True)
        raise RuntimeError("job killed")
    assert read_ids(path) == ["old"]  # previous file untouched
    with open_writer(path, overwrite=False) as w:
        assert w.contains("a") and w.contains("b") and not w.contains("old")
        for item_id in ["a", "b", "c"]:
            if not w.contains(item_id):
                w.write({"id": item_id})
    assert read_ids(path) == ["a", "b", "c"]


def test_resume_drops_a_torn_last_line(tmp_path):
    path = tmp_path / "w.jsonl"
    partial = tmp_path / "w.jsonl.partial"
    partial.write_text('{"id": "a"}\n{"id": "b"}\n{"id": "c", "val')
    with open_writer(path, overwrite=False) as w:
        assert w.contains("b") and not w.contains("c")
        w.write({"id": "c"})
    assert read_ids(path) == ["a", "b", "c"]


def test_resume_from_a_killed_gzip_writer(tmp_path):
    path = tmp_path / "w.jsonl.gz"
    partial = tmp_path / "w.jsonl.gz.partial"
    full = gzip.compress(b"".join(b'{"id": "i%d", "pad": "%s"}\n' % (k, b"x" * 50) for k in range(3000)))
    partial.write_bytes(full[: len(full) * 2 // 3])  # no gzip trailer, torn in the middle
    with open_writer(path, overwrite=False) as w:
        kept = len(w.ignore_ids)
        assert 0 < kept < 3000
        w.write({"id": "last"})
    ids = read_ids(path)
    assert ids[:kept] == [f"i{k}" for k in range(kept)] and ids[-1] == "last"


def test_resume_appends_to_a_finished_file(tmp_path):
    path = tmp_path / "w.jsonl.gz"
    with open_writer(path) as w:
        w.write({"id": "a"})
    with open_writer(path, overwrite=False) as w:
        assert w.contains("a")
        w.write({"id": "b"})
    assert read_ids(path) == ["a", "b"]


def test_overwrite_discards_old_partial(tmp_path):
    path = tmp_path / "w.jsonl"
    (tmp_path / "w.jsonl.partial").write_text('{"id": "stale"}\n')
    with open_writer(path) as w:
        assert not w.contains("stale")
        w.write({"id": "new"})
    assert read_ids(path) == ["new"]


def test_writer_without_a_with_block(tmp_path):
    # As in Lhotse, the first write opens the writer; close() puts the file in place.
    w = SequentialJsonlWriter(tmp_path / "w.txt")  # any name: the class names the format
    w.write({"id": "a"})
    assert not (tmp_path / "w.txt").exists()
    w.close()
    assert (tmp_path / "w.txt").read_text() == '{"id":"a"}\n'
    with pytest.raises(ManifestError, match="closed"):  # Lhotse would truncate the file here
        w.write({"id": "b"})


def test_resumed_writer_skips_the_ids_it_kept(tmp_path):
    path = tmp_path / "w.jsonl"
    with open_writer(path) as w:
        w.write({"id": "a"})
    with open_writer(path, overwrite=False) as w:
        w.write({"id": "a", "again": True})  # kept by the resume: not written twice (Lhotse's rule)
        w.write({"id": "b"})
        w.write({"id": "b"})  # written in this run: a duplicate is written, as in Lhotse
    assert (w.num_kept, w.num_written, w.num_skipped) == (1, 2, 1)
    assert path.read_text().splitlines() == ['{"id":"a"}', '{"id":"b"}', '{"id":"b"}']
    assert "a" in w and "b" in w and "c" not in w


def test_open_manifest(tmp_path):
    path = tmp_path / "s.jsonl.gz"
    with open_writer(path) as w:
        w.write(SupervisionSegment("s1", "r1", 0.0, 1.0))
    sups = w.open_manifest()
    assert isinstance(sups, SupervisionSet) and sups.is_lazy and [s.id for s in sups] == ["s1"]


def test_in_memory_writer():
    with open_writer(None) as w:
        assert isinstance(w, InMemoryWriter)
        w.write(SupervisionSegment("s1", "r1", 0.0, 1.0))
    assert w.contains("s1") and not w.contains("s2")
    sups = w.open_manifest()
    assert isinstance(sups, SupervisionSet) and not sups.is_lazy and sups.ids == ["s1"]
    assert InMemoryWriter().open_manifest() is None
