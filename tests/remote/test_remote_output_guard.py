"""Outputs on S3 are never overwritten by a run that began before another run completed them.

Two "machines" are two staging folders: their local locks do not see each other, the guarded upload does.
"""

import numpy as np
import pytest

from lhotse_lite import SupervisionSet, remote
from lhotse_lite.errors import OutputChangedError, OutputLockedError, RemoteChangedError
from lhotse_lite.features.storage.lilcom_chunky import LilcomChunkyWriter
from lhotse_lite.manifest import load_manifest
from lhotse_lite.manifest.writer import SequentialJsonlWriter
from lhotse_lite.testing.dummies import DummyManifest


def _items(begin, end):
    return list(DummyManifest(SupervisionSet, begin_id=begin, end_id=end))


def test_a_run_does_not_overwrite_a_manifest_another_run_completed(s3, bucket, tmp_path, monkeypatch):
    url = f"s3://{bucket}/sups.jsonl.gz"
    monkeypatch.setenv(remote.STAGING_ENV_VAR, str(tmp_path / "machine-a"))
    first = SequentialJsonlWriter(url)
    first.open()
    for sup in _items(0, 3):
        first.write(sup)
    monkeypatch.setenv(remote.STAGING_ENV_VAR, str(tmp_path / "machine-b"))
    with SequentialJsonlWriter(url) as second:
        for sup in _items(10, 12):
            second.write(sup)
    with pytest.raises(OutputChangedError, match=r"sups\.jsonl\.gz was written by another run.*machine-a"):
        first.close()
    assert list(load_manifest(url)) == _items(10, 12)
    assert first.path.exists()  # the refused run's output is kept for the user to compare


def test_replacing_an_object_checks_that_it_is_still_the_one_the_run_began_with(s3, bucket):
    url = f"s3://{bucket}/sups.jsonl"
    SupervisionSet(_items(0, 2)).to_file(url)
    writer = SequentialJsonlWriter(url)  # overwrite=True: replaces the object it found
    writer.open()
    writer.write(_items(5, 6)[0])
    s3.client.put_object(Bucket=bucket, Key="sups.jsonl", Body=b"")  # another run's output
    with pytest.raises(OutputChangedError):
        writer.close()
    assert s3.client.get_object(Bucket=bucket, Key="sups.jsonl")["Body"].read() == b""
    with SequentialJsonlWriter(url) as again:  # a new run replaces what it began with
        again.write(_items(7, 8)[0])
    assert list(load_manifest(url)) == _items(7, 8)


def test_the_same_url_on_one_machine_is_locked(s3, bucket):
    url = f"s3://{bucket}/sups.jsonl"
    with SequentialJsonlWriter(url) as writer, pytest.raises(OutputLockedError):
        writer.write(_items(0, 1)[0])
        SequentialJsonlWriter(url).open()


def test_a_new_object_is_created_with_a_conditional_put(s3, bucket, tmp_path):
    local = tmp_path / "x.bin"
    local.write_bytes(b"mine")
    s3.client.put_object(Bucket=bucket, Key="x.bin", Body=b"theirs")
    s3.proxy.reset()
    with pytest.raises(RemoteChangedError, match="another writer"):
        remote.upload(local, f"s3://{bucket}/x.bin", create=True)
    assert [m for m, *_ in s3.proxy.requests] == ["PUT"]  # refused by the store (If-None-Match: *), not a HEAD
    assert s3.client.get_object(Bucket=bucket, Key="x.bin")["Body"].read() == b"theirs"


def test_an_archive_run_keeps_uploading_its_own_archive_but_not_over_another(s3, bucket, tmp_path, monkeypatch):
    url = f"s3://{bucket}/feats.lca"
    matrix = np.zeros((20, 8), dtype=np.float32)
    monkeypatch.setenv(remote.STAGING_ENV_VAR, str(tmp_path / "machine-a"))
    first = LilcomChunkyWriter(url)
    first.write("a", matrix)
    first.flush()
    first.write("b", matrix)
    first.flush()  # its own earlier upload is no conflict
    monkeypatch.setenv(remote.STAGING_ENV_VAR, str(tmp_path / "machine-b"))
    with LilcomChunkyWriter(url) as second:
        second.write("c", matrix + 1)
    first.write("d", matrix)
    with pytest.raises(OutputChangedError):
        first.flush()
    first.release_output_lock()
