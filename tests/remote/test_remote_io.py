"""lhotse_lite.remote against real servers: ranged reads, seekable files, atomic uploads, errors."""

import io

import pytest

from lhotse_lite import remote
from lhotse_lite.errors import RemoteAccessError, RemoteError, RemoteNotFoundError

DATA = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture
def s3_object(s3, bucket):
    s3.client.put_object(Bucket=bucket, Key="dir/data.bin", Body=DATA)
    s3.proxy.reset()
    return f"s3://{bucket}/dir/data.bin"


@pytest.fixture
def http_object(http):
    (http.root / "data.bin").write_bytes(DATA)
    return f"{http.url}/data.bin"


@pytest.mark.parametrize("which", ["s3", "http"])
def test_read_range_is_one_ranged_request(which, request):
    url = request.getfixturevalue(f"{which}_object")
    proxy = request.getfixturevalue(which).proxy
    proxy.reset()
    assert remote.read_range(url, 1000, 5000) == DATA[1000:6000]
    gets = [r for r in proxy.requests if r[0] == "GET"]
    assert len(gets) == 1 and gets[0][2] == "bytes=1000-5999"
    assert proxy.bytes_sent() == 5000


@pytest.mark.parametrize("which", ["s3", "http"])
def test_remote_file_seeks_and_reads_with_bounded_read_ahead(which, request):
    url = request.getfixturevalue(f"{which}_object")
    proxy = request.getfixturevalue(which).proxy
    proxy.reset()
    with remote.open_read(url, block_size=4096) as f:
        assert f.size == len(DATA)
        f.seek(500_000)
        assert f.read(100) == DATA[500_000:500_100]
        f.seek(-10, io.SEEK_END)
        assert f.read() == DATA[-10:]
        buffer = bytearray(20)
        f.seek(3)
        assert f.readinto(buffer) == 20 and bytes(buffer) == DATA[3:23]
    # Three small reads: each fetched what it asked plus at most the 4 KiB read-ahead.
    assert proxy.bytes_sent() <= 3 * (4096 + 100)


def test_missing_objects_fail_at_once_naming_the_url(s3, bucket, http):
    for url in (f"s3://{bucket}/nothing.bin", f"{http.url}/nothing.bin"):
        s3.proxy.reset()
        http.proxy.reset()
        with pytest.raises(RemoteNotFoundError, match=r"nothing\.bin") as info:
            remote.read_range(url, 0, 10)
        assert isinstance(info.value, FileNotFoundError)
        assert len(s3.proxy.requests) + len(http.proxy.requests) <= 2


def test_upload_is_atomic_and_download_round_trips(s3, bucket, tmp_path):
    url = f"s3://{bucket}/out/x.bin"
    with pytest.raises(RuntimeError), remote.staged_write(url) as local:
        local.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert not remote.exists(url)  # nothing uploaded by a failed block
    with remote.staged_write(url) as local:
        local.write_bytes(DATA)
    assert s3.client.get_object(Bucket=bucket, Key="out/x.bin")["Body"].read() == DATA
    remote.download(url, tmp_path / "copy.bin")
    assert (tmp_path / "copy.bin").read_bytes() == DATA
    assert [p.name for p in tmp_path.iterdir() if p.name != "staging"] == ["copy.bin"]


def test_web_servers_are_read_only(http, tmp_path):
    (tmp_path / "a").write_bytes(b"x")
    with pytest.raises(RemoteError, match="cannot write to a web server"):
        remote.upload(tmp_path / "a", f"{http.url}/a")
    from lhotse_lite import SupervisionSet
    from lhotse_lite.testing.dummies import DummyManifest

    with pytest.raises(RemoteError, match="cannot write to a web server"):
        DummyManifest(SupervisionSet, begin_id=0, end_id=2).to_file(f"{http.url}/sups.jsonl")


def test_a_missing_back_end_names_the_extra(monkeypatch):
    import fsspec.core

    def refuse(url, **kwargs):
        raise ImportError("Install s3fs to access S3")

    monkeypatch.setattr(fsspec.core, "url_to_fs", refuse)
    with pytest.raises(ImportError, match=r"lhotse_lite\[s3\]"):
        remote.filesystem("s3://bucket/key")


def test_credentials_never_appear_in_errors(http):
    url = f"http://alice:hunter2@127.0.0.1:{http.proxy.port}/nothing.bin?X-Amz-Signature=deadbeef"
    with pytest.raises(RemoteError) as info:
        remote.read_range(url, 0, 10)
    message = str(info.value)
    assert "hunter2" not in message and "deadbeef" not in message and "alice" not in message
    assert "nothing.bin" in message


def test_forbidden_is_an_access_error_without_retries(http):
    with pytest.raises(RemoteAccessError, match="403"):
        remote.read_range(f"{http.url}/forbidden/a.bin", 0, 10)
    assert len(http.proxy.requests) == 1
