"""Kaldi-compatible feature extractors as ``torch.nn`` layers (Lhotse's ``lhotse.features.kaldi.layers`` API).

Six layers, each a thin module over the pure functions of this package (windows, framing, analysis,
mel, cepstrum): :class:`Wav2Win` (windowed frames), :class:`Wav2FFT` (complex spectrum),
:class:`Wav2Spec` (power or magnitude spectrum), :class:`Wav2LogSpec`, :class:`Wav2LogFilterBank`
("fbank") and :class:`Wav2MFCC`. Input is ``(batch, num_samples)`` float audio; outputs are
``(batch, num_frames, dim)``. The values are Kaldi's for the samples given (Lhotse passes ``[-1, 1]``
audio; multiply by :data:`INT16_SCALE` for Kaldi's 16-bit scale). They script with TorchScript, pass
gradients to the input, follow the input's device and dtype (float32 or float64), and stream exactly:
``online_inference`` chunk by chunk plus a final ``flush`` reproduces ``forward``.

Example:
    >>> import torch
    >>> x = torch.randn(1, 16000) * 0.1
    >>> Wav2LogFilterBank()(x).shape, Wav2MFCC()(x).shape
    (torch.Size([1, 100, 80]), torch.Size([1, 100, 13]))
"""

from __future__ import annotations

import logging
from typing import List, Optional, Tuple

import torch

from lhotse_lite.features.kaldi.analysis import (
    ENERGY_NONE,
    ENERGY_RAW,
    ENERGY_WINDOWED,
    floored_log,
    power_spectrum,
)
from lhotse_lite.features.kaldi.cepstrum import dct_matrix, lifter_coefficients
from lhotse_lite.features.kaldi.frontend import (
    DEFAULT_ENERGY_FLOOR,
    INT16_SCALE,
    KaldiFrontend,
    next_power_of_two,
)
from lhotse_lite.features.kaldi.mel import kaldi_mel_banks, linear_grid_mel_banks, nonzero_band, split_banks
from lhotse_lite.units import window_samples

__all__ = ["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC", "INT16_SCALE"]

logger = logging.getLogger(__name__)

_MAX_MEL_GROUPS = 4  # the mel matmul is split into at most this many filter groups ...
_FILTERS_PER_GROUP = 20  # ... of at least this many filters (narrow matmuls are slow)
_GROUPED_MEL_MIN_FRAMES = 400  # below this many frames one dense matmul is faster (fewer calls)


def _energy_mode(wanted: bool, raw_energy: bool) -> int:
    if not wanted:
        return ENERGY_NONE
    return ENERGY_RAW if raw_energy else ENERGY_WINDOWED


class Wav2Win(KaldiFrontend):
    """Kaldi's pre-processing: frames with DC removed, pre-emphasis and window, zero-padded to ``pad_length``.

    Args:
        sampling_rate: Input sampling rate in Hz.
        frame_length: Window length in seconds (``floor(frame_length * sampling_rate)`` samples).
        frame_shift: Hop in seconds.
        pad_length: Output frame width in samples (``>=`` the window; default: the window length).
        remove_dc_offset: Subtract each frame's mean.
        preemph_coeff: Pre-emphasis coefficient.
        window_type: ``hamming``, ``hanning``, ``povey``, ``rectangular``, ``blackman`` or ``sine``.
        dither: Standard deviation of added Gaussian noise, in input units (0: off).
        snip_edges: Keep only frames inside the signal (True) or mirror the edges (False).
        energy_floor: Floor of the energy before the log (0: none).
        raw_energy: Log energy before pre-emphasis/window (True) or after the window (False).
        return_log_energy: Also compute the log energy.

    Returns (``forward``):
        ``(frames, log_energy)``: frames ``(batch, num_frames, pad_length)``; log energy
        ``(batch, num_frames)`` or ``None`` unless ``return_log_energy``.

    Raises:
        ConfigError: invalid options (e.g. unknown ``window_type``, ``pad_length`` below the window).

    Example:
        >>> frames, log_e = Wav2Win(return_log_energy=True)(torch.randn(1, 16000))
        >>> frames.shape, log_e.shape
        (torch.Size([1, 100, 400]), torch.Size([1, 100]))
    """

    def __init__(
        self,
        sampling_rate: int = 16000,
        frame_length: float = 0.025,
        frame_shift: float = 0.01,
        pad_length: Optional[int] = None,
        remove_dc_offset: bool = True,
        preemph_coeff: float = 0.97,
        window_type: str = "povey",
        dither: float = 0.0,
        snip_edges: bool = False,
        energy_floor: float = DEFAULT_ENERGY_FLOOR,
        raw_energy: bool = True,
        return_log_energy: bool = False,
    ) -> None:
        super().__init__(
            sampling_rate, frame_length, frame_shift, pad_length, remove_dc_offset, preemph_coeff,
            window_type, dither, snip_edges, energy_floor, raw_energy,
            _energy_mode(return_log_energy, raw_energy),
        )
        self.pad_length = self._width
        self.return_log_energy = bool(return_log_energy)

    def _features(self, windowed: torch.Tensor, log_energy: Optional[torch.Tensor]) -> torch.Tensor:
        return windowed

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Frames ``(batch, num_frames, pad_length)`` and log energy (or ``None``) of ``x`` ``(batch, samples)``."""
        return self._offline(x)


class Wav2FFT(KaldiFrontend):
    """The complex spectrum of Kaldi's windowed frames, ``(batch, num_frames, fft_length // 2 + 1)``.

    Args:
        sampling_rate, frame_length, frame_shift, remove_dc_offset, preemph_coeff, window_type, dither,
        snip_edges, energy_floor, raw_energy: As in :class:`Wav2Win`.
        round_to_power_of_two: FFT size is the next power of two of the window (else the window length).
        use_energy: Replace bin 0 (DC) with the log energy (real part), as Lhotse does.

    Raises:
        ConfigError: invalid options.

    Example:
        >>> X = Wav2FFT()(torch.randn(1, 16000))
        >>> X.shape, X.dtype
        (torch.Size([1, 100, 257]), torch.complex64)
    """

    def __init__(
        self,
        sampling_rate: int = 16000,
        frame_length: float = 0.025,
        frame_shift: float = 0.01,
        round_to_power_of_two: bool = True,
        remove_dc_offset: bool = True,
        preemph_coeff: float = 0.97,
        window_type: str = "povey",
        dither: float = 0.0,
        snip_edges: bool = False,
        energy_floor: float = DEFAULT_ENERGY_FLOOR,
        raw_energy: bool = True,
        use_energy: bool = True,
    ) -> None:
        length = window_samples(frame_length, sampling_rate) if sampling_rate > 0 else 1
        fft_length = next_power_of_two(length) if round_to_power_of_two else length
        super().__init__(
            sampling_rate, frame_length, frame_shift, fft_length, remove_dc_offset, preemph_coeff,
            window_type, dither, snip_edges, energy_floor, raw_energy, _energy_mode(use_energy, raw_energy),
        )
        self.round_to_power_of_two = bool(round_to_power_of_two)
        self.use_energy = bool(use_energy)
        self.fft_length = fft_length

    def _spectrum(self, windowed: torch.Tensor) -> torch.Tensor:
        if windowed.numel() == 0:  # MKL rejects empty transforms
            dtype = torch.complex128 if windowed.dtype == torch.float64 else torch.complex64
            shape = [windowed.size(0), windowed.size(1), self.fft_length // 2 + 1]
            return torch.zeros(shape, dtype=dtype, device=windowed.device) + 0.0 * windowed.sum()
        return torch.fft.rfft(windowed, dim=-1)

    def _features(self, windowed: torch.Tensor, log_energy: Optional[torch.Tensor]) -> torch.Tensor:
        spectrum = self._spectrum(windowed)
        if self.use_energy and log_energy is not None:
            spectrum[:, :, 0] = log_energy.to(spectrum.dtype)
        return spectrum

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Complex spectrum ``(batch, num_frames, fft_length // 2 + 1)`` of ``x`` ``(batch, samples)``."""
        return self._offline(x)[0]


class Wav2Spec(Wav2FFT):
    """Power (or magnitude, ``use_fft_mag=True``) spectrum, ``(batch, num_frames, fft_length // 2 + 1)``.

    Args:
        use_fft_mag: Magnitude ``|X|`` instead of power ``|X|^2``.
        others: As in :class:`Wav2FFT` (``use_energy`` puts the log energy in bin 0).

    Example:
        >>> Wav2Spec()(torch.randn(1, 16000)).shape
        torch.Size([1, 100, 257])
    """

    def __init__(
        self,
        sampling_rate: int = 16000,
        frame_length: float = 0.025,
        frame_shift: float = 0.01,
        round_to_power_of_two: bool = True,
        remove_dc_offset: bool = True,
        preemph_coeff: float = 0.97,
        window_type: str = "povey",
        dither: float = 0.0,
        snip_edges: bool = False,
        energy_floor: float = DEFAULT_ENERGY_FLOOR,
        raw_energy: bool = True,
        use_energy: bool = True,
        use_fft_mag: bool = False,
    ) -> None:
        super().__init__(
            sampling_rate, frame_length, frame_shift, round_to_power_of_two, remove_dc_offset, preemph_coeff,
            window_type, dither, snip_edges, energy_floor, raw_energy, use_energy,
        )
        self.use_fft_mag = bool(use_fft_mag)

    def _features(self, windowed: torch.Tensor, log_energy: Optional[torch.Tensor]) -> torch.Tensor:
        spec = power_spectrum(self._spectrum(windowed), self.use_fft_mag)
        if self.use_energy and log_energy is not None:
            spec[:, :, 0] = log_energy
        return spec


class Wav2LogSpec(Wav2Spec):
    """Log power (or log magnitude) spectrum, floored at ``FLT_EPSILON`` like Kaldi's spectrogram.

    With ``use_energy=True`` (the default) bin 0 holds the log energy, which is exactly Kaldi's
    ``compute-spectrogram-feats`` output.

    Example:
        >>> Wav2LogSpec()(torch.randn(1, 16000)).shape
        torch.Size([1, 100, 257])
    """

    def _features(self, windowed: torch.Tensor, log_energy: Optional[torch.Tensor]) -> torch.Tensor:
        spec = floored_log(power_spectrum(self._spectrum(windowed), self.use_fft_mag))
        if self.use_energy and log_energy is not None:
            spec[:, :, 0] = log_energy
        return spec


class _MelLayer(Wav2FFT):
    """Shared set-up of the mel layers: the filter bank restricted to its non-zero FFT band."""

    def _init_mel(
        self,
        use_fft_mag: bool,
        low_freq: float,
        high_freq: float,
        num_filters: int,
        norm_filters: bool,
        torchaudio_compatible_mel_scale: bool,
    ) -> None:
        self.use_fft_mag = bool(use_fft_mag)
        self.low_freq = float(low_freq)
        self.high_freq = float(high_freq)
        self.num_filters = int(num_filters)
        self.norm_filters = bool(norm_filters)
        self.torchaudio_compatible_mel_scale = bool(torchaudio_compatible_mel_scale)
        if torchaudio_compatible_mel_scale:
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
        # Large inputs: a few groups of filters, each matmul only touching the FFT bins its filters cover
        # (a third of the dense matmul's work for 80 filters); small inputs: one dense matmul (fewer calls).
        flat, layout = split_banks(banks, max(1, min(_MAX_MEL_GROUPS, num_filters // _FILTERS_PER_GROUP)))
        self._mel_layout: List[int] = layout
        self._grouped_min_frames = _GROUPED_MEL_MIN_FRAMES
        self.register_buffer("_mel_blocks", flat, persistent=False)

    def _log_mel(self, windowed: torch.Tensor) -> torch.Tensor:
        spectrum = self._spectrum(windowed)[:, :, self._band_start : self._band_stop]
        power = power_spectrum(spectrum, self.use_fft_mag)
        layout = self._mel_layout
        if len(layout) == 5 or power.size(0) * power.size(1) < self._grouped_min_frames:
            if torch.jit.is_scripting():
                banks = self._mel_banks
            else:  # skips nn.Module's slow __getattr__ (see KaldiFrontend._weights)
                banks = self._buffer("_mel_banks")
            if banks.dtype != power.dtype:
                banks = banks.to(power.dtype)
            return floored_log(torch.matmul(power, banks))
        blocks = self._mel_blocks.to(power.dtype)
        energies: List[torch.Tensor] = []
        for g in range(len(layout) // 5):
            offset, first, stop = layout[5 * g], layout[5 * g + 1], layout[5 * g + 2]
            cols = layout[5 * g + 4] - layout[5 * g + 3]
            matrix = blocks[offset : offset + (stop - first) * cols].view(stop - first, cols)
            energies.append(
                torch.matmul(power[:, :, first - self._band_start : stop - self._band_start], matrix)
            )
        mel = energies[0] if len(energies) == 1 else torch.cat(energies, dim=-1)
        return floored_log(mel)


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

    Example:
        >>> Wav2LogFilterBank(num_filters=40, use_energy=True)(torch.randn(2, 8000)).shape
        torch.Size([2, 50, 41])
    """

    def __init__(
        self,
        sampling_rate: int = 16000,
        frame_length: float = 0.025,
        frame_shift: float = 0.01,
        round_to_power_of_two: bool = True,
        remove_dc_offset: bool = True,
        preemph_coeff: float = 0.97,
        window_type: str = "povey",
        dither: float = 0.0,
        snip_edges: bool = False,
        energy_floor: float = DEFAULT_ENERGY_FLOOR,
        raw_energy: bool = True,
        use_energy: bool = False,
        use_fft_mag: bool = False,
        low_freq: float = 20.0,
        high_freq: float = -400.0,
        num_filters: int = 80,
        norm_filters: bool = False,
        torchaudio_compatible_mel_scale: bool = True,
    ) -> None:
        super().__init__(
            sampling_rate, frame_length, frame_shift, round_to_power_of_two, remove_dc_offset, preemph_coeff,
            window_type, dither, snip_edges, energy_floor, raw_energy, use_energy,
        )
        self._init_mel(use_fft_mag, low_freq, high_freq, num_filters, norm_filters, torchaudio_compatible_mel_scale)

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

    def __init__(
        self,
        sampling_rate: int = 16000,
        frame_length: float = 0.025,
        frame_shift: float = 0.01,
        round_to_power_of_two: bool = True,
        remove_dc_offset: bool = True,
        preemph_coeff: float = 0.97,
        window_type: str = "povey",
        dither: float = 0.0,
        snip_edges: bool = False,
        energy_floor: float = DEFAULT_ENERGY_FLOOR,
        raw_energy: bool = True,
        use_energy: bool = False,
        use_fft_mag: bool = False,
        low_freq: float = 20.0,
        high_freq: float = -400.0,
        num_filters: int = 23,
        norm_filters: bool = False,
        num_ceps: int = 13,
        cepstral_lifter: int = 22,
        torchaudio_compatible_mel_scale: bool = True,
    ) -> None:
        super().__init__(
            sampling_rate, frame_length, frame_shift, round_to_power_of_two, remove_dc_offset, preemph_coeff,
            window_type, dither, snip_edges, energy_floor, raw_energy, use_energy,
        )
        self._init_mel(use_fft_mag, low_freq, high_freq, num_filters, norm_filters, torchaudio_compatible_mel_scale)
        self.num_ceps = int(num_ceps)
        self.cepstral_lifter = cepstral_lifter
        dct = dct_matrix(num_ceps, num_filters, dtype=torch.float64)
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
