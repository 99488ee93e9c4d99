"""Block-compressed .jsonl.gz: an ordinary gzip file to every reader, read at any item through its block index."""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.errors import ManifestArgumentError, StaleIndexError
from lhotse_lite.manifest.blocked_gzip import BlockedGzipReader, gzi_path, write_blocked_gzip
from lhotse_lite.manifest.formats import dumps_line
from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator
from lhotse_lite.serialization import load_manifest_lazy
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def sups(n: int) -> SupervisionSet:
    return SupervisionSet([SupervisionSegment(f"s{i}", "r", float(i), 1.0, text="w " * (i % 50)) for i in range(n)])


def test_written_gz_is_many_members_read_as_one_stream(tmp_path: Path) -> None:
    path, plain = tmp_path / "sups.jsonl.gz", tmp_path / "sups.jsonl"
    sups(3000).to_file(path)
    sups(3000).to_file(plain)
    assert gzip.decompress(path.read_bytes()) == plain.read_bytes()
    assert gzi_path(path).exists() and BlockedGzipReader(path).num_blocks > 5
    if shutil.which("zcat"):
        assert subprocess.run(["zcat", str(path)], capture_output=True, check=True).stdout == plain.read_bytes()


def test_random_access_and_lookup_by_id(tmp_path: Path) -> None:
    path = tmp_path / "sups.jsonl.gz"
    sups(3000).to_file(path)
    lazy = load_manifest_lazy(path)
    assert isinstance(lazy.data, LazyIndexedManifestIterator) and len(lazy) == 3000
    assert [lazy[i].id for i in (0, 1234, 2999, -1)] == ["s0", "s1234", "s2999", "s2999"]
    assert lazy["s2500"].start == 2500.0 and "s3000" not in lazy
    assert [s.id for s in lazy[10:13]] == ["s10", "s11", "s12"]


def test_global_shuffle_order_is_the_one_of_the_plain_file(tmp_path: Path) -> None:
    sups(500).to_file(tmp_path / "a.jsonl.gz")
    sups(500).to_file(tmp_path / "a.jsonl")
    gz = [s.id for s in load_manifest_lazy(tmp_path / "a.jsonl.gz", shuffle=True, seed=3)]
    assert gz == [s.id for s in load_manifest_lazy(tmp_path / "a.jsonl", shuffle=True, seed=3)]


def test_block_shuffle_visits_every_item_once_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    write_blocked_gzip(path, (dumps_line(s.to_dict()) for s in sups(400)), block_bytes=300)
    node = LazyIndexedManifestIterator(path, shuffle=True, seed=5, block_window=3)
    full = [s.id for s in node]
    assert sorted(full) == sorted(f"s{i}" for i in range(400)) and full != sorted(full)
    assert full == [s.id for s in LazyIndexedManifestIterator(path, shuffle=True, seed=5, block_window=3)]
    for k in (0, 1, 57, 399, 400):
        it = iter(node)
        head = [s.id for s in itertools.islice(it, k)]
        state = json.loads(json.dumps(node.state_dict()))
        resumed = LazyIndexedManifestIterator(path, shuffle=True, seed=5, block_window=3)
        resumed.load_state_dict(state)
        assert head + [s.id for s in resumed] == full


def test_lite_index_reblocks_a_single_stream_file(tmp_path: Path) -> None:
    path = tmp_path / "sups.jsonl.gz"
    text = b"".join(dumps_line(s.to_dict()) for s in sups(2000))
    with gzip.open(path, "wb") as f:  # one gzip member, as Lhotse and gzip write
        f.write(text)
    with pytest.raises(ManifestArgumentError, match="lite index"):
        load_manifest_lazy(path, indexed=True)
    result = CliRunner().invoke(cli, ["index", str(path)])
    assert result.exit_code == 0, result.output
    assert "2000 items (SupervisionSet" in result.output
    assert gzip.decompress(path.read_bytes()) == text and BlockedGzipReader(path)[1999]["id"] == "s1999"
    before = path.read_bytes()
    assert CliRunner().invoke(cli, ["index", str(path)]).exit_code == 0
    assert path.read_bytes() == before  # already blocked: indexed as it is


def test_a_changed_gz_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sups.jsonl.gz"
    sups(100).to_file(path)
    with open(path, "ab") as f:
        f.write(gzip.compress(b'{"id": "x"}\n'))
    with pytest.raises(StaleIndexError, match=r"sups\.jsonl\.gz\.gzi.*sups\.jsonl\.gz"):
        load_manifest_lazy(path)


def test_lite_index_plain_jsonl_describe_and_validate(tmp_path: Path) -> None:
    path = tmp_path / "sups.jsonl"
    sups(10).to_file(path)
    runner = CliRunner()
    assert "Usage: cli index [OPTIONS] PATHS..." in runner.invoke(cli, ["index", "--help"]).output
    assert runner.invoke(cli, ["index", str(path)]).exit_code == 0
    assert (tmp_path / "sups.jsonl.idx.ids").exists()
    quick = runner.invoke(cli, ["manifest", "describe", "--quick", str(path)])
    assert quick.exit_code == 0 and f"{path}: 10 SupervisionSet, 0.003 h" in quick.output
    with open(path, "ab") as f:
        f.write(b'{"id": "x", "recording_id": "r", "start": 0, "duration": 1}\n')
    stale = runner.invoke(cli, ["manifest", "validate", "--no-check-files", str(path)])
    assert stale.exit_code == 1 and "does not match" in stale.output
    missing = runner.invoke(cli, ["manifest", "describe", "--quick", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1 and missing.output.startswith("Error: ")


@pytest.mark.parametrize("writer, reader", [("zlib_ng", "zlib"), ("zlib", "zlib_ng")])
def test_zlib_and_zlib_ng_read_each_others_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str, reader: str
) -> None:
    import zlib

    from lhotse_lite.manifest import blocked_gzip

    zlib_ng = pytest.importorskip("zlib_ng.zlib_ng", reason="the gzip extra (zlib-ng) is not installed")
    modules = {"zlib": zlib, "zlib_ng": zlib_ng}
    path, plain = tmp_path / "sups.jsonl.gz", tmp_path / "sups.jsonl"
    sups(2000).to_file(plain)
    monkeypatch.setattr(blocked_gzip, "_deflate", modules[writer])
    sups(2000).to_file(path)
    monkeypatch.setattr(blocked_gzip, "_deflate", modules[reader])
    assert gzip.decompress(path.read_bytes()) == plain.read_bytes()
    lines = plain.read_bytes().splitlines()
    reader_ = BlockedGzipReader(path)
    assert [reader_.raw(i) for i in (0, 777, 1999)] == [lines[i] + b"\n" for i in (0, 777, 1999)]


@pytest.mark.parametrize("blocked", [True, False])
def test_indexing_a_truncated_gz_is_refused_and_leaves_it(tmp_path: Path, blocked: bool) -> None:
    from lhotse_lite.errors import ManifestFormatError
    from lhotse_lite.manifest.blocked_gzip import index_gzip_manifest

    path = tmp_path / "sups.jsonl.gz"
    if blocked:
        sups(3000).to_file(path)
        gzi_path(path).unlink()
    else:
        path.write_bytes(gzip.compress(b"".join(dumps_line(s.to_dict()) for s in sups(3000))))
    cut = path.read_bytes()[:-5000]
    path.write_bytes(cut)
    with pytest.raises(ManifestFormatError, match="truncated"):
        index_gzip_manifest(path)
    assert path.read_bytes() == cut and not gzi_path(path).exists()
