"""Regression: audio shorter than declared is padded by reflection even when the gap exceeds its length.

``fit_num_samples`` padded with zeros whenever the missing part was at least as long as the audio read,
while Lhotse 1.33 reflects repeatedly (``numpy.pad(mode="reflect")``), so e.g. the last 0.5 s of a
recording asked for 1 s with the default 0.5 s tolerance loaded differently.
"""

import numpy as np
import pytest

from lhotse_lite.audio.tolerance import fit_num_samples


def test_a_gap_longer_than_the_signal_is_reflected_repeatedly():
    padded = fit_num_samples(np.array([[5.0, 6.0]], dtype=np.float32), 7, 16000, "r")
    assert padded.tolist() == [[5.0, 6.0, 5.0, 6.0, 5.0, 6.0, 5.0]]


def test_a_gap_as_long_as_the_signal_is_its_mirror_image():
    padded = fit_num_samples(np.array([[1.0, 2.0, 3.0]], dtype=np.float32), 6, 16000, "r")
    assert padded.tolist() == [[1.0, 2.0, 3.0, 2.0, 1.0, 2.0]]


def test_one_sample_is_repeated_and_nothing_becomes_zeros():
    assert fit_num_samples(np.array([[4.0]], dtype=np.float32), 3, 16000, "r").tolist() == [[4.0, 4.0, 4.0]]
    assert fit_num_samples(np.zeros((2, 0), dtype=np.float32), 2, 16000, "r").tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_matches_lhotse_for_the_tail_of_a_recording(lhotse_compat_dir):
    lhotse = pytest.importorskip("lhotse", reason="Lhotse is the reference")
    from lhotse_lite.audio import Recording

    path = lhotse_compat_dir / "audio" / "mono.wav"
    expected = lhotse.Recording.from_file(path).load_audio(offset=1.5, duration=1.0)
    np.testing.assert_array_equal(Recording.from_file(path).load_audio(offset=1.5, duration=1.0), expected)
