"""A manifest write killed with SIGKILL leaves at most one temporary file, which the next write of the
same file removes: after a finished write only the manifest is left.
"""

import signal
import subprocess
import sys
import textwrap
import time

from lhotse_lite.manifest.sidecars import is_index_file
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

TO_FILE = textwrap.dedent("""
    import sys, time
    from lhotse_lite.manifest import formats

    def slow():
        for i in range(100000):
            time.sleep(0.001)
            yield {"id": f"s{i}", "recording_id": "r", "start": 0.0, "duration": 1.0}

    print("writing", flush=True)
    formats.write_dicts(slow(), sys.argv[1])
""")


def test_killed_to_file_leaves_no_temp_files_behind_after_the_next_write(tmp_path):
    target = tmp_path / "sups.jsonl.gz"
    for _ in range(2):
        proc = subprocess.Popen([sys.executable, "-c", TO_FILE, str(target)], stdout=subprocess.PIPE)
        assert proc.stdout.readline() == b"writing\n"
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob(".sups.jsonl.gz.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert len(list(tmp_path.glob(".*.tmp"))) == 1 and not target.exists()  # the 2nd write removed the 1st's
    SupervisionSet([SupervisionSegment("s1", "r", 0, 1)]).to_file(target)
    assert sorted(p.name for p in tmp_path.iterdir() if not is_index_file(p.name)) == ["sups.jsonl.gz"]
