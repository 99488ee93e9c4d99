"""Fixtures for the recipe tests: tiny audio writers and the committed demo corpus."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo_data"


def write_audio(path: Path, seconds: float, sampling_rate: int = 16000, channels: int = 1, seed: int = 0) -> Path:
    """Writes a short noise file (WAV or FLAC by extension), creating its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    num_samples = int(round(seconds * sampling_rate))
    rng = np.random.default_rng(seed)
    samples = 0.1 * rng.standard_normal((num_samples, channels) if channels > 1 else num_samples)
    sf.write(str(path), samples, sampling_rate, subtype="PCM_16")
    return path


@pytest.fixture
def audio_writer():
    """The :func:`write_audio` helper."""
    return write_audio


@pytest.fixture
def demo_dir() -> Path:
    """The committed demo corpus."""
    return DEMO
