"""Indexed manifests on S3 (moto) and HTTP (nginx): one ranged request per item, index files fetched once.

Requests and bytes are counted by the proxy in front of each server.
"""

import multiprocessing
import pickle
import random

import pytest

from lhotse_lite import SupervisionSet
from lhotse_lite.errors import ManifestArgumentError, RemoteChangedError, StaleIndexError
from lhotse_lite.manifest import load_manifest_lazy
from lhotse_lite.manifest.blocked_gzip import BlockedGzipReader
from lhotse_lite.supervision import SupervisionSegment

N = 300


def _sups(tag: str = "s", n: int = N) -> SupervisionSet:
    return SupervisionSet(
        [SupervisionSegment(f"{tag}{i:04d}", f"rec{i % 7}", float(i), 1.0 + i % 3, text=f"w{i}") for i in range(n)]
    )


@pytest.fixture(params=["s3", "http"])
def place(request, tmp_path):
    """``(url of a manifest folder, proxy, function writing a set to a name there)`` on either server."""
    if request.param == "s3":
        s3 = request.getfixturevalue("s3")
        base = f"s3://{request.getfixturevalue('bucket')}/corpus"
        return base, s3.proxy, lambda sups, name: sups.to_file(f"{base}/{name}")
    http = request.getfixturevalue("http")
    folder = http.root / tmp_path.name
    folder.mkdir()
    folder.chmod(0o755)
    return f"{http.url}/{tmp_path.name}", http.proxy, lambda sups, name: sups.to_file(folder / name)


def _gets(proxy):
    return [entry for entry in proxy.requests if entry[0] == "GET"]


@pytest.mark.parametrize("name", ["sups.jsonl", "sups.jsonl.gz"])
def test_random_reads_cost_one_ranged_request_per_item(place, name, tmp_path):
    base, proxy, write = place
    sups = _sups()
    write(sups, name)
    expected = list(sups)
    proxy.reset()
    lazy = load_manifest_lazy(f"{base}/{name}", indexed=True)
    assert proxy.count("GET") == 2  # the index file, fetched into the cache, and item 0 (the manifest's type)
    assert proxy.count("HEAD") == 2  # the data's and the index's identity
    proxy.reset()
    assert len(lazy) == N and proxy.requests == []
    picks = random.Random(0).sample(range(N), 40)
    assert [lazy[i] for i in picks] == [expected[i] for i in picks]
    gets = _gets(proxy)
    assert len(proxy.requests) == len(gets) == 40
    assert all(byte_range and byte_range.startswith("bytes=") for _, _, byte_range, _ in gets)
    local = tmp_path / ("local-" + name)
    sups.to_file(local)
    if name.endswith(".gz"):  # each read is the item's gzip member: the compressed block, nothing more
        reader = BlockedGzipReader(local)
        members = [reader.offsets[reader.block_of(i) + 1] - reader.offsets[reader.block_of(i)] for i in picks]
        assert [sent for *_, sent in gets] == members
    else:  # each read is the item's line
        lines = local.read_bytes().splitlines(keepends=True)
        assert [sent for *_, sent in gets] == [len(lines[i]) for i in picks]

    proxy.reset()  # sent to a DataLoader worker: the same reads
    assert pickle.loads(pickle.dumps(lazy))[picks[0]] == expected[picks[0]] and proxy.count("GET") == 1

    proxy.reset()  # opened again (another process, a later epoch): the index comes from the cache
    again = load_manifest_lazy(f"{base}/{name}", indexed=True)
    assert proxy.count("GET") == 1  # item 0
    assert again[-1] == expected[-1] and proxy.count("GET") == 2


def test_lookup_by_id_and_shuffled_pass_over_s3(s3, bucket):
    url = f"s3://{bucket}/sups.jsonl.gz"
    sups = _sups()
    sups.to_file(url)
    lazy = load_manifest_lazy(url, indexed=True)
    s3.proxy.reset()
    assert lazy["s0123"] == sups["s0123"]
    assert s3.proxy.count("GET") == 2  # the id index (into the cache), then the item
    s3.proxy.reset()
    assert lazy["s0042"] == sups["s0042"] and "s0007" in lazy and "nope" not in lazy
    assert s3.proxy.count("GET") == 2  # one per found id; an unknown id costs none (its hash is not indexed)
    small = _sups("x", n=30)
    small.to_file(url)
    order = [s.id for s in load_manifest_lazy(url, shuffle=True, seed=3)]
    assert sorted(order) == sorted(small.ids) and order != list(small.ids)
    assert order == [s.id for s in load_manifest_lazy(url, shuffle=True, seed=3)]


def test_a_jsonl_without_an_index_is_indexed_once_and_cached(s3, bucket, tmp_path):
    local = tmp_path / "plain.jsonl"
    sups = _sups(n=50)
    sups.to_file(local)
    s3.client.put_object(Bucket=bucket, Key="plain.jsonl", Body=local.read_bytes())  # no .idx beside it
    url = f"s3://{bucket}/plain.jsonl"
    s3.proxy.reset()
    lazy = load_manifest_lazy(url, indexed=True)
    whole = [sent for _, path, byte_range, sent in _gets(s3.proxy) if path.endswith("plain.jsonl")]
    assert whole[0] == local.stat().st_size and len(whole) == 2  # read once to build the index, then item 0
    assert lazy[17] == sups[17]
    s3.proxy.reset()
    assert load_manifest_lazy(url, indexed=True)[3] == sups[3]
    assert s3.proxy.count("GET") == 2  # items 0 and 3: the built index is cached by the data's identity
    assert lazy["s0009"] == sups["s0009"]  # the id index is built the same way


def _cache_entries(tmp_path):
    return sorted(p.name for p in (tmp_path / "cache").rglob("*") if p.is_file())


def test_a_replaced_manifest_is_never_read_through_the_old_index(place, tmp_path):
    base, proxy, write = place
    url = f"{base}/sups.jsonl"
    write(_sups("a"), "sups.jsonl")
    opened = load_manifest_lazy(url, indexed=True)
    assert opened[5].id == "a0005"
    first_entries = _cache_entries(tmp_path)
    new = _sups("bb", n=N + 5)  # longer ids: every offset moves
    write(new, "sups.jsonl")
    with pytest.raises(RemoteChangedError, match=r"sups\.jsonl.*changed after it was opened"):
        opened[5]
    proxy.reset()
    reopened = load_manifest_lazy(url, indexed=True)
    assert proxy.count("GET") == 2  # the new index, fetched into the cache under its new identity, and item 0
    assert len(reopened) == N + 5 and reopened[5] == new[5] and reopened[-1] == new[-1]
    entries = _cache_entries(tmp_path)  # the new version replaced the old one's entries
    assert len(entries) == len(first_entries) >= 1 and not set(entries) & set(first_entries)


def test_data_replaced_without_its_index_is_refused(s3, bucket):
    url = f"s3://{bucket}/sups.jsonl"
    _sups().to_file(url)
    s3.client.put_object(
        Bucket=bucket, Key="sups.jsonl", Body=b'{"id": "x", "recording_id": "r", "start": 0, "duration": 1}\n'
    )
    with pytest.raises(StaleIndexError, match=r"sups\.jsonl.*upload an index"):
        load_manifest_lazy(url, indexed=True)


def test_a_gzip_manifest_without_its_block_index_is_refused_clearly(s3, bucket):
    import gzip

    s3.client.put_object(Bucket=bucket, Key="sups.jsonl.gz", Body=gzip.compress(b'{"id": "a"}\n'))
    with pytest.raises(ManifestArgumentError, match=r"needs its block index .*sups\.jsonl\.gz\.gzi"):
        load_manifest_lazy(f"s3://{bucket}/sups.jsonl.gz", indexed=True)
    with pytest.raises(FileNotFoundError, match="missing"):
        load_manifest_lazy(f"s3://{bucket}/missing.jsonl", indexed=True)


def _read_items(args):
    url, picks = args
    lazy = load_manifest_lazy(url, indexed=True)
    return [lazy[i].id for i in picks]


def test_processes_sharing_a_cold_cache_read_the_right_items(s3, bucket, tmp_path):
    url = f"s3://{bucket}/sups.jsonl.gz"
    sups = _sups()
    sups.to_file(url)
    jobs = [(url, random.Random(k).sample(range(N), 10)) for k in range(4)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_read_items, jobs)
    assert results == [[sups[i].id for i in picks] for _, picks in jobs]
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(entries) == 1 and entries[0].stat().st_size > 0  # one .gzi entry, no temporary leftovers
    assert _cache_entries(tmp_path) == [entries[0].name]
