"""Two runs on one output at the same time: one finishes intact, the other fails at once with the lock error.

Each run is a real process. The first run's recording list holds a ``command`` source that waits for
a file the test creates, so the first run is certain to hold its output while the second one starts.
Both runs write relative paths from their own working folder, so their outputs compare byte for byte
with an uninterrupted run's in another folder.
"""

import gzip
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.features.manifest import FeatureSet

START_TIMEOUT_S = 180  # a child on a loaded 2-core machine may take long to import torch and start

LITE = [sys.executable, "-c", "from lhotse_lite.cli import cli; cli()"]

BUILDER = """
import sys
from lhotse_lite.audio import RecordingSet
from lhotse_lite.features.base import FeatureSetBuilder
from lhotse_lite.features.io import LilcomChunkyWriter
from lhotse_lite.features.kaldi.extractors import Fbank
if __name__ == "__main__":
    with LilcomChunkyWriter("out/feats") as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            RecordingSet.from_file(sys.argv[1]), output_manifest="out/feats.jsonl", num_jobs=2, progress_bar=False)
"""


@pytest.fixture
def recordings(tmp_path):
    """Six short recordings; the third one's audio is read by a command that waits for ``tmp_path/go``."""
    recs = []
    for i in range(6):
        path = tmp_path / f"a{i}.wav"
        sf.write(path, (0.1 * np.random.default_rng(i).standard_normal(4000 + 400 * i)).astype(np.float32), 16000)
        recs.append(Recording.from_file(path))
    waiting = f"while [ ! -e {tmp_path / 'go'} ]; do sleep 0.05; done; cat {recs[2].sources[0].source}"
    recs[2] = Recording(
        recs[2].id, [AudioSource("command", [0], waiting)], 16000, recs[2].num_samples, recs[2].duration
    )
    RecordingSet.from_recordings(recs).to_file(tmp_path / "recs.jsonl")
    for run in ("run", "reference"):
        (tmp_path / run).mkdir()
    return tmp_path / "recs.jsonl"


def _wait_for(condition, proc):
    deadline = time.monotonic() + START_TIMEOUT_S
    while not condition():
        assert proc.poll() is None, "the first run ended early"
        assert time.monotonic() < deadline, "the first run did not start in time"
        time.sleep(0.05)


def _run(args, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S)


def _popen(args, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _same_bytes(run, reference, names):
    """The same bytes; for ``.gz`` the same decompressed bytes (a resume adds a gzip member)."""
    for name in names:
        ours, theirs = (run / "out" / name).read_bytes(), (reference / "out" / name).read_bytes()
        if name.endswith(".gz"):
            ours, theirs = gzip.decompress(ours), gzip.decompress(theirs)
        assert ours == theirs, name


def test_two_cli_extractions_into_one_folder(tmp_path, recordings):
    run, args = tmp_path / "run", [*LITE, "feat", "extract", str(recordings), "out", "-j", "2"]
    first = _popen(args, run)
    try:
        _wait_for(lambda: (run / "out" / "feats.jsonl.gz.lock").exists(), first)
        second = _run(args, run)
        assert second.returncode == 1 and "Traceback" not in second.stderr
        errors = [line for line in second.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, second.stderr
        assert f"out/feats.lca is being written by process {first.pid}" in errors[0]
    finally:
        (tmp_path / "go").touch()
        first.wait(timeout=START_TIMEOUT_S)
    assert first.returncode == 0, first.stderr.read()
    feats = FeatureSet.from_file(run / "out" / "feats.jsonl.gz")
    assert len(feats) == 6
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(run)
        assert all(f.load().shape == (f.num_frames, 80) for f in feats)
    assert _run(args, run).returncode == 0  # a third run: nothing left to do, nothing changed
    assert _run(args, tmp_path / "reference").returncode == 0
    _same_bytes(run, tmp_path / "reference", ["feats.lca", "feats.jsonl.gz", "feats.jsonl.gz.producer.json"])
    assert sorted(os.listdir(run / "out")) == [
        "feats.jsonl.gz",
        "feats.jsonl.gz.gzi",  # the manifest's block index and summary, written with it
        "feats.jsonl.gz.idx.json",
        "feats.jsonl.gz.producer.json",
        "feats.lca",
    ]


def test_two_builder_runs_with_two_jobs_then_a_resume(tmp_path, recordings):
    run, args = tmp_path / "run", [sys.executable, "-c", BUILDER, str(recordings)]
    first = _popen(args, run)
    try:
        archive = run / "out" / "feats.lca"
        _wait_for(lambda: archive.exists() and archive.stat().st_size > 0, first)  # the first two are stored
        second = _run(args, run)
        assert second.returncode != 0
        assert f"OutputLockedError: out/feats.lca is being written by process {first.pid}" in second.stderr
    finally:
        first.send_signal(signal.SIGKILL)  # interrupted while it waits: a resume must finish its work
        first.wait(timeout=START_TIMEOUT_S)
        (tmp_path / "go").touch()
    third = _run(args, run)
    assert third.returncode == 0, third.stderr
    assert _run(args, tmp_path / "reference").returncode == 0
    _same_bytes(run, tmp_path / "reference", ["feats.lca", "feats.jsonl", "feats.jsonl.producer.json"])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(run)
        feats = FeatureSet.from_file("out/feats.jsonl")
        assert len(feats) == 6 and all(f.load().shape == (f.num_frames, 80) for f in feats)
