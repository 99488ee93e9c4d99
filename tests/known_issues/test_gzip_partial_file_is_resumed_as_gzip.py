"""A resumed ``.jsonl.gz`` write reads its compressed ``.partial`` file as gzip and keeps every item
already written.
"""

import gzip

from lhotse_lite.manifest import open_writer
from lhotse_lite.manifest.formats import iter_jsonl_dicts


def test_gzip_partial_file_is_resumed_as_gzip(tmp_path):
    # Bug: resuming decided "gzip or not" from the name of `<path>.partial`, which does not end in
    # ".gz", so a compressed partial file was read as text and every item was dropped.
    path = tmp_path / "w.jsonl.gz"
    (tmp_path / "w.jsonl.gz.partial").write_bytes(gzip.compress(b'{"id": "a"}\n{"id": "b"}\n'))
    with open_writer(path, overwrite=False) as w:
        assert w.contains("a") and w.contains("b")
        w.write({"id": "c"})
    assert [d["id"] for _, d in iter_jsonl_dicts(path)] == ["a", "b", "c"]
