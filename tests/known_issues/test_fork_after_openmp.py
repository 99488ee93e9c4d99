"""Regression: a process pool forked after torch ran its OpenMP thread pool could hang forever.

The builder used to fork workers (``multiprocessing`` "fork" context). When the parent had already
run multi-threaded torch ops, a forked child could block for good inside libgomp in its first FFT:
the full test suite hung in ``test_process_pool_and_thread_pool_equal_single_process`` (py-spy showed
the worker in ``mkl_dft_compute_forward`` -> libgomp). The hang depends on the parent's thread-pool
state and did not reproduce in a small script, so this test guards the scenario (multi-threaded
torch in the parent, then a 2-job pool, under a timeout) rather than replaying the exact state.
Workers now come from a fork server that never runs torch ops itself.
"""

import subprocess
import sys
import textwrap

import numpy as np
import soundfile as sf


def test_process_pool_after_multithreaded_torch_in_parent_finishes(tmp_path):
    rate = 16000
    for i in range(4):
        noise = 0.1 * np.random.default_rng(i).standard_normal(rate * 2)
        sf.write(tmp_path / f"r{i}.wav", noise.astype(np.float32), rate)
    script = textwrap.dedent(
        f"""
        import torch
        from lhotse_lite.audio import RecordingSet
        from lhotse_lite.features.base import FeatureSetBuilder
        from lhotse_lite.features.io import LilcomChunkyWriter
        from lhotse_lite.features.kaldi.extractors import Fbank

        torch.set_num_threads(2)
        for _ in range(20):  # enter the OpenMP pool in the parent, as earlier tests did
            torch.fft.rfft(torch.randn(64, 512)).abs().sum()
            Fbank().extract(torch.randn(16000).numpy(), 16000)
        recordings = RecordingSet.from_dir({str(tmp_path)!r}, pattern="*.wav", progress_bar=False)
        with LilcomChunkyWriter({str(tmp_path / "feats.lca")!r}) as storage:
            feats = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
                recordings, num_jobs=2, progress_bar=False)
        print(len(feats))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "4"
