"""info / read_audio / save_audio, the error-suppression helpers and Recording.move_to_memory."""

from __future__ import annotations

import io
import logging

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import (
    AudioSource,
    Recording,
    info,
    null_result_on_audio_loading_error,
    read_audio,
    save_audio,
    suppress_audio_loading_errors,
)
from lhotse_lite.errors import AudioLoadingError, AudioNotFoundError, AudioSpanError, DurationMismatchError, ShapeError


def test_info_of_paths_and_file_objects(write_wav, signals):
    path = write_wav("a.wav", signals.ramp(2, 8000), 8000)
    header = info(path)
    assert header == (2, 8000, 8000, 1.0, None)
    assert (header.channels, header.frames, header.samplerate, header.duration) == (2, 8000, 8000, 1.0)
    assert info(str(path)) == info(io.BytesIO(path.read_bytes())) == header


def test_info_and_read_audio_errors(tmp_path):
    with pytest.raises(AudioNotFoundError, match=r"missing\.wav"):
        info(tmp_path / "missing.wav")
    with pytest.raises(AudioNotFoundError, match=r"missing\.wav"):
        read_audio(tmp_path / "missing.wav")
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"not audio" * 50)
    with pytest.raises(AudioLoadingError, match=r"garbage\.wav"):
        info(garbage)
    with pytest.raises(AudioLoadingError, match="cannot decode"):
        read_audio(garbage)
    with pytest.raises(AudioLoadingError, match="BytesIO"):
        info(io.BytesIO(b"not audio" * 50))


def test_read_audio_spans(write_wav, signals):
    audio = signals.ramp(2, 16000)
    path = write_wav("a.wav", audio)
    np.testing.assert_array_equal(read_audio(path)[0], audio)
    samples, rate = read_audio(path, offset=0.5, duration=0.25)
    assert rate == 16000
    np.testing.assert_array_equal(samples, audio[:, 8000:12000])
    assert read_audio(path, offset=0.9, duration=1.0)[0].shape == (2, 1600)  # what there is
    assert read_audio(path, offset=5.0)[0].shape == (2, 0)


@pytest.mark.parametrize("fmt,encoding", [("wav", "PCM_16"), ("flac", None), ("wav", "FLOAT"), ("opus", None)])
def test_save_audio_round_trips(tmp_path, fmt, encoding):
    audio = (np.random.default_rng(0).integers(-8000, 8000, (2, 4800)) / 32768).astype(np.float32)
    buffer = io.BytesIO()
    save_audio(buffer, audio, 48000, format=fmt, encoding=encoding)
    decoded, rate = read_audio(io.BytesIO(buffer.getvalue()))
    assert rate == 48000 and decoded.shape[0] == 2
    if fmt != "opus":  # lossy
        np.testing.assert_array_equal(decoded, audio)
    path = tmp_path / "mono.flac"
    save_audio(path, audio[0], 48000)  # 1-D: one channel; the format from the suffix
    assert info(path).channels == 1 and sf.info(str(path)).format == "FLAC"


def test_save_audio_errors(tmp_path):
    with pytest.raises(ShapeError, match="channels, samples"):
        save_audio(tmp_path / "x.wav", np.zeros((1, 2, 3), np.float32), 16000)
    with pytest.raises(AudioLoadingError, match="format=None"):
        save_audio(io.BytesIO(), np.zeros((1, 10), np.float32), 16000)  # a file object needs a format
    with pytest.raises(AudioLoadingError, match="PCM_99"):
        save_audio(tmp_path / "x.wav", np.zeros((1, 10), np.float32), 16000, encoding="PCM_99")


def _missing(tmp_path):
    return Recording("m", [AudioSource("file", [0], str(tmp_path / "missing.wav"))], 16000, 16000, 1.0)


def test_suppression_catches_every_failed_read(tmp_path, write_wav, signals, caplog):
    short = write_wav("short.wav", signals.ramp(1, 1600))
    too_long = Recording("t", [AudioSource("file", [0], str(short))], 16000, 160000, 10.0)
    for broken, error in ((_missing(tmp_path), AudioNotFoundError), (too_long, DurationMismatchError)):
        with caplog.at_level(logging.WARNING, logger="lhotse_lite.audio.suppression"), suppress_audio_loading_errors():
            broken.load_audio()
        assert f"[Suppressed {error.__name__}]" in caplog.records[-1].getMessage()
        assert broken.id in caplog.records[-1].getMessage()
        assert null_result_on_audio_loading_error(broken.load_audio)() is None


def test_suppression_lets_bad_requests_and_other_errors_through(write_wav, signals):
    rec = Recording.from_file(write_wav("a.wav", signals.ramp(1, 1600)))
    with pytest.raises(AudioSpanError), suppress_audio_loading_errors():
        rec.load_audio(channels=4)
    with pytest.raises(ZeroDivisionError), suppress_audio_loading_errors():
        _ = 1 / 0
    wrapped = null_result_on_audio_loading_error(rec.load_audio)
    assert wrapped.__name__ == "load_audio" and wrapped(offset=0.05).shape == (1, 800)


def test_move_to_memory_of_each_source_type(tmp_path, write_wav, signals):
    audio = signals.ramp(2, 1600)
    path = write_wav("a.wav", audio)
    for source in (
        AudioSource("file", [0, 1], str(path)),
        AudioSource("command", [0, 1], f"cat {path}"),
        AudioSource("url", [0, 1], path.as_uri()),
    ):
        rec = Recording("r", [source], 16000, 1600, 0.1)
        moved = rec.move_to_memory()
        assert [s.type for s in moved.sources] == ["memory"] and moved.sources[0].source == path.read_bytes()
        assert moved.channel_ids == [0, 1] and moved.id == "r"
        np.testing.assert_array_equal(moved.load_audio(), audio)
    memory = Recording.from_bytes(path.read_bytes(), "r")
    assert memory.move_to_memory() is memory


def test_move_to_memory_keeps_unread_sources_and_transforms(tmp_path, write_wav, signals):
    first, second = write_wav("c0.wav", signals.ramp(1, 1600)), write_wav("c1.wav", 2 * signals.ramp(1, 1600))
    rec = Recording(
        "two", [AudioSource("file", [0], str(first)), AudioSource("file", [1], str(second))], 16000, 1600, 0.1
    ).perturb_volume(0.5)
    moved = rec.move_to_memory(channels=[0, 1], offset=0.0, duration=0.1)  # all of it: no decoding
    assert [s.channels for s in moved.sources] == [[0], [1]] and moved.transforms == rec.transforms
    np.testing.assert_array_equal(moved.load_audio(), rec.load_audio())


def test_move_to_memory_of_a_part(write_wav, signals):
    audio = (np.random.default_rng(1).integers(-9000, 9000, (2, 16000)) / 32768).astype(np.float32)
    rec = Recording.from_file(write_wav("a.wav", audio, subtype="PCM_16")).perturb_volume(2.0)
    part = rec.move_to_memory(channels=1, offset=0.25)
    assert part.transforms is None and part.channel_ids == [1]
    assert (part.num_samples, part.duration) == (12000, 0.75)  # the part's own length (Lhotse keeps 1.0 s)
    assert sf.info(io.BytesIO(part.sources[0].source)).format == "FLAC"
    np.testing.assert_array_equal(part.load_audio(), rec.load_audio(channels=1, offset=0.25))
    wav = rec.move_to_memory(duration=0.5, format="wav")
    assert sf.info(io.BytesIO(wav.sources[0].source)).format == "WAV" and wav.duration == 0.5


def test_move_to_memory_errors_name_the_recording(tmp_path, write_wav, signals):
    with pytest.raises(AudioNotFoundError, match=r"recording 'm'.*missing\.wav"):
        _missing(tmp_path).move_to_memory()
    rec = Recording.from_file(write_wav("a.wav", signals.ramp(1, 1600)))
    with pytest.raises(AudioSpanError, match="channel"):
        rec.move_to_memory(channels=3)
