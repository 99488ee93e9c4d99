"""Writing a ``.jsonl.gz`` manifest into a folder that does not exist yet creates the folder (as for ``.jsonl``)."""

import gzip
from pathlib import Path

from lhotse_lite.manifest.blocked_gzip import gzi_path
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def test_gz_manifest_writer_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "sups.jsonl.gz"
    SupervisionSet([SupervisionSegment(f"s{i}", "r", float(i), 1.0) for i in range(10)]).to_file(path)
    assert gzip.decompress(path.read_bytes()).count(b"\n") == 10
    assert gzi_path(path).exists()
