"""The DCT and the cepstral lifter that turn log-mel energies into Kaldi's MFCCs.

Kaldi's DCT-II is orthonormal: coefficient ``k`` of ``N`` log-mel energies is
``sum_n c_k cos(pi / N * (n + 0.5) * k) * e_n`` with ``c_0 = sqrt(1 / N)`` and
``c_k = sqrt(2 / N)`` for ``k >= 1``. The lifter scales coefficient ``i`` by
``1 + Q / 2 * sin(pi * i / Q)`` (no liftering when ``Q == 0``). Both are computed in float64.

Example:
    >>> from lhotse_lite.features.kaldi.cepstrum import dct_matrix, lifter_coefficients
    >>> dct_matrix(13, 23).shape, lifter_coefficients(13, 22).shape
    (torch.Size([23, 13]), torch.Size([13]))
"""

from __future__ import annotations

import math

import torch

from lhotse_lite.errors import ConfigError

__all__ = ["dct_matrix", "lifter_coefficients"]


def dct_matrix(num_ceps: int, num_filters: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Kaldi's orthonormal DCT-II, laid out for ``log_mel @ dct``.

    Args:
        num_ceps: Number of cepstral coefficients kept (``1 .. num_filters``).
        num_filters: Number of mel filters.
        dtype: Output dtype.

    Returns:
        A ``(num_filters, num_ceps)`` matrix.

    Raises:
        ConfigError: ``num_ceps`` outside ``[1, num_filters]``.

    Example:
        >>> d = dct_matrix(3, 4, dtype=torch.float64)
        >>> round(float(d[0, 0]), 4), round(float((d[:, 1] ** 2).sum()), 4)
        (0.5, 1.0)
    """
    if not 1 <= num_ceps <= num_filters:
        raise ConfigError(
            f"num_ceps={num_ceps} must be in [1, num_filters={num_filters}]; Kaldi keeps at most one "
            "cepstral coefficient per mel filter"
        )
    n = torch.arange(num_filters, dtype=torch.float64).unsqueeze(1)
    k = torch.arange(num_ceps, dtype=torch.float64).unsqueeze(0)
    dct = math.sqrt(2.0 / num_filters) * torch.cos(math.pi / num_filters * (n + 0.5) * k)
    dct[:, 0] = math.sqrt(1.0 / num_filters)
    return dct.to(dtype)


def lifter_coefficients(num_ceps: int, cepstral_lifter: float, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Kaldi's sinusoidal lifter ``1 + Q / 2 * sin(pi * i / Q)``; all ones when ``Q == 0``.

    Args:
        num_ceps: Number of cepstral coefficients.
        cepstral_lifter: The lifter parameter ``Q`` (Kaldi's ``--cepstral-lifter``, 22 by default).
        dtype: Output dtype.

    Returns:
        A ``(num_ceps,)`` vector.

    Example:
        >>> [round(v, 3) for v in lifter_coefficients(3, 22, dtype=torch.float64).tolist()]
        [1.0, 2.565, 4.099]
    """
    if cepstral_lifter == 0:
        return torch.ones(num_ceps, dtype=dtype)
    i = torch.arange(num_ceps, dtype=torch.float64)
    return (1.0 + 0.5 * cepstral_lifter * torch.sin(math.pi * i / cepstral_lifter)).to(dtype)
