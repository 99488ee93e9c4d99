"""Helpers of the known-issue tests that kill a feature extraction: the extraction script (run with
``python -c`` or from a file, so that workers can import its ``augment_fn``) and a wait for its manifest
lines.

The script's arguments: ``storage manifest wav count jobs [flush_seconds]``; every recording takes 0.2 s
(a slow ``augment_fn``), so a kill lands in the middle of the work.
"""

import textwrap
import time

START_TIMEOUT_S = 180  # a child on a loaded 2-core machine may take long to import torch and start
EXIT_TIMEOUT_S = 10  # what "exits when its parent dies" must mean in practice


EXTRACT = textwrap.dedent("""
    import sys, time
    from lhotse_lite.audio import Recording
    from lhotse_lite.features.base import FeatureSetBuilder
    from lhotse_lite.features.io import LilcomChunkyWriter
    from lhotse_lite.features.kaldi.extractors import Fbank

    def slow(samples, rate):
        time.sleep(0.2)
        return samples

    if __name__ == "__main__":  # workers import this file too
        storage, manifest, wav, count, jobs, *flush_seconds = sys.argv[1:]
        if flush_seconds:  # how often the manifest is flushed (default: every second)
            import lhotse_lite.features.builder
            lhotse_lite.features.builder.MANIFEST_FLUSH_SECONDS = float(flush_seconds[0])
        recs = [Recording.from_file(wav, recording_id=f"r{i}") for i in range(int(count))]
        with LilcomChunkyWriter(storage) as writer:
            FeatureSetBuilder(Fbank(), writer, augment_fn=slow).process_and_store_recordings(
                recs, output_manifest=manifest, num_jobs=int(jobs), progress_bar=False)
""")


def wait_for_lines(path, count, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return True
        time.sleep(0.05)
    return False
