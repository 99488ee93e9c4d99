"""Audio read from URLs (S3 and HTTP): range reads of spans, equal to reading the same file from disk."""

import io

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite import remote
from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.errors import AudioLoadingError, AudioNotFoundError
from lhotse_lite.validation import validate_manifests

SR = 16000
SECONDS = 120


@pytest.fixture(scope="module")
def audio_files(tmp_path_factory):
    """Two-minute mono WAV and FLAC files (a tone plus noise, so FLAC compresses as speech does)."""
    folder = tmp_path_factory.mktemp("audio")
    rng = np.random.default_rng(0)
    t = np.arange(SR * SECONDS) / SR
    x = (0.3 * np.sin(2 * np.pi * 440 * t) + rng.normal(0, 0.05, t.size)).astype(np.float32)
    paths = {}
    for fmt, ext in (("WAV", "wav"), ("FLAC", "flac")):
        buffer = io.BytesIO()
        sf.write(buffer, x, SR, format=fmt, subtype="PCM_16")
        paths[ext] = folder / f"a.{ext}"
        paths[ext].write_bytes(buffer.getvalue())
    return paths


@pytest.fixture
def s3_audio(s3, bucket, audio_files):
    for ext, path in audio_files.items():
        s3.client.upload_file(str(path), bucket, f"corpus/a.{ext}")
    s3.proxy.reset()
    return f"s3://{bucket}/corpus", s3.proxy


@pytest.fixture
def http_audio(http, audio_files):
    (http.root / "corpus").mkdir(exist_ok=True)
    for ext, path in audio_files.items():
        (http.root / "corpus" / f"a.{ext}").write_bytes(path.read_bytes())
    return f"{http.url}/corpus", http.proxy


@pytest.mark.parametrize("where", ["s3_audio", "http_audio"])
@pytest.mark.parametrize("ext", ["wav", "flac"])
@pytest.mark.parametrize("source_type", ["url", "file"])
def test_spans_read_from_urls_equal_local_reads_and_cost_little(where, ext, source_type, audio_files, request):
    base, proxy = request.getfixturevalue(where)
    local = AudioSource("file", [0], str(audio_files[ext]))
    url = AudioSource(source_type, [0], f"{base}/a.{ext}")
    span_bytes = audio_files[ext].stat().st_size / SECONDS  # compressed bytes per second
    for offset in (0.0, 37.25, 118.5):
        proxy.reset()
        samples, rate = url.read(offset, 1.0)
        expected, _ = local.read(offset, 1.0)
        assert rate == SR and np.array_equal(samples, expected)
        # One request for the size, one for the headers, one for the span and up to two small ones
        # where the decoder steps back or reads on beyond the span's average share of the file.
        assert proxy.count("GET") + proxy.count("HEAD") <= 5
        assert proxy.bytes_sent() <= 2 * span_bytes + 16384


@pytest.mark.parametrize("where", ["s3_audio", "http_audio"])
def test_recordings_with_url_sources_load_like_local_ones(where, audio_files, request):
    base, _ = request.getfixturevalue(where)
    local = Recording.from_file(audio_files["flac"], recording_id="r")
    remote_rec = Recording("r", [AudioSource("url", [0], f"{base}/a.flac")], SR, SR * SECONDS, float(SECONDS))
    assert np.array_equal(remote_rec.load_audio(offset=3.0, duration=2.5), local.load_audio(offset=3.0, duration=2.5))
    assert np.array_equal(remote_rec.load_audio(), local.load_audio())


@pytest.mark.parametrize("ext", ["wav", "flac"])
def test_a_whole_recording_is_one_get(s3_audio, audio_files, ext):
    base, proxy = s3_audio
    local = Recording.from_file(audio_files[ext], recording_id="r")
    remote_rec = Recording("r", [AudioSource("url", [0], f"{base}/a.{ext}")], SR, SR * SECONDS, float(SECONDS))
    proxy.reset()
    assert np.array_equal(remote_rec.load_audio(), local.load_audio())
    assert [(m, sent) for m, _, _, sent in proxy.requests] == [("HEAD", 0), ("GET", audio_files[ext].stat().st_size)]


def test_path_map_reads_a_bucket_manifest_from_a_local_mirror(s3_audio, audio_files):
    base, proxy = s3_audio
    rec = Recording("r", [AudioSource("file", [0], f"{base}/a.wav")], SR, SR * SECONDS, float(SECONDS))
    remote.set_path_map({base: str(audio_files["wav"].parent)})
    proxy.reset()
    local = AudioSource("file", [0], str(audio_files["wav"])).read(5.0, 1.0)[0]
    assert np.array_equal(rec.load_audio(offset=5.0, duration=1.0), local)
    assert proxy.requests == []  # read from the mirror, not the bucket


def test_path_map_reads_a_local_manifest_from_a_bucket(s3_audio, audio_files, tmp_path):
    base, proxy = s3_audio
    rec = Recording("r", [AudioSource("file", [0], "/mnt/corpus/a.flac")], SR, SR * SECONDS, float(SECONDS))
    remote.set_path_map(f"/mnt/corpus={base}")
    expected = AudioSource("file", [0], str(audio_files["flac"])).read(5.0, 1.0)[0]
    assert np.array_equal(rec.load_audio(offset=5.0, duration=1.0), expected)
    assert proxy.count("GET") >= 1
    assert validate_manifests(recordings=[rec]) == []  # validation checks the rebound path
    remote.set_path_map(f"/mnt/corpus={base}/elsewhere")
    messages = [p.message for p in validate_manifests(recordings=[rec])]
    assert messages == [f"audio file does not exist: {base}/elsewhere/a.flac"]


@pytest.mark.parametrize("where", ["s3_audio", "http_audio"])
def test_missing_and_forbidden_audio(where, request):
    base, proxy = request.getfixturevalue(where)
    with pytest.raises(AudioNotFoundError, match=r"missing\.flac"):
        AudioSource("url", [0], f"{base}/missing.flac").read(0.0, 1.0)
    assert len(proxy.requests) <= 2
    proxy.reset()
    proxy.fail_next(403, count=10)
    with pytest.raises(AudioLoadingError, match="403"):
        AudioSource("url", [0], f"{base}/a.flac").read(0.0, 1.0)
    # No retries (the policy allows 4 tries); fsspec's HTTP back end asks for the size with HEAD, then GET.
    assert len(proxy.requests) <= 2
