"""Sets as in Lhotse: constructors, file methods, lazy repeat/+, len, shuffle, split, mux, subset, combine."""

import gzip
import itertools
import json
import random

import pytest

from tests.lhotse_parity.sample_manifests import dicts, features, ids, recordings, segments, sup_set

LAZY = pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])


# ---- constructors -----------------------------------------------------------------------------------


def test_constructors_take_lhotse_keywords(compare):
    def scenario(lib, workdir):
        sups = lib.SupervisionSet(segments=segments(lib))
        recs = lib.RecordingSet(recordings=recordings(lib))
        feats = lib.FeatureSet(features=features(lib))
        return [
            dicts(sups),
            dicts(recs),
            dicts(feats),
            len(sups),
            len(recs),
            len(feats),
            sups.is_lazy,
            recs.is_lazy,
            feats.is_lazy,
            dicts(lib.SupervisionSet()),
        ]

    compare(scenario)


def test_from_items_dicts_and_segments(compare):
    def scenario(lib, workdir):
        segs = segments(lib)
        a = lib.SupervisionSet.from_segments(segs)
        b = lib.SupervisionSet.from_items(segs)
        c = lib.SupervisionSet.from_dicts(s.to_dict() for s in segs)
        r = lib.RecordingSet.from_recordings(recordings(lib))
        f = lib.FeatureSet.from_features(features(lib))
        return [dicts(a) == dicts(b) == dicts(c), dicts(c), ids(r), dicts(f), a == c]

    compare(scenario)


# ---- files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["json", "yaml"])
@pytest.mark.parametrize("name", ["sups.txt", "sups", "sups.jsonl", "sups.gz"])
def test_named_file_methods_write_any_path(compare, method, name):
    # The method names the format; a .gz ending compresses. JSON and YAML are byte-identical.
    def scenario(lib, workdir):
        path = workdir / name
        sups = lib.SupervisionSet.from_segments(segments(lib))
        getattr(sups, f"to_{method}")(path)
        raw = path.read_bytes()
        back = getattr(lib.SupervisionSet, f"from_{method}")(path)
        return [gzip.decompress(raw) if name.endswith(".gz") else raw, raw[:2] == b"\x1f\x8b", dicts(back)]

    compare(scenario)


@pytest.mark.parametrize("name", ["sups.txt", "sups.json", "sups.jsonl.gz"])
def test_to_jsonl_writes_any_path(compare, name):
    # JSONL lines hold the same JSON (our lines have no blanks after ':' and ','): compare the values
    # and the bytes after a JSON round trip.
    def scenario(lib, workdir):
        path = workdir / name
        lib.SupervisionSet.from_segments(segments(lib)).to_jsonl(path)
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")
        lines = [json.loads(line) for line in text.splitlines()]
        return [lines, [json.dumps(x) for x in lines], dicts(lib.SupervisionSet.from_jsonl(path))]

    compare(scenario)


@pytest.mark.parametrize("name", ["sups.jsonl", "sups.v2.jsonl.gz", "sups.json", "sups.json.gz", "a.b.yaml"])
def test_to_file_and_from_file_choose_the_format_by_suffix(compare, name):
    def scenario(lib, workdir):
        path = workdir / name
        lib.SupervisionSet.from_segments(segments(lib)).to_file(path)
        raw = path.read_bytes()
        text = gzip.decompress(raw) if name.endswith(".gz") else raw
        loaded = lib.SupervisionSet.from_file(path)
        value = [dicts(loaded), dicts(lib.serialization.load_manifest(path))]
        if ".jsonl" in name:
            return [*value, [json.dumps(json.loads(line)) for line in text.decode().splitlines()]]
        return [*value, text]

    compare(scenario)


@pytest.mark.parametrize("kind", ["recordings", "features"])
def test_other_sets_round_trip_through_json_bytes(compare, kind):
    def scenario(lib, workdir):
        items = recordings(lib) if kind == "recordings" else features(lib)
        cls = lib.RecordingSet if kind == "recordings" else lib.FeatureSet
        cls.from_items(items).to_json(workdir / "x.json")
        again = cls.from_json(workdir / "x.json")
        again.to_json(workdir / "y.json")
        return [(workdir / "x.json").read_bytes(), (workdir / "y.json").read_bytes(), dicts(again)]

    compare(scenario)


def test_serialization_functions(compare):
    def scenario(lib, workdir):
        s = lib.serialization
        data = [{"id": "a", "x": [1, 2.5, None]}, {"id": "é", "nested": {"k": "v"}}]
        s.save_to_json(data, workdir / "d.json")
        s.save_to_json(data, workdir / "d.json.gz")
        s.save_to_yaml(data, workdir / "d.yaml")
        s.save_to_jsonl(data, workdir / "d.jsonl")
        return [
            (workdir / "d.json").read_bytes(),
            gzip.decompress((workdir / "d.json.gz").read_bytes()),
            (workdir / "d.yaml").read_bytes(),
            s.load_json(workdir / "d.json"),
            s.load_json(workdir / "d.json.gz"),
            s.load_yaml(workdir / "d.yaml"),
            list(s.load_jsonl(workdir / "d.jsonl")),
            [
                s.extension_contains(ext, p)
                for ext in (".jsonl", ".json", ".gz")
                for p in ("a.jsonl.gz", "a.json", "dir.jsonl/a", "a.yaml")
            ],
        ]

    compare(scenario)


def test_store_and_load_manifest(compare):
    def scenario(lib, workdir):
        s = lib.serialization
        out = []
        for name in ("s.jsonl.gz", "s.json", "s.yaml"):
            s.store_manifest(lib.SupervisionSet.from_segments(segments(lib)), workdir / name)
            out.append(dicts(s.load_manifest(workdir / name)))
        lib.store_manifest(lib.RecordingSet.from_recordings(recordings(lib)), workdir / "r.jsonl")
        lazy = s.load_manifest_lazy(workdir / "r.jsonl")
        out += [type(lazy).__name__, lazy.is_lazy, ids(lazy), dicts(lib.load_manifest(workdir / "r.jsonl"))]
        (workdir / "empty.jsonl").write_text("")
        return [*out, s.load_manifest_lazy(workdir / "empty.jsonl")]

    compare(scenario)


def test_sequential_writer_takes_items_and_dicts(compare):
    def scenario(lib, workdir):
        path = workdir / "w.jsonl.gz"
        segs = segments(lib, 4)
        with lib.serialization.SequentialJsonlWriter(path) as writer:
            writer.write(segs[0])
            writer.write(segs[1].to_dict())
        with lib.SupervisionSet.open_writer(path, overwrite=False) as writer:  # resume
            kept = [writer.contains(segs[0].id), segs[1].id in writer, writer.contains(segs[2].id)]
            writer.write(segs[0])  # kept by the resume: not written again
            writer.write(segs[2])
        lazy = writer.open_manifest()
        with lib.SupervisionSet.open_writer(None) as memory:
            memory.write(segs[3])
        return [
            kept,
            ids(lazy),
            lazy.is_lazy,
            dicts(lazy),
            type(memory).__name__,
            ids(memory.open_manifest()),
            [d["id"] for d in lib.lazy.LazyJsonlIterator(path)],
        ]

    compare(scenario)


def test_lazy_jsonl_and_manifest_iterators(compare):
    def scenario(lib, workdir):
        path = workdir / "s.jsonl"
        lib.SupervisionSet.from_segments(segments(lib)).to_jsonl(path)
        rows = lib.lazy.LazyJsonlIterator(path)
        items = lib.lazy.LazyManifestIterator(path)
        return [list(rows), len(rows), dicts(items), len(items), [type(x).__name__ for x in items][:2]]

    compare(scenario)


# ---- lazy results, len ------------------------------------------------------------------------------


@LAZY
def test_repeat_is_lazy(compare, lazy):
    def scenario(lib, workdir):
        sups = sup_set(lib, workdir, lazy, n=4)
        twice = sups.repeat(times=2)
        kept = sups.repeat(times=3, preserve_id=True)
        endless = sups.repeat()
        return [
            twice.is_lazy,
            ids(twice),
            len(twice),
            kept.is_lazy,
            ids(kept),
            len(kept),
            ids(itertools.islice(endless, 10)),
            dicts(twice)[5],
        ]

    compare(scenario)


def test_repeat_of_features_keeps_them_unchanged(compare):
    def scenario(lib, workdir):
        feats = lib.FeatureSet.from_features(features(lib))
        return [dicts(feats.repeat(times=2)), len(feats.repeat(2)), feats.repeat(2).is_lazy]

    compare(scenario)


@LAZY
def test_add_is_lazy_and_allows_repeated_ids(compare, lazy):
    def scenario(lib, workdir):
        a, b = sup_set(lib, workdir, lazy, n=4), sup_set(lib, workdir, lazy, n=6)
        both = a + b
        return [both.is_lazy, ids(both), len(both), ids(a + a), (a + b + a).is_lazy, len(a + b + a)]

    compare(scenario)


def test_len_of_lazy_results(compare):
    def scenario(lib, workdir):
        lazy = sup_set(lib, workdir, lazy=True)
        eager = sup_set(lib, workdir, lazy=False)
        return [
            len(lazy),
            len(lazy.map(lambda s: s)),
            len(eager.filter(lambda s: s.duration > 0.4)),
            len(eager.map(lambda s: s)),
            len(lazy.shuffle(random.Random(0))),
        ]

    compare(scenario, expected=[12, 12, 6, 12, 12])


@pytest.mark.parametrize("how", ["filter", "filter-map", "endless-repeat", "filter-repeat"])
def test_len_of_unknown_length_raises_type_error(compare, how):
    def scenario(lib, workdir):
        lazy = sup_set(lib, workdir, lazy=True)
        keep = lazy.filter(lambda s: s.duration > 0.4)
        made = {
            "filter": keep,
            "filter-map": keep.map(lambda s: s),
            "endless-repeat": lazy.repeat(),
            "filter-repeat": keep.repeat(2),
        }[how]
        return len(made)

    compare.raises(scenario, TypeError)


# ---- random orders ----------------------------------------------------------------------------------


@LAZY
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_shuffle_with_a_random_generator(compare, lazy, seed):
    def scenario(lib, workdir):
        sups = sup_set(lib, workdir, lazy)
        return [
            ids(sups.shuffle(random.Random(seed))),
            ids(sups.shuffle(random.Random(seed), buffer_size=4)),
            sups.shuffle(random.Random(seed)).is_lazy,
        ]

    compare(scenario)


def test_shuffle_orders_are_pinned(compare):
    def scenario(lib, workdir):
        sups = lib.SupervisionSet.from_segments(segments(lib, n=6, recordings=1))
        lazy = lib.SupervisionSet(lib.lazy.LazyIteratorChain(sups))
        return [ids(sups.shuffle(random.Random(3))), ids(lazy.shuffle(random.Random(3), buffer_size=3))]

    compare(
        scenario,
        expected=[
            ["rec0-000", "rec0-002", "rec0-003", "rec0-005", "rec0-004", "rec0-001"],
            ["rec0-003", "rec0-002", "rec0-000", "rec0-005", "rec0-001", "rec0-004"],
        ],
    )


@LAZY
def test_shuffle_without_rng_uses_the_random_module(compare, lazy):
    def scenario(lib, workdir):
        sups = sup_set(lib, workdir, lazy)
        first = ids(sups.shuffle())
        random.seed(11)
        return [first, ids(sups.shuffle(buffer_size=5))]

    compare(scenario)


@LAZY
@pytest.mark.parametrize("num_splits,drop_last", [(3, False), (5, False), (5, True), (12, False)])
def test_split(compare, lazy, num_splits, drop_last):
    def scenario(lib, workdir):
        sups = sup_set(lib, workdir, lazy)
        return [
            [ids(p) for p in sups.split(num_splits, drop_last=drop_last)],
            [ids(p) for p in sups.split(num_splits, shuffle=True, drop_last=drop_last)],
            [ids(p) for p in sups.split(num_splits, shuffle=True, drop_last=drop_last)],
        ]

    compare(scenario)


@LAZY
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"seed": 3},
        {"weights": [3, 1, 1], "seed": 5},
        {"stop_early": True},
        {"stop_early": True, "weights": [1, 0, 2]},
    ],
    ids=str,
)
def test_mux(compare, lazy, kwargs):
    def scenario(lib, workdir):
        sets = [sup_set(lib, workdir, lazy, n=n) for n in (4, 7, 12)]
        sets = [s.map(lambda x, k=k: lib.utils.fastcopy(x, id=f"{k}-{x.id}")) for k, s in enumerate(sets)]
        muxed = lib.SupervisionSet.mux(*sets, **kwargs)
        return [muxed.is_lazy, ids(muxed), ids(muxed)]  # a second pass repeats the order

    compare(scenario)


def test_mux_order_is_pinned(compare):
    def scenario(lib, workdir):
        a = lib.SupervisionSet.from_segments(segments(lib, n=3, recordings=1))
        b = a.map(lambda s: lib.utils.fastcopy(s, id="b" + s.id[-1]))
        return ids(lib.SupervisionSet.mux(a, b, seed=1))

    compare(scenario, expected=["rec0-000", "b0", "b1", "rec0-001", "rec0-002", "b2"])


@LAZY
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"seed": 4, "max_open_streams": 2},
        {"weights": [5, 1, 1], "seed": 2},
        {"max_open_streams": 1, "seed": 9},
        {"max_open_streams": 10},
    ],
    ids=str,
)
def test_infinite_mux(compare, lazy, kwargs):
    def scenario(lib, workdir):
        sets = [sup_set(lib, workdir, lazy, n=n) for n in (2, 3, 5)]
        sets = [s.map(lambda x, k=k: lib.utils.fastcopy(x, id=f"{k}-{x.id}")) for k, s in enumerate(sets)]
        muxed = lib.SupervisionSet.infinite_mux(*sets, **kwargs)
        return [muxed.is_lazy, ids(itertools.islice(muxed, 60)), ids(itertools.islice(muxed, 60))]

    compare(scenario)


def test_infinite_mux_order_is_pinned(compare):
    def scenario(lib, workdir):
        a = lib.SupervisionSet.from_segments(segments(lib, n=2, recordings=1))
        b = a.map(lambda s: lib.utils.fastcopy(s, id="b" + s.id[-1]))
        return ids(itertools.islice(lib.SupervisionSet.infinite_mux(a, b, seed=0, max_open_streams=1), 8))

    compare(scenario, expected=["b0", "b1", "b0", "b1", "rec0-000", "rec0-001", "b0", "b1"])


def test_shard_chain_shuffles_like_lhotse(compare):
    def scenario(lib, workdir):
        shards = [[k * 10 + j for j in range(2)] for k in range(5)]
        chain = lib.lazy.LazyIteratorChain(*shards, shuffle_iters=True, seed=3)
        return [list(chain), list(chain), list(chain), len(chain)]

    compare(scenario)


# ---- subset, combine --------------------------------------------------------------------------------


@LAZY
def test_subset(compare, lazy):
    def scenario(lib, workdir):
        sups = sup_set(lib, workdir, lazy)
        return [
            ids(sups.subset(first=3)),
            ids(sups.subset(last=2)),
            ids(sups.subset(first=50)),
            ids(sups.subset(last=50)),
        ]

    compare(scenario)


@LAZY
def test_combine(compare, lazy):
    def scenario(lib, workdir):
        a = sup_set(lib, workdir, lazy, n=4)
        b = lib.SupervisionSet.from_segments(
            s for s in segments(lib, n=8) if s.id not in {x.id for x in segments(lib, n=4)}
        )
        return [ids(lib.manipulation.combine(a, b)), ids(lib.combine([a, b])), dicts(lib.combine(a, b))]

    compare(scenario)


@LAZY
def test_map_filter_and_equality(compare, lazy):
    def scenario(lib, workdir):
        sups = sup_set(lib, workdir, lazy)
        upper = sups.map(lambda s: lib.utils.fastcopy(s, text=(s.text or "").upper()))
        kept = sups.filter(lambda s: s.speaker == "spk1")
        return [
            upper.is_lazy,
            dicts(upper),
            kept.is_lazy,
            ids(kept),
            sups.to_eager() == sup_set(lib, workdir, lazy=False),
            kept.to_eager() == sups.to_eager(),
        ]

    compare(scenario)
