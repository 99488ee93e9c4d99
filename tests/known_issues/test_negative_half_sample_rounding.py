"""Regression: a negative duration at an exact half sample rounded toward zero, unlike Lhotse.

``units.compute_num_samples`` rounded with ``floor(x + 0.5)``, so -1102.5 samples became -1102;
Lhotse rounds half away from zero (``Decimal`` ``ROUND_HALF_UP``): -1103. ``add_durations`` with a
negative offset (``trim``, ``with_offset``) therefore lost a sample at 22.05 kHz against Lhotse.
Found by the differential suite (tests/lhotse_parity/test_parity_utils.py).
"""

import pytest

from lhotse_lite.units import add_durations, compute_num_samples


@pytest.mark.parametrize(
    "duration,rate,expected",
    [(-0.05, 22050, -1103), (0.05, 22050, 1103), (-0.00003125, 16000, -1), (-0.1, 16000, -1600)],
)
def test_half_samples_round_away_from_zero(duration, rate, expected):
    assert compute_num_samples(duration, rate) == expected


def test_add_durations_with_a_negative_offset():
    assert add_durations(1.0, -0.05, sampling_rate=22050) == 20947 / 22050
