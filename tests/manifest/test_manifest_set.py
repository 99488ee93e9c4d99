"""The generic ManifestSet: eager/lazy parity of every operation, keys, duplicates."""

import functools
import itertools
import operator
import pickle
import random

import pytest

from lhotse_lite.errors import DuplicateIdError, ManifestError, UnknownIdError
from lhotse_lite.manifest import ManifestSet, combine
from tests.manifest.toy_items import Item, ItemSet, make


@pytest.fixture
def pair(tmp_path):
    eager = make(10)
    path = tmp_path / "items.jsonl.gz"
    eager.to_file(path)
    return eager, ItemSet.from_jsonl_lazy(path)


def ids(s):
    return [x.id for x in s]


def test_basic_protocol(pair):
    eager, lazy = pair
    assert not eager.is_lazy and lazy.is_lazy
    assert len(eager) == len(lazy) == 10
    assert eager.ids == list(lazy.ids) == [f"i{k}" for k in range(10)]
    assert "i3" in eager and "i3" in lazy and "x" not in eager and "x" not in lazy
    assert eager["i4"] == lazy["i4"] == Item("i4", 4)
    assert eager[2] == lazy[2] == Item("i2", 2)
    assert eager[-1] == Item("i9", 9)
    assert dict(eager.data)["i1"] == Item("i1", 1)
    assert lazy.to_eager() == eager
    assert eager.to_eager() is eager


def test_missing_id_and_index(pair):
    _eager, lazy = pair
    for s in pair:
        with pytest.raises(UnknownIdError, match="nope"):
            s["nope"]
        with pytest.raises(KeyError):
            s["nope"]
        with pytest.raises(IndexError):
            s[10]
    assert lazy[-1].id == "i9"  # the file was written with its index: negative positions work
    with pytest.raises(IndexError):
        ItemSet.from_jsonl_lazy(lazy.data.path, indexed=False)[-1]


def test_data_is_read_only(pair):
    eager, _ = pair
    with pytest.raises(TypeError):
        eager.data["new"] = Item("new")


def test_duplicate_ids_name_the_id():
    with pytest.raises(DuplicateIdError, match="'a'"):
        ItemSet([Item("a"), Item("b"), Item("a")])
    with pytest.raises(DuplicateIdError):
        combine(make(3), make(2))  # combine() of eager sets is eager and checks ids
    chained = make(3) + make(2)  # `+` is a lazy chain, as in Lhotse: the check comes with to_eager()
    assert chained.is_lazy and ids(chained) == ["i0", "i1", "i2", "i0", "i1"]
    with pytest.raises(DuplicateIdError):
        chained.to_eager()


def test_mapping_constructor_like_lhotse():
    s = ItemSet({"a": Item("a", 1)})
    assert s.ids == ["a"]


def test_filter_map_parity(pair):
    eager, lazy = pair
    f_e, f_l = eager.filter(lambda x: x.value % 3 == 0), lazy.filter(lambda x: x.value % 3 == 0)
    assert not f_e.is_lazy and f_l.is_lazy
    assert ids(f_e) == ids(f_l) == ["i0", "i3", "i6", "i9"]
    fn = lambda x: Item(x.id + "m", x.value * 2)  # noqa: E731
    m_e, m_l = eager.map(fn), lazy.map(fn)
    assert m_l.is_lazy and list(m_e) == list(m_l)
    assert m_e["i2m"].value == 4
    # the inputs are unchanged
    assert eager["i2"].value == 2


def test_shuffle(pair):
    eager, lazy = pair
    s_e = eager.shuffle(rng=random.Random(1))
    assert sorted(ids(s_e)) == sorted(ids(eager)) and ids(s_e) != ids(eager)
    s_l = lazy.shuffle(rng=random.Random(1), buffer_size=3)
    assert s_l.is_lazy and sorted(ids(s_l)) == sorted(ids(eager))
    # Lhotse's streaming shuffle: varied, but not uniform even with a buffer holding the whole set
    firsts = {ids(lazy.shuffle(rng=random.Random(k), buffer_size=100))[0] for k in range(60)}
    assert len(firsts) > 3
    # rng=None draws from the random module, as in Lhotse
    random.seed(5)
    first = ids(lazy.shuffle())
    random.seed(5)
    assert ids(lazy.shuffle()) == first


def test_shuffle_buffer_bounds_memory(tmp_path):
    # The buffered shuffler never moves an item further forward than the buffer allows.
    eager = make(200)
    out = ids(ItemSet._lazy(eager).shuffle(rng=random.Random(0), buffer_size=5))
    for pos, item_id in enumerate(out):
        assert int(item_id[1:]) <= pos + 5


def test_repeat(pair):
    eager, lazy = pair
    r = eager.repeat(times=2)
    assert r.is_lazy and len(r) == 20
    assert ids(r)[10] == "i0_repeat1" and ids(r)[0] == "i0_repeat0"
    assert ids(lazy.repeat(2, preserve_id=True)) == ids(eager) * 2
    endless = lazy.repeat()
    assert len(list(itertools.islice(endless, 35))) == 35
    assert list(ItemSet().repeat()) == []  # an endless repeat of nothing ends


def test_mux(pair):
    eager, lazy = pair
    other = make(4).map(lambda x: Item("o" + x.id, x.value))
    m = ItemSet.mux(lazy, other, seed=3)
    assert m.is_lazy
    assert sorted(ids(m)) == sorted(ids(eager) + ids(other))
    assert ids(m) == ids(ItemSet.mux(eager, other, seed=3)) == ids(m)  # reproducible, re-iterable
    early = ids(ItemSet.mux(lazy, other, stop_early=True, seed=3))
    assert len(early) < 14 and sum(x.startswith("o") for x in early) == 4
    only_first = ids(ItemSet.mux(lazy, other, weights=[1, 0]))
    assert only_first == ids(eager)
    with pytest.raises(ManifestError, match="weights"):
        ItemSet.mux(lazy, other, weights=[1])


def test_infinite_mux(pair):
    eager, lazy = pair
    small = make(2).map(lambda x: Item("s" + x.id))
    got = ids(itertools.islice(ItemSet.infinite_mux(lazy, small, seed=0), 100))
    assert len(got) == 100 and got.count("si0") > 5  # the small set restarts
    one = ids(itertools.islice(ItemSet.infinite_mux(lazy, small, seed=0, max_open_streams=1), 50))
    assert len(one) == 50
    # with one open stream the output is runs of whole passes over single sets
    assert set(one) <= set(ids(eager)) | {"si0", "si1"}
    assert list(ItemSet.infinite_mux(ItemSet(), ItemSet())) == []


def test_combine_and_add(pair, tmp_path):
    eager, lazy = pair
    other = make(12).subset(last=2)
    c = combine(eager, other)
    assert not c.is_lazy and ids(c)[-2:] == ["i10", "i11"]
    lc = combine(lazy, other)
    assert lc.is_lazy and ids(lc) == ids(c)
    assert ids(ItemSet.combine([eager, other])) == ids(c)
    added = eager + other
    assert added.is_lazy and ids(added) == ids(c) and len(added) == 12


def test_split_errors(pair):
    eager, lazy = pair
    with pytest.raises(ManifestError):
        eager.split(11)
    with pytest.raises(ValueError):  # Lhotse raises ValueError here
        lazy.split(11)
    for s in (eager, lazy, lazy.filter(lambda x: True)):
        parts = s.split(3, shuffle=True)
        assert sorted(functools.reduce(operator.iadd, (ids(p) for p in parts), [])) == sorted(ids(eager))
    random.seed(3)
    expected = [ids(p) for p in eager.split(3, shuffle=True)]
    random.seed(3)
    assert [ids(p) for p in lazy.split(3, shuffle=True)] == expected  # same order, eager or lazy


def test_split_lazy(pair, tmp_path):
    eager, lazy = pair
    parts = lazy.split_lazy(tmp_path / "chunks", chunk_size=4, prefix="part")
    assert [len(p) for p in parts] == [4, 4, 2] and all(p.is_lazy for p in parts)
    assert sorted(p.name for p in (tmp_path / "chunks").iterdir()) == [
        "part.00000000.jsonl.gz",
        "part.00000001.jsonl.gz",
        "part.00000002.jsonl.gz",
    ]
    assert ids(combine(parts)) == ids(eager)
    assert [p.data.path.name for p in eager.split_lazy(tmp_path / "default", chunk_size=8)] == [
        "split.00000000.jsonl.gz",
        "split.00000001.jsonl.gz",
    ]  # Lhotse's default prefix


def test_subset(pair):
    eager, lazy = pair
    for s in pair:
        assert ids(s.subset(first=3)) == ["i0", "i1", "i2"]
        assert ids(s.subset(last=2)) == ["i8", "i9"]
        assert len(s.subset(first=100)) == 10
    assert lazy.subset(first=3).is_lazy and lazy.subset(last=3).is_lazy
    for bad in ({}, {"first": 1, "last": 1}, {"first": 0}, {"last": -1}):
        with pytest.raises(ManifestError):
            eager.subset(**bad)
        with pytest.raises(AssertionError):  # what Lhotse raises
            lazy.subset(**bad)


def test_custom_key_override():
    class ByValue(ManifestSet[Item]):
        element_type = Item

        @classmethod
        def _key(cls, item):
            return (item.id, item.value)

    s = ByValue([Item("a", 1), Item("a", 2)])
    assert len(s) == 2 and ("a", 2) in s and s[("a", 1)].value == 1


def test_lazy_set_is_picklable(pair):
    _, lazy = pair
    again = pickle.loads(pickle.dumps(lazy.subset(first=2)))
    assert ids(again) == ["i0", "i1"]


def test_equality_and_repr(pair):
    eager, lazy = pair
    assert eager == make(10) and eager != make(9)
    assert "lazy" in repr(lazy) and "len=10" in repr(eager)


def test_numpy_integer_index(pair):
    np = pytest.importorskip("numpy")
    eager, lazy = pair
    assert eager[np.int64(3)] == lazy[np.int64(3)] == Item("i3", 3)
