"""Regression: speed perturbation lengths at exact half-sample ties must round like Lhotse.

``units.perturb_num_samples`` rounded every tie up; Lhotse rounds ties down when slowing down
(``factor < 1``), so a perturbed recording's ``num_samples`` could differ by one sample. The literal
values are Lhotse 1.33's; the comparison with the live library runs where it is installed.
"""

import pytest

from lhotse_lite.units import perturb_num_samples

# (num_samples, factor) -> Lhotse 1.33's length
TIES = {(3, 0.4): 7, (5, 0.4): 12, (9, 0.4): 22, (1, 0.4): 2, (3, 1.2): 3, (9, 1.2): 8, (15, 1.2): 13}
TYPICAL = {0.9: 17778, 0.95: 16842, 1.05: 15238, 1.1: 14545}  # 16000 samples


@pytest.mark.parametrize("num_samples, factor", sorted(TIES))
def test_ties_round_like_lhotse(num_samples, factor):
    assert perturb_num_samples(num_samples, factor) == TIES[num_samples, factor]


@pytest.mark.parametrize("factor", sorted(TYPICAL))
def test_typical_lengths(factor):
    assert perturb_num_samples(16000, factor) == TYPICAL[factor]


@pytest.mark.parametrize("factor", [0.4, 0.9, 0.95, 1.05, 1.1, 1.2])
def test_many_lengths_match_lhotse(factor):
    lhotse_utils = pytest.importorskip("lhotse.utils", reason="Lhotse is the reference")
    for num_samples in range(0, 48000, 997):
        assert perturb_num_samples(num_samples, factor) == lhotse_utils.perturb_num_samples(num_samples, factor)
