"""Indexed manifests against Lhotse 2.0.0a7: length, random reads, lookups, global shuffle, resume, index build.

Run: python benchmarks/bench_indexed.py [--n 2000000] [--recordings 1000000] [--repeats 3]
     [--lhotse2-python .venv-lhotse2/bin/python] [--workdir DIR [--reuse]] [--skip-passes]

Data: ``--n`` supervisions (LibriSpeech-like ids, 5-40 words of text) written by lhotse_lite as
``sups.jsonl`` (with its ``.idx``) and ``sups.jsonl.gz`` (block-compressed, with ``.gzi``), and
``--recordings`` recordings as ``recs.jsonl``. Lhotse 2.0 runs in its own environment (a subprocess
of ``--lhotse2-python``) on a copy of ``sups.jsonl`` indexed by its own ``create_jsonl_index``.
Every timing is a median of ``--repeats`` except the full passes (once each); the full shuffled passes
and the ``.jsonl.gz`` random reads also report the CPU time of the measuring process, which other jobs
on a shared machine disturb less than the wall time (the two libraries' halves of a run run one after
the other, so they may not see the same load). Peak memory is
measured in a fresh process (``VmHWM`` after the pass minus ``VmRSS`` after ``import lhotse_lite``);
``--memory-only FILE`` measures only that.

The data is generated as a stream (constant memory, any ``--n``); the write rows time writing it from
an eager set loaded from ``sups.jsonl`` (from the lazy set for ``--n`` above 3M: reading is then
part of both writers' time). ``--reuse`` takes the data already in ``--workdir`` (no write rows).
``--copies-of DIR`` makes the data from copies of ``DIR``'s supervisions (copy ``k`` puts ``k``
before every id) and takes its recordings (``--recordings`` must match). ``--skip-passes`` leaves
out the full passes (both libraries' shuffled passes, the block-shuffled, unindexed and indexed in-order
``.jsonl.gz`` passes, the peak-memory pass); the resume state is then taken after the first item
of a shuffled pass and its position moved to item ``n / 2`` (restoring does not depend on how the
position was reached).
Prints one table (markdown) with lhotse_lite's number, Lhotse 2.0's, and their ratio.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any, Callable, Dict

REPO = Path(__file__).resolve().parents[1]


def median_time(fn: Callable[[], Any], repeats: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """The median time of ``repeats`` calls of ``fn`` on ``clock`` (``time.process_time``: CPU time)."""
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


EAGER_LIMIT = 3_000_000


def write_data(workdir: Path, n: int, recordings: int) -> Dict[str, float]:
    from lhotse_lite.audio import AudioSource, Recording, RecordingSet
    from lhotse_lite.manifest import formats
    from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

    rng = random.Random(0)
    words = ["".join(rng.choice("ABCDEFGHIJKLMNOPRSTUWY") for _ in range(rng.randint(2, 9))) for _ in range(20000)]
    zipf = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))  # natural text's word counts
    with SupervisionSet.open_writer(workdir / "generated.jsonl") as writer:
        for i in range(n):
            writer.write(
                SupervisionSegment(
                    f"{1000 + i % 2400}-{130000 + i % 9000}-{i:07d}",
                    f"{1000 + i % 2400}-{130000 + i % 9000}-{i:07d}",
                    0.0,
                    round(rng.uniform(1.0, 20.0), 3),
                    channel=0,
                    language="English",
                    speaker=f"{1000 + i % 2400}",
                    text=" ".join(rng.choices(words, cum_weights=zipf, k=rng.randint(5, 40))),
                )
            )
    sups = (
        SupervisionSet.from_jsonl(workdir / "generated.jsonl")
        if n <= EAGER_LIMIT
        else SupervisionSet.from_jsonl_lazy(workdir / "generated.jsonl", indexed=False)
    )
    timings = {}
    start = time.perf_counter()
    sups.to_file(workdir / "sups.jsonl")
    timings["write_jsonl"] = time.perf_counter() - start
    start = time.perf_counter()
    sups.to_file(workdir / "sups.jsonl.gz")
    timings["write_blocked_gz"] = time.perf_counter() - start
    start = time.perf_counter()
    formats.write_dicts(sups.to_dicts(), workdir / "single.jsonl.gz", "jsonl")  # the single-stream gzip writer
    timings["write_single_gz"] = time.perf_counter() - start
    del sups
    os.remove(workdir / "generated.jsonl")
    with RecordingSet.open_writer(workdir / "recs.jsonl") as writer:
        for i in range(recordings):
            source = AudioSource("file", [0], f"/data/audio/{i % 977}/rec-{i:08d}.flac")
            writer.write(Recording(f"rec-{i:08d}", [source], 16000, 16000 * (1 + i % 20), float(1 + i % 20)))
    shutil.copy(workdir / "sups.jsonl", workdir / "lhotse2.jsonl")
    with (
        open(workdir / "sups.jsonl", "rb") as src,
        open(workdir / "gzip6.jsonl.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as dst,
    ):
        shutil.copyfileobj(src, dst, 1 << 20)
    return timings


def copy_data(workdir: Path, source: Path, n: int) -> None:
    """The data of ``n`` supervisions made of copies of ``source``'s: copy ``k`` has ``k`` before every id.

    Faster than generating ``n`` anew (no items are built); the recordings are ``source``'s.
    """
    from lhotse_lite.indexing import create_jsonl_index
    from lhotse_lite.manifest.blocked_gzip import index_gzip_manifest, write_blocked_gzip
    from lhotse_lite.manifest.sidecars import build_sidecars

    data = (source / "sups.jsonl").read_bytes()
    per_copy = data.count(b"\n")
    copies = -(-n // per_copy)
    with open(workdir / "sups.jsonl", "wb") as f:
        for k in range(copies):
            part = data.replace(b'{"id":"', b'{"id":"%d' % k).replace(b'"recording_id":"', b'"recording_id":"%d' % k)
            if k == copies - 1 and n % per_copy:
                part = part[: _line_end(part, n % per_copy)]
            f.write(part)
    del data
    create_jsonl_index(workdir / "sups.jsonl")
    build_sidecars(workdir / "sups.jsonl", write_offsets=False)
    with open(workdir / "sups.jsonl", "rb") as lines:
        write_blocked_gzip(workdir / "sups.jsonl.gz", lines)
    index_gzip_manifest(workdir / "sups.jsonl.gz")
    for recs in source.glob("recs.jsonl*"):  # with its index files
        shutil.copy(recs, workdir / recs.name)
    shutil.copy(workdir / "sups.jsonl", workdir / "lhotse2.jsonl")
    with open(workdir / "gzip6.jsonl.gz", "wb") as out:
        subprocess.run(["gzip", "-6", "-n", "-c", str(workdir / "sups.jsonl")], stdout=out, check=True)


def _line_end(data: bytes, lines: int) -> int:
    """The offset just after the first ``lines`` lines of ``data``."""
    end = 0
    for _ in range(lines):
        end = data.index(b"\n", end) + 1
    return end


LHOTSE2 = """
import json, random, statistics, sys, time, itertools
from lhotse.indexing import create_jsonl_index
from lhotse.serialization import load_manifest_lazy
path, n, repeats, passes = args["path"], args["n"], args["repeats"], args["passes"]

def median(fn):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

out = {"index_build": median(lambda: create_jsonl_index(path))}
out["len"] = median(lambda: len(load_manifest_lazy(path)))
sups = load_manifest_lazy(path)
positions = random.Random(1).sample(range(n), 10000)
out["random_reads"] = median(lambda: [sups.data[i] for i in positions])
t, c = time.perf_counter(), time.process_time()
first = None
for k, s in enumerate(load_manifest_lazy(path, shuffle=True, seed=3)):
    if k == 0:
        first = time.perf_counter() - t
        if not passes:
            break
out["shuffled_first"], out["shuffled_pass"] = first, time.perf_counter() - t if passes else None
out["shuffled_pass_cpu"] = time.process_time() - c if passes else None
node = load_manifest_lazy(path, shuffle=True, seed=3).data
it = iter(node)
next(itertools.islice(it, n // 2 if passes else 0, None))
state = json.loads(json.dumps(node.state_dict()))
if not passes:  # the state of item n / 2
    state["position"] = n // 2
    state["range"]["pos"] = n // 2
def resume():
    fresh = load_manifest_lazy(path, shuffle=True, seed=3).data
    fresh.load_state_dict(state)
    next(iter(fresh))
out["resume"] = median(resume)
result = out
"""

MEMORY = """
import sys
def status(key):  # VmRSS / VmHWM of this process in bytes (ru_maxrss would include the parent's before exec)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key + ":"))
import lhotse_lite
from lhotse_lite.serialization import load_manifest_lazy
base = status("VmRSS")
for _ in load_manifest_lazy(sys.argv[1], shuffle=True, seed=3):
    pass
print((status("VmHWM") - base) / 2**20)
"""


def run_lhotse2(python: str, path: Path, n: int, repeats: int, passes: bool) -> Dict[str, Any]:
    program = (
        "import json, sys\nargs = json.loads(sys.stdin.read())\n"
        + textwrap.dedent(LHOTSE2)
        + "\nprint(json.dumps(result))\n"
    )
    done = subprocess.run(
        [python, "-c", program],
        input=json.dumps({"path": str(path), "n": n, "repeats": repeats, "passes": passes}),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ours(workdir: Path, n: int, repeats: int, passes: bool) -> Dict[str, Any]:
    from lhotse_lite.describe import describe_indexed
    from lhotse_lite.indexing import create_jsonl_index
    from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator
    from lhotse_lite.serialization import load_manifest_lazy
    from lhotse_lite.supervision import SupervisionSet

    path, gz, recs = workdir / "sups.jsonl", workdir / "sups.jsonl.gz", workdir / "recs.jsonl"
    out: Dict[str, Any] = {}
    copy = workdir / "ours-index.jsonl"
    shutil.copy(path, copy)
    out["index_build"] = median_time(lambda: create_jsonl_index(copy), repeats)
    out["len"] = median_time(lambda: len(load_manifest_lazy(path)), repeats)
    out["describe"] = median_time(lambda: describe_indexed([path]), repeats)
    positions = random.Random(1).sample(range(n), 10000)
    sups = load_manifest_lazy(path)
    out["random_reads"] = median_time(lambda: [sups[i] for i in positions], repeats)
    gz_sups = load_manifest_lazy(gz)
    out["random_reads_gz"] = median_time(lambda: [gz_sups[i] for i in positions], repeats)
    out["random_reads_gz_cpu"] = median_time(lambda: [gz_sups[i] for i in positions], repeats, time.process_time)
    recordings = load_manifest_lazy(recs)
    start = time.perf_counter()
    recordings["rec-00000000"]  # builds the id index on first use
    out["id_index_build"] = time.perf_counter() - start
    num_recs = len(recordings)
    ids = [f"rec-{i:08d}" for i in random.Random(2).sample(range(num_recs), min(10000, num_recs))]
    out["lookups"] = median_time(lambda: [recordings[i] for i in ids], repeats)
    start, cpu = time.perf_counter(), time.process_time()
    first = None
    for k, _ in enumerate(load_manifest_lazy(path, shuffle=True, seed=3)):
        if k == 0:
            first = time.perf_counter() - start
            if not passes:
                break
    out["shuffled_first"], out["shuffled_pass"] = first, time.perf_counter() - start
    out["shuffled_pass_cpu"] = time.process_time() - cpu
    if passes:
        start = time.perf_counter()
        for _ in SupervisionSet.from_jsonl_lazy(gz, shuffle=True, seed=3, block_window=8):
            pass
        out["block_shuffled_gz"] = time.perf_counter() - start
        start = time.perf_counter()
        for _ in SupervisionSet.from_jsonl_lazy(gz, indexed=False):
            pass
        out["sequential_gz"] = time.perf_counter() - start
        start = time.perf_counter()
        for _ in load_manifest_lazy(gz):  # indexed (it has its block index): streamed in file order
            pass
        out["in_order_indexed_gz"] = time.perf_counter() - start
    node = load_manifest_lazy(path, shuffle=True, seed=3).data
    next(itertools.islice(iter(node), n // 2 if passes else 0, None))
    state = json.loads(json.dumps(node.state_dict()))
    if not passes:  # the state of item n / 2
        state["position"] = n // 2
        state["range"]["pos"] = n // 2

    def resume() -> None:
        fresh = LazyIndexedManifestIterator(path, shuffle=True, seed=3, decode=SupervisionSet.element_type.from_dict)
        fresh.load_state_dict(state)
        next(iter(fresh))

    out["resume"] = median_time(resume, repeats)
    if passes:
        done = subprocess.run(
            [sys.executable, "-c", MEMORY, str(path)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        out["peak_memory_mb"] = float(done.stdout.strip())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2_000_000)
    parser.add_argument("--recordings", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lhotse2-python", default=str(REPO / ".venv-lhotse2" / "bin" / "python"))
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--reuse", action="store_true", help="use the data already in --workdir")
    parser.add_argument(
        "--copies-of",
        metavar="WORKDIR",
        default=None,
        help="make the data from copies of another run's supervisions (ids prefixed by the copy "
        "number) and its recordings, instead of generating it",
    )
    parser.add_argument("--skip-passes", action="store_true", help="leave out the full passes (see above)")
    parser.add_argument(
        "--memory-only",
        metavar="JSONL",
        default=None,
        help="only measure the peak memory of a shuffled pass over this indexed manifest",
    )
    args = parser.parse_args()
    if args.memory_only:
        done = subprocess.run(
            [sys.executable, "-c", MEMORY, args.memory_only],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        print(f"peak memory of a shuffled pass above `import lhotse_lite`: {float(done.stdout):.0f} MB")
        return
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench_indexed_"))
    workdir.mkdir(parents=True, exist_ok=True)
    passes = not args.skip_passes
    if args.copies_of and not args.reuse:
        copy_data(workdir, Path(args.copies_of), args.n)
    writes = {} if args.reuse or args.copies_of else write_data(workdir, args.n, args.recordings)
    ours = run_ours(workdir, args.n, args.repeats, passes)
    theirs = run_lhotse2(args.lhotse2_python, workdir / "lhotse2.jsonl", args.n, args.repeats, passes)
    size = {name: os.path.getsize(workdir / name) for name in ("sups.jsonl", "sups.jsonl.gz", "gzip6.jsonl.gz")}

    def row(what: str, mine: str, other: str, ratio: str) -> None:
        print(f"| {what} | {mine} | {other} | {ratio} |")

    print(
        f"\n{args.n} supervisions ({size['sups.jsonl'] / 1e6:.0f} MB .jsonl, {size['sups.jsonl.gz'] / 1e6:.1f} MB "
        f"blocked .jsonl.gz), {args.recordings} recordings\n"
    )
    print("| measurement | lhotse_lite | Lhotse 2.0.0a7 | ratio |\n|---|---|---|---|")
    row(
        "open + `len()` of the indexed manifest",
        f"{ours['len'] * 1e3:.1f} ms",
        f"{theirs['len'] * 1e3:.1f} ms",
        f"{theirs['len'] / ours['len']:.1f}x",
    )
    row("`lite manifest describe --quick` (count, hours)", f"{ours['describe'] * 1e3:.1f} ms", "-", "-")
    row(
        "10k random reads, `.jsonl`",
        f"{1e4 / ours['random_reads']:,.0f} /s",
        f"{1e4 / theirs['random_reads']:,.0f} /s",
        f"{theirs['random_reads'] / ours['random_reads']:.2f}x",
    )
    row(
        "10k random reads, our `.jsonl.gz`",
        f"{1e4 / ours['random_reads_gz']:,.0f} /s ({1e4 / ours['random_reads_gz_cpu']:,.0f} /s of CPU time)",
        "not possible",
        "-",
    )
    row(
        f"lookup by id, lazy {args.recordings} recordings",
        f"{1e4 / ours['lookups']:,.0f} /s (id index built in {ours['id_index_build']:.1f} s on first use)",
        "not possible",
        "-",
    )
    row(
        "global-shuffled pass, `.jsonl`: first item",
        f"{ours['shuffled_first'] * 1e3:.0f} ms",
        f"{theirs['shuffled_first'] * 1e3:.0f} ms",
        "-",
    )
    if passes:
        row(
            "global-shuffled pass, `.jsonl`: full pass",
            f"{ours['shuffled_pass']:.1f} s ({ours['shuffled_pass_cpu']:.1f} s CPU)",
            f"{theirs['shuffled_pass']:.1f} s ({theirs['shuffled_pass_cpu']:.1f} s CPU)",
            f"{theirs['shuffled_pass'] / ours['shuffled_pass']:.2f}x "
            f"({theirs['shuffled_pass_cpu'] / ours['shuffled_pass_cpu']:.2f}x in CPU time)",
        )
        row(
            "block-shuffled pass (8-block window), our `.jsonl.gz`",
            f"{ours['block_shuffled_gz']:.1f} s",
            f"sequential lazy pass of it: {ours['sequential_gz']:.1f} s",
            f"{ours['sequential_gz'] / ours['block_shuffled_gz']:.2f}x of sequential",
        )
        row(
            "in-order pass of the indexed `.jsonl.gz` (`load_manifest_lazy`)",
            f"{ours['in_order_indexed_gz']:.1f} s",
            f"unindexed lazy pass of it: {ours['sequential_gz']:.1f} s",
            f"{ours['sequential_gz'] / ours['in_order_indexed_gz']:.2f}x of unindexed",
        )
    row(
        f"resume a shuffled pass at item {args.n // 2}",
        f"{ours['resume'] * 1e3:.1f} ms",
        f"{theirs['resume'] * 1e3:.1f} ms",
        f"{theirs['resume'] / ours['resume']:.1f}x",
    )
    if passes:
        row("peak memory of a shuffled pass (above `import lhotse_lite`)", f"{ours['peak_memory_mb']:.0f} MB", "-", "-")
    row(
        "index build, `.jsonl` (`create_jsonl_index`)",
        f"{ours['index_build']:.2f} s",
        f"{theirs['index_build']:.2f} s",
        f"{theirs['index_build'] / ours['index_build']:.2f}x",
    )
    row(
        "our `.jsonl.gz` size vs `gzip -6`",
        f"{size['sups.jsonl.gz'] / 1e6:.1f} MB",
        f"gzip -6: {size['gzip6.jsonl.gz'] / 1e6:.1f} MB",
        f"{size['sups.jsonl.gz'] / size['gzip6.jsonl.gz']:.3f}x",
    )
    if writes:
        source = "an eager set" if args.n <= EAGER_LIMIT else "a lazy set (reading included)"
        row(
            f"write, blocked `.jsonl.gz` (`to_file`, index included), from {source}",
            f"{writes['write_blocked_gz']:.1f} s",
            f"single-stream writer: {writes['write_single_gz']:.1f} s",
            f"{writes['write_single_gz'] / writes['write_blocked_gz']:.2f}x",
        )
        print(f"\n(workdir {workdir}; .jsonl written with its index in {writes['write_jsonl']:.1f} s)")


if __name__ == "__main__":
    main()
