"""Time to load JSONL manifests of unusual shape: one very long line, and millions of blank lines.

Writes two ``.jsonl.gz`` files and loads each with ``load_manifest`` in a fresh process, with
lhotse_lite and with Lhotse 1.33 (and, with ``--baseline-tree``, with another checkout of lhotse_lite),
printing the median wall time of ``--repeats`` runs:

* ``long``: one supervision whose ``custom`` holds a string of ``--long-mb`` MB of random letters (one line
  of that size; gzip compresses it about 1.7x, as it does real text);
* ``blank``: ``--blank-millions`` million empty lines around one supervision (a few hundred KB of gzip).

Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/bench_long_lines.py --long-mb 64 --blank-millions 200
    .venv/bin/python benchmarks/bench_long_lines.py --baseline-tree /tmp/lite_base --blank-millions 2

A reader that rebuilds the unfinished line per decompressed step is quadratic in the line length, and one
that tries to parse every blank line pays an exception each; both show here.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import subprocess
import sys
import tempfile

LOAD = {
    "lite": "from lhotse_lite.manifest import load_manifest",
    "lhotse": "from lhotse import load_manifest",
}


def _write_files(workdir: str, long_mb: int, blank_millions: int) -> dict:
    item = b'{"id":"s1","recording_id":"r1","start":0.0,"duration":1.0,"channel":0'
    long_path = os.path.join(workdir, "long.jsonl.gz")
    with gzip.open(long_path, "wb", compresslevel=5) as f:
        f.write(item + b',"custom":{"blob":"')
        rng = random.Random(0)
        letters = bytes(range(ord("a"), ord("a") + 16)) * 16  # 4 bits a letter: gzip shrinks it about 1.7x
        for _ in range(long_mb):
            f.write(rng.randbytes(1_000_000).translate(letters))
        f.write(b'"}}\n')
    blank_path = os.path.join(workdir, "blank.jsonl.gz")
    with gzip.open(blank_path, "wb", compresslevel=9) as f:
        half = b"\n" * 1_000_000
        for _ in range(blank_millions // 2):
            f.write(half)
        f.write(item + b"}\n")
        for _ in range(blank_millions - blank_millions // 2):
            f.write(half)
    return {"long": long_path, "blank": blank_path}


def _time_load(python: str, side: str, path: str, tree: str = "", timeout: float = 600.0) -> float:
    code = (
        f"{LOAD[side]}\nimport time\nt = time.perf_counter()\nm = load_manifest({path!r})\n"
        f"assert len(m) == 1\nprint(time.perf_counter() - t)"
    )
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = tree
    try:
        # run outside the checkout: ``python -c`` puts the working directory first on sys.path
        out = subprocess.run(
            [python, "-c", code],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=os.path.dirname(path),
        )
    except subprocess.TimeoutExpired:
        return float("inf")
    except subprocess.CalledProcessError as err:
        print(f"  {side} failed: {err.stderr.strip().splitlines()[-1][:120] if err.stderr.strip() else err}")
        return float("nan")
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Parse the arguments, write the files, time every side and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--long-mb", type=int, default=64, help="size of the long line in MB (default 64)")
    parser.add_argument("--blank-millions", type=int, default=200, help="millions of blank lines (default 200)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--lhotse-python", default=sys.executable, help="python with lhotse installed")
    parser.add_argument("--baseline-tree", default=None, help="another lhotse_lite checkout to time as well")
    parser.add_argument("--skip-lhotse", action="store_true", help="do not time Lhotse")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before one load is given up")
    parser.add_argument("--only", choices=["long", "blank"], default=None, help="time one of the two files only")
    args = parser.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as workdir:
        files = _write_files(workdir, args.long_mb, args.blank_millions)
        sides = [("lhotse_lite (this tree)", sys.executable, "lite", here)]
        if args.baseline_tree:
            sides.append(("lhotse_lite (baseline)", sys.executable, "lite", args.baseline_tree))
        if not args.skip_lhotse:
            sides.append(("Lhotse", args.lhotse_python, "lhotse", ""))
        print(
            f"# long line: {args.long_mb} MB ({os.path.getsize(files['long']) / 1e3:.0f} KB gz); blank: "
            f"{args.blank_millions} million lines ({os.path.getsize(files['blank']) / 1e3:.0f} KB gz); "
            f"median of {args.repeats}"
        )
        for kind, path in files.items():
            if args.only not in (None, kind):
                continue
            for name, python, side, tree in sides:
                times = [_time_load(python, side, path, tree, args.timeout) for _ in range(args.repeats)]
                print(f"{kind:6s} {name:26s} {statistics.median(times):8.2f} s")


if __name__ == "__main__":
    main()
