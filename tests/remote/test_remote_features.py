"""Features through URLs: every storage back end, one ranged request per matrix, builder output on S3."""

import io

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite import remote
from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.errors import AudioLoadingError
from lhotse_lite.features.base import FeatureSetBuilder
from lhotse_lite.features.io import get_reader, get_writer
from lhotse_lite.features.kaldi.extractors import Fbank
from lhotse_lite.features.storage.lilcom_chunky import LilcomChunkyWriter, close_cached_file_handles
from lhotse_lite.manifest import load_manifest

SR = 16000


def _matrix(rows, seed=0):
    return np.random.default_rng(seed).normal(size=(rows, 40)).astype(np.float32)


FILE_BACKENDS = ["lilcom_chunky", "lilcom_files", "numpy_files"]


@pytest.mark.parametrize("name", FILE_BACKENDS)
def test_every_backend_writes_to_s3_and_reads_from_s3_and_http(name, s3, bucket, http, tmp_path):
    matrices = {f"utt{i}": _matrix(300 + 450 * i, seed=i) for i in range(3)}
    url = f"s3://{bucket}/feats/{name}"
    with get_writer(name)(url) as writer:
        keys = {k: writer.write(k, m) for k, m in matrices.items()}
    with get_writer(name)(tmp_path / name) as local_writer:
        local_keys = {k: local_writer.write(k, m) for k, m in matrices.items()}
    assert keys == local_keys
    storage_path = writer.storage_path
    assert storage_path.startswith(f"s3://{bucket}/feats/")
    local_path = local_writer.storage_path
    # The same bytes, served by nginx.
    for item in s3.client.list_objects_v2(Bucket=bucket)["Contents"]:
        target = http.root / item["Key"].split("/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s3.client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
    http_path = f"{http.url}/{storage_path.split('/feats/', 1)[1]}"
    close_cached_file_handles()
    for k in matrices:
        expected = get_reader(name)(local_path).read(local_keys[k], 10, 700)
        assert np.array_equal(get_reader(name)(storage_path).read(keys[k], 10, 700), expected)
        assert np.array_equal(get_reader(name)(http_path).read(keys[k], 10, 700), expected)


def test_kaldi_archives_are_read_from_a_web_server(http, tmp_path):
    pytest.importorskip("kaldiio")
    matrices = {f"utt{i}": _matrix(50 + i) for i in range(3)}
    with get_writer("kaldiio")(http.root / "kaldi") as writer:
        keys = {k: writer.write(k, m) for k, m in matrices.items()}
    # The .scp file names the ark by its local path; the path map sends it to the web server.
    local = get_reader("kaldiio")(writer.storage_path)
    expected = {k: local.read(keys[k]) for k in matrices}
    remote.set_path_map({str(http.root): http.url})
    reader = get_reader("kaldiio")(f"{http.url}/kaldi/feats.scp")
    http.proxy.reset()
    for k in matrices:
        assert np.array_equal(reader.read(keys[k]), expected[k])
    assert http.proxy.count("GET") >= 3  # read from the web server, not from the local files


def test_one_matrix_of_a_remote_lilcom_chunky_archive_is_one_ranged_request(s3, bucket):
    with LilcomChunkyWriter(f"s3://{bucket}/feats") as writer:
        keys = [writer.write(f"u{i}", _matrix(1500, seed=i)) for i in range(4)]
    close_cached_file_handles()
    reader = get_reader("lilcom_chunky")(writer.storage_path)
    s3.proxy.reset()
    matrix = reader.read(keys[2])
    stored = sum(int(n) for n in keys[2].split(",")[1:])
    assert matrix.shape == (1500, 40)
    assert s3.proxy.count("GET") == 1 and s3.proxy.count("HEAD") == 0
    assert s3.proxy.bytes_sent() <= 1.1 * stored


def _recordings(folder, count=4, seconds=2.0):
    rng = np.random.default_rng(1)
    recordings = []
    for i in range(count):
        buffer = io.BytesIO()
        sf.write(buffer, rng.normal(0, 0.1, int(SR * seconds)).astype(np.float32), SR, format="FLAC")
        (folder / f"r{i}.flac").write_bytes(buffer.getvalue())
        recordings.append(Recording.from_file(folder / f"r{i}.flac"))
    return RecordingSet.from_recordings(recordings)


def _as_url_recordings(recordings, base):
    return RecordingSet.from_recordings(
        r.__class__(r.id, [AudioSource("url", [0], f"{base}/{r.id}.flac")], r.sampling_rate, r.num_samples, r.duration)
        for r in recordings
    )


def test_builder_reads_audio_from_http_and_writes_features_and_manifest_to_s3(s3, bucket, http, tmp_path):
    local_recs = _recordings(http.root)
    with LilcomChunkyWriter(tmp_path / "feats") as storage:
        expected = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            local_recs, output_manifest=tmp_path / "feats.jsonl.gz", progress_bar=False
        )
    url_recs = _as_url_recordings(local_recs, http.url)
    with LilcomChunkyWriter(f"s3://{bucket}/out/feats") as storage:
        got = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            url_recs, output_manifest=f"s3://{bucket}/out/feats.jsonl.gz", progress_bar=False
        )
    assert got[0].storage_path == f"s3://{bucket}/out/feats.lca"
    archive = s3.client.get_object(Bucket=bucket, Key="out/feats.lca")["Body"].read()
    assert archive == (tmp_path / "feats.lca").read_bytes()
    stored = load_manifest(f"s3://{bucket}/out/feats.jsonl.gz")
    assert [f.storage_key for f in stored] == [f.storage_key for f in expected]
    close_cached_file_handles()
    for remote_item, local_item in zip(stored, expected):
        assert np.array_equal(remote_item.load(), local_item.load())


def test_builder_on_s3_resumes_after_an_interrupted_run(s3, bucket, http, tmp_path):
    local_recs = _recordings(http.root)
    url_recs = list(_as_url_recordings(local_recs, http.url))
    missing = Recording("zz-missing", [AudioSource("url", [0], f"{http.url}/missing.flac")], SR, 2 * SR, 2.0)
    broken = [*url_recs[:2], missing]
    archive, manifest = f"s3://{bucket}/feats", f"s3://{bucket}/feats.jsonl.gz"
    with pytest.raises(AudioLoadingError, match=r"missing\.flac"), LilcomChunkyWriter(archive) as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            broken, output_manifest=manifest, progress_bar=False
        )
    keys = [o["Key"] for o in s3.client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["feats.jsonl.gz.producer.json"]  # no manifest, no archive: only what the run was
    with LilcomChunkyWriter(archive) as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            url_recs, output_manifest=manifest, progress_bar=False
        )
    with LilcomChunkyWriter(tmp_path / "feats") as storage:
        expected = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            local_recs, output_manifest=tmp_path / "feats.jsonl.gz", progress_bar=False
        )
    assert s3.client.get_object(Bucket=bucket, Key="feats.lca")["Body"].read() == (tmp_path / "feats.lca").read_bytes()
    assert [f.storage_key for f in load_manifest(manifest)] == [f.storage_key for f in expected]


def test_path_map_reads_bucket_features_from_a_local_mirror(s3, bucket, tmp_path):
    with LilcomChunkyWriter(f"s3://{bucket}/feats") as writer:
        key = writer.write("u", _matrix(600))
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "feats.lca").write_bytes(s3.client.get_object(Bucket=bucket, Key="feats.lca")["Body"].read())
    remote.set_path_map({f"s3://{bucket}": str(tmp_path / "mirror")})
    close_cached_file_handles()
    s3.proxy.reset()
    expected = get_reader("lilcom_chunky")(str(tmp_path / "mirror" / "feats.lca")).read(key)
    assert np.array_equal(get_reader("lilcom_chunky")(writer.storage_path).read(key), expected)
    assert s3.proxy.requests == []
