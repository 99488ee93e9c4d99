"""Audio sources compared live with Lhotse 1.33: command sources run as Lhotse runs them, source dicts
(in-memory bytes included) have Lhotse's layout, and the duration-mismatch tolerance has Lhotse's default.

The guard that refuses command sources is tested in tests/audio/test_audio_command_guard.py.
"""

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording, get_audio_duration_mismatch_tolerance
from lhotse_lite.audio.tolerance import DEFAULT_AUDIO_DURATION_MISMATCH_TOLERANCE
from tests.audio.conftest import _default_tolerance  # noqa: F401  (autouse: the default tolerance, no override)
from tests.audio.test_audio_command_guard import _reset  # noqa: F401  (autouse: no guard setting left over)


@pytest.fixture
def command_recording(tmp_path):
    path = tmp_path / "a.wav"
    sf.write(path, (0.1 * np.random.default_rng(0).standard_normal(8000)).astype(np.float32), 16000)
    marker = tmp_path / "ran"
    command = f"touch {marker} && cat {path}"
    return Recording("r1", [AudioSource("command", [0], command)], 16000, 8000, 0.5), marker


def test_commands_run_by_default_like_lhotse(command_recording):
    recording, marker = command_recording
    lhotse = pytest.importorskip("lhotse")
    ours = recording.load_audio()
    assert marker.exists()
    marker.unlink()
    theirs = lhotse.Recording.from_dict(recording.to_dict()).load_audio()
    assert marker.exists()  # Lhotse runs it too
    np.testing.assert_array_equal(ours, theirs)


def test_dict_matches_lhotse_including_memory_bytes(lhotse_compat_dir):
    lhotse = pytest.importorskip("lhotse")
    data = (lhotse_compat_dir / "audio" / "mono.wav").read_bytes()
    for kwargs in [dict(type="memory", channels=[0], source=data), dict(type="file", channels=[0, 1], source="x.flac")]:
        theirs = lhotse.AudioSource(**kwargs).to_dict()
        assert AudioSource(**kwargs).to_dict() == theirs
        assert AudioSource.from_dict(theirs) == AudioSource(**kwargs)


def test_default_is_lhotses():
    utils = pytest.importorskip("lhotse.audio.utils")
    assert DEFAULT_AUDIO_DURATION_MISMATCH_TOLERANCE == utils._DEFAULT_LHOTSE_AUDIO_DURATION_MISMATCH_TOLERANCE
    assert get_audio_duration_mismatch_tolerance() == 0.5
