"""The duration-mismatch tolerance: default, setter, environment variable, effect on loading."""

import numpy as np
import pytest

from lhotse_lite.audio import (
    AudioSource,
    Recording,
    get_audio_duration_mismatch_tolerance,
    set_audio_duration_mismatch_tolerance,
)
from lhotse_lite.audio.tolerance import fit_num_samples
from lhotse_lite.errors import ConfigError, DurationMismatchError


def test_set_and_environment(monkeypatch):
    monkeypatch.setenv("LHOTSE_AUDIO_DURATION_MISMATCH_TOLERANCE", "0.2")
    assert get_audio_duration_mismatch_tolerance() == 0.2
    set_audio_duration_mismatch_tolerance(0.01)
    assert get_audio_duration_mismatch_tolerance() == 0.01  # an explicit setting wins


@pytest.mark.parametrize("value", [-0.1, float("inf"), "a lot", None])
def test_invalid_values(value, monkeypatch):
    with pytest.raises(ConfigError, match="seconds >= 0"):
        set_audio_duration_mismatch_tolerance(value)
    monkeypatch.setenv("LHOTSE_AUDIO_DURATION_MISMATCH_TOLERANCE", str(value))
    with pytest.raises(ConfigError, match="LHOTSE_AUDIO_DURATION_MISMATCH_TOLERANCE"):
        get_audio_duration_mismatch_tolerance()


def test_fit_pads_trims_and_raises():
    audio = np.arange(10, dtype=np.float32)[None]
    np.testing.assert_array_equal(fit_num_samples(audio, 8, 10, "r"), audio[:, :8])
    np.testing.assert_array_equal(fit_num_samples(audio, 12, 10, "r")[0, 10:], [8.0, 7.0])
    assert fit_num_samples(audio, 10, 10, "r") is audio
    set_audio_duration_mismatch_tolerance(0.1)  # one sample at 10 Hz
    assert fit_num_samples(audio, 11, 10, "r").shape == (1, 11)
    with pytest.raises(DurationMismatchError, match=r"'r'.*expected 12 samples"):
        fit_num_samples(audio, 12, 10, "r")
    tiny = np.ones((1, 1), np.float32)
    set_audio_duration_mismatch_tolerance(1.0)
    np.testing.assert_array_equal(fit_num_samples(tiny, 4, 10, "r"), [[1, 1, 1, 1]])  # reflected repeatedly
    empty = np.zeros((1, 0), np.float32)
    np.testing.assert_array_equal(fit_num_samples(empty, 2, 10, "r"), [[0, 0]])  # nothing to reflect


def test_tolerance_decides_whether_loading_fails(write_wav, signals):
    path = write_wav("a.wav", signals.ramp(1, 16000))
    rec = Recording("rec-off", [AudioSource("file", [0], str(path))], 16000, 17600, 1.1)
    assert rec.load_audio().shape == (1, 17600)
    set_audio_duration_mismatch_tolerance(0.025)
    with pytest.raises(DurationMismatchError) as info:
        rec.load_audio()
    message = str(info.value)
    assert "rec-off" in message and "17600" in message and "16000" in message and "0.025" in message
    assert isinstance(info.value, ValueError)
