"""Resampling against Lhotse 1.33: soxr (ours) and Lhotse's torch windowed-sinc resampler.

Run: python benchmarks/bench_resampling.py [--seconds 60] [--repeats 5]

Both libraries resample the same mono noise (float32 in ``[-1, 1]``) with one torch/BLAS thread. Ours is
:func:`lhotse_lite.audio.transforms.resample_samples` (libsoxr, "HQ"); Lhotse's is the resampler its
``Speed`` and ``Resample`` transforms use (``lhotse.augmentation.torchaudio.get_or_create_resampler``:
a cached windowed-sinc kernel in torch, used when torchaudio is absent), with its kernel built before
the timing. Timings are medians over ``--repeats`` calls, ours and Lhotse's alternating; "x" is how many
times faster ours is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable, List

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch

CASES = [(16000, 8000), (16000, 22050), (17600, 16000)]  # the last: speed perturbation by 1.1


def _time_ms(fn: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the input in seconds")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per case and library")
    args = parser.parse_args()
    torch.set_num_threads(1)

    from lhotse.augmentation.torchaudio import get_or_create_resampler

    from lhotse_lite.audio.transforms import resample_samples

    print(f"{args.seconds:g} s of noise, 1 thread, medians of {args.repeats} calls")
    print(f"{'case':>22}  {'ours ms':>9}  {'lhotse ms':>9}  {'x lhotse':>8}")
    for source, target in CASES:
        samples = np.random.default_rng(0).uniform(-1, 1, (1, int(args.seconds * source))).astype(np.float32)
        theirs = get_or_create_resampler(source, target)
        tensor = torch.from_numpy(samples)
        ours_ms: List[float] = []
        theirs_ms: List[float] = []
        for _ in range(args.repeats):
            ours_ms.append(_time_ms(resample_samples, samples, source, target))
            theirs_ms.append(_time_ms(theirs, tensor))
        ours, ref = statistics.median(ours_ms), statistics.median(theirs_ms)
        print(f"{f'{source} -> {target} Hz':>22}  {ours:9.1f}  {ref:9.1f}  {ref / ours:8.2f}")


if __name__ == "__main__":
    main()
