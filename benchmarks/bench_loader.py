"""Benchmark lhotse_lite's loader against Lhotse 1.33's DynamicBucketingSampler + K2SpeechRecognitionDataset.

Both sides read the same manifests and the same lilcom features (Lhotse's ``CutSet`` is built from our
manifests with ``CutSet.from_manifests``). Measures, in one run:

* time to first batch over ``--num-index`` supervisions: ours from a durations sidecar (warm) and with
  the one streaming pass that writes it (cold), plus reading the batch's supervisions when the manifest
  is indexed (``from_jsonl_lazy(indexed=True)`` after ``lite index``); Lhotse's over a lazy ``CutSet``
  (``--num-lhotse-index`` cuts: its first batch reads only the bins estimate and its buffer);
* batches/s and items/s over epochs of ``--num-corpus`` supervisions with precomputed lilcom features
  (80-dim), ``SpeechRecognitionDataset`` vs ``K2SpeechRecognitionDataset``: 0 workers (torch's default
  number of threads, and one thread), 2 DataLoader workers started for every epoch, 2 persistent
  workers. Each side builds its ``DataLoader`` once and runs one untimed warm-up epoch; the timed epochs
  alternate between the sides (the first side alternating too), and each records its wall time, the
  main process's CPU time and the workers' CPU time (worker start-up included on both sides);
* padding (padded frames / real frames) at the same ``max_duration`` over ``--num-padding`` durations;
* resume at batch 10,000 (ours: a fresh sampler, ``load_state_dict``, first batch);
* sampler memory (tracemalloc peak, durations included) over ``--num-memory`` supervisions.

Medians of ``--repeats`` runs; ratios are lhotse_lite / Lhotse for speed (higher is better) and padding
(lower is better). Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/bench_loader.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from typing import Any, Callable, Dict, List

import numpy as np

MAX_DURATION = 200.0
NUM_BUCKETS = 10


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _write_supervisions(path: str, durations: np.ndarray) -> None:
    import gzip

    with gzip.open(path, "wt", compresslevel=1) as f:
        for i, d in enumerate(durations.tolist()):
            f.write(
                json.dumps(
                    {
                        "id": f"s{i}",
                        "recording_id": f"r{i}",
                        "start": 0.0,
                        "duration": round(d, 2),
                        "channel": 0,
                        "text": "hello world",
                    }
                )
                + "\n"
            )


def _write_cuts(path: str, durations: np.ndarray) -> None:
    import gzip

    with gzip.open(path, "wt", compresslevel=1) as f:
        for i, d in enumerate(durations.tolist()):
            d = round(d, 2)
            f.write(
                json.dumps(
                    {
                        "id": f"c{i}",
                        "start": 0.0,
                        "duration": d,
                        "channel": 0,
                        "type": "MonoCut",
                        "supervisions": [
                            {"id": f"s{i}", "recording_id": f"r{i}", "start": 0.0, "duration": d, "channel": 0}
                        ],
                    }
                )
                + "\n"
            )


def time_to_first_batch(root: str, num: int, num_lhotse: int, repeats: int) -> Dict[str, float]:
    from lhotse_lite.dataset import DynamicBucketingSampler, manifest_durations
    from lhotse_lite.manifest.sidecars import index_manifest
    from lhotse_lite.supervision import SupervisionSet

    durations = np.random.default_rng(0).uniform(1.0, 20.0, num)
    sup_path = os.path.join(root, "ttfb_supervisions.jsonl.gz")
    _write_supervisions(sup_path, durations)
    cache = os.path.join(root, "ttfb_durations.npy")
    out: Dict[str, float] = {}

    def cold() -> None:
        if os.path.exists(cache):
            os.remove(cache)
        lazy = SupervisionSet.from_jsonl_lazy(sup_path)
        next(iter(DynamicBucketingSampler(lazy, max_duration=MAX_DURATION, shuffle=True, durations_cache=cache)))

    out["ours_cold_s"] = _median_time(cold, 1)
    index_manifest(sup_path)  # what `lite index` does (untimed): the block index and sidecars
    indexed = SupervisionSet.from_jsonl_lazy(sup_path, indexed=True)

    def warm() -> None:
        batch = next(
            iter(DynamicBucketingSampler(indexed, max_duration=MAX_DURATION, shuffle=True, durations_cache=cache))
        )
        [indexed[int(i)] for i in batch.indices]

    out["ours_warm_s"] = _median_time(warm, repeats)
    assert manifest_durations(SupervisionSet.from_jsonl_lazy(sup_path), cache).size == num

    from lhotse import CutSet
    from lhotse.dataset import DynamicBucketingSampler as LhotseSampler

    cut_path = os.path.join(root, "ttfb_cuts.jsonl.gz")
    _write_cuts(cut_path, durations[:num_lhotse])

    def lhotse_first() -> None:
        cuts = CutSet.from_jsonl_lazy(cut_path)
        next(iter(LhotseSampler(cuts, max_duration=MAX_DURATION, shuffle=True, num_buckets=NUM_BUCKETS)))

    out["lhotse_s"] = _median_time(lhotse_first, repeats)
    return out


def make_corpus(root: str, num: int) -> Dict[str, str]:
    from lhotse_lite.features.io import get_writer
    from lhotse_lite.features.manifest import Features, FeatureSet
    from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

    rng = np.random.default_rng(1)
    features, segments = [], []
    with get_writer("lilcom_chunky")(os.path.join(root, "feats")) as writer:
        for i in range(num):
            frames = int(rng.integers(100, 1500))
            item = Features.from_array(
                rng.standard_normal((frames, 80)).astype(np.float32),
                writer,
                frame_shift=0.01,
                sampling_rate=16000,
                recording_id=f"r{i}",
                channels=0,
            )
            features.append(item)
            segments.append(SupervisionSegment(f"s{i}", f"r{i}", 0.0, item.duration, channel=0, text="hello world"))
    paths = {
        "features": os.path.join(root, "features.jsonl.gz"),
        "supervisions": os.path.join(root, "supervisions.jsonl.gz"),
    }
    FeatureSet(features).to_file(paths["features"])
    SupervisionSet(segments).to_file(paths["supervisions"])
    return paths


def _cpu_seconds(pids: List[int]) -> float:
    """User + system CPU seconds of the live processes ``pids`` (``/proc``; 0 for those that have ended)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # children that have ended and been waited for
    return usage.ru_utime + usage.ru_stime


def batches_per_second(
    paths: Dict[str, str], num_workers: int, repeats: int, persistent: bool = False, torch_threads: int = 0
) -> Dict[str, Any]:
    """Epochs of both loaders over the same corpus, alternating; medians per side.

    Both sides: one ``DataLoader`` built once (as a training script does), one untimed warm-up epoch,
    then ``repeats`` timed epochs each, ``set_epoch`` before every epoch, the side that goes first
    alternating. Without persistent workers the workers start in every epoch (counted on both sides).
    Each epoch's wall time, the main process's CPU time and the workers' CPU time are recorded.
    """
    import torch

    from lhotse_lite.dataset import DynamicBucketingSampler, SpeechRecognitionDataset
    from lhotse_lite.features.manifest import FeatureSet
    from lhotse_lite.features.storage.lilcom_chunky import close_cached_file_handles
    from lhotse_lite.supervision import SupervisionSet

    default_threads = torch.get_num_threads()
    if torch_threads:
        torch.set_num_threads(torch_threads)
    sups = SupervisionSet.from_file(paths["supervisions"])
    feats = FeatureSet.from_file(paths["features"])
    options = dict(batch_size=None, num_workers=num_workers, persistent_workers=persistent)
    ours = torch.utils.data.DataLoader(
        SpeechRecognitionDataset(sups, features=feats),
        sampler=DynamicBucketingSampler(sups, max_duration=MAX_DURATION, shuffle=True, num_buckets=NUM_BUCKETS),
        **options,
    )

    import lhotse
    from lhotse import CutSet
    from lhotse.dataset import DynamicBucketingSampler as LhotseSampler, K2SpeechRecognitionDataset

    cuts = CutSet.from_manifests(
        supervisions=lhotse.load_manifest(paths["supervisions"]), features=lhotse.load_manifest(paths["features"])
    )
    theirs = torch.utils.data.DataLoader(
        K2SpeechRecognitionDataset(),
        sampler=LhotseSampler(cuts, max_duration=MAX_DURATION, shuffle=True, num_buckets=NUM_BUCKETS),
        **options,
    )
    loaders = {"ours": ours, "lhotse": theirs}
    epochs = {"ours": 0, "lhotse": 0}

    def epoch_of(name: str) -> Dict[str, float]:
        loader = loaders[name]
        loader.sampler.set_epoch(epochs[name])
        epochs[name] += 1
        close_cached_file_handles()  # no decoded chunk or open archive survives from the previous epoch here
        workers_before = _children_cpu()
        main_before = time.process_time()
        start = time.perf_counter()
        iterator = iter(loader)
        pids = [w.pid for w in getattr(iterator, "_workers", [])]
        live_before = _cpu_seconds(pids)
        batches = items = 0
        for batch in iterator:
            batches += 1
            items += len(batch["supervisions"]["text"]) if name == "lhotse" else batch["num_items"]
        wall = time.perf_counter() - start
        main = time.process_time() - main_before
        # workers that ended with the epoch are counted by getrusage, persistent ones through /proc
        workers = _children_cpu() - workers_before + (_cpu_seconds(pids) - live_before if persistent else 0.0)
        return {"batches": batches, "items": items, "wall_s": wall, "main_cpu_s": main, "workers_cpu_s": workers}

    for name in loaders:  # warm-up (untimed): page cache, lazy imports, first persistent workers
        epoch_of(name)
    runs: Dict[str, List[Dict[str, float]]] = {"ours": [], "lhotse": []}
    load = [os.getloadavg()[0]]
    for repeat in range(repeats):  # alternating, so both sides see the same changes of machine load
        for name in ("ours", "lhotse") if repeat % 2 == 0 else ("lhotse", "ours"):
            runs[name].append(epoch_of(name))
        load.append(os.getloadavg()[0])
    out: Dict[str, Any] = {"torch_threads": torch.get_num_threads(), "load_average_1min": load}
    for name, rows in runs.items():
        wall = statistics.median(r["wall_s"] for r in rows)
        out[name] = {
            "batches_per_epoch": rows[0]["batches"],
            "items_per_epoch": rows[0]["items"],
            "epoch_s": [round(r["wall_s"], 3) for r in rows],
            "batches_per_s": rows[0]["batches"] / wall,
            "items_per_s": rows[0]["items"] / wall,
            "main_cpu_s": statistics.median(r["main_cpu_s"] for r in rows),
            "workers_cpu_s": statistics.median(r["workers_cpu_s"] for r in rows),
        }
    out["ratio_items_per_s"] = out["ours"]["items_per_s"] / out["lhotse"]["items_per_s"]
    out["ratio_batches_per_s"] = out["ours"]["batches_per_s"] / out["lhotse"]["batches_per_s"]
    torch.set_num_threads(default_threads)
    return out


def padding(num: int) -> Dict[str, float]:
    from lhotse import CutSet, MonoCut, SupervisionSegment
    from lhotse.dataset import DynamicBucketingSampler as LhotseSampler

    from lhotse_lite.dataset import DynamicBucketingSampler

    durations = np.round(np.random.default_rng(2).uniform(1.0, 20.0, num), 2)
    frames = np.round(durations * 100).astype(np.int64)

    def ratio(batches: List[List[int]]) -> float:
        padded = sum(len(b) * int(frames[b].max()) for b in batches)
        return padded / int(frames.sum())

    ours = DynamicBucketingSampler(
        durations=durations, max_duration=MAX_DURATION, shuffle=True, num_buckets=NUM_BUCKETS
    )
    cuts = CutSet.from_cuts(
        MonoCut(f"c{i}", 0.0, float(d), 0, supervisions=[SupervisionSegment(f"s{i}", f"r{i}", 0.0, float(d))])
        for i, d in enumerate(durations.tolist())
    )
    theirs = LhotseSampler(cuts, max_duration=MAX_DURATION, shuffle=True, num_buckets=NUM_BUCKETS)
    position = {f"c{i}": i for i in range(num)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lhotse_batches = [[position[c.id] for c in batch] for batch in theirs]
    return {"ours": ratio([b.indices.tolist() for b in ours]), "lhotse": ratio(lhotse_batches)}


def resume_at_10000(root: str, repeats: int) -> float:
    from lhotse_lite.dataset import DynamicBucketingSampler

    durations = np.random.default_rng(3).uniform(1.0, 20.0, 1_000_000).astype(np.float32)
    first = DynamicBucketingSampler(durations=durations, max_duration=MAX_DURATION, shuffle=True)
    state = first.state_dict(consumed=10_000)

    def resume() -> None:
        sampler = DynamicBucketingSampler(durations=durations, max_duration=MAX_DURATION, shuffle=True)
        sampler.load_state_dict(state)
        assert next(iter(sampler)).index == 10_000

    return _median_time(resume, repeats)


_MEMORY_CHILD = """
import sys, tracemalloc, numpy as np
from lhotse_lite.dataset import DynamicBucketingSampler
tracemalloc.start()  # after the imports: the sampler's own memory, its durations array included
durations = np.random.default_rng(4).uniform(1.0, 20.0, int(sys.argv[1])).astype(np.float32)
sampler = DynamicBucketingSampler(durations=durations, max_duration=200.0, shuffle=True)
next(iter(sampler)); sampler.state_dict()
print(tracemalloc.get_traced_memory()[1])
"""


def sampler_memory_mb(num: int) -> float:
    out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(num)], check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num-index", type=int, default=1_000_000)
    parser.add_argument("--num-lhotse-index", type=int, default=100_000)
    parser.add_argument("--num-corpus", type=int, default=1000)
    parser.add_argument("--num-padding", type=int, default=20_000)
    parser.add_argument("--num-memory", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--tasks",
        default="ttfb,speed,padding,resume,memory",
        help="comma-separated subset of ttfb,speed,padding,resume,memory",
    )
    args = parser.parse_args()
    tasks = set(args.tasks.split(","))
    warnings.filterwarnings("ignore", category=UserWarning)
    results: Dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as root:
        if "ttfb" in tasks:
            results["time_to_first_batch"] = time_to_first_batch(
                root, args.num_index, args.num_lhotse_index, args.repeats
            )
            print(json.dumps(results["time_to_first_batch"]), flush=True)
        if "speed" in tasks:
            paths = make_corpus(root, args.num_corpus)
            configurations = [(0, False, 0), (0, False, 1), (2, False, 0), (2, True, 0)]
            for workers, persistent, threads in configurations:
                r = batches_per_second(paths, workers, args.repeats, persistent, threads)
                label = f"{workers}_workers" + ("_persistent" if persistent else "")
                label += "_1_torch_thread" if threads == 1 else ""
                results[f"speed_{label}"] = r
                ours, theirs = r["ours"], r["lhotse"]
                print(
                    f"{label}: batches/s ours {ours['batches_per_s']:.1f} ({ours['batches_per_epoch']}/epoch), "
                    f"Lhotse {theirs['batches_per_s']:.1f} ({theirs['batches_per_epoch']}/epoch), ratio "
                    f"{r['ratio_batches_per_s']:.2f}; items/s ratio {r['ratio_items_per_s']:.2f}; CPU s/epoch "
                    f"main+workers ours {ours['main_cpu_s']:.2f}+{ours['workers_cpu_s']:.2f}, Lhotse "
                    f"{theirs['main_cpu_s']:.2f}+{theirs['workers_cpu_s']:.2f}; load average "
                    f"{min(r['load_average_1min']):.1f}-{max(r['load_average_1min']):.1f}",
                    flush=True,
                )
        if "padding" in tasks:
            results["padding_ratio"] = padding(args.num_padding)
            print(json.dumps(results["padding_ratio"]), flush=True)
        if "resume" in tasks:
            results["resume_at_10000_s"] = resume_at_10000(root, args.repeats)
        if "memory" in tasks:
            results["sampler_memory_mb"] = sampler_memory_mb(args.num_memory)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
