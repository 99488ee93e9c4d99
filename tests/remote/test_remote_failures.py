"""Failures of real servers: transient errors retried, 4xx at once, a server that goes away mid-read."""

import numpy as np
import pytest

from lhotse_lite import SupervisionSet, remote
from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.errors import AudioLoadingError, RemoteAccessError, RemoteError
from lhotse_lite.features.base import FeatureSetBuilder
from lhotse_lite.features.kaldi.extractors import Fbank
from lhotse_lite.features.storage.lilcom_chunky import LilcomChunkyWriter
from lhotse_lite.manifest import load_manifest, load_manifest_lazy
from lhotse_lite.testing.dummies import DummyManifest

DATA = bytes(range(256)) * 1024


@pytest.mark.parametrize("status", [503, 500, 429])
def test_transient_errors_twice_then_success_on_http(http, status):
    (http.root / "d.bin").write_bytes(DATA)
    http.proxy.fail_next(status, count=2)
    assert remote.read_range(f"{http.url}/d.bin", 100, 1000) == DATA[100:1100]
    assert http.proxy.count("GET") == 3  # two refused, the third served


def test_transient_errors_twice_then_success_on_s3(s3, bucket):
    s3.client.put_object(Bucket=bucket, Key="d.bin", Body=DATA)
    sups = DummyManifest(SupervisionSet, begin_id=0, end_id=20)
    sups.to_file(f"s3://{bucket}/sups.jsonl.gz")
    s3.proxy.reset()
    s3.proxy.fail_next(503, count=2)
    assert remote.read_range(f"s3://{bucket}/d.bin", 100, 1000) == DATA[100:1100]
    assert s3.proxy.count("GET") == 3
    s3.proxy.reset()
    s3.proxy.fail_next(503, count=2)
    assert load_manifest(f"s3://{bucket}/sups.jsonl.gz") == sups


def test_a_response_cut_off_halfway_is_fetched_again(http):
    (http.root / "d.bin").write_bytes(DATA)
    http.proxy.fail_next("cut", count=1)
    assert remote.read_range(f"{http.url}/d.bin", 0, len(DATA)) == DATA
    assert http.proxy.count("GET") == 2


def test_retries_are_bounded_and_the_error_names_the_url_and_status(http):
    (http.root / "d.bin").write_bytes(DATA)
    http.proxy.fail_next(503, count=100)
    with pytest.raises(RemoteError, match=r"d\.bin.*after 4 tries.*HTTP 503"):
        remote.read_range(f"{http.url}/d.bin", 0, 10)
    assert http.proxy.count("GET") == 4  # the policy's tries, no more


def test_forbidden_fails_at_once_on_s3(s3, bucket):
    s3.client.put_object(Bucket=bucket, Key="d.bin", Body=DATA)
    s3.proxy.reset()
    s3.proxy.fail_next(403, count=100)
    with pytest.raises(RemoteAccessError, match=r"d\.bin.*403"):
        remote.read_range(f"s3://{bucket}/d.bin", 0, 10)
    assert len(s3.proxy.requests) == 1


def test_a_server_that_goes_away_mid_read_leaves_no_output(http, tmp_path):
    sups = DummyManifest(SupervisionSet, begin_id=0, end_id=60000)  # about 6 MB: more than one request
    sups.to_file(http.root / "sups.jsonl")
    lazy = load_manifest_lazy(f"{http.url}/sups.jsonl")
    (tmp_path / "out").mkdir()
    http.proxy.reset()
    http.proxy.down_after = 1  # the first ranged request is served, then the server is gone
    with pytest.raises(RemoteError, match=rf"{http.url}/sups\.jsonl"):
        lazy.to_file(tmp_path / "out" / "copy.jsonl.gz")
    assert not (tmp_path / "out" / "copy.jsonl.gz").exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == []  # no temporary file left behind


def test_feature_extraction_stops_naming_the_url_when_the_audio_server_goes_away(s3, bucket, http, tmp_path):
    import io

    import soundfile as sf

    recordings = []
    for i in range(3):
        buffer = io.BytesIO()
        sf.write(buffer, np.zeros(16000, np.float32), 16000, format="FLAC")
        (http.root / f"g{i}.flac").write_bytes(buffer.getvalue())
        recordings.append(Recording(f"g{i}", [AudioSource("url", [0], f"{http.url}/g{i}.flac")], 16000, 16000, 1.0))
    http.proxy.reset()
    http.proxy.down_after = 2  # the first recording's size and its data, then nothing
    with (
        pytest.raises(AudioLoadingError, match=rf"{http.url}/g1\.flac"),
        LilcomChunkyWriter(f"s3://{bucket}/feats") as storage,
    ):
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            recordings, output_manifest=f"s3://{bucket}/feats.jsonl.gz", progress_bar=False
        )
    # No manifest and no archive: only the sidecar recording what the run was (written when it starts, as locally).
    keys = [o["Key"] for o in s3.client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["feats.jsonl.gz.producer.json"]
