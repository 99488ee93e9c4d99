"""Recording: header-only construction, span loading, multi-channel/multi-source, dict form, bad input."""

import numpy as np
import pytest

from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.errors import (
    AudioLoadingError,
    AudioNotFoundError,
    AudioSpanError,
    DurationMismatchError,
    ManifestFieldError,
)


@pytest.fixture
def stereo_rec(write_wav, signals):
    samples = signals.ramp(2, 16000)
    return Recording.from_file(write_wav("stereo.wav", samples)), samples


def test_from_file_reads_the_header_only(write_wav, signals, monkeypatch):
    import soundfile as sf

    path = write_wav("sub/utt-7.flac", signals.ramp(3, 12345), sampling_rate=8000, subtype="PCM_16")
    monkeypatch.setattr(sf.SoundFile, "read", lambda *a, **k: pytest.fail("from_file must not decode samples"))
    rec = Recording.from_file(path)
    assert (rec.id, rec.sampling_rate, rec.num_samples, rec.duration) == ("utt-7", 8000, 12345, 12345 / 8000)
    assert rec.channel_ids == [0, 1, 2] and rec.sources == [AudioSource("file", [0, 1, 2], str(path))]
    assert Recording.from_file(path, recording_id="x").id == "x"
    assert Recording.from_file(path, recording_id=lambda p: p.parent.name).id == "sub"
    assert Recording.from_file(path, relative_path_depth=2).sources[0].source == "sub/utt-7.flac"


def test_load_audio_full_span_and_channels(stereo_rec):
    rec, samples = stereo_rec
    np.testing.assert_array_equal(rec.load_audio(), samples)
    np.testing.assert_array_equal(rec.load_audio(offset=0.5), samples[:, 8000:])
    np.testing.assert_array_equal(rec.load_audio(offset=0.25, duration=0.5), samples[:, 4000:12000])
    np.testing.assert_array_equal(rec.load_audio(channels=1, duration=0.1), samples[1:, :1600])
    np.testing.assert_array_equal(rec.load_audio(channels=[0, 1]), samples)
    assert rec.load_audio(offset=1.0).shape == (2, 0)
    assert rec.load_audio(duration=0).shape == (2, 0)


def test_multi_source_recording_two_mono_files(write_wav, signals):
    left, right = signals.ramp(1, 16000), -signals.ramp(1, 16000)
    rec = Recording(
        id="two",
        sources=[
            AudioSource("file", [0], str(write_wav("l.wav", left))),
            AudioSource("file", [1], str(write_wav("r.wav", right))),
        ],
        sampling_rate=16000,
        num_samples=16000,
        duration=1.0,
    )
    assert rec.channel_ids == [0, 1]
    np.testing.assert_array_equal(rec.load_audio(), np.concatenate([left, right]))
    np.testing.assert_array_equal(rec.load_audio(channels=1, offset=0.5), right[:, 8000:])


def test_multi_source_with_channel_groups(write_wav, signals):
    four = signals.ramp(4, 800)
    rec = Recording(
        id="groups",
        sources=[
            AudioSource("file", [0, 1], str(write_wav("a.wav", four[:2]))),
            AudioSource("file", [2, 3], str(write_wav("b.wav", four[2:]))),
        ],
        sampling_rate=16000,
        num_samples=800,
        duration=0.05,
    )
    np.testing.assert_array_equal(rec.load_audio(), four)
    np.testing.assert_array_equal(rec.load_audio(channels=[1, 2]), four[1:3])


def test_sources_of_slightly_different_length_are_padded(write_wav, signals):
    rec = Recording(
        id="uneven",
        sources=[
            AudioSource("file", [0], str(write_wav("a.wav", signals.ramp(1, 16000)))),
            AudioSource("file", [1], str(write_wav("b.wav", signals.ramp(1, 15990)))),
        ],
        sampling_rate=16000,
        num_samples=16000,
        duration=1.0,
    )
    assert rec.load_audio().shape == (2, 16000)


def test_memory_recording(write_wav, signals):
    samples = signals.ramp(2, 4000)
    rec = Recording.from_bytes(write_wav("m.wav", samples).read_bytes(), "mem")
    assert rec.is_in_memory and rec.num_samples == 4000 and rec.channel_ids == [0, 1]
    np.testing.assert_array_equal(rec.load_audio(offset=0.125), samples[:, 2000:])


def test_dict_round_trip_and_defaults():
    rec = Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 16000, 1.0)
    assert rec.channel_ids == [0] and rec.transforms is None
    d = rec.perturb_speed(1.1).resample(8000).to_dict()
    assert list(d) == ["id", "sources", "sampling_rate", "num_samples", "duration", "channel_ids", "transforms"]
    assert Recording.from_dict(d).to_dict() == d
    copy = dict(d)
    Recording.from_dict(d)
    assert d == copy, "from_dict must not modify its input"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"num_samples": -5}, "num_samples"),
        ({"duration": -1.0}, "duration"),
        ({"sampling_rate": 0}, "sampling_rate"),
        ({"sampling_rate": 16000.5}, "sampling_rate"),
        ({"duration": "2.0"}, "duration"),
        ({"channel_ids": [0, 1]}, "channel_ids"),
        ({"sources": []}, "non-empty"),
        ({"sources": [{"type": "file", "channels": [0], "source": 3}]}, "must be str"),
        ({"transforms": [{"name": "Narrowband", "kwargs": {}}]}, "unknown audio transform 'Narrowband'"),
        ({"transforms": [{"name": "Speed", "kwargs": {"factor": -1}}]}, "factor must be a finite number > 0"),
        ({"speaker": "x"}, "unknown field"),
    ],
)
def test_from_dict_rejects_bad_values_naming_the_id(change, message):
    data = {
        "id": "rec-9",
        "sources": [{"type": "file", "channels": [0], "source": "a.wav"}],
        "sampling_rate": 16000,
        "num_samples": 16000,
        "duration": 1.0,
        **change,
    }
    with pytest.raises(ManifestFieldError, match=message) as info:
        Recording.from_dict(data)
    assert "rec-9" in str(info.value)


def test_from_dict_missing_field():
    with pytest.raises(ManifestFieldError, match=r"rec-9.*missing field.*num_samples"):
        Recording.from_dict({"id": "rec-9", "sources": [], "sampling_rate": 16000, "duration": 1.0})


def test_constructor_validates_too():
    with pytest.raises(ManifestFieldError, match="held by two sources"):
        Recording("r", [AudioSource("file", [0], "a.wav"), AudioSource("file", [0], "b.wav")], 16000, 1, 1.0)
    with pytest.raises(ManifestFieldError, match=r"'r'.*num_samples"):
        Recording("r", [AudioSource("file", [0], "a.wav")], 16000, -1, 1.0)


def test_methods_return_new_objects(stereo_rec):
    rec, _ = stereo_rec
    before = rec.to_dict()
    for other in [
        rec.perturb_speed(0.9),
        rec.perturb_tempo(1.1),
        rec.perturb_volume(2.0),
        rec.resample(8000),
        rec.with_path_prefix("/x"),
    ]:
        assert other is not rec
    assert rec.to_dict() == before
    rec.id = "changed"  # fields are assignable, as in Lhotse (the copies above are not affected)
    assert rec.id == "changed" and other.id == before["id"]


def test_missing_audio_names_the_recording_and_path(tmp_path):
    path = tmp_path / "gone.wav"
    rec = Recording("rec-gone", [AudioSource("file", [0], str(path))], 16000, 16000, 1.0)
    with pytest.raises(AudioNotFoundError) as info:
        rec.load_audio()
    assert "rec-gone" in str(info.value) and str(path) in str(info.value)
    with pytest.raises(AudioNotFoundError, match="gone"):
        Recording.from_file(path)
    assert isinstance(info.value, FileNotFoundError)


def test_corrupt_audio(tmp_path):
    path = tmp_path / "corrupt.flac"
    path.write_bytes(b"fLaC" + bytes(range(256)) * 8)
    rec = Recording("rec-bad", [AudioSource("file", [0], str(path))], 16000, 16000, 1.0)
    with pytest.raises(AudioLoadingError, match="rec-bad"):
        rec.load_audio()
    with pytest.raises(AudioLoadingError, match=r"corrupt\.flac"):
        Recording.from_file(path)


def test_failing_command_names_recording_command_and_stderr():
    rec = Recording(
        "rec-cmd", [AudioSource("command", [0], "echo 'no such utterance' >&2; exit 1 |")], 16000, 16000, 1.0
    )
    with pytest.raises(AudioLoadingError) as info:
        rec.load_audio()
    message = str(info.value)
    assert "rec-cmd" in message and "no such utterance" in message and "exit 1" in message


def test_sampling_rate_differs_from_manifest(write_wav, signals):
    path = write_wav("8k.wav", signals.ramp(1, 8000), sampling_rate=8000)
    rec = Recording("r8", [AudioSource("file", [0], str(path))], 16000, 16000, 1.0)
    with pytest.raises(AudioLoadingError, match=r"8000 Hz.*16000 Hz"):
        rec.load_audio()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(offset=-0.1), "offset must be a number of seconds >= 0"),
        (dict(offset=1.5), "past the end"),
        (dict(offset=0.5, duration=1.2), "past the end"),
        (dict(duration=-1.0), "duration must be a number of seconds >= 0, got -1.0; pass None"),
        (dict(channels=2), r"channel\(s\) \[2\]"),
        (dict(channels=[]), "channel"),
    ],
)
def test_span_outside_the_recording(stereo_rec, kwargs, message):
    rec, _ = stereo_rec
    with pytest.raises(AudioSpanError, match=message) as info:
        rec.load_audio(**kwargs)
    assert rec.id in str(info.value) and isinstance(info.value, ValueError)


def test_span_overshoot_within_tolerance_is_padded(stereo_rec):
    rec, samples = stereo_rec
    audio = rec.load_audio(offset=0.5, duration=0.51)
    assert audio.shape == (2, 8160)
    np.testing.assert_array_equal(audio[:, :8000], samples[:, 8000:])


def test_declared_longer_than_file_raises_duration_mismatch(write_wav, signals):
    path = write_wav("short.wav", signals.ramp(1, 16000))
    rec = Recording("rec-long", [AudioSource("file", [0], str(path))], 16000, 32000, 2.0)
    with pytest.raises(DurationMismatchError) as info:
        rec.load_audio()
    message = str(info.value)
    assert "rec-long" in message and "32000" in message and "16000" in message
    with pytest.raises(DurationMismatchError):
        rec.load_audio(offset=0.75, duration=1.0)
    np.testing.assert_array_equal(rec.load_audio(duration=0.5), signals.ramp(1, 8000))


def test_declared_shorter_than_file_raises_duration_mismatch(write_wav, signals):
    path = write_wav("long.wav", signals.ramp(1, 32000))
    rec = Recording("rec-short", [AudioSource("file", [0], str(path))], 16000, 16000, 1.0)
    with pytest.raises(DurationMismatchError, match="rec-short"):
        rec.load_audio()


def test_small_mismatch_is_padded_or_trimmed(write_wav, signals):
    samples = signals.ramp(1, 16000)
    path = write_wav("a.wav", samples)
    longer = Recording("a", [AudioSource("file", [0], str(path))], 16000, 16100, 16100 / 16000)
    shorter = Recording("a", [AudioSource("file", [0], str(path))], 16000, 15900, 15900 / 16000)
    padded = longer.load_audio()
    assert padded.shape == (1, 16100)
    np.testing.assert_array_equal(padded[:, :16000], samples)
    np.testing.assert_array_equal(padded[0, 16000:], samples[0, -2:-102:-1])  # reflection, as in Lhotse
    np.testing.assert_array_equal(shorter.load_audio(), samples[:, :15900])


def test_a_perturbed_span_reads_only_the_source_span_it_needs(stereo_rec, monkeypatch):
    import soundfile as sf

    rec, _ = stereo_rec
    calls = []
    original_read, original_seek = sf.SoundFile.read, sf.SoundFile.seek
    monkeypatch.setattr(
        sf.SoundFile, "seek", lambda self, pos, *a: calls.append(("seek", pos)) or original_seek(self, pos, *a)
    )
    monkeypatch.setattr(
        sf.SoundFile,
        "read",
        lambda self, frames=-1, **kw: calls.append(("read", frames)) or original_read(self, frames, **kw),
    )
    audio = rec.perturb_speed(1.1).load_audio(offset=0.5, duration=0.25)
    assert audio.shape == (2, 4000)
    # 0.5 s at speed 1.1 starts at source sample round(8000 * 1.1); 4000 output samples need 4400.
    assert calls[0] == ("seek", 8800) and [c for c in calls if c[0] == "read"] == [("read", 4400)]


def test_top_level_exports():
    import lhotse_lite

    assert lhotse_lite.Recording is Recording and lhotse_lite.AudioSource is AudioSource
    from lhotse_lite.audio import RecordingSet, set_audio_duration_mismatch_tolerance

    assert lhotse_lite.RecordingSet is RecordingSet
    assert lhotse_lite.set_audio_duration_mismatch_tolerance is set_audio_duration_mismatch_tolerance
