"""Options of the Kaldi-compatible extractors: Lhotse's ``FbankConfig``, ``MfccConfig``,
``SpectrogramConfig`` and ``LogSpectrogramConfig``.

Field names, order and defaults are Lhotse 1.33's (times in seconds, frequencies in Hz), so Lhotse's
feature config YAML files load here. The configs are frozen dataclasses validated on construction;
they do not import torch. Each one derives from the options class of its layer
(:mod:`lhotse_lite.features.kaldi.options`), which holds those fields and validates the framing ones.
Import them from :mod:`lhotse_lite.features.kaldi.extractors` (Lhotse's path).

Example:
    >>> FbankConfig(num_filters=40).to_dict()["num_filters"]
    40
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Optional

from lhotse_lite.errors import ConfigError
from lhotse_lite.features.config import ExtractorConfig
from lhotse_lite.features.kaldi.options import MelBandOptions, Wav2SpecOptions

__all__ = ["FbankConfig", "MfccConfig", "SpectrogramConfig", "LogSpectrogramConfig"]


def _alias_num_mel_bins(config: Any) -> None:
    if config.num_mel_bins is not None:  # torchaudio's name for num_filters
        object.__setattr__(config, "num_filters", config.num_mel_bins)
        object.__setattr__(config, "num_mel_bins", None)


def _warn_snip_edges(config: Any) -> None:
    if config.snip_edges:
        # A warning, not a log line (as in Lhotse): users filter or escalate warnings.
        warnings.warn(
            f"{type(config).__name__}: snip_edges=True drops the frames that do not fit whole windows, so the "
            "frame count no longer follows from the duration (round(duration / frame_shift)) as Lhotse's "
            "manifests and cuts assume; keep snip_edges=False unless you need Kaldi's default",
            UserWarning,
            stacklevel=4,
        )


@dataclass(frozen=True)
class _SpectrumFields(Wav2SpecOptions, ExtractorConfig):
    """The spectrum configs' fields: the arguments of their layers, in Lhotse's order, energy off."""

    use_energy: bool = False


@dataclass(frozen=True)
class SpectrogramConfig(_SpectrumFields):
    """Options of :class:`Spectrogram` (Lhotse's ``SpectrogramConfig``; times in seconds).

    Example:
        >>> SpectrogramConfig(frame_length=0.05).to_dict()["frame_length"]
        0.05
        >>> SpectrogramConfig(window_type="hann")  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: SpectrogramConfig: window_type='hann' is not a Kaldi window; allowed values:
        hamming, hanning, povey, rectangular, blackman, sine
    """

    device: str = "cpu"

    def __post_init__(self) -> None:
        super().__post_init__()
        _warn_snip_edges(self)


@dataclass(frozen=True)
class LogSpectrogramConfig(SpectrogramConfig):
    """Options of :class:`LogSpectrogram` (same fields as :class:`SpectrogramConfig`).

    Example:
        >>> LogSpectrogramConfig.from_dict({"sampling_rate": 8000, "frame_shift": 0.02}).sampling_rate
        8000
    """


@dataclass(frozen=True)
class FbankConfig(MelBandOptions, ExtractorConfig):
    """Options of :class:`Fbank` (Lhotse's ``FbankConfig``; times in seconds, frequencies in Hz;
    ``high_freq <= 0`` is an offset from Nyquist; ``num_mel_bins`` is an alias of ``num_filters``).

    Example:
        >>> FbankConfig(num_mel_bins=64).num_filters
        64
        >>> FbankConfig(sampling_rate=8000, high_freq=4200)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: FbankConfig: high_freq=4200 resolves to 4200.0 Hz, outside (0, Nyquist...
    """

    num_mel_bins: Optional[int] = None
    norm_filters: bool = False
    torchaudio_compatible_mel_scale: bool = True
    device: str = "cpu"

    def __post_init__(self) -> None:
        _alias_num_mel_bins(self)
        super().__post_init__()
        _warn_snip_edges(self)


@dataclass(frozen=True)
class MfccConfig(MelBandOptions, ExtractorConfig):
    """Options of :class:`Mfcc` (Lhotse's ``MfccConfig``: the fbank options plus ``num_ceps`` and
    ``cepstral_lifter``, 23 filters by default).

    Example:
        >>> MfccConfig().num_filters, MfccConfig().num_ceps
        (23, 13)
        >>> MfccConfig(num_ceps=40)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: MfccConfig needs 1 <= num_ceps <= num_filters, got 40 and 23
    """

    num_filters: int = 23
    torchaudio_compatible_mel_scale: bool = True
    num_mel_bins: Optional[int] = None
    norm_filters: bool = False
    num_ceps: int = 13
    cepstral_lifter: int = 22
    device: str = "cpu"

    def __post_init__(self) -> None:
        _alias_num_mel_bins(self)
        super().__post_init__()
        _warn_snip_edges(self)
        if not 1 <= self.num_ceps <= self.num_filters:
            raise ConfigError(
                f"MfccConfig needs 1 <= num_ceps <= num_filters, got {self.num_ceps} and {self.num_filters}"
            )
