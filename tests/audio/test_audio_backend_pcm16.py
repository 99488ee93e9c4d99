"""16-bit PCM is decoded as int16 and scaled in numpy, bit-identical to libsndfile's float32 output."""

import io

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.audio.backend import decode_span, read_audio
from lhotse_lite.errors import AudioLoadingError


def _pcm16(num_samples, channels, seed=0):
    rng = np.random.default_rng(seed)
    data = rng.integers(-32768, 32768, size=(num_samples, channels), dtype=np.int64).astype(np.int16)
    data[:4, 0] = [-32768, 32767, 0, -1]  # the extremes and the smallest steps
    return data


@pytest.mark.parametrize("fmt", ["WAV", "FLAC"])
@pytest.mark.parametrize("channels", [1, 2])
def test_pcm16_equals_soundfile_float32(tmp_path, fmt, channels):
    path = str(tmp_path / f"a.{fmt.lower()}")
    sf.write(path, _pcm16(8000, channels), 16000, format=fmt, subtype="PCM_16")
    expected, rate = sf.read(path, dtype="float32", always_2d=True)  # the independent reference
    ours, our_rate = read_audio(path)
    assert our_rate == rate == 16000 and ours.dtype == np.float32 and ours.flags.c_contiguous
    np.testing.assert_array_equal(ours, expected.T)
    part, _ = read_audio(path, offset=0.1, duration=0.05)
    np.testing.assert_array_equal(part, expected[1600:2400].T)
    with open(path, "rb") as f:  # file objects take the same path
        from_bytes, _ = decode_span(io.BytesIO(f.read()), 0.1, 0.05, "test")
    np.testing.assert_array_equal(from_bytes, expected[1600:2400].T)


@pytest.mark.parametrize("subtype", ["PCM_24", "FLOAT", "PCM_U8"])
def test_other_encodings_equal_soundfile_float32(tmp_path, subtype):
    path = str(tmp_path / "a.wav")
    rng = np.random.default_rng(2)
    sf.write(path, rng.uniform(-0.9, 0.9, (400, 2)).astype(np.float32), 8000, subtype=subtype)
    expected, _ = sf.read(path, dtype="float32", always_2d=True)
    ours, _ = read_audio(path, offset=0.01)
    assert ours.dtype == np.float32 and ours.flags.c_contiguous
    np.testing.assert_array_equal(ours, expected[80:].T)


def test_unreadable_file_is_reported(tmp_path):
    path = tmp_path / "bad.wav"
    path.write_bytes(b"not audio at all")
    with pytest.raises(AudioLoadingError, match="cannot decode audio"):
        read_audio(str(path))


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24"])
def test_load_audio_matches_soundfile(tmp_path, subtype):
    path = str(tmp_path / "s.flac")
    sf.write(path, _pcm16(16000, 2, seed=1), 16000, subtype=subtype)
    rec = Recording.from_file(path)
    reference, _ = sf.read(path, dtype="float32", always_2d=True)
    for offset, duration in [(0.0, None), (0.25, 0.5), (0.5, None)]:
        start = int(offset * 16000)
        stop = None if duration is None else start + int(duration * 16000)
        np.testing.assert_array_equal(rec.load_audio(offset=offset, duration=duration), reference[start:stop].T)
    np.testing.assert_array_equal(rec.load_audio(channels=1), reference[:, 1:].T)


def test_channel_mismatch_still_reported(tmp_path):
    path = str(tmp_path / "m.wav")
    sf.write(path, _pcm16(800, 1), 8000, subtype="PCM_16")
    rec = Recording("m", [AudioSource("file", [0, 1], path)], 8000, 800, 0.1)
    with pytest.raises(AudioLoadingError, match="channel"):
        rec.load_audio()
