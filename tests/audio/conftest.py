"""Fixtures for the audio tests: synthetic audio written to tmp_path, and a clean tolerance."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import tolerance


@pytest.fixture(autouse=True)
def _default_tolerance(monkeypatch):
    """Every test starts (and ends) with the default tolerance and no environment override."""
    monkeypatch.delenv("LHOTSE_AUDIO_DURATION_MISMATCH_TOLERANCE", raising=False)
    monkeypatch.setattr(tolerance, "_tolerance", None)
    yield


@pytest.fixture
def write_wav(tmp_path):
    """Writes ``(channels, samples)`` float audio (WAV: float32, FLAC: 24-bit) under tmp_path; returns the path."""

    def write(name: str, samples: np.ndarray, sampling_rate: int = 16000, subtype: str = "") -> Path:
        path = tmp_path / name
        subtype = subtype or ("PCM_24" if name.endswith(".flac") else "FLOAT")  # both hold ramp() exactly
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), np.asarray(samples, dtype=np.float32).T, sampling_rate, subtype=subtype)
        return path

    return write


def ramp(channels: int, num_samples: int) -> np.ndarray:
    """Distinct, exactly representable values per sample and channel: channel c holds (c + 1) * i / 2**20."""
    i = np.arange(num_samples, dtype=np.float64)
    return np.stack([(c + 1) * i / 2**20 for c in range(channels)]).astype(np.float32)


def tone(freq: float, seconds: float, sampling_rate: int = 16000, amplitude: float = 0.5) -> np.ndarray:
    """A sine of ``freq`` Hz, shape ``(1, samples)``."""
    t = np.arange(int(round(seconds * sampling_rate))) / sampling_rate
    return (amplitude * np.sin(2 * np.pi * freq * t))[None].astype(np.float32)


def peak_frequency(samples: np.ndarray, sampling_rate: int) -> float:
    """The frequency (Hz) of the largest magnitude-spectrum bin of a 1-D signal."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum)) * sampling_rate / samples.size


@pytest.fixture
def signals():
    """The signal helpers above, for tests (conftest modules are not importable under importlib mode)."""

    class Signals:
        pass

    helpers = Signals()
    helpers.ramp = ramp
    helpers.tone = tone
    helpers.peak_frequency = peak_frequency
    return helpers
