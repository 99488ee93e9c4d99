"""Exact resume: stop a lazy pipeline at any item, save its state as JSON, restore it into a new pipeline."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lhotse_lite.checkpoint import collect_state_dict, restore_state_dict
from lhotse_lite.errors import NotCheckpointableError
from lhotse_lite.manifest.lazy import IteratorNode, LazyFilter, LazyIteratorChain, LazyMapper
from tests.manifest.checkpoint_graphs import as_root, build, plain

SCRIPT = Path(__file__).parent / "checkpoint_graphs.py"

bases = itertools.count(0, 100)
leaf = st.one_of(
    st.tuples(st.just("list"), st.integers(0, 9), st.integers(0, 8)),
    st.tuples(st.just("jsonl"), st.integers(0, 9), st.integers(0, 8), st.booleans()),
    st.tuples(st.just("manifest"), st.integers(0, 9), st.integers(0, 8), st.booleans()),
    st.tuples(st.just("indexed"), st.integers(0, 9), st.integers(0, 8), st.tuples(st.booleans(), st.integers(0, 3))),
    st.tuples(
        st.just("gzindexed"),
        st.integers(0, 9),
        st.integers(0, 8),
        st.tuples(st.booleans(), st.integers(0, 3), st.one_of(st.none(), st.integers(1, 3))),
    ),
).map(list)


def extend(children: st.SearchStrategy) -> st.SearchStrategy:
    many = st.lists(children, min_size=2, max_size=3)
    return st.one_of(
        st.tuples(st.just("filter"), st.integers(2, 4), children),
        st.tuples(st.just("map"), children),
        st.tuples(st.just("chain"), many, st.booleans(), st.integers(0, 5)),
        many.flatmap(
            lambda cs: st.tuples(
                st.just("mux"),
                st.just(cs),
                st.lists(st.integers(1, 3), min_size=len(cs), max_size=len(cs)),
                st.integers(0, 5),
                st.booleans(),
            )
        ),
        st.tuples(st.just("imux"), many, st.integers(1, 3), st.integers(0, 5), st.integers(0, 25)),
        st.tuples(st.just("shuffle"), st.integers(1, 6), st.integers(0, 5), children),
        st.tuples(st.just("repeat"), st.integers(1, 3), st.booleans(), children),
        st.tuples(st.just("slice"), st.integers(0, 4), st.one_of(st.none(), st.integers(0, 12)), children),
        st.tuples(st.just("tail"), st.integers(1, 5), children),
    ).map(list)


specs = st.recursive(leaf, extend, max_leaves=5)


def run_to(spec: list, workdir: Path, k: int) -> tuple:
    root = as_root(build(spec, workdir))
    it = iter(root)
    head = [plain(x) for x in itertools.islice(it, k)]
    return head, json.loads(json.dumps(collect_state_dict(root)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs, data=st.data())
def test_a_restored_pipeline_continues_the_interrupted_pass(tmp_path: Path, spec: list, data: st.DataObject) -> None:
    spec = json.loads(json.dumps(spec))
    full = [plain(x) for x in as_root(build(spec, tmp_path))]
    k = data.draw(st.integers(0, len(full)), label="stop after")
    head, state = run_to(spec, tmp_path, k)
    assert head == full[:k]
    resumed = as_root(build(spec, tmp_path))
    restore_state_dict(resumed, state)
    assert [plain(x) for x in resumed] == full[k:]


SPECS_IN_A_FRESH_PROCESS = [
    [
        "mux",
        [
            ["shuffle", 3, 1, ["manifest", 0, 7, True]],
            ["filter", 2, ["repeat", 2, False, ["indexed", 3, 6, [True, 2]]]],
        ],
        [1, 2],
        4,
        False,
    ],
    ["chain", [["indexed", 0, 8, [False, 0]], ["indexed", 1, 5, [False, 0]]], True, 3],
    ["slice", 2, 20, ["imux", [["jsonl", 0, 3, False], ["map", ["list", 5, 4]]], 1, 7, 30]],
]


@pytest.mark.parametrize("spec", SPECS_IN_A_FRESH_PROCESS)
def test_restore_in_a_fresh_process(tmp_path: Path, spec: list) -> None:
    full = [plain(x) for x in as_root(build(spec, tmp_path))]
    k = len(full) // 2
    head, state = run_to(spec, tmp_path, k)
    job = json.dumps({"spec": spec, "workdir": str(tmp_path), "state": state})
    root = str(Path(__file__).parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], input=job, capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert head + json.loads(done.stdout) == full and k > 0


def test_one_shot_iterators_and_foreign_nodes_are_refused_by_name() -> None:
    node = LazyFilter(iter([1, 2, 3]), bool)
    next(iter(node))
    with pytest.raises(NotCheckpointableError, match="one-shot iterator"):
        collect_state_dict(node)

    class Custom(IteratorNode):
        def __iter__(self):
            return iter([1])

    mapper = LazyMapper(Custom(), str)
    next(iter(mapper))
    with pytest.raises(NotCheckpointableError, match="Custom"):
        collect_state_dict(mapper)
    with pytest.raises(NotCheckpointableError, match="Custom"):
        Custom().state_dict()
    with pytest.raises(NotCheckpointableError, match="Custom"):
        Custom().load_state_dict({})
    with pytest.raises(NotCheckpointableError, match="not a lazy iterator node"):
        collect_state_dict([1, 2])


def test_state_of_another_graph_is_refused() -> None:
    state = collect_state_dict(LazyFilter([1], bool))
    with pytest.raises(ValueError, match="LazyFilter"):
        restore_state_dict(LazyIteratorChain([1]), state)


def test_lhotse_1_33_child_names_remain() -> None:
    chain = LazyIteratorChain([1], LazyFilter([2], bool))
    assert chain.iterators is chain.sources and chain.sources[1].iterator is chain.sources[1].source
