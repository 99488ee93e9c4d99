"""A feature extraction resumed after kills writes the same archive as an uninterrupted run: matrices
stored after the last manifest flush of a killed run are cut off, not kept as unreferenced bytes.
"""

import json
import signal
import subprocess
import sys
import time

from tests.known_issues.cli_helpers import write_wav
from tests.known_issues.killed_runs import EXTRACT, START_TIMEOUT_S, wait_for_lines


def _referenced_end(partial):
    ends = [
        sum(int(f) for f in json.loads(line)["storage_key"].split(","))
        for line in partial.read_text().splitlines()
        if line.endswith("}")
    ]
    return max(ends, default=0)


def test_resumed_archive_does_not_grow_by_the_unreferenced_bytes_of_killed_runs(tmp_path):
    # Bug: each interrupted run left the matrices it stored after its last manifest flush in the
    # archive; the resume appended after them (+64 % after two kills).
    wav = write_wav(tmp_path / "a.wav", seconds=2.0)
    archive, manifest, partial = tmp_path / "k.lca", tmp_path / "k.jsonl", tmp_path / "k.jsonl.partial"
    args = [str(archive), str(manifest), str(wav), "16", "1"]
    garbage = 0
    for _ in range(2):  # two kills, each after storing matrices whose lines were never flushed
        kept = partial.read_text().count("\n") if partial.exists() else 0
        proc = subprocess.Popen([sys.executable, "-c", EXTRACT, *args, "1000"])  # flush the 1st line only
        try:
            assert wait_for_lines(partial, kept + 1, proc, START_TIMEOUT_S)
            deadline = time.monotonic() + 60
            while archive.stat().st_size <= _referenced_end(partial) and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        garbage += archive.stat().st_size - _referenced_end(partial)
    assert garbage > 0  # the kills did leave unreferenced bytes behind
    fast = EXTRACT.replace("time.sleep(0.2)", "pass")
    subprocess.run([sys.executable, "-c", fast, *args], check=True, timeout=START_TIMEOUT_S)
    subprocess.run(
        [sys.executable, "-c", fast, str(tmp_path / "clean.lca"), str(tmp_path / "c.jsonl"), *args[2:]],
        check=True,
        timeout=START_TIMEOUT_S,
    )
    assert archive.read_bytes() == (tmp_path / "clean.lca").read_bytes()
    assert manifest.read_text().replace("k.lca", "clean.lca") == (tmp_path / "c.jsonl").read_text()
