"""The mel-based Kaldi layers: :class:`Wav2LogFilterBank` ("fbank") and :class:`Wav2MFCC`.

Both extend :class:`~lhotse_lite.features.kaldi.spectral_layers.Wav2FFT` with a mel filter bank restricted to
the FFT bins it covers (and, for MFCC, Kaldi's DCT and lifter). The public import path stays
:mod:`lhotse_lite.features.kaldi.layers`, which re-exports both classes; this module only keeps the
mel code (dense and sparse filter sums) apart from the spectral layers.

Example:
    >>> import torch
    >>> from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank, Wav2MFCC  # the public path
    >>> x = torch.randn(1, 8000) * 0.1
    >>> Wav2LogFilterBank(num_filters=40)(x).shape, Wav2MFCC()(x).shape
    (torch.Size([1, 50, 40]), torch.Size([1, 50, 13]))
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional, Union

import torch

from lhotse_lite.features.kaldi.analysis import floored_log, power_spectrum
from lhotse_lite.features.kaldi.cepstrum import dct_matrix, lifter_coefficients
from lhotse_lite.features.kaldi.mel import (
    kaldi_mel_banks,
    linear_grid_mel_banks,
    nonzero_band,
    sparse_banks,
)
from lhotse_lite.features.kaldi.options import Wav2LogFilterBankOptions, Wav2MFCCOptions, takes_options
from lhotse_lite.features.kaldi.spectral_layers import Wav2FFT

__all__ = ["Wav2LogFilterBank", "Wav2MFCC"]

logger = logging.getLogger(__name__)

_SPARSE_MEL_MIN_PRODUCTS = 4000  # frames (batch * frames) times filters from which the sparse filter sums
# beat one dense matmul (measured: ~40 frames for 80 filters, ~170 for 23; below, the matmul's single call wins)


class _MelLayer(Wav2FFT):
    """Shared part of the mel layers: the filter bank restricted to its non-zero FFT band, applied by one
    dense matmul to short inputs and by sparse per-filter sums (:meth:`_sparse_log_mel`) to longer ones;
    the two agree to float rounding (a few 1e-7 relative)."""

    if TYPE_CHECKING:  # the buffers of _init_mel (TorchScript cannot read postponed annotations)
        _mel_banks: torch.Tensor
        _sparse_bins: torch.Tensor
        _sparse_offsets: torch.Tensor
        _sparse_weights: torch.Tensor

    def _init_mel(self, options: Union[Wav2LogFilterBankOptions, Wav2MFCCOptions]) -> None:
        self._init_fft(options)
        low_freq, high_freq, num_filters = options.low_freq, options.high_freq, options.num_filters
        norm_filters = options.norm_filters
        self.use_fft_mag = bool(options.use_fft_mag)
        self.low_freq = float(low_freq)
        self.high_freq = float(high_freq)
        self.num_filters = int(num_filters)
        self.norm_filters = bool(norm_filters)
        self.torchaudio_compatible_mel_scale = bool(options.torchaudio_compatible_mel_scale)
        if self.torchaudio_compatible_mel_scale:
            if norm_filters:
                logger.warning(
                    "norm_filters=True is ignored with torchaudio_compatible_mel_scale=True (Kaldi's mel "
                    "bank has no normalisation; Lhotse ignores it too)"
                )
            banks = kaldi_mel_banks(num_filters, self.fft_length, self.sampling_rate, low_freq, high_freq)
        else:
            banks = linear_grid_mel_banks(
                num_filters, self.fft_length, self.sampling_rate, low_freq, high_freq, norm_filters
            )
        first, stop = nonzero_band(banks)
        self._band_start = first
        self._band_stop = stop
        self.register_buffer("_mel_banks", banks[first:stop].contiguous(), persistent=False)
        bins, offsets, weights = sparse_banks(banks[first:stop])
        self._sparse_min_frames = max(1, -(-_SPARSE_MEL_MIN_PRODUCTS // self.num_filters))
        self.register_buffer("_sparse_bins", bins, persistent=False)
        self.register_buffer("_sparse_offsets", offsets, persistent=False)
        self.register_buffer("_sparse_weights", weights, persistent=False)

    def _log_mel(self, windowed: torch.Tensor) -> torch.Tensor:
        spectrum = self._spectrum(windowed)[:, :, self._band_start : self._band_stop]
        if spectrum.size(0) * spectrum.size(1) >= self._sparse_min_frames:
            return self._sparse_log_mel(spectrum)
        power = power_spectrum(spectrum, self.use_fft_mag)
        if torch.jit.is_scripting():
            banks = self._mel_banks
        else:  # skips nn.Module's slow __getattr__ (see KaldiFrontend._weights)
            banks = self._buffer("_mel_banks")
        if banks.dtype != power.dtype:
            banks = banks.to(power.dtype)
        return floored_log(torch.matmul(power, banks))

    def _sparse_log_mel(self, spectrum: torch.Tensor) -> torch.Tensor:
        """Log mel energies summed over each filter's non-zero bins only (``torch.embedding_bag``).

        ``embedding_bag`` sums rows, so the power spectrum is laid out bins-major ``(bins, batch *
        frames)`` and the sums come out filters-major ``(filters, batch * frames)``. Both
        transpositions are the output layouts of operations the path needs anyway, not extra copies:
        the addition of the squared real and imaginary parts writes the bins-major spectrum, and the
        floor before the log writes the frames-major result, so the returned ``(batch, frames,
        filters)`` tensor is contiguous whatever its length. (When autograd records, ``out=`` is not
        allowed and the two layouts are plain copies.)
        """
        batch, frames, bins = spectrum.size(0), spectrum.size(1), spectrum.size(2)
        squares = torch.view_as_real(spectrum).square().reshape(batch * frames, bins, 2)
        re2, im2 = squares[:, :, 0].t(), squares[:, :, 1].t()
        if torch.is_grad_enabled() and squares.requires_grad:
            power = (re2 + im2).contiguous()
        else:
            power = squares.new_empty(bins, batch * frames)
            torch.add(re2, im2, out=power)
        if self.use_fft_mag:
            power = power.sqrt()
        if torch.jit.is_scripting():
            rows, offsets, weights = self._sparse_bins, self._sparse_offsets, self._sparse_weights
        else:  # skips nn.Module's slow __getattr__ (see KaldiFrontend._weights)
            rows = self._buffer("_sparse_bins")
            offsets = self._buffer("_sparse_offsets")
            weights = self._buffer("_sparse_weights")
        if weights.dtype != power.dtype:
            weights = weights.to(power.dtype)
        mel = torch.embedding_bag(power, rows, offsets, False, 0, False, weights, False, None)[0]
        if torch.is_grad_enabled() and mel.requires_grad:
            return floored_log(mel).t().contiguous().view(batch, frames, -1)
        out = mel.new_empty(batch * frames, mel.size(0))
        torch.clamp_min(mel.t(), 1.1920928955078125e-07, out=out)  # FLT_EPSILON (TorchScript: literal)
        return out.log_().view(batch, frames, -1)


class Wav2LogFilterBank(_MelLayer):
    """Log mel filter bank energies ("fbank"), ``(batch, num_frames, num_filters [+ 1])``.

    Args:
        sampling_rate, frame_length, frame_shift, round_to_power_of_two, remove_dc_offset, preemph_coeff,
        window_type, dither, snip_edges, energy_floor, raw_energy: As in :class:`Wav2FFT`.
        use_energy: Prepend the log energy as feature 0 (Kaldi's ``--use-energy``; dim becomes
            ``num_filters + 1``).
        use_fft_mag: Filter the magnitude spectrum instead of the power spectrum.
        low_freq: Low edge of the mel band in Hz.
        high_freq: High edge in Hz; ``<= 0`` is an offset from Nyquist.
        num_filters: Number of mel filters (Kaldi's ``--num-mel-bins``).
        norm_filters: Unit-area filters (only with ``torchaudio_compatible_mel_scale=False``).
        torchaudio_compatible_mel_scale: Kaldi's mel bank (True) or Lhotse's legacy linear-grid bank.

    Raises:
        ConfigError: invalid options, e.g. ``high_freq`` above Nyquist or more filters than FFT bins allow.

    The result is contiguous (C-ordered) for every input length and option.

    Example:
        >>> Wav2LogFilterBank(num_filters=40, use_energy=True)(torch.randn(2, 8000)).shape
        torch.Size([2, 50, 41])
    """

    @takes_options(Wav2LogFilterBankOptions)
    def __init__(self, options: Wav2LogFilterBankOptions) -> None:
        self._init_mel(options)

    def _features(self, windowed: torch.Tensor, log_energy: Optional[torch.Tensor]) -> torch.Tensor:
        fbank = self._log_mel(windowed)
        if self.use_energy and log_energy is not None:
            fbank = torch.cat([log_energy.unsqueeze(-1), fbank], dim=-1)
        return fbank


class Wav2MFCC(_MelLayer):
    """Mel-frequency cepstral coefficients, ``(batch, num_frames, num_ceps)``.

    Args:
        sampling_rate, frame_length, frame_shift, round_to_power_of_two, remove_dc_offset, preemph_coeff,
        window_type, dither, snip_edges, energy_floor, raw_energy, use_fft_mag, low_freq, high_freq,
        num_filters, norm_filters, torchaudio_compatible_mel_scale: As in :class:`Wav2LogFilterBank`.
        use_energy: Replace C0 with the log energy (after liftering), as Kaldi does.
        num_ceps: Number of cepstral coefficients (``<= num_filters``).
        cepstral_lifter: Lifter parameter ``Q`` (0: none).

    Raises:
        ConfigError: invalid options (also ``num_ceps > num_filters``).

    Example:
        >>> Wav2MFCC(use_energy=True)(torch.randn(1, 16000)).shape
        torch.Size([1, 100, 13])
    """

    if TYPE_CHECKING:  # a buffer (TorchScript cannot read postponed annotations)
        _cepstrum: torch.Tensor

    @takes_options(Wav2MFCCOptions)
    def __init__(self, options: Wav2MFCCOptions) -> None:
        self._init_mel(options)
        num_ceps, cepstral_lifter = options.num_ceps, options.cepstral_lifter
        self.num_ceps = int(num_ceps)
        self.cepstral_lifter = cepstral_lifter
        dct = dct_matrix(num_ceps, options.num_filters, dtype=torch.float64)
        lifter = lifter_coefficients(num_ceps, cepstral_lifter, dtype=torch.float64)
        self.register_buffer("_dct", dct.float(), persistent=False)
        self.register_buffer("_lifter", lifter.float(), persistent=False)
        self.register_buffer("_cepstrum", (dct * lifter).float(), persistent=False)

    @staticmethod
    def make_lifter(N: int, Q: float) -> torch.Tensor:
        """Kaldi's lifter ``1 + Q / 2 * sin(pi * n / Q)`` for ``n < N`` (ones when ``Q == 0``).

        Args:
            N: Number of cepstral coefficients.
            Q: Lifter parameter.

        Returns:
            A float32 vector ``(N,)``.

        Example:
            >>> Wav2MFCC.make_lifter(13, 22).shape
            torch.Size([13])
        """
        return lifter_coefficients(N, Q)

    @staticmethod
    def make_dct_matrix(num_ceps: int, num_filters: int) -> torch.Tensor:
        """Kaldi's orthonormal DCT-II as a ``(num_filters, num_ceps)`` float32 matrix (``log_mel @ dct``).

        Example:
            >>> Wav2MFCC.make_dct_matrix(13, 23).shape
            torch.Size([23, 13])
        """
        return dct_matrix(num_ceps, num_filters)

    def _features(self, windowed: torch.Tensor, log_energy: Optional[torch.Tensor]) -> torch.Tensor:
        if torch.jit.is_scripting():
            cepstrum = self._cepstrum
        else:  # skips nn.Module's slow __getattr__ (see KaldiFrontend._weights)
            cepstrum = self._buffer("_cepstrum")
        if cepstrum.dtype != windowed.dtype:
            cepstrum = cepstrum.to(windowed.dtype)
        mfcc = torch.matmul(self._log_mel(windowed), cepstrum)
        if self.use_energy and log_energy is not None:
            mfcc[:, :, 0] = log_energy
        return mfcc
