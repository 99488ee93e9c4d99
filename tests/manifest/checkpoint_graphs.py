"""Lazy pipelines built from a JSON spec, for the resume tests (also run as a script in a fresh process).

A spec is a nested list: leaves ``["list"|"jsonl"|"manifest"|"indexed"|"gzindexed", base, n, extra]`` hold the
supervisions ``s{base}`` .. ``s{base + n - 1}`` (``start`` = their number); inner nodes wrap children:
``["filter", k, child]``, ``["map", child]``, ``["chain", children, shuffle, seed]``,
``["mux", children, weights, seed, stop_early]``, ``["imux", children, max_open, seed, limit]``,
``["shuffle", buffer, seed, child]``, ``["repeat", times, preserve_id, child]``,
``["slice", start, stop, child]``, ``["tail", n, child]``.

As a script: reads ``{"spec", "workdir", "state"}`` as JSON from stdin, restores the state into a
freshly built pipeline and prints the rest of its pass as a JSON list.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any, List

from lhotse_lite.checkpoint import restore_state_dict
from lhotse_lite.manifest.items import fastcopy
from lhotse_lite.manifest.lazy import (
    LazyFilter,
    LazyIslice,
    LazyIteratorChain,
    LazyJsonlIterator,
    LazyManifestIterator,
    LazyMapper,
    LazyRepeater,
    LazyShuffler,
    LazyTail,
)
from lhotse_lite.manifest.mux import LazyInfiniteApproximateMultiplexer, LazyIteratorMultiplexer
from lhotse_lite.supervision import SupervisionSegment


def segments(base: int, n: int) -> List[SupervisionSegment]:
    return [SupervisionSegment(f"s{base + i}", "r", float(base + i), 1.0) for i in range(n)]


def num(item: Any) -> int:
    return int(item["start"] if isinstance(item, dict) else item.start)


def bump(item: Any) -> Any:
    if isinstance(item, dict):
        return {**item, "text": item.get("text", "") + "m"}
    return fastcopy(item, text=(item.text or "") + "m")


def plain(item: Any) -> Any:
    return item if isinstance(item, dict) else item.to_dict()


def _file(workdir: Path, base: int, n: int, suffix: str) -> Path:
    path = workdir / f"s{base}-{n}{suffix}"
    if not path.exists():
        from lhotse_lite.supervision import SupervisionSet

        SupervisionSet(segments(base, n)).to_file(path)
    return path


def build(spec: list, workdir: Path) -> Any:
    kind = spec[0]
    if kind == "list":
        return segments(spec[1], spec[2])
    if kind == "jsonl":
        return LazyJsonlIterator(_file(workdir, spec[1], spec[2], ".jsonl.gz" if spec[3] else ".jsonl"))
    if kind == "manifest":
        path = _file(workdir, spec[1], spec[2], ".jsonl.gz" if spec[3] else ".jsonl")
        return LazyManifestIterator(path, SupervisionSegment.from_dict)
    if kind == "indexed":
        from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator

        shuffle, seed = spec[3]
        path = _file(workdir, spec[1], spec[2], ".jsonl")
        return LazyIndexedManifestIterator(path, shuffle=shuffle, seed=seed, decode=SupervisionSegment.from_dict)
    if kind == "gzindexed":
        from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator

        shuffle, seed, window = spec[3]
        path = _file(workdir, spec[1], spec[2], ".jsonl.gz")
        return LazyIndexedManifestIterator(
            path, shuffle=shuffle, seed=seed, decode=SupervisionSegment.from_dict, block_window=window
        )
    if kind == "filter":
        k = spec[1]
        return LazyFilter(build(spec[2], workdir), lambda x: num(x) % k != 0)
    if kind == "map":
        return LazyMapper(build(spec[1], workdir), bump)
    if kind == "chain":
        return LazyIteratorChain(*(build(c, workdir) for c in spec[1]), shuffle_iters=spec[2], seed=spec[3])
    if kind == "mux":
        return LazyIteratorMultiplexer(
            *(build(c, workdir) for c in spec[1]), weights=spec[2], seed=spec[3], stop_early=spec[4]
        )
    if kind == "imux":
        mux = LazyInfiniteApproximateMultiplexer(
            *(build(c, workdir) for c in spec[1]), max_open_streams=spec[2], seed=spec[3]
        )
        return LazyIslice(mux, 0, spec[4])
    if kind == "shuffle":
        return LazyShuffler(build(spec[3], workdir), buffer_size=spec[1], rng=random.Random(spec[2]))
    if kind == "repeat":
        return LazyRepeater(build(spec[3], workdir), times=spec[1], preserve_id=spec[2])
    if kind == "slice":
        return LazyIslice(build(spec[3], workdir), spec[1], spec[2])
    if kind == "tail":
        return LazyTail(build(spec[2], workdir), spec[1])
    raise ValueError(f"unknown node {kind!r}")


def as_root(node: Any) -> Any:
    """A plain list becomes a chain of one, so that every pipeline has a node at its root."""
    return node if not isinstance(node, list) else LazyIteratorChain(node)


def main() -> None:
    job = json.loads(sys.stdin.read())
    root = as_root(build(job["spec"], Path(job["workdir"])))
    restore_state_dict(root, job["state"])
    print(json.dumps([plain(x) for x in root]))


if __name__ == "__main__":
    main()
