"""Regression: speed perturbation lengths at exact half-sample ties must round like Lhotse.

``units.perturb_num_samples`` rounded every tie up; Lhotse rounds ties down when slowing down
(``factor < 1``), so a perturbed recording's ``num_samples`` could differ by one sample.
"""

import pytest

from lhotse_lite.units import perturb_num_samples

lhotse_utils = pytest.importorskip("lhotse.utils", reason="Lhotse is the reference")

TIES = [(3, 0.4), (5, 0.4), (9, 0.4), (1, 0.4), (3, 1.2), (9, 1.2), (15, 1.2)]


@pytest.mark.parametrize("num_samples, factor", TIES)
def test_ties_round_like_lhotse(num_samples, factor):
    assert perturb_num_samples(num_samples, factor) == lhotse_utils.perturb_num_samples(num_samples, factor)


@pytest.mark.parametrize("factor", [0.9, 0.95, 1.05, 1.1])
def test_typical_lengths_match_lhotse(factor):
    for num_samples in range(0, 48000, 997):
        assert perturb_num_samples(num_samples, factor) == lhotse_utils.perturb_num_samples(num_samples, factor)
