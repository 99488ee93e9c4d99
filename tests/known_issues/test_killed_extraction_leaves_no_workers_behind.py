"""A SIGKILL of a parallel feature extraction (``-j 2``) leaves no worker, fork server or resource tracker
running: they exit when their parent dies. The work runs in a child process, bounded to seconds.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.known_issues.cli_helpers import write_wav
from tests.known_issues.killed_runs import EXIT_TIMEOUT_S, EXTRACT, START_TIMEOUT_S, wait_for_lines


def _session_processes(session_id):
    """The processes of a session (``setsid``) that are not zombies: pid -> command line."""
    alive = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        state, session = fields[0], int(fields[3])
        if session == session_id and state != "Z":
            alive[int(entry.name)] = cmdline
    return alive


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_parent_leaves_no_worker_fork_server_or_tracker(tmp_path):
    # Bug: SIGKILL of `lite feat extract -j 2` left the fork server, both workers and the resource
    # tracker running (about 640 MB) for minutes: the workers waited for work forever.
    wav = write_wav(tmp_path / "a.wav", seconds=2.0)
    manifest = tmp_path / "f.jsonl"
    script = tmp_path / "extract.py"  # a file, so that the workers can import its augment_fn
    script.write_text(EXTRACT)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "f.lca"), str(manifest), str(wav), "200", "2"],
        start_new_session=True,
    )
    try:
        assert wait_for_lines(tmp_path / "f.jsonl.partial", 2, proc, START_TIMEOUT_S), "workers never produced"
        before = _session_processes(proc.pid)
        assert sum("forkserver" in c for c in before.values()) >= 3, before  # server + 2 workers
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + EXIT_TIMEOUT_S
        while _session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_processes(proc.pid) == {}
    finally:
        for pid in _session_processes(proc.pid):  # never leave them behind, even when the test fails
            _kill_quietly(pid)


def _kill_quietly(pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
