"""The 16-bit PCM fast path of Recording.load_audio is bit-identical to libsndfile's float32 output."""

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.audio.loading import read_pcm16
from lhotse_lite.errors import AudioLoadingError


def _pcm16(num_samples, channels, seed=0):
    rng = np.random.default_rng(seed)
    data = rng.integers(-32768, 32768, size=(num_samples, channels), dtype=np.int64).astype(np.int16)
    data[:4, 0] = [-32768, 32767, 0, -1]  # the extremes and the smallest steps
    return data


@pytest.mark.parametrize("fmt", ["WAV", "FLAC"])
@pytest.mark.parametrize("channels", [1, 2])
def test_read_pcm16_equals_soundfile_float32(tmp_path, fmt, channels):
    path = str(tmp_path / f"a.{fmt.lower()}")
    sf.write(path, _pcm16(8000, channels), 16000, format=fmt, subtype="PCM_16")
    expected, rate = sf.read(path, dtype="float32", always_2d=True)  # the independent reference
    ours, our_rate = read_pcm16(path)
    assert our_rate == rate == 16000 and ours.dtype == np.float32 and ours.flags.c_contiguous
    np.testing.assert_array_equal(ours, expected.T)
    part, _ = read_pcm16(path, offset=0.1, duration=0.05)
    np.testing.assert_array_equal(part, expected[1600:2400].T)


@pytest.mark.parametrize("subtype", ["PCM_24", "FLOAT", "PCM_U8"])
def test_read_pcm16_declines_other_encodings(tmp_path, subtype):
    path = str(tmp_path / "a.wav")
    sf.write(path, np.zeros(100, np.float32), 8000, subtype=subtype)
    assert read_pcm16(path) is None


def test_read_pcm16_declines_unreadable_files(tmp_path):
    path = tmp_path / "bad.wav"
    path.write_bytes(b"not audio at all")
    assert read_pcm16(str(path)) is None
    assert read_pcm16(str(tmp_path / "missing.wav")) is None


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24"])
def test_load_audio_matches_the_general_reader(tmp_path, subtype):
    path = str(tmp_path / "s.flac")
    sf.write(path, _pcm16(16000, 2, seed=1), 16000, subtype=subtype)
    rec = Recording.from_file(path)
    source = rec.sources[0]
    for offset, duration in [(0.0, None), (0.25, 0.5), (0.5, None)]:
        general, _ = source.read(offset, duration)  # the libsndfile float32 path
        ours = rec.load_audio(offset=offset, duration=duration)
        np.testing.assert_array_equal(ours, general)
    np.testing.assert_array_equal(rec.load_audio(channels=1), source.read()[0][1:])


def test_channel_mismatch_still_reported(tmp_path):
    path = str(tmp_path / "m.wav")
    sf.write(path, _pcm16(800, 1), 8000, subtype="PCM_16")
    rec = Recording("m", [AudioSource("file", [0, 1], path)], 8000, 800, 0.1)
    with pytest.raises(AudioLoadingError, match="channel"):
        rec.load_audio()
