"""Executor tasks: recordings are batched, and Dask-style workers keep large temporaries on the heap."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lhotse_lite.features.builder import _batch_size

REPO = Path(__file__).resolve().parents[2]

# Counts the minor page faults of allocating and touching a fresh 4 MiB array 50 times. With glibc's
# mmap threshold frozen at 128 KiB (what MALLOC_TRIM_THRESHOLD_ does), every array is a new mapping:
# ~1000 faults each. With the threshold raised, freed memory is reused: a few faults in total.
SCRIPT = textwrap.dedent("""
    import resource, sys
    import numpy as np
    if sys.argv[1] == "fix":
        from lhotse_lite.features.executors import restore_dynamic_mmap_threshold
        restore_dynamic_mmap_threshold()
    np.ones(1 << 20, dtype=np.float32)  # warm-up
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        np.ones(1 << 20, dtype=np.float32)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _faults(mode):
    # a clean environment: other tests (Dask clusters) leave malloc and thread variables behind
    # (numpy's huge-page advice is off so that the count does not depend on the kernel's THP mode)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "MALLOC_TRIM_THRESHOLD_": "65536",
        "PYTHONPATH": str(REPO),
        "NUMPY_MADVISE_HUGEPAGE": "0",
    }
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc behaviour")
def test_worker_malloc_reuses_memory_when_dask_froze_the_mmap_threshold():
    frozen, fixed = _faults("plain"), _faults("fix")
    # each 4 MiB array is faulted in again (the problem being fixed): >= 1 fault per array even when
    # the kernel backs the mappings with huge pages, ~1000 per array with 4 KiB pages
    assert frozen >= 50
    assert fixed < frozen / 10


def test_batch_size_balances_workers():
    assert _batch_size(3, window=4) == 1  # few recordings: one per task
    assert _batch_size(200, window=6) == 4  # 2 workers: 50 tasks of 4
    assert _batch_size(1000, window=6) == 4  # never more than 4 per task
    assert _batch_size(40, window=6) == 2  # still >= 8 tasks per worker
