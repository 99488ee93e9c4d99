"""End-to-end feature extraction against Lhotse 1.33, and Dask scaling.

Run: python benchmarks/bench_feature_pipeline.py [--files 200] [--jobs 1 2] [--repeats 1] [--dask]

Audio: ``--files`` synthetic speech-like WAV files of 5-15 s (16 kHz, 16-bit) written once to a temp
folder. Each measurement: scan the folder (``RecordingSet.from_dir``), then compute 80-dim fbank for
every recording into a ``lilcom_chunky`` archive:

* lhotse_lite: ``FeatureSetBuilder(Fbank(), LilcomChunkyWriter(...)).process_and_store_recordings(
  recordings, output_manifest=..., num_jobs=J)``;
* Lhotse 1.33: ``CutSet.from_manifests(recordings).compute_and_store_features(Fbank(), path,
  num_jobs=J, storage_type=LilcomChunkyWriter)`` (Lhotse's recommended recipe).

Reported: audio seconds per wall-clock second (median of ``--repeats``) and the ratio. Worker start-up
is part of the measured time for both. After every run the script waits until that run's worker
processes are idle before timing the next one: Lhotse's returns while its workers are still busy
(printed), and that CPU would otherwise be charged to the next run.

``--dask`` also runs lhotse_lite on a ``LocalCluster`` with one and one with two single-threaded
worker processes, alternating between the two clusters run by run (cluster start-up and a warm-up
run excluded), with each worker's CPU seconds per run: on a busy machine the wall-clock speed-up can
hide behind other load, while halved per-worker CPU time still shows that the work is split evenly.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import soundfile as sf


def make_audio(folder: Path, count: int, seed: int = 0) -> float:
    """Writes ``count`` WAV files of 5-15 s; returns the total duration in seconds."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for i in range(count):
        n = int(rng.uniform(5, 15) * 16000)
        t = np.arange(n) / 16000
        f0 = rng.uniform(100, 300)
        audio = 0.2 * np.sin(2 * np.pi * f0 * t * (1 + 0.1 * np.sin(np.pi * t))) * (0.5 + 0.5 * np.sin(4 * np.pi * t))
        audio = audio + 0.02 * rng.standard_normal(n)
        sf.write(folder / f"utt{i:04d}.wav", audio.astype(np.float32), 16000, subtype="PCM_16")
        total += n / 16000
    return total


def run_ours(audio: Path, out: Path, jobs: int, executor=None) -> None:
    from lhotse_lite.audio import RecordingSet
    from lhotse_lite.features.base import FeatureSetBuilder
    from lhotse_lite.features.io import LilcomChunkyWriter
    from lhotse_lite.features.kaldi.extractors import Fbank

    recordings = RecordingSet.from_dir(audio, "*.wav", progress_bar=False)
    with LilcomChunkyWriter(out / "feats.lca") as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            recordings, output_manifest=out / "feats.jsonl.gz", num_jobs=jobs, executor=executor, progress_bar=False
        )


def run_lhotse(audio: Path, out: Path, jobs: int) -> None:
    import lhotse

    recordings = lhotse.RecordingSet.from_dir(audio, "*.wav")
    cuts = lhotse.CutSet.from_manifests(recordings=recordings)
    cuts.compute_and_store_features(
        lhotse.Fbank(), out / "feats", num_jobs=jobs, storage_type=lhotse.LilcomChunkyWriter, progress_bar=False
    )


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def wait_for_workers(timeout: float = 30.0) -> float:
    """Waits until the worker processes of the previous run are idle or gone; returns the seconds waited.

    Lhotse's ``compute_and_store_features`` returns while its spawned workers are still busy (about 1 s
    at ~95% CPU each here, after which they idle until garbage-collected); timing the next run
    straight away would charge that CPU to whoever runs next. The wait is counted in neither timing.
    Needs Linux's ``/proc``; elsewhere it does not wait.
    """
    start = time.perf_counter()
    before = None
    while time.perf_counter() - start < timeout:
        children = [p.pid for p in multiprocessing.active_children() if p.pid is not None]
        now = sum(_cpu_ticks(pid) for pid in children)
        if not children or now == before:  # no CPU tick (10 ms) used in the last 50 ms
            break
        before = now
        time.sleep(0.05)
    return time.perf_counter() - start


def timed(fn, repeats: int, waits: list) -> float:
    times = []
    for _ in range(repeats):
        out = Path(tempfile.mkdtemp())
        start = time.perf_counter()
        fn(out)
        times.append(time.perf_counter() - start)
        waits.append(wait_for_workers())
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--dask", action="store_true")
    parser.add_argument("--skip-lhotse", action="store_true")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    audio = Path(tempfile.mkdtemp()) / "audio"
    seconds = make_audio(audio, args.files)
    print(
        f"files={args.files} audio={seconds:.0f}s repeats={args.repeats} cpus={os.cpu_count()} "
        f"load={os.getloadavg()[0]:.1f}"
    )
    import lhotse  # noqa: F401  (imports excluded from the timings)

    import lhotse_lite.features.base  # noqa: F401

    print(f"{'run':28s} {'lhotse_lite':>14s} {'lhotse 1.33':>14s} {'ratio':>7s}   (audio s / wall s)")
    waits: dict = {"lhotse_lite": [], "lhotse": []}
    for jobs in args.jobs:
        ours_times, their_times = [], []
        for _ in range(args.repeats):  # interleaved, so that load changes hit both alike
            ours_times.append(timed(lambda out, j=jobs: run_ours(audio, out, j), 1, waits["lhotse_lite"]))
            if not args.skip_lhotse:
                their_times.append(timed(lambda out, j=jobs: run_lhotse(audio, out, j), 1, waits["lhotse"]))
        ours = statistics.median(ours_times)
        theirs = statistics.median(their_times) if their_times else float("nan")
        print(
            f"{f'from_dir + fbank, {jobs} job(s)':28s} {seconds / ours:14.1f} {seconds / theirs:14.1f} "
            f"{theirs / ours:7.2f}x   load {os.getloadavg()[0]:.1f}"
        )
    for name, waited in waits.items():
        if waited and max(waited) > 0.05:
            print(
                f"({name}'s worker processes kept working after its run returned, for up to {max(waited):.2f} s; "
                "waited for, counted in neither timing)"
            )
    if args.dask:
        run_dask(audio, seconds, args.repeats)


def run_dask(audio: Path, seconds: float, repeats: int) -> None:
    """Times lhotse_lite on a one-worker and a two-worker ``LocalCluster``, alternating run by run.

    Both clusters stay up the whole time (an idle Dask worker uses next to no CPU), so each pair of
    runs sees the same machine load; cluster start-up and one warm-up run per cluster are excluded.
    """
    import contextlib

    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        clients = {}
        for workers in (1, 2):
            cluster = stack.enter_context(
                LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=":0")
            )
            clients[workers] = stack.enter_context(Client(cluster))
            run_ours(audio, Path(tempfile.mkdtemp()), 1, executor=clients[workers].get_executor())  # warm-up
        before = {w: c.run(time.process_time) for w, c in clients.items()}
        times: dict = {1: [], 2: []}
        for _ in range(repeats):
            for workers, client in clients.items():
                times[workers].append(timed(lambda out, c=client: run_ours(audio, out, 1, c.get_executor()), 1, []))
        after = {w: c.run(time.process_time) for w, c in clients.items()}
    speeds = {w: seconds / statistics.median(t) for w, t in times.items()}
    for workers in (1, 2):
        cpu = [round((after[workers][k] - before[workers][k]) / repeats, 2) for k in sorted(after[workers])]
        print(
            f"{f'dask LocalCluster, {workers} worker(s)':28s} {speeds[workers]:14.1f}   worker CPU s per run "
            f"{cpu}   load {os.getloadavg()[0]:.1f}"
        )
    print(f"dask 2 workers / 1 worker: {speeds[2] / speeds[1]:.2f}x")


if __name__ == "__main__":
    main()
