"""A run writing a URL output does not overwrite the output another run completed after it began.

Two runs on two machines (two staging folders, so their local locks do not meet) wrote one URL; the
run that finished last replaced the other's complete output without a word.
"""

import uuid

import pytest

from lhotse_lite import remote
from lhotse_lite.errors import OutputChangedError
from lhotse_lite.manifest.formats import iter_jsonl_dicts
from lhotse_lite.manifest.writer import SequentialJsonlWriter


def test_the_later_run_is_refused_and_keeps_its_output(tmp_path, monkeypatch):
    url = f"memory://known-issues-{uuid.uuid4().hex[:8]}/items.jsonl"
    monkeypatch.setenv(remote.STAGING_ENV_VAR, str(tmp_path / "machine-a"))
    first = SequentialJsonlWriter(url)
    first.write({"id": "a"})
    monkeypatch.setenv(remote.STAGING_ENV_VAR, str(tmp_path / "machine-b"))
    with SequentialJsonlWriter(url) as second:
        second.write({"id": "b"})
    with pytest.raises(OutputChangedError, match="written by another run"):
        first.close()
    assert [d["id"] for _, d in iter_jsonl_dicts(url)] == ["b"]
    assert first.path.read_bytes() == b'{"id":"a"}\n'
