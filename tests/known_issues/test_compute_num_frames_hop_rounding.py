"""Regression: ``compute_num_frames`` rounded a half-sample hop up, unlike Lhotse and Kaldi.

A 10 ms frame shift at 22.05 kHz is 220.5 samples. ``units.compute_num_frames`` rounded it half up to
221 (through ``compute_num_samples``), while Lhotse's ``compute_num_frames`` rounds with Python's
``round`` (half to even: 220, which is also Kaldi's truncated shift), so frame counts and feature
slices at 22.05/44.1 kHz were off by about 0.5 %.
"""

import pytest

from lhotse_lite.units import compute_num_frames

# (duration, frame_shift, sampling_rate) -> frames, the values Lhotse 1.33 gives
CASES = [
    ((35.608866213151934, 0.01, 22050), 3569),
    ((35.6, 0.01, 22050), 3568),
    ((10.0, 0.01, 44100), 1000),
    ((1.0, 0.01, 16000), 100),
    ((1.005, 0.01, 16000), 101),
    ((2.5, 0.0125, 22050), 200),
]


@pytest.mark.parametrize("args,expected", CASES)
def test_frame_counts(args, expected):
    assert compute_num_frames(*args) == expected


def test_matches_lhotse_on_many_values():
    lhotse_utils = pytest.importorskip("lhotse.utils", reason="Lhotse is the reference")
    import random

    rng = random.Random(0)
    for _ in range(20000):
        sr = rng.choice([8000, 16000, 22050, 44100, 48000])
        shift = rng.choice([0.01, 0.0125, 0.02, 0.016])
        duration = (rng.randrange(10**6) + rng.choice([0.0, 0.5, rng.random()])) / sr
        assert compute_num_frames(duration, shift, sr) == lhotse_utils.compute_num_frames(duration, shift, sr)
