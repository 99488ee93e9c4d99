"""The output lock: one holder at a time, its pid named, free again when the holder closes or dies."""

import os
import pickle
import signal
import subprocess
import sys
import time

import pytest

from lhotse_lite.errors import OutputLockedError
from lhotse_lite.output_lock import OutputLock, lock_path_of

HOLD = """
import sys, time
from lhotse_lite.output_lock import OutputLock
lock = OutputLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_lock_file_layout(tmp_path):
    assert lock_path_of(tmp_path / "feats.lca") == tmp_path / "feats.lca.lock"
    assert lock_path_of(f"{tmp_path}/feats/") == tmp_path / "feats.lock"
    assert lock_path_of(".") == lock_path_of(os.getcwd())


def test_one_holder_in_one_process(tmp_path):
    first, second = OutputLock(tmp_path / "a.jsonl"), OutputLock(tmp_path / "a.jsonl")
    with first:
        assert (tmp_path / "a.jsonl.lock").read_text() == f"{os.getpid()}\n"
        with pytest.raises(OutputLockedError, match=rf"a\.jsonl is being written by process {os.getpid()}") as err:
            second.acquire()
        assert isinstance(err.value, BlockingIOError)
        with pytest.raises(OutputLockedError):
            second.check()
        first.acquire()  # held already: nothing happens
        first.check()
        assert pickle.loads(pickle.dumps(first)).held is False  # a copy in another process holds nothing
    assert not (tmp_path / "a.jsonl.lock").exists()
    second.check()
    with second:
        assert second.held


def test_lock_of_another_process_and_of_a_killed_one(tmp_path):
    target = tmp_path / "feats.lca"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(target)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputLockedError, match=f"being written by process {holder.pid}, which holds"):
            OutputLock(target).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (tmp_path / "feats.lca.lock").read_text() == f"{holder.pid}\n"  # a dead holder's file stays ...
    deadline = time.monotonic() + 10
    lock = OutputLock(target)
    lock.acquire()  # ... but its lock went with it
    assert time.monotonic() < deadline
    assert (tmp_path / "feats.lca.lock").read_text() == f"{os.getpid()}\n"
    lock.release()
