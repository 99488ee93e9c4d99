"""Regression: ``SequentialJsonlWriter.open_manifest()`` while the writer is open returns the items so far.

It raised ``ManifestError`` ("close the writer first"), where Lhotse 1.33 flushes and returns a lazy set
over the file being written; code that checks its progress that way failed.
"""

import pytest

from lhotse_lite.manifest import SequentialJsonlWriter
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


@pytest.mark.parametrize("name", ["s.jsonl", "s.jsonl.gz"])
def test_items_written_so_far_then_the_finished_file(tmp_path, name):
    with SequentialJsonlWriter(tmp_path / name) as writer:
        assert writer.open_manifest() is None
        writer.write(SupervisionSegment("a", "r", 0.0, 1.0))
        sups = writer.open_manifest()
        assert isinstance(sups, SupervisionSet) and sups.is_lazy and [s.id for s in sups] == ["a"]
        writer.write(SupervisionSegment("b", "r", 1.0, 1.0), flush=True)
        assert [s.id for s in sups] == ["a", "b"]
    assert [s.id for s in sups] == ["a", "b"]  # after close: the file in place
    assert not (tmp_path / f"{name}.partial").exists()
