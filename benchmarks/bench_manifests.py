"""Benchmark lhotse_lite manifests against Lhotse 1.33 on the same data, in the same run.

Measures, for ``--num`` supervisions with text and speaker:

* write: ``to_file("x.jsonl.gz")`` of an eager set held in memory;
* eager load: ``load_manifest("x.jsonl.gz")`` time and peak memory (RSS high-water mark above the
  process's RSS just before loading, measured in a fresh process each time);
* lazy iteration: a full pass over ``load_manifest_lazy`` (time, and its peak memory growth);
  load and lazy iteration also report the CPU time of the measuring process, which other jobs on a
  shared machine disturb less than the wall time;
* find: ``find(recording_id, start_after, end_before)`` queries per second on two layouts
  (1,000 recordings x 100 segments and 10 recordings x 10,000 segments), index built beforehand.

Every measurement runs in its own subprocess, so memory figures do not mix. Medians of
``--repeats`` runs are printed with the ratio lhotse_lite / Lhotse (speed: higher is better for
us; memory: lower is better). Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/bench_manifests.py --num 1000000

Use ``--lhotse-python PATH/TO/bin/python`` to run the Lhotse side in another environment.

``--baseline-tree DIR`` compares this checkout with another checkout of lhotse_lite instead of Lhotse (e.g.
a ``git worktree`` of the base commit of a change), alternating the two in one run on the same data, for
the before/after numbers of a change to the manifest hot paths; ``--tasks load,lazy`` limits the run::

    git worktree add /tmp/lite_base main
    .venv/bin/python benchmarks/bench_manifests.py --baseline-tree /tmp/lite_base --tasks load,lazy --repeats 7
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "that",
    "it",
    "was",
    "for",
    "on",
    "are",
    "as",
    "with",
    "his",
    "they",
    "at",
    "be",
    "this",
    "from",
    "have",
    "or",
    "by",
    "one",
    "had",
    "not",
    "but",
    "what",
    "all",
    "were",
    "when",
    "we",
    "there",
    "can",
    "an",
    "your",
    "which",
    "their",
    "said",
    "if",
    "do",
    "will",
    "each",
    "about",
    "how",
    "up",
    "out",
]


def make_dicts(num: int, per_recording: int = 100, seed: int = 0):
    """Deterministic supervision dicts: 12-word text, one of 1,000 speakers, contiguous segments."""
    rng = random.Random(seed)
    t = 0.0
    for i in range(num):
        if i % per_recording == 0:
            t = 0.0
        duration = round(rng.uniform(0.5, 8.0), 2)
        start = round(t + rng.uniform(0.0, 1.0), 2)
        t = start + duration
        rec = f"rec-{i // per_recording:07d}"
        yield {
            "id": f"{rec}-{i % per_recording:05d}",
            "recording_id": rec,
            "start": start,
            "duration": duration,
            "channel": 0,
            "text": " ".join(rng.choice(WORDS) for _ in range(12)),
            "language": "English",
            "speaker": f"spk-{rng.randrange(1000):04d}",
        }


# ---- worker side (runs in a subprocess) --------------------------------------------------------


def _rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _hwm_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _api(lib: str):
    if lib == "ours":
        from lhotse_lite.manifest import load_manifest, load_manifest_lazy
        from lhotse_lite.supervision import SupervisionSet
    else:
        from lhotse import SupervisionSet, load_manifest, load_manifest_lazy
    return SupervisionSet, load_manifest, load_manifest_lazy


def worker(lib: str, task: str, path: str, extra: dict) -> dict:
    SupervisionSet, load_manifest, load_manifest_lazy = _api(lib)
    if task == "write":
        sups = load_manifest(path)
        out = os.path.join(os.path.dirname(path), f"out-{lib}.jsonl.gz")
        t0 = time.perf_counter()
        sups.to_file(out)
        return {"seconds": time.perf_counter() - t0}
    if task in ("load", "lazy"):
        base = _rss_kb()
        t0, c0 = time.perf_counter(), time.process_time()
        if task == "load":
            sups = load_manifest(path)
            n = len(sups)
        else:
            n = sum(1 for _ in load_manifest_lazy(path))
        seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
        return {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": (_hwm_kb() - base) / 1024, "n": n}
    if task == "find":
        per_rec, num_recs = extra["per_recording"], extra["num_recordings"]
        dicts = list(make_dicts(per_rec * num_recs, per_recording=per_rec, seed=1))
        sups = SupervisionSet.from_dicts(dicts)
        ends = {}
        for d in dicts:
            ends[d["recording_id"]] = d["start"] + d["duration"]
        rng = random.Random(2)
        recs = sorted(ends)
        queries = []
        for _ in range(extra["queries"]):
            rec = rng.choice(recs)
            a = rng.uniform(0, ends[rec])
            queries.append((rec, a, a + rng.uniform(5.0, 30.0)))
        t0 = time.perf_counter()
        list(sups.find(recs[0], start_after=0.0, end_before=1.0))  # builds the index / cache
        build = time.perf_counter() - t0
        done, found = 0, 0
        t0 = time.perf_counter()
        for rec, a, b in queries:
            found += len(list(sups.find(rec, start_after=a, end_before=b)))
            done += 1
            if done % 50 == 0 and time.perf_counter() - t0 > extra["max_seconds"]:
                break
        seconds = time.perf_counter() - t0
        return {"qps": done / seconds, "build_s": build, "queries": done, "found_per_query": found / done}
    raise ValueError(task)


# ---- driver side -------------------------------------------------------------------------------


def run_worker(python: str, lib: str, task: str, path: str, extra: dict, tree: str = "") -> dict:
    """One measurement in a fresh process; ``tree`` puts another lhotse_lite checkout first on the path."""
    cmd = [python, os.path.abspath(__file__), "--worker", lib, task, path, json.dumps(extra)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (tree, os.environ.get("PYTHONPATH", "")) if p))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(results, key):
    return statistics.median(r[key] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--num", type=int, default=1_000_000, help="number of supervisions (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--find-queries", type=int, default=20_000, help="find queries per layout (upper bound)")
    parser.add_argument("--find-seconds", type=float, default=5.0, help="time budget per find measurement")
    parser.add_argument("--lhotse-python", default=sys.executable, help="python with lhotse installed")
    parser.add_argument("--workdir", default=None, help="where to write the data (default: a temp dir)")
    parser.add_argument(
        "--baseline-tree", default=None, help="compare with the lhotse_lite of this checkout instead of Lhotse"
    )
    parser.add_argument("--tasks", default="write,load,lazy,find", help="comma-separated subset of the tasks")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        lib, task, path, extra = args.worker
        print(json.dumps(worker(lib, task, path, json.loads(extra))))
        return

    workdir = args.workdir or tempfile.mkdtemp(prefix="bench_manifests_")
    path = os.path.join(workdir, "sups.jsonl.gz")
    from lhotse_lite.manifest import open_writer

    with open_writer(path) as writer:
        for d in make_dicts(args.num):
            writer.write(d)
    # contender name -> (python, library the worker imports, checkout put first on the path)
    if args.baseline_tree:
        contenders = {"ours": (sys.executable, "ours", ""), "ref": (sys.executable, "ours", args.baseline_tree)}
        ref_name = "baseline"
    else:
        contenders = {"ours": (sys.executable, "ours", ""), "ref": (args.lhotse_python, "lhotse", "")}
        ref_name = "Lhotse 1.33"
    tasks = args.tasks.split(",")
    print(
        f"# {args.num:,} supervisions, {args.repeats} repeats, data {os.path.getsize(path) / 1e6:.1f} MB gz, "
        f"reference: {ref_name}",
        flush=True,
    )

    def measure(task: str, extra: dict) -> dict:
        res = {name: [] for name in contenders}
        for _ in range(args.repeats):  # interleave the contenders so machine load hits both alike
            for name, (py, lib, tree) in contenders.items():
                res[name].append(run_worker(py, lib, task, path, extra, tree))
        return res

    rows = []
    for task in ("write", "load", "lazy"):
        if task not in tasks:
            continue
        res = measure(task, {})
        ours_s, ref_s = median(res["ours"], "seconds"), median(res["ref"], "seconds")
        rows.append((f"{task} time (s)", ours_s, ref_s, ref_s / ours_s, "x faster"))
        if task != "write":  # CPU time is less disturbed than wall time by other jobs on a shared machine
            ours_c, ref_c = median(res["ours"], "cpu_seconds"), median(res["ref"], "cpu_seconds")
            rows.append((f"{task} CPU time (s)", ours_c, ref_c, ref_c / ours_c, "x faster"))
            ours_m, ref_m = median(res["ours"], "peak_mb"), median(res["ref"], "peak_mb")
            rows.append((f"{task} peak memory (MB)", ours_m, ref_m, ours_m / ref_m, f"x of {ref_name}'s"))
        print(
            f"  {task} done: ours {[round(r['seconds'], 3) for r in res['ours']]}, "
            f"{ref_name} {[round(r['seconds'], 3) for r in res['ref']]}",
            flush=True,
        )
    for per_rec, num_recs in ((100, 1000), (10_000, 10)):
        if "find" not in tasks:
            continue
        extra = {
            "per_recording": per_rec,
            "num_recordings": num_recs,
            "queries": args.find_queries,
            "max_seconds": args.find_seconds,
        }
        res = measure("find", extra)
        ours_q, ref_q = median(res["ours"], "qps"), median(res["ref"], "qps")
        rows.append((f"find q/s, {num_recs} recs x {per_rec} segs", ours_q, ref_q, ours_q / ref_q, "x faster"))
        print(f"  find {num_recs}x{per_rec} done", flush=True)

    print(f"\n{'measurement':<38}{'lhotse_lite':>14}{ref_name:>14}{'ratio':>10}")
    for name, ours, ref, ratio, unit in rows:
        print(f"{name:<38}{ours:>14.3f}{ref:>14.3f}{ratio:>9.2f} {unit}")


if __name__ == "__main__":
    main()
