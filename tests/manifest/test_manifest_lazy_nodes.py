"""The lazy nodes, multiplexers and seeds (lhotse_lite/manifest/{lazy,mux,seeds}.py) on their own."""

import itertools
import pickle
import random
import sys

import pytest

from lhotse_lite.errors import ManifestArgumentError, ManifestFieldError, ManifestFormatError, UnknownLengthError
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
from lhotse_lite.manifest.seeds import resolve_seed
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from tests.manifest.toy_items import ItemSet, make


def test_lengths():
    assert len(LazyMapper(range(5), str)) == 5 and len(LazyShuffler(range(5))) == 5
    assert len(LazyIteratorChain(range(2), [1], {"a": 1})) == 4
    assert len(LazyRepeater(range(3), times=2)) == 6
    assert len(LazyIslice(range(10), 2, 5)) == 3 and len(LazyIslice(range(3), 2, None)) == 1
    assert len(LazyTail(range(9), 4)) == 4
    assert len(LazyIteratorMultiplexer(range(2), range(3))) == 5
    for node in (
        LazyFilter(range(3), bool),
        LazyRepeater(range(3)),
        LazyMapper(LazyFilter(range(3), bool), str),
        LazyInfiniteApproximateMultiplexer(range(2)),
    ):
        with pytest.raises(UnknownLengthError):
            len(node)
        with pytest.raises(TypeError):
            len(node)


def test_jsonl_length_is_counted_once_and_remembered(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b"}\n')
    rows = LazyJsonlIterator(path)
    assert len(rows) == 2 and list(rows) == [{"id": "a"}, {"id": "b"}]
    path.write_text('{"id": "a"}\n')
    assert len(rows) == 2  # remembered (as Lhotse), until the next full pass
    list(rows)
    assert len(rows) == 1
    (tmp_path / "bad.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ManifestFormatError, match="gzip"):
        len(LazyJsonlIterator(tmp_path / "bad.jsonl.gz"))


def test_manifest_iterator_detects_each_item_type(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"id": "s", "recording_id": "r", "start": 0, "duration": 1}\n'
        '{"id": "r", "sources": [{"type": "file", "channels": [0], "source": "a.wav"}], '
        '"sampling_rate": 8000, "num_samples": 8000, "duration": 1.0}\n'
        '{"id": "s2", "recording_id": "r", "start": 0, "duration": -1}\n'
    )
    items = iter(LazyManifestIterator(path))
    assert [type(next(items)).__name__ for _ in range(2)] == ["SupervisionSegment", "Recording"]
    with pytest.raises(ManifestFieldError, match=r"mixed\.jsonl:3"):
        next(items)


def test_chain_flattens_and_iterates_dict_values():
    inner = LazyIteratorChain([1], [2])
    chain = LazyIteratorChain(inner, {"k": 3}, [4])
    assert len(chain.iterators) == 4 and list(chain) == [1, 2, 3, 4]
    chained = LazyMapper([1], str) + LazyMapper([2], int)  # a node's "+" is a lazy chain, as in Lhotse
    assert isinstance(chained, LazyIteratorChain) and list(chained) == ["1", 2]


def test_shuffler_and_repeater_checks():
    with pytest.raises(ManifestArgumentError):
        LazyShuffler([1], buffer_size=0)
    with pytest.raises(ManifestArgumentError):
        LazyRepeater([1], times=0)
    with pytest.raises(ManifestArgumentError):
        LazyMapper([1], fn=None)
    assert list(LazyRepeater([], times=None)) == []  # an endless repeat of nothing ends
    assert list(LazyShuffler([], rng=random.Random(0))) == []
    assert sorted(LazyShuffler(range(50), buffer_size=7, rng=random.Random(3))) == list(range(50))


def test_mux_checks_and_edge_cases():
    for bad in ({"weights": [1]}, {"weights": [-1, 2]}, {"weights": [0, 0]}):
        with pytest.raises(ManifestArgumentError):
            LazyIteratorMultiplexer([1], [2], **bad)
    with pytest.raises(ManifestArgumentError, match="at least two"):
        LazyIteratorMultiplexer([1])
    assert list(LazyIteratorMultiplexer([1, 2], [], seed=0)) == [1, 2]
    assert list(LazyIteratorMultiplexer([1, 2], [3], weights=[0, 1])) == [3]  # weight 0: never drawn
    with pytest.raises(ManifestArgumentError):
        LazyInfiniteApproximateMultiplexer()
    assert list(LazyInfiniteApproximateMultiplexer([], [])) == []  # every source empty: the pass ends
    mux = LazyInfiniteApproximateMultiplexer([], ["x"], seed=0)
    assert list(itertools.islice(mux, 5)) == ["x"] * 5  # an empty source drawn again is skipped
    assert LazyInfiniteApproximateMultiplexer([1], [2], max_open_streams=10).max_open_streams == 2


def test_seeds(monkeypatch):
    assert resolve_seed(3) == 3
    random.seed(42)
    assert resolve_seed(None) == resolve_seed("randomized") == random.getstate()[1][0]
    assert len({resolve_seed("trng") for _ in range(5)}) > 1
    for bad in ("random", 1.5, True):
        with pytest.raises(ManifestArgumentError):
            resolve_seed(bad)

    class Worker:
        seed = 2**40 + 5

    class FakeData:
        @staticmethod
        def get_worker_info():
            return Worker()

    monkeypatch.setitem(sys.modules, "torch.utils.data", FakeData)
    assert resolve_seed("randomized") == (2**40 + 5) % 2**31  # inside a DataLoader worker


def test_nodes_pickle_with_their_sets(tmp_path):
    make(4).to_jsonl(tmp_path / "i.jsonl")
    lazy = ItemSet.from_jsonl_lazy(tmp_path / "i.jsonl")
    for derived in (
        lazy.repeat(2),
        lazy + lazy,
        ItemSet.mux(lazy, lazy, seed=1),
        lazy.shuffle(random.Random(0)),
        lazy.subset(last=2),
    ):
        again = pickle.loads(pickle.dumps(derived))
        assert [x.id for x in again] == [x.id for x in derived]


def test_lazy_sets_from_nodes_and_truth_value(tmp_path):
    sups = SupervisionSet(LazyFilter([SupervisionSegment("a", "r", 0.0, 1.0)], lambda s: True))
    assert sups.is_lazy and bool(sups) and not SupervisionSet(LazyFilter([], bool))
    assert SupervisionSet(sups).is_lazy and not SupervisionSet.from_items(sups).is_lazy
