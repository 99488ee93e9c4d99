"""Kaldi-compatible feature extractors on top of the torch layers: fbank, MFCC, (log) spectrogram.

Names, config fields and defaults are Lhotse's (``kaldi-fbank``, ``kaldi-mfcc``, ``kaldi-spectrogram``,
``kaldi-log-spectrogram``), so Lhotse's feature config YAML files load here and the numbers match
Lhotse 1.33 (audio in [-1, 1], ``snip_edges=False``, ``dither=0``). ``device`` selects where the
layers run (``"cpu"``, ``"cuda"``, ``"cuda:1"``).

:meth:`extract_batch` is truly batched: the signals are padded into one ``(batch, samples)`` tensor
and go through the layers once. Each signal is padded with its own mirror image (Kaldi's edge rule)
before any zeros, so every frame equals what :meth:`extract` gives for that signal alone.

Example:
    >>> import numpy as np
    >>> fbank = Fbank(FbankConfig(num_filters=40))
    >>> fbank.extract(np.zeros(8000, dtype=np.float32), 16000).shape
    (50, 40)
    >>> signals = [np.ones(1600, dtype=np.float32), np.ones(3200, dtype=np.float32)]
    >>> [f.shape for f in fbank.extract_batch(signals, 16000)]
    [(10, 40), (20, 40)]
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, TypeVar, Union

import numpy as np
import torch

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.features.batching import collate_results, is_single_signal, split_batch
from lhotse_lite.features.config import EPSILON
from lhotse_lite.features.extractor import FeatureExtractor, check_extractor_sampling_rate, register_extractor
from lhotse_lite.features.kaldi.extractor_configs import (
    FbankConfig,
    LogSpectrogramConfig,
    MfccConfig,
    SpectrogramConfig,
)
from lhotse_lite.units import kaldi_num_frames

if TYPE_CHECKING:
    from lhotse_lite.features.kaldi.spectral_layers import Wav2FFT

__all__ = [
    "Fbank",
    "FbankConfig",
    "Mfcc",
    "MfccConfig",
    "Spectrogram",
    "SpectrogramConfig",
    "LogSpectrogram",
    "LogSpectrogramConfig",
]

KaldiConfigT = TypeVar("KaldiConfigT", FbankConfig, MfccConfig, SpectrogramConfig, LogSpectrogramConfig)


class _KaldiExtractor(FeatureExtractor[KaldiConfigT]):
    """Shared implementation: builds the layer from the config and runs it on ``device``."""

    layer_name: str = ""

    def __init__(self, config: Optional[Any] = None) -> None:
        super().__init__(config)
        _check_device(self.config.device)
        self.extractor = _build_layer(self.layer_name, self.config)

    @property
    def device(self) -> Union[str, torch.device]:
        return self.config.device

    @property
    def frame_shift(self) -> float:
        return self.config.frame_shift

    def to(self, device: str) -> "_KaldiExtractor[KaldiConfigT]":
        """Moves the layers to ``device`` (the config records it). Returns ``self``."""
        _check_device(device)
        self.config = dataclasses.replace(self.config, device=str(device))
        self.extractor = _build_layer(self.layer_name, self.config)
        return self

    def __getstate__(self) -> dict:
        # Pickle only the config: workers rebuild the layers (smaller, and device-independent).
        return {"config": self.config}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["config"])  # type: ignore[misc]  # unpickling rebuilds the layers as __init__ does

    def extract(self, samples: Union[np.ndarray, torch.Tensor], sampling_rate: int) -> Union[np.ndarray, torch.Tensor]:
        """Features ``(num_frames, dim)`` of ``samples`` (``(samples,)`` or ``(1, samples)``, in [-1, 1]).

        Raises:
            ConfigError: ``sampling_rate`` differs from the config's.
        """
        check_extractor_sampling_rate(self, sampling_rate)
        is_numpy = not isinstance(samples, torch.Tensor)
        if isinstance(samples, torch.Tensor):
            x = samples
        else:
            x = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))
        if x.ndim == 1:
            x = x.unsqueeze(0)
        with torch.inference_mode():
            feats = self.extractor(x.to(self.device))[0]
        return feats.cpu().numpy() if is_numpy else feats.cpu()

    def extract_batch(self, samples: Any, sampling_rate: int, lengths: Optional[Sequence[int]] = None) -> Any:
        """Features of several signals in one pass through the layers (see the module docstring).

        Args:
            samples: A list of 1-D signals, a ``(batch, samples)`` array/tensor, or a padded batch
                with ``lengths``.
            sampling_rate: Hz.
            lengths: Valid samples per row of a padded batch.

        Returns:
            ``(batch, frames, dim)`` when all signals give the same number of frames, else a list of
            ``(frames_i, dim)``; numpy or torch like the input.

        Raises:
            ConfigError: ``sampling_rate`` differs from the config's.
            ShapeError: The inputs are not 1-D signals.
        """
        check_extractor_sampling_rate(self, sampling_rate)
        items, is_list, is_torch = split_batch(samples, lengths)
        if not items:
            raise ShapeError("extract_batch got an empty batch; pass at least one signal")
        signals = [
            x if isinstance(x, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
            for x in items
        ]
        batch = _pad_mirrored([s.to(torch.float32) for s in signals])
        with torch.inference_mode():
            feats = self.extractor(batch.to(self.device)).cpu()
        layer = self.extractor
        counts = [
            kaldi_num_frames(len(s), layer.window_length, layer.window_shift, self.config.snip_edges) for s in signals
        ]
        results = [feats[i, :n] for i, n in enumerate(counts)]
        if not is_torch:
            results = [r.numpy() for r in results]
        return collate_results(results, is_list, is_torch, single=is_single_signal(samples))


_LAYERS: Dict[Tuple[str, Any], Wav2FFT] = {}


def _build_layer(layer_name: str, config: Union[FbankConfig, MfccConfig, SpectrogramConfig]) -> Wav2FFT:
    """The layer for ``config``, cached per process (workers unpickle extractors for every task)."""
    key = (layer_name, config)
    layer = _LAYERS.get(key)
    if layer is None:
        from lhotse_lite.features.kaldi import layers

        kwargs = {k: v for k, v in config.to_dict().items() if k not in ("device", "num_mel_bins")}
        layer = getattr(layers, layer_name)(**kwargs).to(config.device).eval()
        if len(_LAYERS) > 16:
            _LAYERS.clear()
        _LAYERS[key] = layer
    return layer


def _pad_mirrored(signals: List[torch.Tensor]) -> torch.Tensor:
    """Stacks 1-D signals into ``(batch, max_len)``, padding each with its mirrored end, then zeros."""
    longest = max(len(s) for s in signals)
    rows = []
    for s in signals:
        missing = longest - len(s)
        if missing:
            mirror = torch.flip(s[max(len(s) - missing, 0) :], (0,))
            zeros = torch.zeros(missing - len(mirror), dtype=s.dtype)
            s = torch.cat([s, mirror, zeros])
        rows.append(s)
    return torch.stack(rows)


class _LogPowerMixing:
    """Feature-domain mixing of log-power features (fbank, log spectrogram): powers add."""

    @staticmethod
    def mix(features_a: np.ndarray, features_b: np.ndarray, energy_scaling_factor_b: float) -> np.ndarray:
        """``log(exp(a) + s * exp(b))`` (floored at 1e-10 before the log)."""
        return np.log(np.maximum(EPSILON, np.exp(features_a) + energy_scaling_factor_b * np.exp(features_b)))

    @staticmethod
    def compute_energy(features: np.ndarray) -> float:
        """``sum(exp(features))``."""
        return float(np.sum(np.exp(features)))

    @staticmethod
    def scale(features: np.ndarray, energy_scaling_factor: float) -> np.ndarray:
        """``features + log(s)``: log powers of the signal with its energy scaled by ``s``."""
        return features + np.log(energy_scaling_factor)


def _check_device(device: Any) -> None:
    kind = str(device).split(":")[0]
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} requested but CUDA is not available; use device='cpu'")
    if kind not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"device must be 'cpu', 'cuda' or 'cuda:N', got {device!r}")


@register_extractor
class Fbank(_LogPowerMixing, _KaldiExtractor[FbankConfig]):
    """Log mel filter bank energies (Kaldi's ``compute-fbank-feats``), ``(frames, num_filters)``.

    Args:
        config: A :class:`FbankConfig` (defaults: 80 filters, 25 ms windows every 10 ms at 16 kHz).

    Example:
        One second at 16 kHz gives 100 frames (``snip_edges=False``: ``round(16000 / 160)``):

        >>> import numpy as np
        >>> samples = np.random.default_rng(0).uniform(-0.5, 0.5, 16000).astype(np.float32)
        >>> Fbank().extract(samples, 16000).shape
        (100, 80)
    """

    name = "kaldi-fbank"
    config_type = FbankConfig
    layer_name = "Wav2LogFilterBank"

    def feature_dim(self, sampling_rate: int) -> int:
        return self.config.num_filters


@register_extractor
class Mfcc(_KaldiExtractor[MfccConfig]):
    """Mel-frequency cepstral coefficients (Kaldi's ``compute-mfcc-feats``), ``(frames, num_ceps)``.

    Args:
        config: An :class:`MfccConfig` (defaults: 13 coefficients from 23 filters).

    Example:
        >>> import torch
        >>> Mfcc().extract(torch.zeros(1, 8000), 16000).shape  # torch in, torch out
        torch.Size([50, 13])
    """

    name = "kaldi-mfcc"
    config_type = MfccConfig
    layer_name = "Wav2MFCC"

    def feature_dim(self, sampling_rate: int) -> int:
        return self.config.num_ceps


@register_extractor
class Spectrogram(_KaldiExtractor[SpectrogramConfig]):
    """Power (or magnitude) spectrum of each frame, ``(frames, fft_length // 2 + 1)``.

    Args:
        config: A :class:`SpectrogramConfig`.

    Example:
        A 25 ms window at 16 kHz (400 samples) is zero-padded to a 512-point FFT: 257 bins.

        >>> import numpy as np
        >>> spectrogram = Spectrogram()
        >>> spectrogram.feature_dim(16000), spectrogram.extract(np.zeros(3200, dtype=np.float32), 16000).shape
        (257, (20, 257))
    """

    name = "kaldi-spectrogram"
    config_type = SpectrogramConfig
    layer_name = "Wav2Spec"

    def feature_dim(self, sampling_rate: int) -> int:
        return self.extractor.fft_length // 2 + 1

    @staticmethod
    def mix(features_a: np.ndarray, features_b: np.ndarray, energy_scaling_factor_b: float) -> np.ndarray:
        """``a + s * b`` (spectra add)."""
        return features_a + energy_scaling_factor_b * features_b

    @staticmethod
    def compute_energy(features: np.ndarray) -> float:
        """``sum(features)``."""
        return float(np.sum(features))

    @staticmethod
    def scale(features: np.ndarray, energy_scaling_factor: float) -> np.ndarray:
        """``s * features`` (Lhotse's rule for spectra)."""
        return energy_scaling_factor * features


@register_extractor
class LogSpectrogram(_LogPowerMixing, _KaldiExtractor[LogSpectrogramConfig]):
    """Log power spectrum of each frame, ``(frames, fft_length // 2 + 1)``.

    Args:
        config: A :class:`LogSpectrogramConfig`.

    Example:
        Log-domain features mix as their powers add: ``log(e^0 + 1 * e^0) = log 2``.

        >>> import numpy as np
        >>> extractor = LogSpectrogram(LogSpectrogramConfig(frame_length=0.032, round_to_power_of_two=False))
        >>> extractor.feature_dim(16000)
        257
        >>> float(LogSpectrogram.mix(np.zeros((1, 1)), np.zeros((1, 1)), 1.0)[0, 0]) == float(np.log(2))
        True
    """

    name = "kaldi-log-spectrogram"
    config_type = LogSpectrogramConfig
    layer_name = "Wav2LogSpec"

    def feature_dim(self, sampling_rate: int) -> int:
        return self.extractor.fft_length // 2 + 1
