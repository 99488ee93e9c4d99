"""Feature storage against Lhotse 1.33: lilcom_chunky write speed, size, and 100-frame slice reads.

Run: python benchmarks/bench_feature_storage.py [--matrices 200] [--repeats 5]

Both libraries store the same fbank matrices (real ``Fbank`` output of synthetic speech-like audio,
5-15 s each) in a ``lilcom_chunky`` archive at ``tick_power=-5``. Timings are medians over
``--repeats`` runs, ours and Lhotse's alternating, with one torch/BLAS thread; ratios > 1 mean
lhotse_lite is faster. Lhotse's writer quantises the arrays it is given in place, so it gets fresh
copies made outside the timed region.

Reads go through ``Features.load(start, duration=1.0)``: random slices with lhotse_lite's decoded-chunk
cache disabled (every read decodes its chunk, as Lhotse does), and every consecutive 1 s segment of
every matrix with the cache on (how a data loader reads cuts of long recordings).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch


def _matrices(count: int, seed: int = 0) -> list:
    from lhotse_lite.features.kaldi.extractors import Fbank

    rng = np.random.default_rng(seed)
    fbank = Fbank()
    out = []
    for _ in range(count):
        n = int(rng.uniform(5, 15) * 16000)
        t = np.arange(n) / 16000
        f0 = rng.uniform(100, 300)
        audio = 0.2 * np.sin(2 * np.pi * f0 * t * (1 + 0.1 * np.sin(np.pi * t))) * (0.5 + 0.5 * np.sin(4 * np.pi * t))
        audio = audio + 0.02 * rng.standard_normal(n)
        out.append(fbank.extract(audio.astype(np.float32), 16000))
    return out


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _interleaved(ours, theirs, repeats: int) -> tuple:
    """Median seconds of ``ours()`` and ``theirs()``, timed alternately so that load changes hit both."""
    ours_times, their_times = [], []
    for _ in range(repeats):
        ours_times.append(_time(ours))
        their_times.append(_time(theirs))
    return statistics.median(ours_times), statistics.median(their_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matrices", type=int, default=200)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)

    import lhotse
    from lhotse.features.io import LilcomChunkyWriter as TheirWriter

    from lhotse_lite.features.io import LilcomChunkyWriter as OurWriter
    from lhotse_lite.features.manifest import Features

    mats = _matrices(args.matrices)
    frames = sum(len(m) for m in mats)
    folder = tempfile.mkdtemp()

    def write_ours(path):
        with OurWriter(path) as writer:
            return [writer.write(str(i), m) for i, m in enumerate(mats)]

    def write_theirs(path, copies):
        with TheirWriter(path) as writer:
            return [writer.write(str(i), m) for i, m in enumerate(copies)]

    ours_times, their_times = [], []
    for _ in range(args.repeats):  # interleaved, so that load changes hit both alike
        ours_times.append(_time(lambda: write_ours(os.path.join(folder, "ours.lca"))))
        copies = [m.copy() for m in mats]  # Lhotse's writer quantises its input in place
        their_times.append(_time(lambda copies=copies: write_theirs(os.path.join(folder, "theirs.lca"), copies)))
    ours_t, theirs_t = statistics.median(ours_times), statistics.median(their_times)
    our_keys = write_ours(os.path.join(folder, "ours.lca"))
    their_keys = write_theirs(os.path.join(folder, "theirs.lca"), [m.copy() for m in mats])
    our_bpf = os.path.getsize(os.path.join(folder, "ours.lca")) / frames
    their_bpf = os.path.getsize(os.path.join(folder, "theirs.lca")) / frames

    def manifests(lib_features, path, keys):
        return [
            lib_features(
                type="kaldi-fbank",
                num_frames=len(m),
                num_features=80,
                frame_shift=0.01,
                sampling_rate=16000,
                start=0,
                duration=len(m) / 100,
                storage_type="lilcom_chunky",
                storage_path=path,
                storage_key=k,
                recording_id=str(i),
                channels=0,
            )
            for i, (m, k) in enumerate(zip(mats, keys))
        ]

    ours_m = manifests(Features, os.path.join(folder, "ours.lca"), our_keys)
    theirs_m = manifests(lhotse.Features, os.path.join(folder, "theirs.lca"), their_keys)
    rng = np.random.default_rng(1)
    picks = [(int(i), float(rng.integers(0, len(mats[i]) - 100)) / 100) for i in rng.integers(0, len(mats), args.reads)]

    def read(items):
        for i, start in picks:
            items[i].load(start=start, duration=1.0)

    def read_segments(items):  # consecutive 1 s segments of every matrix, as a data loader of cuts reads
        for item, m in zip(items, mats):
            for start in range(0, len(m) // 100):
                item.load(start=float(start), duration=1.0)

    from lhotse_lite.features.storage.lilcom_chunky import set_chunk_cache_size

    set_chunk_cache_size(0)  # cold reads: no decoded chunk is reused
    ours_r, theirs_r = _interleaved(lambda: read(ours_m), lambda: read(theirs_m), args.repeats)
    ours_r, theirs_r = ours_r / args.reads, theirs_r / args.reads
    set_chunk_cache_size(64 << 20)
    segments = sum(len(m) // 100 for m in mats)
    ours_s, theirs_s = _interleaved(lambda: read_segments(ours_m), lambda: read_segments(theirs_m), args.repeats)
    ours_s, theirs_s = ours_s / segments, theirs_s / segments
    print(f"matrices={args.matrices} frames={frames} reads={args.reads} repeats={args.repeats}")
    print(f"{'metric':34s} {'lhotse_lite':>12s} {'lhotse 1.33':>12s} {'ratio':>7s}")
    print(
        f"{'write (ms per 1000 frames)':34s} {ours_t / frames * 1e6:12.3f} {theirs_t / frames * 1e6:12.3f} "
        f"{theirs_t / ours_t:7.2f}x"
    )
    print(
        f"{'read random 100-frame slice (ms)':34s} {ours_r * 1e3:12.3f} {theirs_r * 1e3:12.3f} "
        f"{theirs_r / ours_r:7.2f}x"
    )
    print(
        f"{'read consecutive 1 s segments (ms)':34s} {ours_s * 1e3:12.3f} {theirs_s * 1e3:12.3f} "
        f"{theirs_s / ours_s:7.2f}x"
    )
    print(f"{'bytes per frame (80-dim fbank)':34s} {our_bpf:12.2f} {their_bpf:12.2f} {their_bpf / our_bpf:7.2f}x")


if __name__ == "__main__":
    main()
