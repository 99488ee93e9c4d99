"""Triangular mel filter banks: Kaldi's (the default) and Lhotse's legacy linear-grid variant.

The matrices have shape ``(num_fft_bins, num_filters)`` with ``num_fft_bins = fft_length // 2 + 1``,
so a power spectrum ``(..., num_fft_bins)`` is mapped to mel energies by one matmul. Each filter is
non-zero on a short band of FFT bins only; :func:`nonzero_band` finds the band that covers all of them
so callers can slice the spectrum and skip the zero rows, and :func:`sparse_banks` lists each filter's
non-zero weights for sums that skip the zeros inside the band too.

Kaldi's bank (``MelBanks`` in ``feature-functions``/``mel-computations``): filter edges are spaced
uniformly on the mel scale ``1127 ln(1 + f / 700)`` between ``low_freq`` and ``high_freq``; FFT bin
``i`` sits at ``i * sampling_rate / fft_length`` Hz (bins ``0 .. fft_length/2 - 1``; the Nyquist bin
gets no weight) and its weight is the triangle's value at the bin's mel frequency.

Example:
    >>> from lhotse_lite.features.kaldi.mel import kaldi_mel_banks
    >>> kaldi_mel_banks(23, 512, 16000, low_freq=20.0, high_freq=0.0).shape
    torch.Size([257, 23])
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np
import torch

from lhotse_lite.errors import ConfigError
from lhotse_lite.features.kaldi.options import check_mel_band, resolve_high_freq

__all__ = [
    "mel_scale",
    "inverse_mel_scale",
    "resolve_high_freq",
    "kaldi_mel_banks",
    "linear_grid_mel_banks",
    "nonzero_band",
    "sparse_banks",
    "lin2mel",
    "mel2lin",
    "create_mel_scale",
    "get_mel_banks",
]


def mel_scale(freq: torch.Tensor) -> torch.Tensor:
    """Hz to mel (Kaldi/HTK natural-log form): ``1127 * ln(1 + freq / 700)``.

    Example:
        >>> round(float(mel_scale(torch.tensor(1000.0))), 2)
        999.99
    """
    return 1127.0 * torch.log1p(freq / 700.0)


def inverse_mel_scale(mel: torch.Tensor) -> torch.Tensor:
    """Mel to Hz, the inverse of :func:`mel_scale`.

    Example:
        >>> round(float(inverse_mel_scale(mel_scale(torch.tensor(440.0, dtype=torch.float64)))), 6)
        440.0
    """
    return 700.0 * torch.expm1(mel / 1127.0)


def _check_band(num_filters: int, fft_length: int, sampling_rate: float, low_freq: float, high_freq: float) -> float:
    high = check_mel_band(num_filters, sampling_rate, low_freq, high_freq)
    if fft_length < 2 or fft_length % 2:
        raise ConfigError(f"the FFT length must be even and >= 2, got {fft_length}")
    return high


def _check_nonempty(banks: torch.Tensor, num_filters: int, fft_length: int) -> None:
    empty = (banks.sum(dim=0) == 0).nonzero().flatten().tolist()
    if empty:
        raise ConfigError(
            f"num_filters={num_filters} is too many for fft_length={fft_length}: mel filter(s) {empty[:5]} "
            "cover no FFT bin; use fewer filters, a longer frame_length or round_to_power_of_two=True"
        )


def kaldi_mel_banks(
    num_filters: int,
    fft_length: int,
    sampling_rate: float,
    low_freq: float = 20.0,
    high_freq: float = 0.0,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Kaldi's triangular mel filter bank (no VTLN), computed in float64.

    Args:
        num_filters: Number of mel filters (>= 3).
        fft_length: FFT size in samples (even).
        sampling_rate: Sampling rate in Hz.
        low_freq: Lower edge of the first filter in Hz.
        high_freq: Upper edge of the last filter in Hz; ``<= 0`` means Nyquist plus this value.
        dtype: Output dtype.

    Returns:
        The weights, shape ``(fft_length // 2 + 1, num_filters)``; the last (Nyquist) row is zero.

    Raises:
        ConfigError: fewer than 3 filters, a band outside ``[0, Nyquist]``, or a filter with no FFT bin
            (too many filters for the FFT size).

    Example:
        >>> banks = kaldi_mel_banks(80, 512, 16000, 20.0, -400.0)
        >>> banks.shape, bool((banks.sum(0) > 0).all())
        (torch.Size([257, 80]), True)
    """
    high = _check_band(num_filters, fft_length, sampling_rate, low_freq, high_freq)
    f64 = torch.float64
    mel_low = float(mel_scale(torch.tensor(low_freq, dtype=f64)))
    mel_high = float(mel_scale(torch.tensor(high, dtype=f64)))
    delta = (mel_high - mel_low) / (num_filters + 1)
    j = torch.arange(num_filters, dtype=f64).unsqueeze(0)
    left = mel_low + j * delta
    centre = mel_low + (j + 1.0) * delta
    right = mel_low + (j + 2.0) * delta
    num_bins = fft_length // 2
    mel = mel_scale(torch.arange(num_bins, dtype=f64) * (sampling_rate / fft_length)).unsqueeze(1)
    rising = (mel - left) / (centre - left)
    falling = (right - mel) / (right - centre)
    weights = torch.where((mel > left) & (mel < right), torch.minimum(rising, falling), torch.zeros((), dtype=f64))
    banks = torch.cat([weights, torch.zeros(1, num_filters, dtype=f64)], dim=0)
    _check_nonempty(banks, num_filters, fft_length)
    return banks.to(dtype)


def linear_grid_mel_banks(
    num_filters: int,
    fft_length: int,
    sampling_rate: float,
    low_freq: float = 20.0,
    high_freq: float = 0.0,
    norm_filters: bool = False,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Lhotse's legacy bank (``torchaudio_compatible_mel_scale=False``).

    It differs from Kaldi's in where the FFT bins sit: bin ``i`` is placed at
    ``i * sampling_rate / (fft_length - 1)`` Hz (a grid of ``fft_length`` points spanning 0 to the
    sampling rate), and the filters may be normalised to unit area (``norm_filters``).

    Args:
        num_filters: Number of mel filters (>= 3).
        fft_length: FFT size in samples (even).
        sampling_rate: Sampling rate in Hz.
        low_freq: Lower edge of the first filter in Hz.
        high_freq: Upper edge; ``<= 0`` means Nyquist plus this value.
        norm_filters: Divide each filter by the sum of its weights.
        dtype: Output dtype.

    Returns:
        The weights, shape ``(fft_length // 2 + 1, num_filters)``.

    Raises:
        ConfigError: as :func:`kaldi_mel_banks`.

    Example:
        >>> banks = linear_grid_mel_banks(23, 512, 16000, norm_filters=True)
        >>> [round(v, 4) for v in banks.sum(0)[:2].tolist()]
        [1.0, 1.0]
    """
    high = _check_band(num_filters, fft_length, sampling_rate, low_freq, high_freq)
    f64 = torch.float64
    edges = torch.linspace(
        float(mel_scale(torch.tensor(low_freq, dtype=f64))),
        float(mel_scale(torch.tensor(high, dtype=f64))),
        num_filters + 2,
        dtype=f64,
    )
    left, centre, right = edges[:-2].unsqueeze(0), edges[1:-1].unsqueeze(0), edges[2:].unsqueeze(0)
    grid = torch.linspace(0.0, float(sampling_rate), fft_length, dtype=f64)[: fft_length // 2]
    mel = mel_scale(grid).unsqueeze(1)
    rising = (mel - left) / (centre - left)
    falling = (right - mel) / (right - centre)
    inside = (mel > left) & (mel < right)
    weights = torch.where(inside, torch.where(mel <= centre, rising, falling), torch.zeros((), dtype=f64))
    banks = torch.cat([weights, torch.zeros(1, num_filters, dtype=f64)], dim=0)
    _check_nonempty(banks, num_filters, fft_length)
    if norm_filters:
        banks = banks / banks.sum(dim=0, keepdim=True)
    return banks.to(dtype)


def nonzero_band(banks: torch.Tensor) -> Tuple[int, int]:
    """The half-open range ``[first, last + 1)`` of FFT bins where any filter is non-zero.

    Example:
        >>> nonzero_band(kaldi_mel_banks(23, 512, 16000, 20.0, -400.0))
        (1, 244)
    """
    rows = (banks != 0).any(dim=1).nonzero().flatten()
    if rows.numel() == 0:
        return 0, 0
    return int(rows[0]), int(rows[-1]) + 1


def sparse_banks(banks: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The non-zero weights of each filter, in the form ``torch.embedding_bag`` takes: ``(bins, offsets, weights)``.

    Filter ``m`` is the sum of ``weights[i] * power[bins[i]]`` for ``i`` from ``offsets[m]`` up to the next
    filter's offset. A mel filter touches a few FFT bins only (each bin belongs to at most two
    filters), so this is about ``2 * num_fft_bins`` multiply-adds per frame instead of the dense
    matmul's ``num_fft_bins * num_filters``.

    Args:
        banks: ``(num_fft_bins, num_filters)``.

    Returns:
        ``bins`` and ``offsets`` (int64) and ``weights`` (the dtype of ``banks``), filter by filter.

    Example:
        >>> banks = torch.tensor([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
        >>> [t.tolist() for t in sparse_banks(banks)]
        [[0, 1, 1, 2], [0, 2], [1.0, 0.5, 0.5, 1.0]]
    """
    nonzero = banks.t() != 0
    bins = nonzero.nonzero()[:, 1].contiguous()  # row-major: filter by filter, bins ascending
    counts = nonzero.sum(dim=1)
    offsets = torch.cumsum(counts, dim=0) - counts
    return bins, offsets, banks.t()[nonzero].contiguous()


def lin2mel(x: Any) -> Any:
    """Lhotse's Hz-to-mel function: :func:`mel_scale` for tensors, numpy for numbers and arrays.

    Example:
        >>> round(float(lin2mel(1000.0)), 4), lin2mel(torch.tensor([0.0])).tolist()
        (999.9907, [0.0])
    """
    if isinstance(x, torch.Tensor):
        return mel_scale(x)
    return 1127.0 * np.log1p(np.asarray(x, dtype=np.float64) / 700.0)


def mel2lin(x: Any) -> Any:
    """Lhotse's mel-to-Hz function, the inverse of :func:`lin2mel`.

    Example:
        >>> round(float(mel2lin(lin2mel(440.0))), 6)
        440.0
    """
    if isinstance(x, torch.Tensor):
        return inverse_mel_scale(x)
    return 700.0 * np.expm1(np.asarray(x, dtype=np.float64) / 1127.0)


def create_mel_scale(
    num_filters: int,
    fft_length: int,
    sampling_rate: int,
    low_freq: float = 0,
    high_freq: Optional[float] = None,
    norm_filters: bool = True,
) -> torch.Tensor:
    """Lhotse's legacy mel bank (:func:`linear_grid_mel_banks`), float32 ``(fft_length // 2 + 1, num_filters)``.

    ``high_freq=None`` (or 0) is Nyquist; unlike :func:`linear_grid_mel_banks`, ``norm_filters``
    defaults to True, as in Lhotse.

    Raises:
        ConfigError: as :func:`linear_grid_mel_banks`.

    Example:
        >>> create_mel_scale(23, 512, 16000, 20.0, -400.0).shape
        torch.Size([257, 23])
    """
    return linear_grid_mel_banks(
        num_filters, fft_length, sampling_rate, low_freq, 0.0 if high_freq is None else high_freq, norm_filters
    )


def get_mel_banks(
    num_bins: int, window_length_padded: int, sample_freq: float, low_freq: float, high_freq: float
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Kaldi's mel bank in torchaudio's layout, as Lhotse's function returns it.

    Args:
        num_bins: Number of mel filters.
        window_length_padded: FFT size (even).
        sample_freq: Sampling rate in Hz.
        low_freq: Lower edge in Hz.
        high_freq: Upper edge in Hz; ``<= 0`` is an offset from Nyquist.

    Returns:
        ``(banks, center_freqs)``: float32 ``(num_bins, window_length_padded // 2)`` weights (no
        Nyquist bin) and the filters' centre frequencies in Hz, ``(num_bins, 1)``.

    Raises:
        ConfigError: as :func:`kaldi_mel_banks` (also an ``AssertionError``, like Lhotse's asserts).

    Example:
        >>> banks, centres = get_mel_banks(23, 512, 16000, 20.0, -400.0)
        >>> banks.shape, centres.shape
        (torch.Size([23, 256]), torch.Size([23, 1]))
    """
    banks = kaldi_mel_banks(num_bins, window_length_padded, sample_freq, low_freq, high_freq, dtype=torch.float64)
    f64 = torch.float64
    mel_low = float(mel_scale(torch.tensor(float(low_freq), dtype=f64)))
    mel_high = float(mel_scale(torch.tensor(resolve_high_freq(high_freq, sample_freq), dtype=f64)))
    delta = (mel_high - mel_low) / (num_bins + 1)
    centres = inverse_mel_scale(mel_low + (torch.arange(num_bins, dtype=f64).unsqueeze(1) + 1.0) * delta)
    return banks[:-1].t().contiguous().float(), centres.float()
