"""How indexed lazy passes read: in file order streamed (resumable at any item), shuffled by chunks of positions.

Every pass must yield exactly what ``node[i]`` reads for its positions, in the same order, whatever the
chunking or the point where a pass was resumed.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lhotse_lite.errors import ManifestFieldError, ManifestFormatError
from lhotse_lite.indexing import LazyShuffledRange, create_jsonl_index
from lhotse_lite.manifest.blocked_gzip import BlockedGzipReader, write_blocked_gzip
from lhotse_lite.manifest.indexed import CHUNK_ITEMS, LazyIndexedManifestIterator
from lhotse_lite.serialization import load_manifest_lazy
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

N = 700  # lines of about 250 bytes: several 12 KiB gzip members


def write(path: Path, n: int = N) -> Path:
    segments = [SupervisionSegment(f"s{i:04d}", "r", float(i), 1.0, text="w " * (i % 150)) for i in range(n)]
    SupervisionSet(segments).to_file(path)
    return path


def node(path: Path, **kwargs) -> LazyIndexedManifestIterator:
    return LazyIndexedManifestIterator(path, decode=SupervisionSegment.from_dict, **kwargs)


def ids(items) -> list:
    return [s.id for s in items]


@pytest.fixture(params=[".jsonl", ".jsonl.gz"])
def manifest(request, tmp_path: Path) -> Path:
    return write(tmp_path / f"sups{request.param}")


def resumed_at(path: Path, k: int, **kwargs) -> list:
    """The rest of a pass stopped after ``k`` items, continued by a fresh node from the saved state."""
    first = node(path, **kwargs)
    it = iter(first)
    for _ in range(k):
        next(it)
    fresh = node(path, **kwargs)
    fresh.load_state_dict(first.state_dict())
    return ids(fresh)


def test_in_order_pass_resumes_at_any_item(manifest: Path) -> None:
    reference = ids(node(manifest)[i] for i in range(N))
    assert ids(node(manifest)) == reference
    if manifest.suffix == ".gz":
        reader = BlockedGzipReader(manifest)
        assert reader.num_blocks > 5
        edges = reader.first_lines[1:4]
        picks = sorted({0, 1, N - 1, N} | {e + d for e in edges for d in (-1, 0, 1)})
    else:
        picks = [0, 1, 2, 137, 350, N - 1, N]
    for k in picks:
        assert resumed_at(manifest, k) == reference[k:], k


def test_shuffled_pass_follows_the_permutation_across_chunks(tmp_path: Path) -> None:
    n = 64 + 128 + 256 + 512 + 1000  # chunks of growing sizes, the last one partial
    path = write(tmp_path / "sups.jsonl", n)
    perm = LazyShuffledRange(n, seed=9)
    reference = [f"s{perm[i]:04d}" for i in range(n)]
    assert ids(node(path, shuffle=True, seed=9)) == reference
    for k in (0, 63, 64, 65, 191, 192, 1000, n - 1, n):
        assert resumed_at(path, k, shuffle=True, seed=9) == reference[k:], k


def test_shuffled_gz_pass_reads_shared_blocks_once(tmp_path: Path) -> None:
    path = write(tmp_path / "sups.jsonl.gz")
    perm = LazyShuffledRange(N, seed=4)
    assert ids(node(path, shuffle=True, seed=4)) == [f"s{perm[i]:04d}" for i in range(N)]
    reader = BlockedGzipReader(path)
    lines = reader.lines_at([5, 690, 6, 5, 1])
    assert lines == [reader.raw(i) for i in (5, 690, 6, 5, 1)]


def test_chunks_are_bounded() -> None:
    assert 64 <= CHUNK_ITEMS <= 1 << 14


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_a_blank_or_bad_line_fails_a_pass_as_it_fails_a_read(tmp_path: Path, suffix: str) -> None:
    good = b'{"id": "a", "recording_id": "r", "start": 0, "duration": 1}\n'
    bad_lines = {"blank": (b"\n", ManifestFormatError), "list": (b"[1, 2]\n", ManifestFormatError)}
    bad_lines["field"] = (b'{"id": "x"}\n', ManifestFieldError)
    for name, (bad, error) in bad_lines.items():
        path = tmp_path / f"{name}{suffix}"
        lines = [good, good, bad, good]
        if suffix == ".jsonl.gz":
            write_blocked_gzip(path, lines)
        else:
            path.write_bytes(b"".join(lines))
            create_jsonl_index(path)
        lazy = node(path)
        where = re.escape(f"{path.name}:3")
        with pytest.raises(error, match=where):
            lazy[2]
        with pytest.raises(error, match=where):
            list(lazy)
        with pytest.raises(error, match=where):
            list(node(path, shuffle=True, seed=1))
        if suffix == ".jsonl.gz":
            with pytest.raises(error, match=where):
                list(node(path, shuffle=True, seed=1, block_window=2))
        assert len(lazy) == 4


SCRIPT = """
import sys
from lhotse_lite.manifest import load_manifest_lazy
sups = load_manifest_lazy(sys.argv[1])
n = sum(1 for _ in sups)
print(n, len(sups), "numpy" in sys.modules)
print(sups[n - 1].id, "numpy" in sys.modules)
"""


def test_in_order_gz_pass_reads_neither_the_block_index_nor_numpy(tmp_path: Path) -> None:
    path = write(tmp_path / "sups.jsonl.gz")
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(N), str(N), "False", f"s{N - 1:04d}", "True"]


def test_in_order_gz_pass_refuses_a_stale_index_before_reading(tmp_path: Path) -> None:
    from lhotse_lite.errors import StaleIndexError

    path = write(tmp_path / "sups.jsonl.gz")
    with open(path, "ab") as f:
        f.write(gzip.compress(b'{"id": "x", "recording_id": "r", "start": 0, "duration": 1}\n'))
    with pytest.raises(StaleIndexError, match=r"sups\.jsonl\.gz\.gzi.*sups\.jsonl\.gz"):
        node(path)
    with pytest.raises(StaleIndexError):
        load_manifest_lazy(path)
