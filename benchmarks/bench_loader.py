"""Benchmark lhotse_lite's loader against Lhotse 1.33's DynamicBucketingSampler + K2SpeechRecognitionDataset.

Both sides read the same manifests and the same lilcom features (Lhotse's ``CutSet`` is built from our
manifests with ``CutSet.from_manifests``). Measures, in one run:

* time to first batch over ``--num-index`` supervisions: ours from a durations sidecar (warm) and with
  the one streaming pass that writes it (cold), plus reading the batch's supervisions when the manifest
  is indexed (``from_jsonl_lazy(indexed=True)`` after ``lite index``); Lhotse's over a lazy ``CutSet``
  (``--num-lhotse-index`` cuts: its first batch reads only the bins estimate and its buffer);
* batches/s over one epoch of ``--num-corpus`` supervisions with precomputed lilcom features (80-dim),
  ``SpeechRecognitionDataset`` vs ``K2SpeechRecognitionDataset``, 0 and 2 DataLoader workers (a new
  DataLoader per epoch), and 2 persistent workers (one DataLoader, epochs after the first);
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


def batches_per_second(
    paths: Dict[str, str], num_workers: int, repeats: int, persistent: bool = False
) -> Dict[str, float]:
    import torch

    from lhotse_lite.dataset import DynamicBucketingSampler, SpeechRecognitionDataset
    from lhotse_lite.features.manifest import FeatureSet
    from lhotse_lite.features.storage.lilcom_chunky import close_cached_file_handles
    from lhotse_lite.supervision import SupervisionSet

    sups = SupervisionSet.from_file(paths["supervisions"])
    feats = FeatureSet.from_file(paths["features"])

    def make_ours() -> Any:
        sampler = DynamicBucketingSampler(sups, max_duration=MAX_DURATION, shuffle=True, num_buckets=NUM_BUCKETS)
        dataset = SpeechRecognitionDataset(sups, features=feats)
        return torch.utils.data.DataLoader(
            dataset, sampler=sampler, batch_size=None, num_workers=num_workers, persistent_workers=persistent
        )

    import lhotse
    from lhotse import CutSet
    from lhotse.dataset import DynamicBucketingSampler as LhotseSampler, K2SpeechRecognitionDataset

    cuts = CutSet.from_manifests(
        supervisions=lhotse.load_manifest(paths["supervisions"]), features=lhotse.load_manifest(paths["features"])
    )

    def make_theirs() -> Any:
        sampler = LhotseSampler(cuts, max_duration=MAX_DURATION, shuffle=True, num_buckets=NUM_BUCKETS)
        return torch.utils.data.DataLoader(
            K2SpeechRecognitionDataset(),
            sampler=sampler,
            batch_size=None,
            num_workers=num_workers,
            persistent_workers=persistent,
        )

    # persistent: one DataLoader per side, a first untimed epoch starts the workers, then one epoch per
    # repeat (set_epoch between); otherwise a new DataLoader (and new workers) for every epoch
    loaders = {"ours": make_ours(), "lhotse": make_theirs()} if persistent else {}
    epochs = {"ours": 0, "lhotse": 0}

    def epoch_of(name: str) -> int:
        loader = loaders[name] if name in loaders else (make_ours() if name == "ours" else make_theirs())
        loader.sampler.set_epoch(epochs[name])
        epochs[name] += 1
        return sum(1 for _ in loader)

    if persistent:
        for name in loaders:
            epoch_of(name)

    times: Dict[str, List[float]] = {"ours": [], "lhotse": []}
    counts: Dict[str, int] = {}
    for _ in range(repeats):  # alternating, so both sides see the same changes of machine load
        for name in ("ours", "lhotse"):
            close_cached_file_handles()  # no decoded chunk survives from the previous epoch (main process)
            start = time.perf_counter()
            counts[name] = epoch_of(name)
            times[name].append(time.perf_counter() - start)
    return {f"{name}_batches_per_s": counts[name] / statistics.median(times[name]) for name in times}


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
            for workers, persistent in ((0, False), (2, False), (2, True)):
                r = batches_per_second(paths, workers, args.repeats, persistent)
                label = f"{workers}_workers" + ("_persistent" if persistent else "")
                results[f"batches_per_s_{label}"] = r
                ours, theirs = r["ours_batches_per_s"], r["lhotse_batches_per_s"]
                print(
                    f"batches/s, {label}: ours {ours:.1f}, Lhotse {theirs:.1f}, ratio {ours / theirs:.2f}", flush=True
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
