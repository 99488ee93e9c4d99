"""Safe writes: stale temporary files of dead writers removed, live or foreign ones kept; errors name the file."""

import errno
import os
import subprocess
import sys

import pytest

from lhotse_lite.errors import FileWriteError
from lhotse_lite.manifest import open_writer
from lhotse_lite.manifest.sidecars import is_index_file
from lhotse_lite.safe_writes import _host, make_temp_file, naming_write_errors, remove_stale_temp_files
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # reaped: no process has this pid until it is reused


def test_only_dead_writers_of_this_host_lose_their_temp_files(tmp_path):
    target = tmp_path / "sups.jsonl"
    dead, alive = _dead_pid(), os.getppid()
    names = {
        "dead": f".sups.jsonl.{_host()}-{dead}.x1y2z3w4.tmp",
        "dead, other target": f".recs.jsonl.gz.{_host()}-{dead}.x1y2z3w4.tmp",
        "alive": f".sups.jsonl.{_host()}-{alive}.x1y2z3w4.tmp",
        "ours": f".sups.jsonl.{_host()}-{os.getpid()}.x1y2z3w4.tmp",
        "other host": f".sups.jsonl.someotherhost-{dead}.x1y2z3w4.tmp",
        "not ours": "sups.jsonl.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_text("x")
    assert remove_stale_temp_files(target) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(v for k, v in names.items() if "dead" not in k)


def test_a_folder_is_scanned_once_per_process(tmp_path):
    assert remove_stale_temp_files(tmp_path / "a.jsonl") == 0
    (tmp_path / f".a.jsonl.{_host()}-{_dead_pid()}.x1y2z3w4.tmp").write_text("x")
    assert remove_stale_temp_files(tmp_path / "a.jsonl") == 0  # left for the next process


def test_temp_files_are_named_after_their_writer(tmp_path):
    fd, path = make_temp_file(tmp_path / "a.yaml")
    os.close(fd)
    assert os.path.basename(path).startswith(f".a.yaml.{_host()}-{os.getpid()}.")


def test_a_write_removes_the_leftovers_of_killed_writes(tmp_path):
    stale = tmp_path / f".s.json.{_host()}-{_dead_pid()}.abcdefgh.tmp"
    stale.write_text("[{")
    SupervisionSet([SupervisionSegment("a", "r", 0, 1)]).to_file(tmp_path / "s.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS])
def test_write_only_errors_name_the_file(code):
    with (
        pytest.raises(FileWriteError, match=r"cannot write '/out/x\.jsonl'") as caught,
        naming_write_errors("/out/x.jsonl"),
    ):
        raise OSError(code, os.strerror(code))
    assert caught.value.errno == code and caught.value.filename == "/out/x.jsonl"
    assert ("free some space" in str(caught.value)) == (code != errno.EROFS)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EIO, "Input/output error"),  # may come from reading
        FileNotFoundError("manifest file not found: 'in.jsonl'"),
        PermissionError(errno.EACCES, "Permission denied", "/out/x.jsonl"),  # names its file already
        ValueError("not an OSError"),
    ],
)
def test_other_errors_pass_through(error):
    with pytest.raises(type(error)) as caught, naming_write_errors("/out/x.jsonl"):
        raise error
    assert caught.value is error


def test_incremental_writer_names_its_partial_file_on_enospc(tmp_path, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    with (
        pytest.raises(FileWriteError, match=r"items\.jsonl\.partial': No space left on device"),
        open_writer(tmp_path / "items.jsonl") as writer,
    ):
        writer.write({"id": "a"})
        monkeypatch.setattr(os, "fsync", no_space)
    assert (tmp_path / "items.jsonl.partial").exists()  # kept for a resume


def test_a_killed_resume_leaves_no_recover_file(tmp_path):
    (tmp_path / "items.jsonl.partial.recover").write_text('{"id": "half')
    with open_writer(tmp_path / "items.jsonl") as writer:
        writer.write({"id": "a"})
    assert sorted(p.name for p in tmp_path.iterdir() if not is_index_file(p.name)) == ["items.jsonl"]
