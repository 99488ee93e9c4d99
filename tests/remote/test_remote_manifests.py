"""Manifests read and written through URLs: S3 (moto) both ways, HTTP (nginx) for reading."""

import pytest

from lhotse_lite import FeatureSet, RecordingSet, SupervisionSet
from lhotse_lite.errors import ManifestNotFoundError
from lhotse_lite.manifest import load_manifest, load_manifest_lazy
from lhotse_lite.manifest.writer import SequentialJsonlWriter
from lhotse_lite.testing.dummies import DummyManifest

TYPES = [RecordingSet, SupervisionSet, FeatureSet]
NAMES = ["m.jsonl.gz", "m.jsonl", "m.json.gz", "m.yaml"]


@pytest.mark.parametrize("cls", TYPES)
@pytest.mark.parametrize("name", NAMES)
def test_every_manifest_type_round_trips_through_s3(s3, bucket, cls, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    manifest = DummyManifest(cls, begin_id=0, end_id=5)
    url = f"s3://{bucket}/corpus/{name}"
    manifest.to_file(url)
    assert not (tmp_path / "s3:").exists()
    assert s3.client.head_object(Bucket=bucket, Key=f"corpus/{name}")["ContentLength"] > 0
    assert load_manifest(url) == manifest
    assert cls.from_file(url) == manifest
    if ".jsonl" in name:
        lazy = load_manifest_lazy(url)
        assert lazy.is_lazy and list(lazy) == list(manifest)


@pytest.mark.parametrize("cls", TYPES)
def test_manifests_are_read_from_a_web_server(http, cls):
    manifest = DummyManifest(cls, begin_id=0, end_id=7)
    manifest.to_file(http.root / "m.jsonl.gz")
    manifest.to_file(http.root / "m.json")
    url = f"{http.url}/m.jsonl.gz"
    assert load_manifest(url) == manifest
    assert list(load_manifest_lazy(url)) == list(manifest)
    assert load_manifest(f"{http.url}/m.json") == manifest
    # A sequential read of a small manifest is one request (the read-ahead covers it).
    http.proxy.reset()
    cls.from_file(url)
    assert http.proxy.count("GET") == 1


def test_missing_remote_manifest_is_a_not_found_error(s3, bucket, http):
    with pytest.raises(FileNotFoundError, match=r"nothing\.jsonl"):
        load_manifest(f"s3://{bucket}/nothing.jsonl")
    with pytest.raises(ManifestNotFoundError, match=r"nothing\.jsonl"):
        SupervisionSet.from_jsonl_lazy(f"{http.url}/nothing.jsonl")


def test_a_failed_write_leaves_the_previous_object(s3, bucket):
    url = f"s3://{bucket}/sups.jsonl.gz"
    old = DummyManifest(SupervisionSet, begin_id=0, end_id=3)
    old.to_file(url)

    def broken():
        yield from DummyManifest(SupervisionSet, begin_id=10, end_id=12)
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        SupervisionSet.from_segments([]).__class__._lazy(broken()).to_file(url)
    assert load_manifest(url) == old


def test_sequential_writer_uploads_on_close_and_resumes(s3, bucket):
    url = f"s3://{bucket}/out/sups.jsonl.gz"
    items = list(DummyManifest(SupervisionSet, begin_id=0, end_id=6))
    with pytest.raises(RuntimeError), SequentialJsonlWriter(url) as writer:
        for sup in items[:3]:
            writer.write(sup, flush=True)
        raise RuntimeError("killed")
    keys = [o["Key"] for o in s3.client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == []  # nothing visible before the writer completes
    with SequentialJsonlWriter(url, overwrite=False) as writer:
        assert writer.num_kept == 3
        for sup in items:
            if not writer.contains(sup.id):
                writer.write(sup)
    assert list(load_manifest(url)) == items
    assert list(writer.open_manifest()) == items


def test_writer_resumes_from_the_uploaded_object(s3, bucket, tmp_path, monkeypatch):
    url = f"s3://{bucket}/sups.jsonl"
    items = list(DummyManifest(SupervisionSet, begin_id=0, end_id=4))
    with SequentialJsonlWriter(url) as writer:
        for sup in items[:2]:
            writer.write(sup)
    monkeypatch.setenv("LHOTSE_LITE_STAGING_DIR", str(tmp_path / "another-machine"))
    with SequentialJsonlWriter(url, overwrite=False) as writer:
        assert writer.num_kept == 2
        for sup in items[2:]:
            writer.write(sup)
    assert list(load_manifest(url)) == items


@pytest.mark.parametrize("name", ["sups.jsonl.gz", "sups.jsonl"])
def test_sequential_writer_uploads_the_index_with_the_data(s3, bucket, name, tmp_path):
    url = f"s3://{bucket}/indexed/{name}"
    items = list(DummyManifest(SupervisionSet, begin_id=0, end_id=30))
    with SequentialJsonlWriter(url) as writer:
        for sup in items:
            writer.write(sup)
    keys = {o["Key"] for o in s3.client.list_objects_v2(Bucket=bucket).get("Contents", [])}
    index = ".gzi" if name.endswith(".gz") else ".idx"
    assert {f"indexed/{name}", f"indexed/{name}{index}", f"indexed/{name}.idx.json"} <= keys
    lazy = load_manifest_lazy(url, indexed=True)
    assert len(lazy) == 30 and lazy[17] == items[17] and lazy[-1] == items[-1]
    staged = [p.name for p in (tmp_path / "staging").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert staged == []  # the staged data and index files are removed once uploaded
