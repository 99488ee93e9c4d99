"""A full disk is one error line naming the file that could not be written (CLI), or a ``FileWriteError``
that is an ``OSError`` with ``ENOSPC`` (library); the temporary file is removed.
"""

import errno
import os

import pytest

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.errors import FileWriteError
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from tests.known_issues.cli_helpers import one_error_line, run, write_wav


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_names_the_file(tmp_path, monkeypatch):
    recs = tmp_path / "r.jsonl"
    RecordingSet([Recording.from_file(write_wav(tmp_path / "a.wav"), recording_id="a")]).to_file(recs)
    (tmp_path / "out").mkdir()
    os.symlink("/dev/full", tmp_path / "out" / "feats.lca")  # every write: ENOSPC
    message = one_error_line(run("feat", "extract", recs, tmp_path / "out"))
    assert f"cannot write '{tmp_path / 'out' / 'feats.lca'}': No space left on device" in message

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(FileWriteError, match=r"sups\.jsonl") as caught:
        SupervisionSet([SupervisionSegment("s1", "r", 0, 1)]).to_file(tmp_path / "sups.jsonl")
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)
    assert not list(tmp_path.glob(".sups*"))  # the temporary file is removed
