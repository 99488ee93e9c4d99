"""Regression: a span ending past the recording is a ``DurationMismatchError``, as in Lhotse 1.33.

``load_audio(offset=0.5, duration=1.2)`` of a 1 s recording raised an ``AudioSpanError`` that was not a
``DurationMismatchError`` (nor an ``AudioLoadingError``), so ``except DurationMismatchError`` clauses and
``suppress_audio_loading_errors`` written for Lhotse missed it.
"""

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import DurationMismatchError, Recording, suppress_audio_loading_errors
from lhotse_lite.errors import AudioSpanError


@pytest.fixture
def one_second(tmp_path):
    path = tmp_path / "a.wav"
    sf.write(path, np.zeros(16000, dtype=np.int16), 16000)
    return Recording.from_file(path)


def test_span_past_the_end_is_a_duration_mismatch_and_a_span_error(one_second):
    with pytest.raises(DurationMismatchError, match="past the end") as info:
        one_second.load_audio(offset=0.5, duration=1.2)
    assert isinstance(info.value, AudioSpanError) and isinstance(info.value, ValueError)


def test_it_is_suppressed_like_lhotses(one_second):
    result = "untouched"
    with suppress_audio_loading_errors():
        result = one_second.load_audio(duration=2.0)
    assert result == "untouched"


def test_an_unknown_channel_is_still_not_a_duration_mismatch(one_second):
    with pytest.raises(AudioSpanError) as info:
        one_second.load_audio(channels=3)
    assert not isinstance(info.value, DurationMismatchError)
