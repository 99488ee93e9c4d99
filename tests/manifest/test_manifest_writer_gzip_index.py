"""SequentialJsonlWriter writes a ``.jsonl.gz`` block-compressed, with its ``.gzi`` and summary, resumes included."""

import gzip
import json
import shutil
import subprocess

import orjson
import pytest

from lhotse_lite.manifest import SequentialJsonlWriter, load_manifest_lazy
from lhotse_lite.manifest.blocked_gzip import _index_members, gzi_path
from lhotse_lite.supervision import SupervisionSegment


def _sups(start, stop):
    return [
        SupervisionSegment(
            f"s{i:05d}",
            f"r{i // 7}",
            start=0.5 * (i % 7),
            duration=0.25 + (i % 4),
            text="word " * (i % 13),
            speaker=f"spk{i % 3}",
        )
        for i in range(start, stop)
    ]


def _check_indexed(path, sups):
    """The file reads with Python's gzip, its index is the one built from its members, and reads item i."""
    assert [orjson.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()] == [
        s.to_dict() for s in sups
    ]
    written = gzi_path(path).read_bytes()
    assert written == _index_members(path).index_bytes()  # members of whole lines, as `lite index` finds them
    data_before, index_before = path.stat().st_mtime_ns, gzi_path(path).stat().st_mtime_ns
    lazy = load_manifest_lazy(path, indexed=True)
    assert len(lazy) == len(sups)
    for i in (0, 1, len(sups) // 2, len(sups) - 2, len(sups) - 1):
        assert lazy[i] == sups[i]
    assert (path.stat().st_mtime_ns, gzi_path(path).stat().st_mtime_ns) == (data_before, index_before)  # not rebuilt
    assert gzi_path(path).read_bytes() == written
    summary = json.loads((path.parent / (path.name + ".idx.json")).read_text())
    assert summary["items"] == len(sups) and summary["manifest_type"] == "SupervisionSet"
    assert summary["total_duration"] == pytest.approx(sum(s.duration for s in sups))


def test_closed_gzip_writer_leaves_a_block_index(tmp_path):
    path = tmp_path / "sups.jsonl.gz"
    sups = _sups(0, 3000)
    with SequentialJsonlWriter(path) as writer:
        for k, sup in enumerate(sups):
            writer.write(sup, flush=k % 1000 == 3)  # a flush ends a member early
    _check_indexed(path, sups)
    assert len(_index_members(path).offsets) > 3


def test_flush_puts_whole_members_on_disk(tmp_path):
    path = tmp_path / "sups.jsonl.gz"
    sups = _sups(0, 50)
    with SequentialJsonlWriter(path) as writer:
        for sup in sups[:10]:
            writer.write(sup)
        writer.write(sups[10], flush=True)
        partial = (tmp_path / "sups.jsonl.gz.partial").read_bytes()
        assert len(gzip.decompress(partial).splitlines()) == 11  # complete gzip data, no torn member
        for sup in sups[11:]:
            writer.write(sup)
    _check_indexed(path, sups)


def test_index_covers_the_whole_file_after_an_interrupted_run_and_a_resume(tmp_path):
    path, partial = tmp_path / "sups.jsonl.gz", tmp_path / "sups.jsonl.gz.partial"
    sups = _sups(0, 4000)
    with pytest.raises(KeyboardInterrupt), SequentialJsonlWriter(path) as writer:
        for sup in sups[:2500]:
            writer.write(sup)
        raise KeyboardInterrupt
    assert not path.exists() and partial.exists()
    with SequentialJsonlWriter(path, overwrite=False) as writer:
        assert writer.num_kept == 2500
        for sup in sups[2500:3000]:
            writer.write(sup)
    _check_indexed(path, sups[:3000])
    with SequentialJsonlWriter(path, overwrite=False) as writer:  # resume a finished file: append members
        for sup in sups[:3500]:
            writer.write(sup)  # the ids kept are skipped
        assert writer.num_skipped == 3000
    _check_indexed(path, sups[:3500])


def test_index_covers_the_kept_items_after_a_killed_run(tmp_path):
    path, partial = tmp_path / "sups.jsonl.gz", tmp_path / "sups.jsonl.gz.partial"
    sups = _sups(0, 3000)
    with pytest.raises(KeyboardInterrupt), SequentialJsonlWriter(path) as writer:
        for sup in sups[:2000]:
            writer.write(sup)
        raise KeyboardInterrupt
    data = partial.read_bytes()
    partial.write_bytes(data[: len(data) * 2 // 3])  # a run killed in the middle of a member
    with SequentialJsonlWriter(path, overwrite=False) as writer:
        kept = writer.num_kept
        assert 0 < kept < 2000
        for sup in sups[kept:]:
            writer.write(sup)
    _check_indexed(path, sups)


@pytest.mark.skipif(shutil.which("zcat") is None, reason="zcat is not installed")
def test_zcat_reads_the_written_file(tmp_path):
    path = tmp_path / "sups.jsonl.gz"
    sups = _sups(0, 2000)
    with SequentialJsonlWriter(path) as writer:
        for sup in sups:
            writer.write(sup)
    out = subprocess.run(["zcat", str(path)], check=True, capture_output=True).stdout
    assert [orjson.loads(line) for line in out.splitlines()] == [s.to_dict() for s in sups]
