"""``to_file("s3://bucket/x.jsonl.gz")`` writes to the store, not to a local folder named ``s3:``.

A URL given as a manifest destination used to go through ``pathlib.Path``, which turned
``s3://bucket/x.jsonl.gz`` into the local path ``s3:/bucket/x.jsonl.gz``: the write created a folder
named ``s3:`` in the working directory and reported success. fsspec's in-memory file system stands in
for the store here (tests/remote/ runs the same against a real S3 server).
"""

import fsspec

from lhotse_lite import SupervisionSet
from lhotse_lite.manifest import load_manifest
from lhotse_lite.testing.dummies import DummyManifest


def test_url_destination_is_written_to_its_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sups = DummyManifest(SupervisionSet, begin_id=0, end_id=3)
    sups.to_file("memory://lhotse-lite-known-issue/sups.jsonl.gz")
    assert not (tmp_path / "memory:").exists()
    assert fsspec.filesystem("memory").exists("/lhotse-lite-known-issue/sups.jsonl.gz")
    assert load_manifest("memory://lhotse-lite-known-issue/sups.jsonl.gz") == sups
    fsspec.filesystem("memory").rm("/lhotse-lite-known-issue", recursive=True)


def test_url_feature_archive_is_written_to_its_store(tmp_path, monkeypatch):
    import numpy as np

    from lhotse_lite.features.storage.lilcom_chunky import LilcomChunkyReader, LilcomChunkyWriter

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LHOTSE_LITE_STAGING_DIR", str(tmp_path / "staging"))
    with LilcomChunkyWriter("memory://lhotse-lite-known-issue/feats") as writer:
        key = writer.write("u", np.ones((10, 3), dtype=np.float32))
    assert not (tmp_path / "memory:").exists()
    assert writer.storage_path == "memory://lhotse-lite-known-issue/feats.lca"
    assert LilcomChunkyReader(writer.storage_path).read(key).tolist() == [[1.0] * 3] * 10
    fsspec.filesystem("memory").rm("/lhotse-lite-known-issue", recursive=True)
