"""The spectral Kaldi layers: :class:`Wav2Win`, :class:`Wav2FFT`, :class:`Wav2Spec` and :class:`Wav2LogSpec`.

Each is a thin module over the pure functions of this package (windows, framing, analysis); the mel
layers in :mod:`lhotse_lite.features.kaldi.mel_layers` extend :class:`Wav2FFT`. The public import
path for all six is :mod:`lhotse_lite.features.kaldi.layers`.

Example:
    >>> import torch
    >>> x = torch.randn(1, 16000) * 0.1
    >>> Wav2Win()(x)[0].shape, Wav2FFT()(x).shape, Wav2LogSpec()(x).shape
    (torch.Size([1, 100, 400]), torch.Size([1, 100, 257]), torch.Size([1, 100, 257]))
"""

from __future__ import annotations

from typing import Optional, Tuple

import torch

from lhotse_lite.features.kaldi.analysis import (
    ENERGY_NONE,
    ENERGY_RAW,
    ENERGY_WINDOWED,
    floored_log,
    power_spectrum,
)
from lhotse_lite.features.kaldi.frontend import KaldiFrontend, next_power_of_2
from lhotse_lite.features.kaldi.options import Wav2FFTOptions, Wav2SpecOptions, Wav2WinOptions, takes_options

__all__ = ["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec"]


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

    @takes_options(Wav2WinOptions)
    def __init__(self, options: Wav2WinOptions) -> None:
        energy_mode = _energy_mode(options.return_log_energy, options.raw_energy)
        super().__init__(options.frame_options, options.pad_length, energy_mode)
        self.pad_length = self._width
        self.return_log_energy = bool(options.return_log_energy)

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

    @takes_options(Wav2FFTOptions)
    def __init__(self, options: Wav2FFTOptions) -> None:
        self._init_fft(options)

    def _init_fft(self, options: Wav2FFTOptions) -> None:
        """The constructor of every FFT layer: frames as wide as the FFT, the energy ``use_energy`` asks for."""
        length = options.window_length
        fft_length = next_power_of_2(length) if options.round_to_power_of_two else length
        energy_mode = _energy_mode(options.use_energy, options.raw_energy)
        KaldiFrontend.__init__(self, options.frame_options, fft_length, energy_mode)
        self.round_to_power_of_two = bool(options.round_to_power_of_two)
        self.use_energy = bool(options.use_energy)
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

    @takes_options(Wav2SpecOptions)
    def __init__(self, options: Wav2SpecOptions) -> None:
        self._init_fft(options)
        self.use_fft_mag = bool(options.use_fft_mag)

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
